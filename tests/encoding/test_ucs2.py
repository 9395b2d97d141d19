"""UCS2 user data: UTF-16BE, surrogate pairs for astral characters (3GPP TS 23.038 §6.3)."""

from __future__ import annotations

import pytest

from smswire import EncodingError
from smswire.encoding import decode_ucs2, encode_ucs2


def test_bmp_text_is_two_octets_a_character_big_endian() -> None:
    assert encode_ucs2("Aя€") == bytes.fromhex("0041044F20AC")
    assert decode_ucs2(bytes.fromhex("0041044F20AC")) == "Aя€"


def test_astral_characters_travel_as_surrogate_pairs() -> None:
    assert encode_ucs2("😀") == bytes.fromhex("D83DDE00")
    assert decode_ucs2(bytes.fromhex("D83DDE00")) == "😀"


def test_encoding_a_lone_surrogate_raises_naming_character_and_index() -> None:
    with pytest.raises(EncodingError) as info:
        encode_ucs2("ab\udc00c")
    assert (info.value.character, info.value.index) == ("\udc00", 2)


def test_decoding_an_odd_number_of_octets_raises() -> None:
    with pytest.raises(EncodingError) as info:
        decode_ucs2(b"\x00A\x00")
    assert info.value.index == 2


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        ("0041D83D", 2),  # a high surrogate at the end
        ("D83D0041", 0),  # a high surrogate before a non-surrogate
        ("0041DE00", 2),  # a low surrogate alone
        ("DE00D83D", 0),  # a pair in the wrong order
    ],
)
def test_decoding_a_lone_surrogate_raises_at_its_offset(data: str, offset: int) -> None:
    with pytest.raises(EncodingError) as info:
        decode_ucs2(bytes.fromhex(data))
    assert info.value.index == offset


def test_empty_is_empty() -> None:
    assert encode_ucs2("") == b""
    assert decode_ucs2(b"") == ""
