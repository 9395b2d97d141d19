"""The stored form: version 1 is pinned, every field is kept, and any str survives."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest

from smswire.errors import ConfigurationError, StoreUnavailable
from smswire.link.codes import ResultCode
from smswire.link.reports import DeliveryReport
from smswire.message import SMPP_OPTIONS, Message
from smswire.outbox.serial import (
    MESSAGE_FIELDS_V1,
    decode_inbound,
    decode_message,
    decode_receipt,
    decode_status,
    encode_inbound,
    encode_message,
    encode_status,
    fingerprint,
)
from smswire.pdu import CommandStatus
from smswire.smpp.receipts import DeliveryReceipt, ReceiptState
from smswire.smpp.userdata import MobileOriginated

from .support import every_option

# every_option() as version 1 writes it. A release that reads this differently
# would change what messages already stored mean.
EVERY_OPTION_V1 = (
    '{"v":1,"destination":"+4746910822","text":"H\\u00e9llo w\\u00f6rld \\u2713 '
    '\\ud83d\\ude00 \\ud800","source":"Bl\\u00f8k","national":["tr","es"],'
    '"concatenation":"sar","tlvs":[[5120,"0001ff"],[516,""]],'
    '"user_data_header":"050003010201","smart":true,"flash":true,'
    '"validity_period":"000001000000000R","service_type":"CMT","registered_delivery":false,'
    '"tariff":"NOK100","vat":0.25,"charge_only":true,"reference_id":"ref-1","asynchronous":true}'
)

RECEIPT = DeliveryReceipt(
    message_id="0A1B",
    state=ReceiptState.UNDELIVERABLE,
    error=5,
    submit_date=datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc),
    done_date=datetime(2024, 1, 1, 12, 1, 30, tzinfo=timezone(timedelta(hours=2))),
    submitted=1,
    delivered=0,
    text="Your code",
    raw=b"id:0A1B stat:UNDELIV \xff",
    source="+4791234567",
    destination="Shop",
    network_error=(3, 0x0102),
)
REPORT = DeliveryReport(
    message_id="abc123",
    result_code=ResultCode.BILLED_AND_DELIVERED,
    part=2,
    ref_id="order-1",
    operator="telenor",
    sent_at=datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=timezone.utc),
    timestamp=datetime(2024, 5, 1, 10, 0, 5, tzinfo=timezone.utc),
    operator_result_code="0",
    segments=3,
    gate_custom_parameters={"gate": "1"},
    custom_parameters={"source": "Shop", "destination": "+4791234567"},
)
MOBILE = MobileOriginated("+4791234567", "2270", "STOP ✋", 8, parts=2)


def test_every_message_field_is_part_of_the_stored_form() -> None:
    # A field added to Message must be added to the format (and its version).
    assert {field.name for field in dataclasses.fields(Message)} == MESSAGE_FIELDS_V1


def test_a_plain_message_is_stored_small() -> None:
    text = encode_message(Message("+4791000000", "hi", source="Shop"))
    assert text == '{"v":1,"destination":"+4791000000","text":"hi","source":"Shop"}'


def test_version_1_is_pinned() -> None:
    assert encode_message(every_option()) == EVERY_OPTION_V1
    assert decode_message(EVERY_OPTION_V1) == every_option()


def test_every_option_round_trips() -> None:
    assert decode_message(encode_message(every_option())) == every_option()
    plain = Message("+4791000000", "")
    assert decode_message(encode_message(plain)) == plain


def test_a_stored_message_knows_its_way_specific_options_as_the_original_does() -> None:
    # A way out reads them to refuse the other way's options; a message read
    # back from the store once had none, and every send of it crashed.
    for original in (every_option(), Message("+4791", "x"), Message("+47", "y", flash=True)):
        stored = decode_message(encode_message(original))
        assert stored.options_set() == original.options_set()
    with pytest.raises(ConfigurationError, match="tariff"):
        decode_message(encode_message(every_option())).refuse_options("SMPP", SMPP_OPTIONS)
    decode_message(encode_message(Message("+47", "z"))).refuse_options("SMPP", frozenset())


def test_a_payload_of_another_version_is_refused_naming_it() -> None:
    newer = json.dumps({"v": 2, "destination": "+47", "text": "x"})
    with pytest.raises(StoreUnavailable, match="payload version 2"):
        decode_message(newer)


def test_a_message_json_cannot_carry_is_refused_before_it_is_stored() -> None:
    with pytest.raises(ConfigurationError, match="cannot be stored"):
        encode_message(Message("+47", "x", vat=float("nan")))


def receipt_fields(kind: type) -> set[str]:
    return {field.name for field in dataclasses.fields(kind)}


@pytest.mark.parametrize("item", [RECEIPT, REPORT, MOBILE], ids=["receipt", "report", "mo"])
def test_receipts_reports_and_handset_messages_round_trip(
    item: DeliveryReceipt | DeliveryReport | MobileOriginated,
) -> None:
    assert decode_inbound(encode_inbound(item)) == item
    document = json.loads(encode_inbound(item))
    # Every field is written (a receipt's correlated message is the store's job).
    assert receipt_fields(type(item)) - {"message"} == set(document) - {"v", "type"}


@pytest.mark.parametrize(
    "receipt",
    [
        RECEIPT,
        DeliveryReceipt("1", ReceiptState.UNKNOWN),  # every optional field unset
        dataclasses.replace(RECEIPT, text='ø "q" \\ \u2028 \ud800 \x00', source="Æ"),
        dataclasses.replace(RECEIPT, network_error=(3, 0), submit_date=None, error=None),
    ],
    ids=["full", "bare", "escapes", "network-error"],
)
def test_a_receipt_is_written_as_the_json_encoder_writes_its_fields(
    receipt: DeliveryReceipt,
) -> None:
    # Written by hand for speed: it must stay the version-1 text exactly (a
    # receipt stored again is known by the fingerprint of that text).
    document = {
        "v": 1,
        "type": "smpp_receipt",
        "message_id": receipt.message_id,
        "state": receipt.state.value,
        "error": receipt.error,
        "submit_date": receipt.submit_date and receipt.submit_date.isoformat(),
        "done_date": receipt.done_date and receipt.done_date.isoformat(),
        "submitted": receipt.submitted,
        "delivered": receipt.delivered,
        "text": receipt.text,
        "raw": receipt.raw.hex(),
        "raw_stat": receipt.raw_stat,
        "raw_err": receipt.raw_err,
        "source": receipt.source,
        "destination": receipt.destination,
        "network_error": list(receipt.network_error) if receipt.network_error else None,
    }
    assert encode_inbound(receipt) == json.dumps(document, separators=(",", ":"))
    assert decode_inbound(encode_inbound(receipt)) == receipt


def test_a_receipt_loses_only_the_message_the_client_correlated() -> None:
    stored = decode_receipt(encode_inbound(RECEIPT))
    assert stored == RECEIPT and stored.message is None


def test_a_handset_message_is_not_a_receipt() -> None:
    with pytest.raises(StoreUnavailable, match="mobile-originated"):
        decode_receipt(encode_inbound(MOBILE))


def test_the_same_receipt_has_the_same_fingerprint() -> None:
    assert fingerprint(encode_inbound(RECEIPT)) == fingerprint(encode_inbound(RECEIPT))
    later = dataclasses.replace(RECEIPT, state=ReceiptState.DELIVERED)
    assert fingerprint(encode_inbound(later)) != fingerprint(encode_inbound(RECEIPT))


@pytest.mark.parametrize(
    "status",
    [
        None,
        CommandStatus.ESME_ROK,
        CommandStatus.ESME_RTHROTTLED,
        ResultCode.INVALID_DESTINATION,
        ResultCode(9999),
    ],
)
def test_a_provider_status_keeps_whose_it_is(status: CommandStatus | ResultCode | None) -> None:
    back = decode_status(encode_status(status))
    assert back == status and type(back) is type(status)


@pytest.mark.parametrize(
    "damaged", ['{"v":1,"text":"no destination"}', '{"v":1,"destination":"+47",', "", "[]"]
)
def test_a_damaged_payload_is_refused(damaged: str) -> None:
    with pytest.raises(StoreUnavailable):
        decode_message(damaged)
