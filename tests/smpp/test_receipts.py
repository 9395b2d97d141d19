"""Delivery receipts: SMPP 3.4 Appendix B text, the receipt TLVs, and what real SMSCs send.

Runs against whichever backend this process chose; the differential tests
(test_receipt_differential.py) hold the two to each other.
"""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smswire.message import Message
from smswire.pdu import DeliverSm, TlvTag, decode
from smswire.smpp.receipts import (
    DeliveryReceipt,
    ReceiptState,
    is_receipt,
    message_id_keys,
    parse_receipt,
)

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "receipts.json").read_text())

# As inMobile's guide prints it, wrapped between "submit" and "date".
INMOBILE_EXAMPLE = (
    b"id:ble50673-f8b8-41e8-a143-07a43bb8c86b sub:001 dlvrd:001 submit\n"
    b"date:1911121314 done date:1911121314 stat:DELIVRD err:000"
)
UTC = timezone.utc


def receipt_of(vector: dict[str, Any]) -> DeliveryReceipt:
    """Parse a vector as the client would: a whole deliver_sm, or its short_message."""
    if "pdu_hex" in vector:
        pdu = decode(bytes.fromhex(vector["pdu_hex"]))
        assert isinstance(pdu, DeliverSm) and is_receipt(pdu.esm_class)
        tlvs = [(tlv.tag, tlv.value) for tlv in pdu.tlvs]
        return parse_receipt(pdu.short_message, tlvs, data_coding=pdu.data_coding)
    short_message = vector["short_message"].encode("latin-1")
    return parse_receipt(short_message, data_coding=vector.get("data_coding", 0))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_real_world_receipts(vector: dict[str, Any]) -> None:
    receipt = receipt_of(vector)
    expect = vector["expect"]
    for name, value in expect.items():
        if name == "state":
            assert receipt.state is ReceiptState[value]
        elif name.endswith("_date"):
            assert getattr(receipt, name) == datetime.fromisoformat(value), name
        elif name == "network_error":
            assert receipt.network_error == (tuple(value) if value else None)
        elif name == "correlates_with":
            assert set(message_id_keys(receipt.message_id)) & set(message_id_keys(value))
        else:
            assert getattr(receipt, name) == value, name


def test_inmobiles_documented_receipt_parses() -> None:
    receipt = parse_receipt(INMOBILE_EXAMPLE)
    assert receipt.message_id == "ble50673-f8b8-41e8-a143-07a43bb8c86b"
    assert receipt.state is ReceiptState.DELIVERED
    assert receipt.delivered_ok
    assert receipt.error == 0
    assert receipt.submitted == 1
    assert receipt.delivered == 1
    assert receipt.submit_date == datetime(2019, 11, 12, 13, 14, tzinfo=UTC)
    assert receipt.done_date == receipt.submit_date
    assert receipt.raw == INMOBILE_EXAMPLE


def test_appendix_b_receipt_with_text_and_twelve_digit_dates() -> None:
    receipt = parse_receipt(
        b"id:0123456789 sub:001 dlvrd:000 submit date:2401311259 done date:240131130107 "
        b"stat:UNDELIV err:034 text:Hello world: the rest"
    )
    assert receipt.message_id == "0123456789"
    assert receipt.state is ReceiptState.UNDELIVERABLE
    assert receipt.error == 34
    assert receipt.done_date == datetime(2024, 1, 31, 13, 1, 7, tzinfo=UTC)
    assert receipt.text == "Hello world: the rest"


def test_inmobile_err_is_the_absolute_value_of_the_status_code() -> None:
    assert parse_receipt(b"id:1 stat:UNDELIV err:005").error == 5
    assert parse_receipt(b"id:1 stat:UNDELIV err:-5").error == 5
    assert parse_receipt(b"id:1 stat:UNDELIV err:-0x1F").error == 31


def test_keys_in_any_case_and_fields_missing_or_reordered() -> None:
    receipt = parse_receipt(b"STAT:expired ID:A1B2C3 Err:1")
    assert receipt.message_id == "A1B2C3"
    assert receipt.state is ReceiptState.EXPIRED
    assert receipt.error == 1
    assert receipt.submit_date is None
    assert receipt.submitted is None


def test_keys_inside_other_words_are_not_keys() -> None:
    receipt = parse_receipt(b"msgid:77 id:42 stat:DELIVRD")
    assert receipt.message_id == "42"


def test_underscored_date_keys_are_read_too() -> None:
    receipt = parse_receipt(b"id:9 submit_date:2401311259 done_date:2401311300 stat:DELIVRD")
    assert receipt.submit_date == datetime(2024, 1, 31, 12, 59, tzinfo=UTC)
    assert receipt.done_date == datetime(2024, 1, 31, 13, 0, tzinfo=UTC)


def test_the_first_of_a_repeated_key_counts() -> None:
    assert parse_receipt(b"id:1 stat:DELIVRD id:2 stat:UNDELIV").message_id == "1"


# -- a trailing NUL -------------------------------------------------------------


def test_trailing_nul_after_the_last_field() -> None:
    receipt = parse_receipt(b"id:77 sub:001 dlvrd:001 stat:DELIVRD err:000\x00")
    assert receipt.raw_err == "000"
    assert receipt.error == 0
    assert receipt.text == ""


def test_trailing_nul_after_the_text() -> None:
    receipt = parse_receipt(b"id:77 stat:DELIVRD err:000 text:Hello\x00")
    assert receipt.text == "Hello"
    assert receipt.raw.endswith(b"\x00")


def test_trailing_nul_after_a_ucs2_text() -> None:
    receipt = parse_receipt("id:7 stat:DELIVRD text:Hei\x00".encode("utf-16-be"), data_coding=8)
    assert receipt.text == "Hei"


# -- fields in any order, after text: too ----------------------------------------


def test_fields_after_text_are_taken_while_known_and_not_yet_seen() -> None:
    receipt = parse_receipt(b"id:5 sub:001 text:Your code is 1234 stat:DELIVRD err:000 dlvrd:001")
    assert receipt.text == "Your code is 1234"
    assert receipt.state is ReceiptState.DELIVERED
    assert receipt.raw_err == "000"
    assert receipt.delivered == 1


def test_keys_already_seen_stay_in_the_text() -> None:
    receipt = parse_receipt(b"id:5 sub:001 stat:DELIVRD text:your id:9 and sub:2 stat:x")
    assert receipt.text == "your id:9 and sub:2 stat:x"
    assert (receipt.message_id, receipt.submitted) == ("5", 1)


def test_text_keeps_a_second_text_key() -> None:
    assert parse_receipt(b"id:1 text:a text:b").text == "a text:b"


# -- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "year"),
    [
        ("6812311200", 2068),
        ("6901011200", 1969),
        ("9912311200", 1999),
        ("0001011200", 2000),
        ("7001010000", 1970),
    ],
)
def test_two_digit_years_pivot_as_posix_y(token: str, year: int) -> None:
    # POSIX strptime %y: 69-99 are 19xx, 00-68 are 20xx.
    receipt = parse_receipt(f"id:1 submit date:{token}".encode())
    assert receipt.submit_date is not None
    assert receipt.submit_date.year == year


@pytest.mark.parametrize(
    ("token", "moment"),
    [
        ("2401311259", datetime(2024, 1, 31, 12, 59, tzinfo=UTC)),  # YYMMDDhhmm
        ("240131125907", datetime(2024, 1, 31, 12, 59, 7, tzinfo=UTC)),  # YYMMDDhhmmss
        # YYYYMMDDhhmm: 20-24-01 is no date, so the year has four digits.
        ("202401311259", datetime(2024, 1, 31, 12, 59, tzinfo=UTC)),
        # Both readings exist: the first (two-digit year, seconds) wins.
        ("200112120000", datetime(2020, 1, 12, 12, 0, tzinfo=UTC)),
        ("20240131125907", datetime(2024, 1, 31, 12, 59, 7, tzinfo=UTC)),  # YYYYMMDDhhmmss
    ],
)
def test_date_layouts(token: str, moment: datetime) -> None:
    assert parse_receipt(f"id:1 done date:{token}".encode()).done_date == moment


def test_smpp_absolute_time_carries_its_own_offset() -> None:
    # SMPP 3.4 §7.1.1 YYMMDDhhmmsstnnp; the token is one of Telenor's (a vendor
    # TLV in telenordigital/sms-smpp's DeliverSmTest): tenths 0, +4 quarter hours.
    receipt = parse_receipt(b"id:1 done date:121030015256004+", tz=timezone(timedelta(hours=5)))
    assert receipt.done_date == datetime(
        2012, 10, 30, 1, 52, 56, tzinfo=timezone(timedelta(hours=1))
    )
    assert receipt.done_date is not None
    assert receipt.done_date.utcoffset() == timedelta(hours=1)
    west = parse_receipt(b"id:1 done date:240131125907508-").done_date
    assert west == datetime(2024, 1, 31, 12, 59, 7, 500_000, timezone(timedelta(hours=-2)))


def test_relative_smpp_times_are_refused() -> None:
    assert parse_receipt(b"id:1 done date:000001000000000R").done_date is None


def test_dates_carry_the_zone_they_are_told() -> None:
    oslo = timezone(timedelta(hours=1))
    assert parse_receipt(b"submit date:2401311259", tz=oslo).submit_date == datetime(
        2024, 1, 31, 12, 59, tzinfo=oslo
    )
    naive = parse_receipt(b"submit date:2401311259", tz=None).submit_date
    assert naive == datetime(2024, 1, 31, 12, 59)
    assert naive is not None and naive.tzinfo is None


@pytest.mark.parametrize(
    "token", ["9913999999", "2402300000", "2302290000", "2401312400", "240131235960", "24013112"]
)
def test_impossible_dates_are_none(token: str) -> None:
    assert parse_receipt(f"id:7 submit date:{token} stat:DELIVRD".encode()).submit_date is None


# -- data_coding -------------------------------------------------------------------


@pytest.mark.parametrize("data_coding", [0x08, 0x18, 0x48, 0xE0])
def test_ucs2_receipt_is_decoded_by_its_data_coding(data_coding: int) -> None:
    text = "id:1a2b sub:001 dlvrd:001 done date:2401311259 stat:DELIVRD err:000 text:Привет"
    receipt = parse_receipt(text.encode("utf-16-be"), data_coding=data_coding)
    assert receipt.message_id == "1a2b"
    assert receipt.state is ReceiptState.DELIVERED
    assert receipt.done_date == datetime(2024, 1, 31, 12, 59, tzinfo=UTC)
    assert receipt.text == "Привет"


def test_latin_1_receipt_text() -> None:
    receipt = parse_receipt(b"id:1 stat:DELIVRD text:caf\xe9", data_coding=3)
    assert receipt.text == "café"


def test_ascii_receipt_under_a_ucs2_data_coding_is_still_read() -> None:
    # node-smpp issue #68: the SMSC copied data_coding 8 but wrote ASCII.
    receipt = parse_receipt(b"id:S213 sub:001 stat:DELIVRD err:000 text:", data_coding=8)
    assert (receipt.message_id, receipt.state) == ("S213", ReceiptState.DELIVERED)


def test_data_coding_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="data_coding must be an int"):
        parse_receipt(b"id:1", data_coding="8")  # type: ignore[arg-type]


# -- raw stat and err --------------------------------------------------------------


def test_raw_stat_and_err_are_kept_beside_the_typed_values() -> None:
    receipt = parse_receipt(b"id:5 stat:DND_REJECTED err:21b")
    assert receipt.state is ReceiptState.UNKNOWN
    assert receipt.raw_stat == "DND_REJECTED"
    assert receipt.error is None
    assert receipt.raw_err == "21b"


def test_stat_spellings_seen_in_the_field() -> None:
    assert parse_receipt(b"stat:delivered").state is ReceiptState.DELIVERED
    assert parse_receipt(b"stat:Failed").state is ReceiptState.UNDELIVERABLE
    # Only ASCII case folds: a dotless i is not an i.
    assert parse_receipt("stat:DELıVRD".encode("utf-16-be"), data_coding=8).state is (
        ReceiptState.UNKNOWN
    )


# -- only ASCII digits are digits ---------------------------------------------------


@pytest.mark.parametrize(
    "short_message",
    [
        "id:²³ sub:² dlvrd:٣ submit date:²⁴⁰¹³¹¹²⁵⁹ done date:٢٤٠١٣١١٢٥٩ stat:DELIVRD err:²",
        "id:1 sub:1² err:0x²",
        "id:1 err:-²",
    ],
)
def test_unicode_digits_are_not_digits(short_message: str) -> None:
    receipt = parse_receipt(short_message.encode("utf-16-be"), data_coding=8)
    assert receipt.submitted is None
    assert receipt.delivered is None
    assert receipt.submit_date is None
    assert receipt.done_date is None
    assert receipt.error is None


@pytest.mark.parametrize("message_id", ["²³", "¹", "٣٤", "𝟙𝟚", "Ⅻ", " ²\x00"])
def test_message_id_keys_of_unicode_digits_do_not_raise(message_id: str) -> None:
    keys = message_id_keys(message_id)
    assert keys[0] == message_id.strip(" \x00")
    assert len(keys) == 1


def test_numbers_beyond_64_bits_are_no_numbers() -> None:
    receipt = parse_receipt(
        b"sub:18446744073709551616 dlvrd:18446744073709551615 err:99999999999999999999"
    )
    assert receipt.submitted is None
    assert receipt.delivered == 2**64 - 1
    assert receipt.error is None


# -- never raises ------------------------------------------------------------------


def test_an_unreadable_receipt_is_unknown_and_keeps_its_octets() -> None:
    raw = b"\xff\xfe garbage \x00\x01"
    receipt = parse_receipt(raw, source="4746910822", destination="LINK")
    assert receipt.state is ReceiptState.UNKNOWN
    assert receipt.message_id == ""
    assert receipt.raw is raw
    assert (receipt.source, receipt.destination) == ("4746910822", "LINK")


@given(
    short_message=st.binary(max_size=300),
    data_coding=st.integers(-1, 300),
    tlvs=st.lists(
        st.tuples(
            st.sampled_from([0x001E, 0x0427, 0x0423, 0x0424, 0x1400, 0x10000, -1]),
            st.binary(max_size=8),
        ),
        max_size=4,
    ),
)
def test_parse_receipt_never_raises_on_wire_input(
    short_message: bytes, data_coding: int, tlvs: list[tuple[int, bytes]]
) -> None:
    receipt = parse_receipt(short_message, tlvs, data_coding=data_coding)
    assert isinstance(receipt.state, ReceiptState)
    assert receipt.raw is short_message


# -- the receipt TLVs ---------------------------------------------------------------


def test_receipt_tlvs_win_over_the_text() -> None:
    # SMPP 3.4 §5.3.2.12 receipted_message_id, §5.3.2.35 message_state,
    # §5.3.2.31 network_error_code (type 3 = GSM, code 0x0022).
    receipt = parse_receipt(
        b"id:text-id stat:DELIVRD err:000",
        [
            (TlvTag.RECEIPTED_MESSAGE_ID, b"tlv-id\x00"),
            (TlvTag.MESSAGE_STATE, bytes((5,))),
            (TlvTag.NETWORK_ERROR_CODE, b"\x03\x00\x22"),
        ],
    )
    assert receipt.message_id == "tlv-id"
    assert receipt.state is ReceiptState.UNDELIVERABLE
    assert receipt.network_error == (3, 0x22)
    assert receipt.raw_stat == "DELIVRD"


def test_malformed_receipt_tlvs_are_ignored() -> None:
    receipt = parse_receipt(
        b"id:text-id stat:DELIVRD",
        [
            (TlvTag.RECEIPTED_MESSAGE_ID, b"\x00"),
            (TlvTag.RECEIPTED_MESSAGE_ID, b""),
            (TlvTag.MESSAGE_STATE, b""),
            (TlvTag.MESSAGE_STATE, b"\x00"),
            (TlvTag.MESSAGE_STATE, b"\x09"),
            (TlvTag.MESSAGE_STATE, b"\x02\x02"),
            (TlvTag.NETWORK_ERROR_CODE, b"\x03\x00"),
        ],
    )
    assert receipt.message_id == "text-id"
    assert receipt.state is ReceiptState.DELIVERED
    assert receipt.network_error is None


def test_a_receipted_message_id_ends_at_its_nul() -> None:
    receipt = parse_receipt(b"", [(TlvTag.RECEIPTED_MESSAGE_ID, b"ab\x00cd")])
    assert receipt.message_id == "ab"


# -- esm_class and correlation -----------------------------------------------------


def test_esm_class_marks_a_receipt() -> None:
    # SMPP 3.4 §5.2.12: bits 5-2 = 0001 is an SMSC delivery receipt.
    assert is_receipt(0x04)
    assert is_receipt(0x44)
    assert not is_receipt(0x00)
    assert not is_receipt(0x40)
    assert not is_receipt(0x08)


@pytest.mark.parametrize(
    ("submitted", "in_receipt"),
    [
        ("1A2B", "6699"),  # hex in submit_sm_resp, decimal in the receipt
        ("6699", "1a2b"),
        ("0000001A2B", "1a2b"),
        ("B1E50673-F8B8-41E8-A143-07A43BB8C86B", "b1e50673-f8b8-41e8-a143-07a43bb8c86b"),
        ("13006AC1", "0318794433"),  # Telenor Sweden (telenordigital/sms-smpp)
    ],
)
def test_message_ids_correlate_across_hex_decimal_case_and_padding(
    submitted: str, in_receipt: str
) -> None:
    assert set(message_id_keys(submitted)) & set(message_id_keys(in_receipt))


def test_distinct_ids_do_not_correlate() -> None:
    assert not set(message_id_keys("12345")) & set(message_id_keys("12346"))


def test_an_empty_id_correlates_with_nothing_but_itself() -> None:
    assert message_id_keys("") == ("",)
    assert not set(message_id_keys("")) & set(message_id_keys("0"))


def test_message_id_keys_lists_each_form_once() -> None:
    assert message_id_keys("1") == ("1",)
    assert message_id_keys(" 0059113978\x00") == ("0059113978", "59113978", "38601fa")


def test_naming_a_receipt_s_message_changes_that_field_alone() -> None:
    receipt = parse_receipt(
        b"id:7 sub:001 dlvrd:001 submit date:2601011200 done date:2601011201 stat:DELIVRD "
        b"err:000 text:hi",
        source="4512345678",
        destination="Acme",
    )
    message = Message("+4512345678", "hi", source="Acme")
    named = receipt.naming(message)
    assert named == replace(receipt, message=message)
    assert named.message is message and receipt.message is None
    with pytest.raises(FrozenInstanceError):
        named.message = None  # type: ignore[misc]
