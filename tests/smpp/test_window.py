"""The fused submit path writes, PDU for PDU, what the client's own path
writes today: build_submits for each message, each part numbered as the
session numbers it (with_sequence_number), encoded. Runs on whichever
backend this run uses; test_window_differential.py holds the two together."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smswire.encoding import LINK_MOBILITY, STANDARD, Profile
from smswire.errors import ConfigurationError, ProtocolError, SmswireError
from smswire.message import Concatenation, Message
from smswire.pdu import Tlv, TlvTag, decode, encode, with_sequence_number
from smswire.smpp.addresses import destination_address
from smswire.smpp.submit import build_submits, resolve_source
from smswire.smpp.window import (
    RECORD,
    EncodedWindow,
    PartRecord,
    encode_window,
    window_message,
)

MAX_SEQUENCE_NUMBER = 0x7FFFFFFF
SMALL = Profile("small", max_parts=3, gsm7_limit=400, ucs2_part_cap=20)

TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            "Hello {world}",
            "a" * 160,
            "a" * 161,
            "€" * 80,
            "Привет, 世界",
            "😀" * 40,
            "Sayın müşterimiz, siparişiniz yola çıktı. " * 3,
            "“smart” quotes – and dashes…",
            "x" * 1400,
        ]
    ),
    st.text(st.sampled_from(list("aZ@£€[]{}\r\nçéяΩ😀ş“”–")), max_size=400),
)
SOURCES = st.sampled_from(["Acme", "1919", "+4512345678", "4512345678", "LINK SMS"])
DESTINATIONS = st.sampled_from(["+4746910822", "004512345678", "12345678", "1919"])
TLV_SETS = st.sampled_from(
    [(), (Tlv(TlvTag.USER_MESSAGE_REFERENCE, b"\x00\x09"),), (Tlv(0x1400, b"vendor"),)]
)


@st.composite
def options(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "concatenation": draw(st.sampled_from(list(Concatenation))),
        "flash": draw(st.booleans()),
        "registered_delivery": draw(st.booleans()),
        "national": draw(st.sampled_from([(), ("tr",), ("es", "pt")])),
        "smart": draw(st.booleans()),
        "service_type": draw(st.sampled_from(["", "CMT"])),
        "validity_period": draw(st.sampled_from(["", "000001000000000R"])),
        "tlvs": draw(TLV_SETS),
    }


def todays_path(
    messages: list[Message], first: int, reference: int, profile: Profile
) -> tuple[bytes, list[PartRecord], list[tuple[int, str, str]]]:
    """What the client writes today: each message built, each part stamped
    with the session's next sequence number, encoded."""
    wire = b""
    records = []
    refused = []
    sequence = first
    for index, message in enumerate(messages):
        try:
            pdus = build_submits(message, reference=(reference + index) % 256, profile=profile)
        except SmswireError as exc:
            refused.append((index, type(exc).__name__, str(exc)))
            continue
        for part, pdu in enumerate(pdus):
            records.append(PartRecord(index, part, len(pdus), sequence, len(wire)))
            wire += encode(with_sequence_number(pdu, sequence))
            sequence = 1 if sequence >= MAX_SEQUENCE_NUMBER else sequence + 1
    return wire, records, refused


def fused(messages: list[Message], first: int, reference: int, profile: Profile) -> EncodedWindow:
    shared = messages[0]
    return encode_window(
        [
            window_message(resolve_source(m), destination_address(m.destination), m.text)
            for m in messages
        ],
        first,
        reference=reference,
        profile=profile,
        national=shared.national,
        smart=shared.smart,
        concatenation=shared.concatenation,
        flash=shared.flash,
        registered_delivery=shared.registered_delivery,
        service_type=shared.service_type,
        validity_period=shared.validity_period,
        tlvs=shared.tlvs,
    )


@settings(max_examples=150, deadline=None)
@given(
    window=st.lists(st.tuples(SOURCES, DESTINATIONS, TEXTS), min_size=1, max_size=8),
    shared=options(),
    first=st.sampled_from([1, 2, 1000, MAX_SEQUENCE_NUMBER - 3, MAX_SEQUENCE_NUMBER]),
    reference=st.integers(0, 255),
    profile=st.sampled_from([STANDARD, LINK_MOBILITY, SMALL]),
)
def test_the_fused_path_writes_what_the_client_writes_today(
    window: list[tuple[str, str, str]],
    shared: dict[str, Any],
    first: int,
    reference: int,
    profile: Profile,
) -> None:
    messages = [Message(d, t, source=s, **shared) for s, d, t in window]
    wire, records, refused = todays_path(messages, first, reference, profile)
    encoded = fused(messages, first, reference, profile)
    assert encoded.wire == wire
    assert list(encoded.parts()) == records
    assert [(i, type(e).__name__, str(e)) for i, e in encoded.refused] == refused
    for record in encoded.parts():
        pdu = decode(encoded.pdu(record))
        assert pdu.sequence_number == record.sequence_number


def test_records_are_packed_16_octets_a_part() -> None:
    encoded = encode_window(
        [(5, 0, "Acme", 1, 1, "4746910822", "a" * 200), (5, 0, "Acme", 1, 1, "47", "b")], 9
    )
    assert RECORD.size == 16
    assert len(encoded.records) == 3 * RECORD.size
    assert list(encoded.parts()) == [
        PartRecord(0, 0, 2, 9, 0),
        PartRecord(0, 1, 2, 10, list(encoded.parts())[1].offset),
        PartRecord(1, 0, 1, 11, list(encoded.parts())[2].offset),
    ]
    assert b"".join(encoded.pdu(r) for r in encoded.parts()) == encoded.wire


def test_a_refused_message_takes_no_number_and_sinks_no_other() -> None:
    encoded = encode_window(
        [
            (5, 0, "Acme", 1, 1, "4746910822", "first"),
            (5, 0, "Acme", 1, 1, "4746910822", ""),
            (5, 0, "Acme", 1, 1, "4" * 21, "too long an address"),
            (5, 0, "Acme", 1, 1, "4746910822", "x" * 1400),
            (5, 0, "Acme", 1, 1, "4746910822", "last"),
        ],
        MAX_SEQUENCE_NUMBER,
        profile=SMALL,
    )
    assert [(r.message, r.sequence_number) for r in encoded.parts()] == [
        (0, MAX_SEQUENCE_NUMBER),
        (4, 1),
    ]
    (empty, address, long) = encoded.refused
    assert empty[0] == 1 and isinstance(empty[1], ConfigurationError)
    assert address[0] == 2 and isinstance(address[1], ProtocolError)
    assert address[1].field == "destination_addr"
    assert long[0] == 3 and "small" in str(long[1])


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"service_type": "TOOLONG"}, "service_type: SubmitSm.service_type: 7 octets"),
        ({"validity_period": "1d"}, "validity_period: SubmitSm.validity_period: a time"),
        ({"tlvs": (Tlv(0x1400, b"x" * 70000),)}, "tlvs: SubmitSm.tlvs: parameter 0x1400"),
        (
            {"tlvs": (Tlv(TlvTag.MESSAGE_PAYLOAD, b"x"),)},
            "message_payload: SubmitSm.message_payload: not allowed",
        ),
    ],
)
def test_shared_fields_smpp_refuses_are_refused_for_the_window(
    options: dict[str, Any], error: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        encode_window([(5, 0, "Acme", 1, 1, "47", "hi")], 1, **options)
    assert str(raised.value).startswith(error)
    # As build_submits refuses the same fields, in the same words.
    with pytest.raises(ConfigurationError) as today:
        build_submits(Message("+4746910822", "hi", source="Acme", **options))
    assert str(today.value) == str(raised.value)


@pytest.mark.parametrize(
    ("first", "reference", "concatenation", "error"),
    [
        (0, 0, "udh", "first_sequence must be 1..2147483647"),
        (MAX_SEQUENCE_NUMBER + 1, 0, "udh", "first_sequence must be 1..2147483647"),
        (1, 256, "udh", "reference must be 0..255"),
        (1, -1, "udh", "reference must be 0..255"),
        (1, 0, "fax", "concatenation must be 'udh', 'sar' or 'payload', not 'fax'"),
    ],
)
def test_window_arguments_out_of_range_are_refused(
    first: int, reference: int, concatenation: str, error: str
) -> None:
    from smswire.smpp.window import submit_window

    with pytest.raises(ConfigurationError, match=error):
        submit_window([], first, reference=reference, concatenation=concatenation)


@pytest.mark.parametrize(
    ("place", "value", "error"),
    [
        (0, 256, "message 1: source_addr_ton must be 0..255 (SMPP 3.4 §5.2.5), got 256"),
        (1, -1, "message 1: source_addr_npi must be 0..255 (SMPP 3.4 §5.2.6), got -1"),
        (3, 2**70, f"message 1: dest_addr_ton must be 0..255 (SMPP 3.4 §5.2.5), got {2**70}"),
        (4, "1", "message 1: dest_addr_npi must be 0..255 (SMPP 3.4 §5.2.6), got '1'"),
    ],
)
def test_a_ton_or_npi_out_of_range_refuses_the_window_naming_it(
    place: int, value: object, error: str
) -> None:
    from smswire.smpp.window import submit_window

    fields: list[object] = [5, 0, "Acme", 1, 1, "47", "hi"]
    fields[place] = value
    with pytest.raises(ConfigurationError) as raised:
        submit_window([(5, 0, "Acme", 1, 1, "47", "hi"), tuple(fields)], 1)
    assert str(raised.value) == error


@pytest.mark.parametrize("value", [-(2**70), -(2**63) - 1, 2**63, 2**64, 2**200])
def test_sequence_and_reference_beyond_any_machine_int_are_refused_by_name(value: int) -> None:
    from smswire.smpp.window import submit_window

    first = f"first_sequence must be 1..2147483647.*got {value}$"
    with pytest.raises(ConfigurationError, match=first):
        submit_window([], value)
    with pytest.raises(ConfigurationError, match=f"reference must be 0..255.*got {value}$"):
        submit_window([], 1, reference=value)
