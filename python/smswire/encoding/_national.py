"""National language shift tables (3GPP TS 23.038 §6.2.1.2.4 and Annex A): the
languages, and lookups from septet to character and back.

The pure twin of ``rust/encoding/national``. A message names its tables in the user
data header (IEI 0x25 locking shift, IEI 0x24 single shift; TS 23.040
§9.2.3.24.15-16) by the national language identifier of each. A locking shift table
replaces the default alphabet for the whole message; a single shift table replaces
the default extension table, reached by the escape 0x1B (TS 23.038 §6.2.1.2.3).
"""

from __future__ import annotations

import enum

from smswire.encoding._national_tables import LOCKING_SHIFT_TABLES, SINGLE_SHIFT_TABLES
from smswire.errors import ConfigurationError

__all__ = [
    "NationalLanguage",
    "locking_char",
    "locking_septet",
    "national_locking_table",
    "national_single_shift_table",
    "single_shift_char",
    "single_shift_septet",
]

# A table entry of U+0000: the code is undefined there.
_UNDEFINED = "\x00"


class NationalLanguage(enum.IntEnum):
    """A language of TS 23.038 Annex A; its value is the national language
    identifier carried in the user data header (TS 23.038 §6.2.1.2.4)."""

    TURKISH = 1
    SPANISH = 2
    PORTUGUESE = 3
    BENGALI = 4
    GUJARATI = 5
    HINDI = 6
    KANNADA = 7
    MALAYALAM = 8
    ORIYA = 9
    PUNJABI = 10
    TAMIL = 11
    TELUGU = 12
    URDU = 13

    @property
    def code(self) -> str:
        """The ISO 639-1 code callers name the language by."""
        return _CODES[self]

    @property
    def has_locking_table(self) -> bool:
        """Whether Annex A.3 defines a locking shift table (Spanish has none)."""
        return int(self) in LOCKING_SHIFT_TABLES

    @classmethod
    def from_code(cls, code: str) -> NationalLanguage:
        """The language an ISO 639-1 code names; ``ConfigurationError`` if
        Annex A has no tables for it."""
        try:
            return _BY_CODE[code]
        except (KeyError, TypeError):
            known = ", ".join(sorted(_BY_CODE))
            raise ConfigurationError(
                f"national: {code!r} is not a language with TS 23.038 Annex A shift tables;"
                f" choose from {known}"
            ) from None


_CODES: dict[NationalLanguage, str] = {
    NationalLanguage.TURKISH: "tr",
    NationalLanguage.SPANISH: "es",
    NationalLanguage.PORTUGUESE: "pt",
    NationalLanguage.BENGALI: "bn",
    NationalLanguage.GUJARATI: "gu",
    NationalLanguage.HINDI: "hi",
    NationalLanguage.KANNADA: "kn",
    NationalLanguage.MALAYALAM: "ml",
    NationalLanguage.ORIYA: "or",
    NationalLanguage.PUNJABI: "pa",
    NationalLanguage.TAMIL: "ta",
    NationalLanguage.TELUGU: "te",
    NationalLanguage.URDU: "ur",
}
_BY_CODE: dict[str, NationalLanguage] = {code: language for language, code in _CODES.items()}


def _invert(table: str) -> dict[str, int]:
    # Reversed, so a character the table holds twice (the Indic single shift
    # tables repeat '*' and '¡') keeps its lower code, as in the Rust core.
    return {ch: septet for septet, ch in reversed(list(enumerate(table))) if ch != _UNDEFINED}


_LOCKING_REVERSE = {language: _invert(table) for language, table in LOCKING_SHIFT_TABLES.items()}
_SINGLE_SHIFT_REVERSE = {
    language: _invert(table) for language, table in SINGLE_SHIFT_TABLES.items()
}


def _entry(table: str | None, septet: int) -> str | None:
    if table is None or not 0 <= septet < len(table):
        return None
    ch = table[septet]
    return None if ch == _UNDEFINED else ch


def locking_char(language: NationalLanguage, septet: int) -> str | None:
    """The character at ``septet`` of the language's locking shift table; ``None``
    where the table leaves it undefined, at the escape 0x1B, or for Spanish."""
    return _entry(LOCKING_SHIFT_TABLES.get(int(language)), septet)


def single_shift_char(language: NationalLanguage, septet: int) -> str | None:
    """The character at ``septet`` (the code after an escape) of the language's
    single shift table; ``None`` where the table leaves it undefined."""
    return _entry(SINGLE_SHIFT_TABLES[int(language)], septet)


def locking_septet(language: NationalLanguage, ch: str) -> int | None:
    """The septet of ``ch`` in the language's locking shift table, if it has one."""
    return _LOCKING_REVERSE.get(int(language), {}).get(ch)


def single_shift_septet(language: NationalLanguage, ch: str) -> int | None:
    """The septet of ``ch`` in the language's single shift table (to follow an
    escape); of a character the table holds twice, the lower code."""
    return _SINGLE_SHIFT_REVERSE[int(language)].get(ch)


def national_locking_table(identifier: int) -> str | None:
    """The locking shift table of national language ``identifier`` as 128
    characters indexed by septet, U+0000 where undefined; ``None`` for Spanish and
    for identifiers Annex A does not define."""
    return LOCKING_SHIFT_TABLES.get(identifier)


def national_single_shift_table(identifier: int) -> str | None:
    """The single shift table of national language ``identifier`` as 128
    characters indexed by septet, U+0000 where undefined; ``None`` for identifiers
    Annex A does not define."""
    return SINGLE_SHIFT_TABLES.get(identifier)
