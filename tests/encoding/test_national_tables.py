"""The national language shift tables of 3GPP TS 23.038 Annex A, both directions.

The pure twin's tables are checked against the Rust core's entry for entry, against
gsmcodecs (an independent transcription of TS 23.038 V18.0.0, from PyPI) entry for
entry with each disagreement named, and for round trips through the lookups.
"""

from __future__ import annotations

import codecs

import gsmcodecs  # noqa: F401  (registers the gsm23.038-X-Y codecs)
import pytest

from smswire.encoding._national import (
    NationalLanguage,
    locking_char,
    locking_septet,
    national_locking_table,
    national_single_shift_table,
    single_shift_char,
    single_shift_septet,
)
from smswire.errors import ConfigurationError

ESCAPE = 0x1B  # TS 23.038 §6.2.1.2.3
SEPTETS = range(0x80)
LANGUAGES = list(NationalLanguage)
INDIC = [language for language in LANGUAGES if language >= NationalLanguage.BENGALI]
LOCKING = [language for language in LANGUAGES if language.has_locking_table]

# Where our reading departs from gsmcodecs' transcription, and why (see the notes on
# the tables in _national_tables.py).
COMMA = 0x2C
DEPARTURES_LOCKING = {
    # gsmcodecs shows an apostrophe; Android (V9.1.1) and CyberChef (V16.0.0) read a
    # comma, and an apostrophe there would leave these tables without one.
    **{(language, COMMA): ("'", ",") for language in INDIC},
    # The printed U+0CAA repeats 0x3D; DDA (U+0CA1) belongs here (Android's correction).
    (NationalLanguage.KANNADA, 0x24): ("\u0caa", "\u0ca1"),
}
DEPARTURES_SINGLE_SHIFT = {
    # gsmcodecs omits the EURO SIGN that every other single shift table has at 0x65.
    (NationalLanguage.TELUGU, 0x65): (None, "\u20ac"),
}


def _gsmcodecs(encoded: bytes, codec: str) -> str | None:
    try:
        return codecs.decode(encoded, codec)
    except UnicodeDecodeError:
        return None


def test_identifiers_are_those_of_ts_23_038_6_2_1_2_4() -> None:
    assert [int(language) for language in LANGUAGES] == list(range(1, 14))
    assert [language.code for language in LANGUAGES] == [
        "tr", "es", "pt", "bn", "gu", "hi", "kn", "ml", "or", "pa", "ta", "te", "ur",
    ]  # fmt: skip
    for language in LANGUAGES:
        assert NationalLanguage.from_code(language.code) is language


def test_an_unknown_language_code_names_the_choices() -> None:
    with pytest.raises(ConfigurationError, match=r"'en' is not a language.*choose from bn, es"):
        NationalLanguage.from_code("en")


def test_spanish_alone_has_no_locking_shift_table() -> None:
    assert [language for language in LANGUAGES if not language.has_locking_table] == [
        NationalLanguage.SPANISH
    ]
    assert national_locking_table(2) is None
    assert locking_char(NationalLanguage.SPANISH, 0x41) is None
    assert locking_septet(NationalLanguage.SPANISH, "A") is None


@pytest.mark.parametrize("identifier", [-1, 0, 14, 255, 256])
def test_identifiers_outside_annex_a_have_no_tables(identifier: int) -> None:
    assert national_locking_table(identifier) is None
    assert national_single_shift_table(identifier) is None


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.code)
def test_every_table_has_128_codes_and_no_escape(language: NationalLanguage) -> None:
    single = national_single_shift_table(language)
    assert single is not None and len(single) == 128
    assert single_shift_char(language, ESCAPE) is None
    locking = national_locking_table(language)
    if language.has_locking_table:
        assert locking is not None and len(locking) == 128
        assert locking_char(language, ESCAPE) is None


@pytest.mark.parametrize("language", LOCKING, ids=lambda language: language.code)
def test_locking_tables_agree_with_gsmcodecs(language: NationalLanguage) -> None:
    codec = f"gsm23.038-{int(language)}-0"
    for septet in SEPTETS:
        if septet == ESCAPE:
            continue
        theirs = _gsmcodecs(bytes([septet]), codec)
        ours = locking_char(language, septet)
        expected = DEPARTURES_LOCKING.get((language, septet), (theirs, theirs))
        assert (theirs, ours) == expected, f"{language.name} locking {septet:#04x}"


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.code)
def test_single_shift_tables_agree_with_gsmcodecs(language: NationalLanguage) -> None:
    codec = f"gsm23.038-0-{int(language)}"
    for septet in SEPTETS:
        if septet == ESCAPE:
            continue
        theirs = _gsmcodecs(bytes([ESCAPE, septet]), codec)
        ours = single_shift_char(language, septet)
        if ours is None:
            # gsmcodecs falls back to the locking table, as TS 23.038 §6.2.1.1 bids
            # for an escape the extension table does not define.
            theirs = None if theirs == _gsmcodecs(bytes([septet]), codec) else theirs
        expected = DEPARTURES_SINGLE_SHIFT.get((language, septet), (theirs, theirs))
        assert (theirs, ours) == expected, f"{language.name} single shift {septet:#04x}"


@pytest.mark.parametrize("language", LOCKING, ids=lambda language: language.code)
def test_every_locking_entry_round_trips(language: NationalLanguage) -> None:
    defined = 0
    for septet in SEPTETS:
        ch = locking_char(language, septet)
        if ch is not None:
            defined += 1
            assert locking_septet(language, ch) == septet
    assert defined > 100


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.code)
def test_every_single_shift_entry_round_trips_to_its_lowest_code(
    language: NationalLanguage,
) -> None:
    for septet in SEPTETS:
        ch = single_shift_char(language, septet)
        if ch is not None:
            back = single_shift_septet(language, ch)
            assert back is not None and back <= septet
            assert single_shift_char(language, back) == ch


@pytest.mark.parametrize("language", INDIC, ids=lambda language: language.code)
def test_indic_single_shift_tables_repeat_asterisk_and_inverted_exclamation(
    language: NationalLanguage,
) -> None:
    assert single_shift_char(language, 0x0B) == single_shift_char(language, 0x18) == "*"
    assert single_shift_char(language, 0x13) == single_shift_char(language, 0x15) == "\xa1"
    assert single_shift_septet(language, "*") == 0x0B
    assert single_shift_septet(language, "\xa1") == 0x13


def test_known_v9_1_1_typos_follow_the_corrected_readings() -> None:
    assert locking_char(NationalLanguage.KANNADA, 0x24) == "\u0ca1"
    assert locking_septet(NationalLanguage.KANNADA, "\u0caa") == 0x3D
    assert single_shift_char(NationalLanguage.TAMIL, 0x24) == "\u0bee"
    assert single_shift_char(NationalLanguage.TELUGU, 0x22) == "\u0c6c"
    assert single_shift_char(NationalLanguage.TELUGU, 0x23) == "\u0c6d"
    assert single_shift_septet(NationalLanguage.TELUGU, "\u06cc") is None


def test_native_and_pure_tables_agree_entry_for_entry() -> None:
    native = pytest.importorskip("smswire._native")
    for identifier in range(-1, 16):
        assert native.national_locking_table(identifier) == national_locking_table(identifier)
        assert native.national_single_shift_table(identifier) == national_single_shift_table(
            identifier
        )
