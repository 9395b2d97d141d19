"""Smart encoding's look-alike table: every replacement is GSM, and the Rust core and
the pure twin hold the same table."""

from __future__ import annotations

import codecs

import gsm0338  # noqa: F401  (registers the gsm03.38 codec: an independent alphabet)
import pytest

from smswire.encoding._smart_table import smart_replacement

BMP = [chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF]
REPLACED = [ch for ch in BMP if smart_replacement(ch) is not None]


def _is_gsm(text: str) -> bool:
    try:
        codecs.encode(text, "gsm03.38")
    except UnicodeEncodeError:
        return False
    return True


def test_every_look_alike_would_force_ucs2() -> None:
    assert [ch for ch in REPLACED if _is_gsm(ch)] == []


def test_every_replacement_is_in_the_default_alphabet_or_its_extension() -> None:
    assert all(_is_gsm(smart_replacement(ch) or "") for ch in REPLACED)


@pytest.mark.parametrize(
    ("look_alike", "replacement"),
    [
        ("\u201c", '"'),  # LEFT DOUBLE QUOTATION MARK
        ("\u2019", "'"),  # RIGHT SINGLE QUOTATION MARK
        ("\u2013", "-"),  # EN DASH
        ("\u2014", "-"),  # EM DASH
        ("\u2026", "..."),  # HORIZONTAL ELLIPSIS
        ("\xa0", " "),  # NO-BREAK SPACE
        ("\u202f", " "),  # NARROW NO-BREAK SPACE
        ("\u2022", "-"),  # BULLET
        ("\u200b", ""),  # ZERO WIDTH SPACE
        ("\uff21", "A"),  # FULLWIDTH LATIN CAPITAL LETTER A
        ("\uff5b", "{"),  # FULLWIDTH LEFT CURLY BRACKET
        ("\uff40", "'"),  # FULLWIDTH GRAVE ACCENT
        ("\xe7", "\xc7"),  # c cedilla: the alphabet has only the capital
    ],
)
def test_documented_look_alikes(look_alike: str, replacement: str) -> None:
    assert smart_replacement(look_alike) == replacement


@pytest.mark.parametrize("ch", ["a", "@", "\u20ac", "\u200d", "\u200c", "\U0001f600", "\u0915"])
def test_gsm_characters_joiners_and_other_scripts_are_left_alone(ch: str) -> None:
    assert smart_replacement(ch) is None


def test_only_single_characters_are_looked_up() -> None:
    with pytest.raises(ValueError, match="length 1"):
        smart_replacement("ab")


def test_native_and_pure_tables_agree_for_every_bmp_code_point() -> None:
    native = pytest.importorskip("smswire._native")
    differing = [ch for ch in BMP if native.smart_replacement(ch) != smart_replacement(ch)]
    assert differing == []
    assert native.smart_replacement("\U0001f600") is None
