"""From a Message to its submit_sm PDUs, without a socket: every protocol decision
of sending by SMPP (addresses, encoding, parts, UDH/SAR/payload, esm_class,
data_coding, the flash bit, national tables, look-alikes, registered_delivery)."""

from __future__ import annotations

import pytest

from smswire.encoding import LINK_MOBILITY, Profile, decode_gsm7, encode_gsm7
from smswire.errors import ConfigurationError, EncodingError, MessageTooLong
from smswire.message import Concatenation, Message
from smswire.pdu import SubmitSm, Tlv, TlvTag, encode
from smswire.smpp.addresses import Npi, Ton
from smswire.smpp.submit import REGISTERED_DELIVERY_FINAL, build_submits
from smswire.smpp.userdata import ESM_CLASS_UDHI, split_user_data

LONG_TEXT = "The quick brown fox jumps over the lazy dog. " * 8  # 360 GSM7 septets
TURKISH = "Sayın müşterimiz, siparişiniz yola çıktı. Kargo şirketi yarın sizi arayacak."


def build(text: str = "Hello", **options: object) -> list[SubmitSm]:
    options.setdefault("source", "Acme")
    return build_submits(Message("+4512345678", text, **options))  # type: ignore[arg-type]


def tlv(pdu: SubmitSm, tag: TlvTag) -> bytes:
    (value,) = [t.value for t in pdu.tlvs if t.tag == tag]
    return value


def test_a_short_gsm7_text_is_one_plain_part_asking_for_a_receipt() -> None:
    (pdu,) = build("Hello {world}")
    assert (pdu.esm_class, pdu.data_coding) == (0, 0x00)
    assert decode_gsm7(pdu.short_message) == "Hello {world}"
    # SMPP 3.4 §5.2.17: a receipt on the final outcome.
    assert pdu.registered_delivery == REGISTERED_DELIVERY_FINAL
    assert pdu.tlvs == ()


def test_addresses_get_their_ton_and_npi_from_how_they_are_written() -> None:
    (pdu,) = build(source="1919")
    # SMPP 3.4 §5.2.5: "+" means international, carried as the digits alone.
    assert (pdu.dest_addr_ton, pdu.dest_addr_npi, pdu.destination_addr) == (
        Ton.INTERNATIONAL,
        Npi.ISDN,
        "4512345678",
    )
    assert (pdu.source_addr_ton, pdu.source_addr) == (Ton.NETWORK_SPECIFIC, "1919")
    (named,) = build(source="Acme")
    assert (named.source_addr_ton, named.source_addr) == (Ton.ALPHANUMERIC, "Acme")


def test_no_receipt_when_the_message_asks_for_none() -> None:
    (pdu,) = build(registered_delivery=False)
    assert pdu.registered_delivery == 0


def test_ucs2_text_is_data_coding_0x08() -> None:
    (pdu,) = build("Привет, 世界")
    assert pdu.data_coding == 0x08
    assert pdu.short_message == "Привет, 世界".encode("utf-16-be")


@pytest.mark.parametrize(("text", "data_coding"), [("Flash!", 0x10), ("Вспышка", 0x18)])
def test_flash_sets_message_class_0_as_inmobile_reads_it(text: str, data_coding: int) -> None:
    (pdu,) = build(text, flash=True)
    assert pdu.data_coding == data_coding


def test_a_long_text_goes_in_parts_each_with_udhi_and_the_concatenation_ie() -> None:
    pdus = build(LONG_TEXT, flash=True)
    assert len(pdus) == 3
    parts = [split_user_data(p.short_message, p.esm_class) for p in pdus]
    assert all(p.esm_class == ESM_CLASS_UDHI and p.data_coding == 0x10 for p in pdus)
    assert [(u.total, u.index) for u in parts] == [(3, 1), (3, 2), (3, 3)]
    assert len({u.reference for u in parts}) == 1
    assert "".join(decode_gsm7(u.payload) for u in parts) == LONG_TEXT


def test_the_reference_given_ties_the_parts_together() -> None:
    message = Message("+4512345678", LONG_TEXT, source="Acme")
    for reference in (0, 0x42, 255):
        pdus = build_submits(message, reference=reference)
        assert {split_user_data(p.short_message, p.esm_class).reference for p in pdus} == {
            reference
        }


def test_sar_carries_the_position_in_tlvs_and_no_udh() -> None:
    pdus = build(LONG_TEXT, concatenation=Concatenation.SAR)
    assert len(pdus) == 3
    # SMPP 3.4 §5.3.2.22-24: reference (2 octets), total, sequence number.
    assert {tlv(p, TlvTag.SAR_MSG_REF_NUM) for p in pdus} == {b"\x00\x00"}
    assert [tlv(p, TlvTag.SAR_TOTAL_SEGMENTS) for p in pdus] == [b"\x03"] * 3
    assert [tlv(p, TlvTag.SAR_SEGMENT_SEQNUM) for p in pdus] == [b"\x01", b"\x02", b"\x03"]
    assert all(p.esm_class == 0 for p in pdus)
    assert "".join(decode_gsm7(p.short_message) for p in pdus) == LONG_TEXT


def test_payload_carries_the_whole_text_in_one_message_payload_tlv() -> None:
    (pdu,) = build(LONG_TEXT, concatenation=Concatenation.PAYLOAD)
    # SMPP 3.4 §5.3.2.32: short_message is then empty.
    assert pdu.short_message == b""
    assert tlv(pdu, TlvTag.MESSAGE_PAYLOAD) == encode_gsm7(LONG_TEXT)
    assert (pdu.esm_class, pdu.data_coding) == (0, 0x00)


def test_a_single_national_part_has_udhi_and_the_locking_shift_ie() -> None:
    (pdu,) = build(TURKISH, national=("tr",))
    assert pdu.esm_class & ESM_CLASS_UDHI
    assert pdu.data_coding == 0x00
    # 3GPP TS 23.040 §9.2.3.24.16: UDHL 3, IEI 0x25 (locking shift), length 1, Turkish.
    assert pdu.short_message.startswith(bytes.fromhex("03250101"))


@pytest.mark.parametrize("concatenation", [Concatenation.SAR, Concatenation.PAYLOAD])
def test_without_a_udh_national_tables_cannot_be_named_so_plain_ucs2_goes(
    concatenation: Concatenation,
) -> None:
    pdus = build(TURKISH, national=("tr",), concatenation=concatenation)
    assert all(p.data_coding == 0x08 and not p.esm_class & ESM_CLASS_UDHI for p in pdus)


@pytest.mark.parametrize("concatenation", list(Concatenation))
def test_smart_sends_the_replaced_text_in_gsm7(concatenation: Concatenation) -> None:
    (pdu,) = build("It’s “on” – see you…", smart=True, concatenation=concatenation)
    body = pdu.short_message or tlv(pdu, TlvTag.MESSAGE_PAYLOAD)
    assert pdu.data_coding == 0x00
    assert decode_gsm7(body) == 'It\'s "on" - see you...'


def test_the_message_s_own_fields_and_tlvs_go_in_every_part() -> None:
    extra = Tlv(TlvTag.USER_MESSAGE_REFERENCE, b"\x00\x07")
    pdus = build(LONG_TEXT, tlvs=(extra,), service_type="CMT", validity_period="000001000000000R")
    assert all(extra in p.tlvs for p in pdus)
    assert {(p.service_type, p.validity_period) for p in pdus} == {("CMT", "000001000000000R")}
    for pdu in pdus:
        encode(pdu)  # every part is a valid PDU


def test_the_default_source_applies_only_to_messages_that_name_none() -> None:
    anonymous = Message("+4512345678", "hi")
    (pdu,) = build_submits(anonymous, default_source="Shop")
    assert pdu.source_addr == "Shop"
    (own,) = build_submits(Message("+4512345678", "hi", source="Acme"), default_source="Shop")
    assert own.source_addr == "Acme"
    with pytest.raises(ConfigurationError, match="no source"):
        build_submits(anonymous)


def test_a_source_over_the_limit_is_refused_unless_truncated() -> None:
    message = Message("+4512345678", "hi", source="+4512345678901234")
    with pytest.raises(ConfigurationError, match="limit is 15"):
        build_submits(message)
    (pdu,) = build_submits(message, truncate_source=True)
    assert pdu.source_addr == "451234567890123"
    with pytest.raises(ConfigurationError, match="limit is 11"):
        build_submits(Message("+4512345678", "hi", source="AcmeCorporation"))


def test_a_destination_over_destination_addr_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="the limit is 15"):
        build_submits(Message("+45" + "1" * 30, "hi", source="Acme"))


@pytest.mark.parametrize(
    ("option", "value"),
    [("tariff", "SEK100"), ("vat", 25.0), ("charge_only", True), ("asynchronous", True)],
)
def test_an_option_only_link_understands_is_refused_by_name(option: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{option} is not an option SMPP"):
        build(**{option: value})


def test_a_text_over_the_profile_s_limit_is_an_encoding_error() -> None:
    with pytest.raises(MessageTooLong):
        build_submits(Message("+4512345678", "я" * 600, source="Acme"), profile=LINK_MOBILITY)
    with pytest.raises(EncodingError):
        build_submits(
            Message("+4512345678", LONG_TEXT, source="Acme"), profile=Profile("one", max_parts=1)
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("service_type", "ABCDEFG"),  # SMPP 3.4 §5.2.11: at most 5 octets
        ("validity_period", "tomorrow"),  # SMPP 3.4 §7.1: 16 characters or none
    ],
)
def test_a_field_smpp_does_not_allow_is_refused_by_name(field: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{field}"):
        build(LONG_TEXT, **{field: value})
