"""Public SMPP PDU vectors (tests/vectors/pdus.json: cloudhopper-smpp, gosmpp, go-smpp,
smpplib and rusmpp test suites, each entry with its source)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smswire import ProtocolError
from smswire.pdu import Framer, Pdu, decode, encode

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent.parent / "vectors" / "pdus.json").read_text("utf-8")
)

# Where a vector's verdict differs from ours, the reason, decided once.
# gosmpp writes a 9-character password; SMPP 3.4 §4.1.1 allows 8 plus NUL and
# the issue makes that limit strict (rusmpp's decode_error_context agrees).
REJECTED_ALTHOUGH_VALID = {"linxGnu/gosmpp/pdu/Outbind_test.go#TestOutbind[0]"}
# Responses without even the message_id NUL decode (cloudhopper tolerates
# them); our encoder writes the mandatory NUL of SMPP 3.4 §4.4.2, one octet more.
NO_BODY_ON_SUCCESS = {
    "decodeSubmitSmRespWithNoMessageId",
    "decodeDeliverSmRespWithNoMessageId",
    "decodeDataSmRespWithNoMessageId",
}
# sm_length 255: decoded (the frame is unambiguous and losing a received
# message is worse), but never sent: SMPP 3.4 §4.4.1 allows 254 octets.
RECEIVED_NOT_SENT = {"decodeSubmitSmWith255ByteShortMessage"}


def _name(entry: dict[str, Any]) -> str:
    return str(entry["source"]).rsplit("#", 1)[-1]


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [_name(e) for e in entries]


def _is_stream(entry: dict[str, Any]) -> bool:
    return "STREAM" in entry["note"]


def _is_partial(entry: dict[str, Any]) -> bool:
    return "need-more-data" in entry["note"] or "need more data" in entry["note"]


VALID = [
    e
    for e in VECTORS
    if e["valid"] and not _is_stream(e) and e["source"] not in REJECTED_ALTHOUGH_VALID
]
MALFORMED = [
    e
    for e in VECTORS
    if (not e["valid"] and not _is_stream(e) and not _is_partial(e))
    or e["source"] in REJECTED_ALTHOUGH_VALID
]
PARTIAL = [e for e in VECTORS if _is_partial(e)]
STREAMS = [e for e in VECTORS if _is_stream(e)]


def _check_fields(pdu: Pdu, expected: dict[str, Any]) -> None:
    for name, value in expected.items():
        if name == "sm_length":
            assert len(pdu.short_message) == value  # type: ignore[union-attr]
        elif name == "short_message_hex":
            assert pdu.short_message == bytes.fromhex(value)  # type: ignore[union-attr]
        elif name == "no_unsuccess":
            assert len(pdu.unsuccess_sme) == value  # type: ignore[union-attr]
        else:
            assert getattr(pdu, name) == value, name


def test_the_vectors_are_all_classified() -> None:
    assert len(VALID) + len(MALFORMED) + len(PARTIAL) + len(STREAMS) == len(VECTORS)
    assert len(VALID) > 60


@pytest.mark.parametrize("entry", VALID, ids=_ids(VALID))
def test_valid_vector_decodes_to_its_fields_and_re_encodes(entry: dict[str, Any]) -> None:
    data = bytes.fromhex(entry["hex"])
    pdu = decode(data)
    assert pdu.command_id == entry["command_id"]
    assert pdu.command_status == entry["command_status"]
    assert pdu.sequence_number == entry["sequence_number"]
    _check_fields(pdu, entry["fields"])
    assert [[t.tag, t.value.hex()] for t in pdu.tlvs] == entry["tlvs"]
    assert Framer().feed(data) == [pdu]
    name = _name(entry)
    if name in RECEIVED_NOT_SENT:
        with pytest.raises(ProtocolError) as info:
            encode(pdu)
        assert info.value.field == "short_message"
    elif name in NO_BODY_ON_SUCCESS:
        assert encode(pdu) == data[:3] + b"\x11" + data[4:] + b"\x00"
    else:
        assert encode(pdu) == data


@pytest.mark.parametrize("entry", MALFORMED, ids=_ids(MALFORMED))
def test_malformed_vector_raises_protocol_error(entry: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        decode(bytes.fromhex(entry["hex"]))


@pytest.mark.parametrize("entry", PARTIAL, ids=_ids(PARTIAL))
def test_partial_frame_yields_nothing_and_consumes_nothing(entry: dict[str, Any]) -> None:
    data = bytes.fromhex(entry["hex"])
    framer = Framer()
    assert framer.feed(data) == []
    rest = bytes(16 - len(data)) if len(data) < 16 else b""
    # The kept octets complete into the header they began: nothing was dropped.
    if data[:4] == b"\x00\x00\x00\x10" and len(data) >= 8:
        assert framer.feed(rest) == [decode(data + rest)]


def test_stream_with_an_unknown_command_skips_it_and_reads_on() -> None:
    (entry,) = [e for e in STREAMS if not e["valid"]]
    framer = Framer()
    with pytest.raises(ProtocolError) as info:
        framer.feed(bytes.fromhex(entry["hex"]))
    assert info.value.command_id == 0x110
    (link,) = framer.feed(b"")
    assert (link.command_id, link.sequence_number) == (0x15, 171192039)


def test_stream_split_before_its_last_octet_waits_for_it() -> None:
    (entry,) = [e for e in STREAMS if e["valid"]]
    data = bytes.fromhex(entry["hex"])
    framer = Framer()
    first = framer.feed(data[:31])
    assert [p.sequence_number for p in first] == [171192045]
    assert [p.sequence_number for p in framer.feed(data[31:])] == [171192049]


def test_command_length_over_a_chosen_cap_is_rejected_by_the_framer() -> None:
    (entry,) = [e for e in VECTORS if _name(e) == "TestDecodeHeader[big]"]
    with pytest.raises(ProtocolError):
        Framer(max_command_length=4096).feed(bytes.fromhex(entry["hex"]))
