"""decode_gsm7(udh=...): septets read in the national language tables a user data
header names (3GPP TS 23.040 §9.2.3.24.15-16), so MO messages round-trip."""

from __future__ import annotations

import pytest

from smswire import EncodingError
from smswire.encoding import decode_gsm7

TURKISH_LOCKING = bytes.fromhex("03250101")
TURKISH_SINGLE = bytes.fromhex("03240101")
HINDI_BOTH = bytes.fromhex("06240106250106")


def test_without_a_udh_the_default_tables_apply() -> None:
    assert decode_gsm7(b"\x07\x1b\x65") == "ì€"


def test_the_locking_shift_ie_replaces_the_default_alphabet() -> None:
    # Turkish locking 0x07 is 'ı', 0x60 'ç', 0x1D 'ş'.
    assert decode_gsm7(b"\x07\x60\x1d", udh=TURKISH_LOCKING) == "ıçş"


def test_the_single_shift_ie_replaces_the_extension_table() -> None:
    # Turkish single shift 0x47 'Ğ', 0x63 'ç'; the default alphabet stays locked.
    assert decode_gsm7(b"\x1b\x47\x1b\x63\x07", udh=TURKISH_SINGLE) == "Ğçì"


def test_both_ies_together() -> None:
    assert decode_gsm7(b"\x15\x1b\x19", udh=HINDI_BOTH) == "क।"


def test_the_shift_ies_may_follow_the_concatenation_ie() -> None:
    udh = bytes.fromhex("080003420201250101")
    assert decode_gsm7(b"\x07", udh=udh) == "ı"


def test_an_escape_to_a_code_the_single_shift_table_lacks_shows_the_locking_character() -> None:
    # TS 23.038 §6.2.1.1; Turkish single shift leaves 0x07 undefined.
    assert decode_gsm7(b"\x1b\x07", udh=TURKISH_LOCKING + b"") == "ı"


def test_escape_escape_shows_a_space() -> None:
    assert decode_gsm7(b"\x1b\x1b", udh=HINDI_BOTH) == " "


def test_a_code_the_locking_table_leaves_undefined_raises() -> None:
    # Bengali locking leaves 0x0C undefined.
    with pytest.raises(EncodingError, match="0x0C at offset 1") as info:
        decode_gsm7(b"\x00\x0c", udh=bytes.fromhex("03250104"))
    assert info.value.index == 1


@pytest.mark.parametrize(
    "udh",
    [
        bytes.fromhex("03250100"),  # identifier 0: the default table
        bytes.fromhex("0325010E"),  # 14: reserved
        bytes.fromhex("03250102"),  # Spanish has no locking shift table
        bytes.fromhex("032401FF"),  # reserved single shift
        bytes.fromhex("0425020101"),  # a locking IE of the wrong length
    ],
)
def test_identifiers_naming_no_table_leave_the_default_tables(udh: bytes) -> None:
    assert decode_gsm7(b"\x07\x1b\x65", udh=udh) == "ì€"


@pytest.mark.parametrize(
    "udh",
    [
        bytes.fromhex("05250101"),  # the length octet promises more than there is
        bytes.fromhex("0225"),  # an IE without its length octet
        bytes.fromhex("03250201"),  # an IE longer than the header
    ],
)
def test_a_malformed_udh_raises(udh: bytes) -> None:
    with pytest.raises(EncodingError, match="udh"):
        decode_gsm7(b"\x00", udh=udh)
