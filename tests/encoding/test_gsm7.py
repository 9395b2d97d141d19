"""GSM 7 bit default alphabet, extension table and septet packing (3GPP TS 23.038 §6)."""

from __future__ import annotations

import pytest

from smswire import ConfigurationError, EncodingError
from smswire.encoding import (
    analyze,
    decode_gsm7,
    encode_gsm7,
    pack_septets,
    unpack_septets,
)
from smswire.encoding._gsm7_tables import DEFAULT_ALPHABET, EXTENSION_TABLE

# 3GPP TS 23.038 §6.2.1, written out row by row from the standard's table, so a
# slip in the package's own table cannot hide behind the test.
STANDARD_DEFAULT_ALPHABET = {
    0x00: "@", 0x01: "£", 0x02: "$", 0x03: "¥", 0x04: "è", 0x05: "é", 0x06: "ù", 0x07: "ì",
    0x08: "ò", 0x09: "Ç", 0x0A: "\n", 0x0B: "Ø", 0x0C: "ø", 0x0D: "\r", 0x0E: "Å", 0x0F: "å",
    0x10: "\u0394", 0x11: "_", 0x12: "\u03a6", 0x13: "\u0393", 0x14: "\u039b", 0x15: "\u03a9",
    0x16: "\u03a0", 0x17: "\u03a8", 0x18: "\u03a3", 0x19: "\u0398", 0x1A: "\u039e",
    0x1C: "Æ", 0x1D: "æ", 0x1E: "ß", 0x1F: "É",
    0x20: " ", 0x21: "!", 0x22: '"', 0x23: "#", 0x24: "¤", 0x25: "%", 0x26: "&", 0x27: "'",
    0x28: "(", 0x29: ")", 0x2A: "*", 0x2B: "+", 0x2C: ",", 0x2D: "-", 0x2E: ".", 0x2F: "/",
    **{0x30 + d: str(d) for d in range(10)},
    0x3A: ":", 0x3B: ";", 0x3C: "<", 0x3D: "=", 0x3E: ">", 0x3F: "?",
    0x40: "¡", **{0x41 + k: chr(ord("A") + k) for k in range(26)},
    0x5B: "Ä", 0x5C: "Ö", 0x5D: "Ñ", 0x5E: "Ü", 0x5F: "§",
    0x60: "¿", **{0x61 + k: chr(ord("a") + k) for k in range(26)},
    0x7B: "ä", 0x7C: "ö", 0x7D: "ñ", 0x7E: "ü", 0x7F: "à",
}  # fmt: skip
# 3GPP TS 23.038 §6.2.1.1.
STANDARD_EXTENSION_TABLE = {
    0x0A: "\x0c", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
    0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
}  # fmt: skip


def test_the_tables_are_those_of_ts_23_038() -> None:
    assert len(STANDARD_DEFAULT_ALPHABET) == 127  # 0x1B is the escape, not a character
    assert {s: DEFAULT_ALPHABET[s] for s in STANDARD_DEFAULT_ALPHABET} == STANDARD_DEFAULT_ALPHABET
    assert EXTENSION_TABLE == STANDARD_EXTENSION_TABLE


@pytest.mark.parametrize("septet", sorted(STANDARD_DEFAULT_ALPHABET))
def test_every_default_alphabet_character_encodes_and_decodes(septet: int) -> None:
    ch = STANDARD_DEFAULT_ALPHABET[septet]
    assert encode_gsm7(ch) == bytes([septet])
    assert decode_gsm7(bytes([septet])) == ch
    assert analyze(ch).units == 1


@pytest.mark.parametrize("code", sorted(STANDARD_EXTENSION_TABLE))
def test_every_extension_character_is_escape_plus_code_both_ways(code: int) -> None:
    ch = STANDARD_EXTENSION_TABLE[code]
    assert encode_gsm7(ch) == bytes([0x1B, code])
    assert decode_gsm7(bytes([0x1B, code])) == ch
    assert analyze(ch).units == 2


def test_the_whole_alphabet_round_trips_in_one_text() -> None:
    text = "".join(STANDARD_DEFAULT_ALPHABET.values()) + "".join(STANDARD_EXTENSION_TABLE.values())
    assert decode_gsm7(encode_gsm7(text)) == text
    assert analyze(text).encoding == "gsm7"
    assert analyze(text).units == 127 + 2 * 10


def test_capital_c_cedilla_is_septet_0x09() -> None:
    assert encode_gsm7("Ç") == b"\x09"


def test_small_c_cedilla_is_not_in_the_alphabet() -> None:
    with pytest.raises(EncodingError) as info:
        encode_gsm7("ça")
    assert (info.value.character, info.value.index) == ("ç", 0)
    result = analyze("ça va")
    assert result.encoding == "ucs2"
    assert result.non_gsm == ((0, "ç"),)


def test_a_literal_escape_character_is_not_gsm() -> None:
    # U+001B is the escape code itself; passing it through would swallow the next character.
    with pytest.raises(EncodingError) as info:
        encode_gsm7("a\x1b<")
    assert (info.value.character, info.value.index) == ("\x1b", 1)
    result = analyze("a\x1b<")
    assert result.encoding == "ucs2"
    assert result.non_gsm == ((1, "\x1b"),)


def test_greek_look_alikes_are_not_mapped_to_latin() -> None:
    assert encode_gsm7("\u03a9") == b"\x15"  # GREEK CAPITAL OMEGA is in the table
    assert analyze("\u2126").encoding == "ucs2"  # OHM SIGN is not
    assert analyze("\u0391").encoding == "ucs2"  # GREEK CAPITAL ALPHA is not


def test_escape_then_a_code_the_extension_table_lacks_decodes_as_the_default_character() -> None:
    # 3GPP TS 23.038 §6.2.1.1: show the default-table character.
    assert decode_gsm7(b"\x1b\x41") == "A"
    assert decode_gsm7(b"\x1b\x0d") == "\r"  # 0x0D is reserved (CR2) in the extension table
    assert decode_gsm7(b"x\x1b\x00y") == "x@y"


def test_escape_escape_decodes_as_a_space() -> None:
    # 3GPP TS 23.038 §6.2.1.1: reserved for another extension table; display a space.
    assert decode_gsm7(b"a\x1b\x1bb") == "a b"


def test_decoding_a_septet_above_0x7f_raises() -> None:
    with pytest.raises(EncodingError) as info:
        decode_gsm7(b"ab\x80")
    assert info.value.index == 2


def test_decoding_a_trailing_lone_escape_raises() -> None:
    with pytest.raises(EncodingError) as info:
        decode_gsm7(b"ab\x1b")
    assert info.value.index == 2
    with pytest.raises(EncodingError):
        decode_gsm7(b"\x1b\x1b\x1b")


def test_decoding_an_escape_before_a_non_septet_raises() -> None:
    with pytest.raises(EncodingError) as info:
        decode_gsm7(b"\x1b\xc1")
    assert info.value.index == 1


def test_lone_surrogate_raises_naming_character_and_index() -> None:
    with pytest.raises(EncodingError) as info:
        encode_gsm7("ab\ud83d")
    assert (info.value.character, info.value.index) == ("\ud83d", 2)
    assert "U+D83D" in str(info.value)


def test_packing_the_classic_example() -> None:
    # Wikipedia "GSM 03.38": "hellohello" packs to E8 32 9B FD 46 97 D9 EC 37.
    assert pack_septets(encode_gsm7("hellohello")).hex().upper() == "E8329BFD4697D9EC37"


def test_packing_shifts_by_the_fill_bits() -> None:
    # 3GPP TS 23.040 §9.2.3.24: one fill bit after a 6-octet UDH.
    assert pack_septets(b"\x7f", 1) == b"\xfe"
    assert pack_septets(b"\x7f\x7f", 6) == b"\xc0\xff\x0f"
    assert unpack_septets(b"\xc0\xff\x0f", 2, 6) == b"\x7f\x7f"


def test_packing_nothing_is_empty() -> None:
    assert pack_septets(b"") == b""
    assert pack_septets(b"", 3) == b""
    assert unpack_septets(b"", 0) == b""


def test_eight_septets_fill_seven_octets_exactly() -> None:
    assert pack_septets(encode_gsm7("1234567@")).hex().upper() == "31D98C56B3DD00"


def test_unpack_takes_the_septet_count_so_pad_bits_are_not_a_trailing_at_sign() -> None:
    packed = pack_septets(encode_gsm7("1234567"))
    assert len(packed) == 7  # 49 bits: the last octet carries seven zero pad bits
    assert decode_gsm7(unpack_septets(packed, 7)) == "1234567"
    assert decode_gsm7(unpack_septets(packed, 8)) == "1234567@"


def test_unpack_more_septets_than_the_data_holds_raises() -> None:
    with pytest.raises(EncodingError) as info:
        unpack_septets(b"\x31\xd9", 3)
    assert info.value.index == 2


def test_packing_a_value_above_0x7f_raises() -> None:
    with pytest.raises(EncodingError) as info:
        pack_septets(b"a\x80")
    assert info.value.index == 1


@pytest.mark.parametrize("fill_bits", [-1, 7, 8])
def test_fill_bits_outside_0_to_6_are_refused(fill_bits: int) -> None:
    with pytest.raises(ConfigurationError):
        pack_septets(b"a", fill_bits)
    with pytest.raises(ConfigurationError):
        unpack_septets(b"a", 1, fill_bits)


def test_negative_septet_count_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        unpack_septets(b"a", -1)


def test_sms_packing_never_pads_with_carriage_return() -> None:
    assert pack_septets(encode_gsm7("1234567")) == bytes.fromhex("31D98C56B3DD00")


def test_ussd_cr_padding_fills_seven_spare_bits_with_cr() -> None:
    # 3GPP TS 23.038 §6.1.2.3.1: 7 characters leave 7 spare bits; CR fills them.
    assert pack_septets(encode_gsm7("1234567"), ussd_cr_pad=True) == bytes.fromhex("31D98C56B3DD1A")


def test_ussd_cr_padding_doubles_a_final_cr_on_an_octet_boundary() -> None:
    # 3GPP TS 23.038 §6.1.2.3.1: "another <CR> must be added together with a padding bit 0".
    septets = encode_gsm7("1234567\r")
    padded = pack_septets(septets, ussd_cr_pad=True)
    assert padded == pack_septets(septets + b"\r")
    assert len(padded) == 8


def test_ussd_cr_padding_leaves_other_lengths_alone() -> None:
    septets = encode_gsm7("123456")
    assert pack_septets(septets, ussd_cr_pad=True) == pack_septets(septets)
