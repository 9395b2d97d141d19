"""Cross-check with smpp34 (PyPI, Rust-backed).

smpp34 may crash at interpreter exit, so it runs in a child process that
prints what it encoded and decoded as JSON; a crash after that output is not
ours to judge, a missing output is.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from smswire.pdu import DeliverSm, SubmitSm, Tlv, TlvTag, decode, encode, receipted_message_id

_CHILD = textwrap.dedent(
    """
    import json, sys
    import smpp34

    ours = json.loads(sys.stdin.read())
    decoded = []
    for hexed in ours:
        pdu = smpp34.decode(bytes.fromhex(hexed))
        decoded.append({
            "type": type(pdu).__name__,
            "sequence_number": pdu.sequence_number,
            "source_addr": pdu.source_addr,
            "source_addr_ton": pdu.source_addr_ton,
            "destination_addr": pdu.destination_addr,
            "dest_addr_ton": pdu.dest_addr_ton,
            "esm_class": pdu.esm_class,
            "data_coding": pdu.data_coding,
            "registered_delivery": pdu.registered_delivery,
            "short_message": pdu.short_message.hex(),
            "tlvs": [[t.tag, t.value.hex()] for t in pdu.tlvs],
        })
    submit = smpp34.SubmitSm(
        "LINK", "+4746910822", b"x" * 160,
        dest_addr_ton=1, dest_addr_npi=1, registered_delivery=1, sequence_number=12,
    )
    receipt = smpp34.DeliverSm(
        "4712345678", "LINK", b"id:abc stat:DELIVRD err:000",
        esm_class=4, sequence_number=13,
        tlvs=[smpp34.Tlv(0x001E, b"abc\\0"), smpp34.Tlv(0x0427, b"\\x02")],
    )
    print(json.dumps({
        "decoded": decoded,
        "encoded": [submit.encode().hex(), receipt.encode().hex()],
    }), flush=True)
    """
)


def run_smpp34(ours: list[bytes]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps([data.hex() for data in ours]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, f"smpp34 child printed nothing: {result.stderr[-2000:]}"
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer


SUBMIT = SubmitSm(
    source_addr="LINK",
    dest_addr_ton=1,
    dest_addr_npi=1,
    destination_addr="+4746910822",
    registered_delivery=1,
    data_coding=8,
    short_message="hej ø".encode("utf-16-be"),
    sequence_number=21,
)
RECEIPT = DeliverSm(
    source_addr="4712345678",
    destination_addr="LINK",
    esm_class=4,
    short_message=b"id:abc sub:001 dlvrd:001 stat:DELIVRD err:000",
    tlvs=(Tlv(TlvTag.RECEIPTED_MESSAGE_ID, b"abc\x00"), Tlv(0x1403, b"vendor")),
    sequence_number=0x80000001,
)


def test_pdus_cross_smpp34_both_ways() -> None:
    answer = run_smpp34([encode(SUBMIT), encode(RECEIPT)])
    for ours, theirs in zip([SUBMIT, RECEIPT], answer["decoded"]):
        assert theirs["type"] == type(ours).__name__
        assert theirs["sequence_number"] == ours.sequence_number
        for name in (
            "source_addr",
            "source_addr_ton",
            "destination_addr",
            "dest_addr_ton",
            "esm_class",
            "data_coding",
            "registered_delivery",
        ):
            assert theirs[name] == getattr(ours, name), name
        assert bytes.fromhex(theirs["short_message"]) == ours.short_message
        assert theirs["tlvs"] == [[t.tag, t.value.hex()] for t in ours.tlvs]

    submit_hex, receipt_hex = answer["encoded"]
    submit = decode(bytes.fromhex(submit_hex))
    assert submit == SubmitSm(
        source_addr="LINK",
        dest_addr_ton=1,
        dest_addr_npi=1,
        destination_addr="+4746910822",
        registered_delivery=1,
        short_message=b"x" * 160,
        sequence_number=12,
    )
    assert encode(submit).hex() == submit_hex
    receipt = decode(bytes.fromhex(receipt_hex))
    assert isinstance(receipt, DeliverSm)
    assert (receipt.source_addr, receipt.destination_addr, receipt.esm_class) == (
        "4712345678",
        "LINK",
        4,
    )
    assert receipted_message_id(receipt) == "abc"
    assert encode(receipt).hex() == receipt_hex
