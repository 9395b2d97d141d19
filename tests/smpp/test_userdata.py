"""User data of received messages: UDH and SAR concatenation, data_coding, reassembly."""

from __future__ import annotations

import pytest

from smswire.errors import EncodingError
from smswire.smpp.userdata import (
    MultipartAssembler,
    UserData,
    decode_text,
    message_body,
    split_user_data,
)


def test_udh_with_an_8_bit_reference_is_split_from_the_text() -> None:
    # 3GPP TS 23.040 §9.2.3.24.1: IEI 00, length 3, reference, total, index.
    part = split_user_data(b"\x05\x00\x03\x2a\x02\x01Hi", 0x40)
    assert part == UserData(b"Hi", reference=0x2A, total=2, index=1)


def test_udh_with_a_16_bit_reference_and_another_ie_first() -> None:
    # 3GPP TS 23.040 §9.2.3.24.8: IEI 08, length 4; a port IE (05) before it.
    header = b"\x0c\x05\x04\x0b\x84\x23\xf0\x08\x04\x01\x02\x03\x02"
    assert split_user_data(header + b"x", 0x40) == UserData(b"x", 0x0102, 3, 2)


def test_udh_length_beyond_the_message_is_an_encoding_error() -> None:
    with pytest.raises(EncodingError):
        split_user_data(b"\x09\x00\x03", 0x40)


def test_sar_tlvs_give_the_part_position() -> None:
    tlvs = [(0x020C, b"\x01\x00"), (0x020E, b"\x03"), (0x020F, b"\x03")]
    assert split_user_data(b"abc", 0, tlvs) == UserData(b"abc", 256, 3, 3)


@pytest.mark.parametrize(
    ("data_coding", "payload", "text"),
    [
        (0x00, b"\x48\x69\x1b\x65", "Hi€"),  # SMSC default alphabet, unpacked septets
        (0x10, b"\x48\x69", "Hi"),  # GSM7 class 0 (inMobile flash)
        (0x08, "Привет".encode("utf-16-be"), "Привет"),
        (0x18, "ok".encode("utf-16-be"), "ok"),  # UCS2 class 0
        (0x03, "blå".encode("latin-1"), "blå"),
        (0xF0, b"\x48\x69", "Hi"),  # 3GPP TS 23.038 §4 message class group, GSM7
    ],
)
def test_data_coding_picks_the_alphabet(data_coding: int, payload: bytes, text: str) -> None:
    assert decode_text(payload, data_coding) == text


def test_parts_are_joined_once_all_have_arrived_in_any_order() -> None:
    assembler = MultipartAssembler()
    # A surrogate pair straddling the parts decodes only once they are joined.
    emoji = "😀".encode("utf-16-be")
    assert assembler.add("45", "1919", 0x08, UserData(emoji[2:], 9, 2, 2)) is None
    whole = assembler.add("45", "1919", 0x08, UserData(emoji[:2], 9, 2, 1))
    assert whole is not None
    assert whole.text == "😀"
    assert whole.parts == 2


def test_single_part_messages_pass_straight_through() -> None:
    mo = MultipartAssembler().add("45", "1919", 0x00, UserData(b"Hi"))
    assert mo is not None
    assert (mo.source, mo.destination, mo.text, mo.parts) == ("45", "1919", "Hi", 1)


def test_message_payload_tlv_carries_the_text_when_short_message_is_empty() -> None:
    # SMPP 3.4 §5.3.2.32: short_message and message_payload are exclusive.
    assert message_body(b"", [(0x0424, b"payload")]) == b"payload"
    assert message_body(b"short", [(0x0424, b"payload")]) == b"short"
    assert message_body(b"", []) == b""
