"""SMPP 3.4 PDU encoding and decoding (smswire.pdu: encode, encode_many, decode)."""

from __future__ import annotations

import contextlib
import dataclasses
import struct
from array import array
from collections.abc import Callable
from typing import Any

import pytest
from _pdu_strategies import pdus
from hypothesis import given
from hypothesis import strategies as st

from smswire import ProtocolError
from smswire.pdu import (
    PDU_CLASSES,
    BindTransmitter,
    BindTransmitterResp,
    CommandStatus,
    DataSm,
    DeliverSm,
    DistributionList,
    EnquireLink,
    GenericNack,
    Pdu,
    QuerySmResp,
    SmeAddress,
    SubmitMulti,
    SubmitMultiResp,
    SubmitSm,
    SubmitSmResp,
    Tlv,
    TlvTag,
    UnsuccessSme,
    decode,
    encode,
    encode_many,
)

S = CommandStatus


def frame(command_id: int, body: bytes, status: int = 0, sequence: int = 7) -> bytes:
    return struct.pack(">IIII", 16 + len(body), command_id, status, sequence) + body


def raises(data: bytes) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        decode(data)
    return info.value


SUBMIT = SubmitSm(
    source_addr="LINK",
    dest_addr_ton=1,
    dest_addr_npi=1,
    destination_addr="+4746910822",
    short_message=b"Hello",
    sequence_number=42,
)
SUBMIT_BYTES = frame(
    0x04,
    b"\x00" + b"\x00\x00LINK\x00" + b"\x01\x01+4746910822\x00" + b"\x00\x00\x00"
    b"\x00\x00" + b"\x00\x00\x00\x00" + b"\x05Hello",
    sequence=42,
)


# --- The wire format ---------------------------------------------------------


def test_submit_sm_encodes_header_then_fields_in_spec_order() -> None:
    assert encode(SUBMIT) == SUBMIT_BYTES


def test_submit_sm_decodes_to_the_same_dataclass() -> None:
    assert decode(SUBMIT_BYTES) == SUBMIT


def test_command_id_is_a_class_constant_not_a_field() -> None:
    assert SubmitSm.command_id == 0x00000004
    assert "command_id" not in {f.name for f in dataclasses.fields(SubmitSm)}


def test_encode_many_concatenates_pdus_in_order() -> None:
    link = EnquireLink(sequence_number=1)
    assert encode_many([SUBMIT, link, SUBMIT]) == SUBMIT_BYTES + encode(link) + SUBMIT_BYTES
    assert encode_many([]) == b""


def test_c_octet_strings_round_trip_every_latin1_octet() -> None:
    text = "".join(chr(c) for c in range(1, 21))
    pdu = SubmitSm(source_addr=text, service_type="\xff\xfe")
    assert decode(encode(pdu)) == pdu


def test_interface_version_defaults_to_0x34() -> None:
    # SMPP 3.4 §5.2.4
    assert BindTransmitter().interface_version == 0x34


def test_password_stays_out_of_the_repr() -> None:
    # Every PDU that carries one: the three binds (the client's default is
    # bind_transceiver) and outbind.
    carriers = [
        cls for cls in PDU_CLASSES if "password" in {f.name for f in dataclasses.fields(cls)}
    ]
    assert sorted(cls.__name__ for cls in carriers) == [
        "BindReceiver",
        "BindTransceiver",
        "BindTransmitter",
        "Outbind",
    ]
    for cls in carriers:
        assert "s3cret" not in repr(cls(system_id="me", password="s3cret")), cls.__name__


def test_submit_multi_carries_sme_addresses_and_distribution_lists() -> None:
    pdu = SubmitMulti(
        source_addr="LINK",
        dest_address=(SmeAddress(1, 1, "4712345678"), DistributionList("friends")),
        short_message=b"hi",
    )
    data = encode(pdu)
    assert b"\x02\x01\x01\x014712345678\x00\x02friends\x00" in data
    assert decode(data) == pdu


def test_submit_multi_resp_lists_unsuccessful_destinations() -> None:
    pdu = SubmitMultiResp(message_id="m1", unsuccess_sme=(UnsuccessSme(1, 1, "47", 0x45),))
    data = encode(pdu)
    assert data[16:] == b"m1\x00\x01\x01\x0147\x00\x00\x00\x00\x45"
    assert decode(data) == pdu


def test_unknown_and_vendor_tlvs_pass_through_in_wire_order() -> None:
    tlvs = (Tlv(0x1403, b"(null)\x00"), Tlv(0x0427, b"\x02"), Tlv(0x3FFF, b""))
    pdu = DeliverSm(tlvs=tlvs)
    assert decode(encode(pdu)).tlvs == tlvs


def test_sequence_numbers_above_0x7fffffff_are_accepted() -> None:
    # SMPP 3.4 §3.2 reserves them, but real SMSCs send them (cloudhopper vector).
    pdu = EnquireLink(sequence_number=0xA2859F22)
    assert decode(encode(pdu)) == pdu


@given(pdus)
def test_round_trip_decode_of_encode_is_identity(pdu: Pdu) -> None:
    assert decode(encode(pdu)) == pdu


# --- command_length ---------------------------------------------------------


def test_command_length_below_16_is_esme_rinvcmdlen() -> None:
    error = raises(struct.pack(">IIII", 15, 0x15, 0, 1))
    assert (error.status, error.field) == (S.ESME_RINVCMDLEN, "command_length")


def test_fewer_than_16_octets_is_esme_rinvcmdlen() -> None:
    error = raises(b"\x00\x00\x00\x10\x00")
    assert (error.status, error.field) == (S.ESME_RINVCMDLEN, "command_length")
    assert error.command_id is None


def test_body_longer_than_command_length_says_is_esme_rinvcmdlen() -> None:
    error = raises(frame(0x15, b"") + b"\x00")
    assert (error.status, error.field, error.command_id) == (
        S.ESME_RINVCMDLEN,
        "command_length",
        0x15,
    )


def test_body_shorter_than_its_fields_names_the_field() -> None:
    error = raises(frame(0x04, b"\x00\x01\x01LINK\x00\x01"))
    assert (error.status, error.field) == (S.ESME_RINVCMDLEN, "dest_addr_npi")
    assert (error.command_id, error.sequence_number) == (0x04, 7)


# --- command_id -------------------------------------------------------------


@pytest.mark.parametrize("command_id", [0x00000110, 0x80000110, 0x0000000A, 0x80000102])
def test_unknown_command_id_is_esme_rinvcmdid(command_id: int) -> None:
    error = raises(frame(command_id, b""))
    assert (error.status, error.field) == (S.ESME_RINVCMDID, "command_id")
    assert (error.command_id, error.sequence_number) == (command_id, 7)


# --- C-Octet Strings ----------------------------------------------------------

LIMITS = [
    (BindTransmitter, "system_id", 16, S.ESME_RINVSYSID),
    (BindTransmitter, "password", 9, S.ESME_RINVPASWD),
    (BindTransmitter, "system_type", 13, S.ESME_RINVSYSTYP),
    (BindTransmitter, "address_range", 41, S.ESME_RSYSERR),
    (SubmitSm, "service_type", 6, S.ESME_RINVSERTYP),
    (SubmitSm, "source_addr", 21, S.ESME_RINVSRCADR),
    (SubmitSm, "destination_addr", 21, S.ESME_RINVDSTADR),
    (DataSm, "source_addr", 65, S.ESME_RINVSRCADR),
    (SubmitSmResp, "message_id", 65, S.ESME_RINVMSGID),
]


@pytest.mark.parametrize(("cls", "name", "limit", "status"), LIMITS)
def test_c_octet_string_without_nul_within_its_maximum_is_rejected(
    cls: type, name: str, limit: int, status: int
) -> None:
    longest = cls(**{name: "x" * (limit - 1)})
    assert decode(encode(longest)) == longest
    data = encode(longest)
    start = data.index(b"x" * (limit - 1))
    # Replace the NUL after the longest legal value by one more character.
    bad = data[: start + limit - 1] + b"x" + data[start + limit :]
    error = raises(bad)
    assert (error.status, error.field) == (status, name)
    with pytest.raises(ProtocolError) as info:
        encode(cls(**{name: "x" * limit}))
    assert (info.value.status, info.value.field) == (status, name)


def test_c_octet_string_cut_off_by_the_end_of_the_body_is_esme_rinvcmdlen() -> None:
    error = raises(frame(0x80000004, b"9"))
    assert (error.status, error.field) == (S.ESME_RINVCMDLEN, "message_id")


def test_character_above_u00ff_cannot_be_encoded_and_names_the_field() -> None:
    with pytest.raises(ProtocolError) as info:
        encode(SubmitSm(source_addr="Łódź"))
    assert (info.value.field, info.value.status) == ("source_addr", S.ESME_RINVSRCADR)


def test_nul_inside_a_c_octet_string_cannot_be_encoded() -> None:
    with pytest.raises(ProtocolError) as info:
        encode(SubmitSm(destination_addr="47\x0012"))
    assert info.value.field == "destination_addr"


@pytest.mark.parametrize("value", ["2401011200000", "24010112000000000+"])
def test_times_are_empty_or_exactly_16_characters(value: str) -> None:
    # SMPP 3.4 §7.1
    with pytest.raises(ProtocolError) as info:
        encode(SubmitSm(schedule_delivery_time=value))
    assert (info.value.field, info.value.status) == ("schedule_delivery_time", S.ESME_RINVSCHED)
    good = encode(SubmitSm(validity_period="240101120000000R"))
    bad = good.replace(b"240101120000000R\x00", b"24010112000000R\x00\x00")
    error = raises(bad)
    assert (error.field, error.status) == ("validity_period", S.ESME_RINVEXPIRY)


def test_final_date_of_query_sm_resp_is_a_time_too() -> None:
    data = frame(0x80000003, b"id\x00" + b"1234\x00" + b"\x02\x00")
    assert raises(data).field == "final_date"
    assert decode(frame(0x80000003, b"id\x00\x00\x02\x00")) == QuerySmResp(
        message_id="id", message_state=2, sequence_number=7
    )


# --- short_message ------------------------------------------------------------


def test_sm_length_beyond_the_body_is_esme_rinvmsglen() -> None:
    good = encode(SubmitSm(short_message=b"abc"))
    bad = good[:-4] + b"\x10abc"
    error = raises(bad)
    assert (error.status, error.field) == (S.ESME_RINVMSGLEN, "short_message")


def test_short_message_longer_than_254_octets_cannot_be_encoded() -> None:
    assert decode(encode(SubmitSm(short_message=b"x" * 254))).short_message == b"x" * 254
    with pytest.raises(ProtocolError) as info:
        encode(SubmitSm(short_message=b"x" * 255))
    assert (info.value.status, info.value.field) == (S.ESME_RINVMSGLEN, "short_message")


def test_short_message_and_message_payload_together_are_rejected() -> None:
    payload = (Tlv(TlvTag.MESSAGE_PAYLOAD, b"long text"),)
    with pytest.raises(ProtocolError) as info:
        encode(SubmitSm(short_message=b"x", tlvs=payload))
    assert info.value.field == "message_payload"
    data = encode(SubmitSm(short_message=b"x")) + b"\x04\x24\x00\x01y"
    data = struct.pack(">I", len(data)) + data[4:]
    error = raises(data)
    assert (error.field, error.status) == ("message_payload", S.ESME_ROPTPARNOTALLWD)
    alone = SubmitSm(tlvs=payload)
    assert decode(encode(alone)) == alone


# --- Responses ----------------------------------------------------------------


def test_error_response_with_an_empty_body_decodes() -> None:
    # SMPP 3.4 §4.4.2: no body is returned with a non-zero command_status.
    pdu = decode(frame(0x80000004, b"", status=S.ESME_RTHROTTLED))
    assert pdu == SubmitSmResp(command_status=0x58, sequence_number=7)


def test_error_response_is_encoded_without_a_body() -> None:
    assert encode(SubmitSmResp(command_status=0x45, sequence_number=7)) == frame(
        0x80000004, b"", status=0x45
    )
    assert len(encode(SubmitSmResp(sequence_number=7))) == 17


def test_error_response_keeps_a_body_the_caller_filled_in() -> None:
    pdu = BindTransmitterResp(system_id="SMSC", command_status=S.ESME_RINVPASWD)
    assert encode(pdu)[16:] == b"SMSC\x00"
    assert decode(encode(pdu)) == pdu


def test_generic_nack_has_no_body() -> None:
    assert encode(GenericNack(command_status=1, sequence_number=2)) == frame(
        0x80000000, b"", status=1, sequence=2
    )


# --- TLV stream ---------------------------------------------------------------


@pytest.mark.parametrize("tail", [b"\x04", b"\x04\x24\x00", b"\x04\x24\x00\x05abc"])
def test_malformed_tlv_stream_is_esme_rinvoptparstream(tail: bytes) -> None:
    body = encode(DeliverSm())[16:] + tail
    error = raises(frame(0x05, body))
    assert (error.status, error.field) == (S.ESME_RINVOPTPARSTREAM, "tlvs")


# --- Robustness -----------------------------------------------------------------


@given(st.binary(max_size=300))
def test_random_bytes_raise_nothing_but_protocol_error(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode(data)


@given(pdus, st.data())
def test_mutated_pdus_raise_nothing_but_protocol_error(pdu: Pdu, data: st.DataObject) -> None:
    raw = bytearray(encode(pdu))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    for sample in (bytes(raw), bytes(raw[:cut])):
        with contextlib.suppress(ProtocolError):
            decode(sample)


@pytest.mark.parametrize(
    ("pdu", "field"),
    [
        (SubmitSm(esm_class=256), "esm_class"),
        (SubmitSm(priority_flag=-1), "priority_flag"),
        (SubmitSm(sequence_number=1 << 32), "sequence_number"),
        (SubmitSm(command_status=-1), "command_status"),
        (SubmitSm(tlvs=(Tlv(0x10000, b""),)), "tlvs"),
        (SubmitSm(tlvs=(Tlv(0x1400, b"x" * 65536),)), "tlvs"),
        (SubmitSm(short_message="text"), "short_message"),  # type: ignore[arg-type]
        (SubmitSm(source_addr=47), "source_addr"),  # type: ignore[arg-type]
    ],
)
def test_values_that_do_not_fit_their_field_cannot_be_encoded(pdu: Pdu, field: str) -> None:
    with pytest.raises(ProtocolError) as info:
        encode(pdu)
    assert info.value.field == field


def test_encode_rejects_what_is_not_a_pdu() -> None:
    with pytest.raises(TypeError):
        encode(Tlv(1, b""))  # type: ignore[arg-type]


def strided(data: bytes) -> memoryview:
    """A view that is not C-contiguous: every other octet of a larger buffer."""
    spaced = bytearray(2 * len(data))
    spaced[::2] = data
    return memoryview(spaced)[::2]


@pytest.mark.parametrize("wrap", [bytearray, memoryview, strided, lambda b: array("B", b)])
def test_decode_takes_any_bytes_like_object(wrap: Callable[[bytes], Any]) -> None:
    assert decode(wrap(encode(SUBMIT))) == SUBMIT


@pytest.mark.parametrize("data", ["text", 20, None, [0] * 16, 16.0])
def test_decode_refuses_what_is_not_bytes_like(data: object) -> None:
    # bytes(20) would be twenty zero octets: an int is not data.
    with pytest.raises(TypeError, match=r"^decode\(\) takes a bytes-like object, not "):
        decode(data)  # type: ignore[arg-type]
