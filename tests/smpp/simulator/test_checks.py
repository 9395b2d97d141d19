"""The rules between a submit_sm's fields that the simulator enforces (no sockets)."""

from __future__ import annotations

import pytest

from smswire.pdu import CommandStatus, SubmitSm, Tlv
from smswire.smpp.simulator.checks import submit_refusal

REF, TOTAL, SEQ = 0x020C, 0x020E, 0x020F
PAYLOAD = 0x0424


def sar(reference: bytes, total: bytes, index: bytes) -> tuple[Tlv, ...]:
    return (Tlv(REF, reference), Tlv(TOTAL, total), Tlv(SEQ, index))


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, 0),
        ({"tlvs": sar(b"\x00\x01", b"\x02", b"\x02")}, 0),
        ({"tlvs": (Tlv(0x1403, b"vendor"),)}, 0),
        ({"destination_addr": ""}, CommandStatus.ESME_RINVDSTADR),
        ({"tlvs": sar(b"", b"", b"")}, CommandStatus.ESME_RINVPARLEN),
        ({"tlvs": sar(b"\x00\x01", b"\x02\x00", b"\x01")}, CommandStatus.ESME_RINVPARLEN),
        ({"tlvs": sar(b"\x00\x01", b"\x02", b"\x00")}, CommandStatus.ESME_RINVOPTPARAMVAL),
        ({"tlvs": sar(b"\x00\x01", b"\x02", b"\x03")}, CommandStatus.ESME_RINVOPTPARAMVAL),
        ({"tlvs": sar(b"\x00\x01", b"\x02", b"\x01")[:1]}, CommandStatus.ESME_RMISSINGOPTPARAM),
        ({"esm_class": 0x40, "short_message": b"\x05\x00\x03\x01"}, CommandStatus.ESME_RINVMSGLEN),
        ({"esm_class": 0x40, "short_message": b""}, CommandStatus.ESME_RINVMSGLEN),
        ({"esm_class": 0x40, "short_message": b"\x05\x00\x03\x07\x02\x01hi"}, 0),
        (
            {"esm_class": 0x40, "short_message": b"", "tlvs": (Tlv(PAYLOAD, b"\x03\x00"),)},
            CommandStatus.ESME_RINVMSGLEN,
        ),
    ],
    ids=[
        "plain",
        "sar-sound",
        "unknown-tlv-passes",
        "no-destination",
        "sar-empty",
        "sar-total-two-octets",
        "sar-segment-zero",
        "sar-segment-past-total",
        "sar-alone",
        "udhl-past-the-end",
        "udhi-without-octets",
        "udh-sound",
        "udhl-past-the-payload-tlv",
    ],
)
def test_submit_refusal(fields: dict[str, object], status: int) -> None:
    fields.setdefault("destination_addr", "4512345678")
    fields.setdefault("short_message", b"hi")
    assert submit_refusal(SubmitSm(**fields)) == status  # type: ignore[arg-type]
