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
from collections.abc import Iterable

from smswire.encoding._gsm7_tables import DEFAULT_ALPHABET, ESCAPE, EXTENSION_TABLE
from smswire.encoding._national_tables import LOCKING_SHIFT_TABLES, SINGLE_SHIFT_TABLES
from smswire.errors import ConfigurationError, EncodingError

__all__ = [
    "IEI_LOCKING_SHIFT",
    "IEI_SINGLE_SHIFT",
    "NationalLanguage",
    "held_by",
    "languages_of",
    "locking_char",
    "locking_septet",
    "national_locking_table",
    "national_single_shift_table",
    "shift_choices",
    "shift_ies",
    "shift_tables",
    "shifts_in_udh",
    "single_shift_char",
    "single_shift_septet",
]

# A table entry of U+0000: the code is undefined there.
_UNDEFINED = "\x00"

# 3GPP TS 23.040 §9.2.3.24.16 / §9.2.3.24.15: national language locking shift and
# single shift information elements, each IEI, length 1, national language identifier.
IEI_LOCKING_SHIFT = 0x25
IEI_SINGLE_SHIFT = 0x24
SHIFT_IE_LENGTH = 1
# The default alphabet and its extension table, as identifier 0 in the choices below.
DEFAULT_TABLE = 0


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
    def from_code(cls, code: str | NationalLanguage) -> NationalLanguage:
        """The language an ISO 639-1 code names (a member names itself);
        ``ConfigurationError`` if Annex A has no tables for it."""
        if isinstance(code, NationalLanguage):
            return code
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


# ---------------------------------------------------------------- choosing tables


def languages_of(national: Iterable[str | NationalLanguage] | None) -> tuple[int, ...]:
    """The identifiers of the languages ``national`` names by ISO 639-1 code (or
    ``NationalLanguage`` member), in identifier order, each once (``None``: none)."""
    if national is None:
        return ()
    if isinstance(national, str):
        raise ConfigurationError(
            f"national must be a sequence of language codes such as ({national!r},), not a string"
        )
    return tuple(sorted({int(NationalLanguage.from_code(code)) for code in national}))


def _table_masks() -> dict[str, tuple[int, int]]:
    """For each character of any table: a bit per locking shift table holding it and
    a bit per single shift table holding it (bit 0: the default tables; bit n:
    national language identifier n)."""
    masks: dict[str, tuple[int, int]] = {}

    def add(ch: str, locking_bit: int, single_bit: int) -> None:
        locking, single = masks.get(ch, (0, 0))
        masks[ch] = (locking | locking_bit, single | single_bit)

    for septet, ch in enumerate(DEFAULT_ALPHABET):
        if septet != ESCAPE:
            add(ch, 1 << DEFAULT_TABLE, 0)
    for ch in EXTENSION_TABLE.values():
        add(ch, 0, 1 << DEFAULT_TABLE)
    for identifier, table in LOCKING_SHIFT_TABLES.items():
        for ch in table:
            if ch != _UNDEFINED:
                add(ch, 1 << identifier, 0)
    for identifier, table in SINGLE_SHIFT_TABLES.items():
        for ch in table:
            if ch != _UNDEFINED:
                add(ch, 0, 1 << identifier)
    return masks


_MASKS = _table_masks()


def held_by(ch: str, languages: tuple[int, ...]) -> bool:
    """Whether the default tables, or a table of one of ``languages``, hold ``ch``."""
    in_locking, in_single = _MASKS.get(ch, (0, 0))
    allowed = (1 << DEFAULT_TABLE) | sum(1 << i for i in languages)
    return bool((in_locking | in_single) & allowed)


def shift_choices(text: str, languages: tuple[int, ...]) -> list[tuple[int, int]]:
    """The (locking, single shift) identifier pairs among ``languages`` (and the
    default tables, 0) that encode every character of ``text``, but the default
    pair: for each locking shift table, the one single shift table to pair it with.

    Which single shift table a locking table needs is decided by the characters
    the locking table lacks, so any that holds them all costs the same septets;
    the default extension table is preferred (it needs no information element),
    then the locking table's own language, then the lowest identifier.
    """
    lockings = [DEFAULT_TABLE, *(i for i in languages if i in LOCKING_SHIFT_TABLES)]
    singles = (1 << DEFAULT_TABLE) | sum(1 << i for i in languages)
    usable = dict.fromkeys(lockings, singles)
    for ch in set(text):
        in_locking, in_single = _MASKS.get(ch, (0, 0))
        for locking in lockings:
            if not in_locking >> locking & 1:
                usable[locking] &= in_single
    choices = []
    for locking, single_mask in usable.items():
        if not single_mask:
            continue
        if single_mask & 1 << DEFAULT_TABLE:
            single = DEFAULT_TABLE
        elif single_mask & 1 << locking:
            single = locking
        else:
            single = (single_mask & -single_mask).bit_length() - 1
        if (locking, single) != (DEFAULT_TABLE, DEFAULT_TABLE):
            choices.append((locking, single))
    return choices


def shift_ies(locking: int, single: int) -> bytes:
    """The information elements that name the tables, in IEI order (empty for the
    default tables): they go in every part's user data header."""
    ies = b""
    if single != DEFAULT_TABLE:
        ies += bytes((IEI_SINGLE_SHIFT, SHIFT_IE_LENGTH, single))
    if locking != DEFAULT_TABLE:
        ies += bytes((IEI_LOCKING_SHIFT, SHIFT_IE_LENGTH, locking))
    return ies


def shift_tables(locking: int, single: int) -> tuple[str, dict[int, str]]:
    """The locking table (128 characters, U+0000 where undefined) and the single
    shift table (septet -> character) of a pair of identifiers.

    The single shift table is given from its highest septet down, so an encoder
    that lets later entries win keeps the lower code of a repeated character.
    """
    locking_table = DEFAULT_ALPHABET if locking == DEFAULT_TABLE else LOCKING_SHIFT_TABLES[locking]
    if single == DEFAULT_TABLE:
        return locking_table, dict(sorted(EXTENSION_TABLE.items(), reverse=True))
    table = SINGLE_SHIFT_TABLES[single]
    shift = {
        septet: table[septet]
        for septet in reversed(range(len(table)))
        if table[septet] != _UNDEFINED
    }
    return locking_table, shift


def shifts_in_udh(udh: bytes) -> tuple[int, int]:
    """The (locking, single shift) identifiers a user data header names; 0 for a
    table it does not name.

    An identifier TS 23.038 §6.2.1.2.4 reserves, or a locking shift for Spanish
    (which has none), names no table: the default one applies, as for a receiver
    that knows no national tables. A header whose lengths overrun it raises.
    """
    if not udh:
        return DEFAULT_TABLE, DEFAULT_TABLE
    # 3GPP TS 23.040 §9.2.3.24: UDHL, then IEI, IEDL, IED... to UDHL's end.
    end = udh[0] + 1
    if end > len(udh):
        raise EncodingError(
            f"udh: length octet says {udh[0]} octets follow, only {len(udh) - 1} do", index=0
        )
    locking = single = DEFAULT_TABLE
    i = 1
    while i < end:
        if i + 1 >= end or i + 2 + udh[i + 1] > end:
            raise EncodingError(
                f"udh: information element at offset {i} overruns the header", index=i
            )
        iei, length = udh[i], udh[i + 1]
        if length == SHIFT_IE_LENGTH:
            identifier = udh[i + 2]
            if iei == IEI_LOCKING_SHIFT and identifier in LOCKING_SHIFT_TABLES:
                locking = identifier
            elif iei == IEI_SINGLE_SHIFT and identifier in SINGLE_SHIFT_TABLES:
                single = identifier
        i += 2 + length
    return locking, single
