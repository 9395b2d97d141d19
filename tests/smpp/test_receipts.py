"""Delivery receipts: SMPP 3.4 Appendix B text, the receipt TLVs, inMobile's format."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from smswire.smpp.receipts import (
    ReceiptState,
    is_receipt,
    message_id_keys,
    parse_receipt,
)

# As inMobile's guide prints it, wrapped between "submit" and "date".
INMOBILE_EXAMPLE = (
    b"id:ble50673-f8b8-41e8-a143-07a43bb8c86b sub:001 dlvrd:001 submit\n"
    b"date:1911121314 done date:1911121314 stat:DELIVRD err:000"
)


def test_inmobiles_documented_receipt_parses() -> None:
    receipt = parse_receipt(INMOBILE_EXAMPLE)
    assert receipt.message_id == "ble50673-f8b8-41e8-a143-07a43bb8c86b"
    assert receipt.state is ReceiptState.DELIVERED
    assert receipt.delivered_ok
    assert receipt.error == 0
    assert receipt.submitted == 1
    assert receipt.delivered == 1
    assert receipt.submit_date == datetime(2019, 11, 12, 13, 14, tzinfo=timezone.utc)
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
    assert receipt.done_date == datetime(2024, 1, 31, 13, 1, 7, tzinfo=timezone.utc)
    assert receipt.text == "Hello world: the rest"


def test_inmobile_err_is_the_absolute_value_of_the_status_code() -> None:
    assert parse_receipt(b"id:1 stat:UNDELIV err:005").error == 5
    assert parse_receipt(b"id:1 stat:UNDELIV err:-5").error == 5


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
    assert receipt.submit_date == datetime(2024, 1, 31, 12, 59, tzinfo=timezone.utc)
    assert receipt.done_date == datetime(2024, 1, 31, 13, 0, tzinfo=timezone.utc)


def test_unknown_state_and_bad_date_do_not_raise() -> None:
    receipt = parse_receipt(b"id:7 submit date:9913999999 stat:WHATEVER")
    assert receipt.state is ReceiptState.UNKNOWN
    assert receipt.submit_date is None


def test_receipt_tlvs_win_over_the_text() -> None:
    # SMPP 3.4 §5.3.2.12 receipted_message_id, §5.3.2.35 message_state,
    # §5.3.2.31 network_error_code (type 3 = GSM, code 0x0022).
    receipt = parse_receipt(
        b"id:text-id stat:DELIVRD err:000",
        [(0x001E, b"tlv-id\x00"), (0x0427, bytes((5,))), (0x0423, b"\x03\x00\x22")],
    )
    assert receipt.message_id == "tlv-id"
    assert receipt.state is ReceiptState.UNDELIVERABLE
    assert receipt.network_error == (3, 0x22)


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
    ],
)
def test_message_ids_correlate_across_hex_decimal_case_and_padding(
    submitted: str, in_receipt: str
) -> None:
    assert set(message_id_keys(submitted)) & set(message_id_keys(in_receipt))


def test_distinct_ids_do_not_correlate() -> None:
    assert not set(message_id_keys("12345")) & set(message_id_keys("12346"))
