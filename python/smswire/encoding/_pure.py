"""The pure-Python twin of the native encoding core (rust/encoding/).

Same functions, same bytes, same exceptions (type, message and attributes) as
``smswire._native``; the differential tests in tests/encoding hold them to it.
Indices into a text are Python ``str`` indices (code points).
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterable, Sequence
from typing import Callable, TypeVar

from smswire.encoding._graphemes import cluster_starts
from smswire.encoding._gsm7_tables import DEFAULT_ALPHABET, ESCAPE, EXTENSION_TABLE
from smswire.encoding._national import (
    DEFAULT_TABLE,
    NationalLanguage,
    held_by,
    languages_of,
    shift_choices,
    shift_ies,
    shift_tables,
    shifts_in_udh,
)
from smswire.encoding._profile import STANDARD, Profile
from smswire.encoding._smart_table import smart_replacement
from smswire.encoding._types import Analysis, Segment
from smswire.errors import ConfigurationError, EncodingError, MessageTooLong

_T = TypeVar("_T")

__all__ = [
    "analyze",
    "analyze_many",
    "decode_gsm7",
    "decode_ucs2",
    "encode_gsm7",
    "encode_ucs2",
    "pack_septets",
    "segment",
    "segment_many",
    "unpack_septets",
]

# 3GPP TS 23.040 §9.2.3.16: TP-User-Data is at most 140 octets.
USER_DATA_OCTETS = 140
SEPTET_BITS = 7
# 3GPP TS 23.038 §4: SMS Data Coding Scheme, default alphabet / UCS2.
DATA_CODING_GSM7 = 0x00
DATA_CODING_UCS2 = 0x08
# 3GPP TS 23.040 §9.2.3.24.1: UDHL, IEI 0x00, IEDL 3, reference, total, sequence.
IEI_CONCAT_8BIT = 0x00
CONCAT_8BIT_UDH_OCTETS = 6
# 3GPP TS 23.040 §9.2.3.24.8: UDHL, IEI 0x08, IEDL 4, 16-bit reference, total, sequence.
IEI_CONCAT_16BIT = 0x08
CONCAT_16BIT_UDH_OCTETS = 7
MAX_FILL_BITS = 6
CARRIAGE_RETURN = 0x0D
# 3GPP TS 23.038 §6.2.1.1: ESC ESC is reserved for a further extension table;
# "a receiving entity shall display a space" until one is defined.
ESCAPE_ESCAPE_CHARACTER = " "
_EXTENDED = 0x80  # marks an extension-table code in an alphabet's encode map
_UNDEFINED = "\x00"  # a code a national locking table leaves undefined
_SURROGATES = ("\ud800", "\udfff")


class Alphabet:
    """A locking-shift table with its single-shift table, as encode and decode maps.

    The default alphabet is the only instance today; the national language
    tables of TS 23.038 Annex A are further instances of the same shape.
    """

    __slots__ = ("codes", "decode_default", "decode_shift", "shifted", "translation")

    def __init__(self, locking: str, single_shift: dict[int, str]) -> None:
        codes = {ch: _EXTENDED | septet for septet, ch in single_shift.items()}
        # A character in both tables travels in one septet. U+0000 marks a code
        # a national locking table leaves undefined.
        codes.update(
            (ch, septet)
            for septet, ch in enumerate(locking)
            if septet != ESCAPE and ch != _UNDEFINED
        )
        self.codes = codes
        self.shifted = frozenset(ch for ch, code in codes.items() if code & _EXTENDED)
        self.decode_default = locking
        self.decode_shift = dict(single_shift)
        self.translation = {
            ord(ch): chr(ESCAPE) + chr(code & 0x7F) if code & _EXTENDED else chr(code)
            for ch, code in codes.items()
        }


DEFAULT = Alphabet(DEFAULT_ALPHABET, EXTENSION_TABLE)
_ENCODE_TRANSLATION = DEFAULT.translation
_ALPHABETS = {(DEFAULT_TABLE, DEFAULT_TABLE): DEFAULT}


def _alphabet(locking: int, single: int) -> Alphabet:
    """The alphabet of a (locking, single shift) pair of national language identifiers."""
    alphabet = _ALPHABETS.get((locking, single))
    if alphabet is None:
        alphabet = _ALPHABETS[locking, single] = Alphabet(*shift_tables(locking, single))
    return alphabet


# ---------------------------------------------------------------- errors


def _lone_surrogate(ch: str, index: int) -> EncodingError:
    return EncodingError(
        f"character U+{ord(ch):04X} at index {index} is a lone surrogate and cannot be encoded",
        character=ch,
        index=index,
    )


def _check_surrogates(text: str) -> None:
    lo, hi = _SURROGATES
    for i, ch in enumerate(text):
        if lo <= ch <= hi:
            raise _lone_surrogate(ch, i)


# ---------------------------------------------------------------- GSM 7 bit


def encode_gsm7(text: str) -> bytes:
    """Septets of ``text``, one per octet, extension characters as ESC + code."""
    codes = DEFAULT.codes
    for i, ch in enumerate(text):
        if ch not in codes:
            # Lone surrogates are reported first, wherever they are: the native
            # backend meets them when it reads the string, before encoding.
            _check_surrogates(text)
            raise EncodingError(
                f"character U+{ord(ch):04X} at index {i} is not in the GSM 7 bit default "
                "alphabet or its extension table",
                character=ch,
                index=i,
            )
    return text.translate(_ENCODE_TRANSLATION).encode("latin-1")


def decode_gsm7(data: bytes, *, udh: bytes = b"") -> str:
    """The text of septets given one per octet (3GPP TS 23.038 §6.2.1), in the
    national language tables ``udh`` names (IEI 0x25 locking, 0x24 single shift)."""
    alphabet = _alphabet(*shifts_in_udh(udh))
    default, shift = alphabet.decode_default, alphabet.decode_shift
    out: list[str] = []
    i, n = 0, len(data)
    while i < n:
        septet = data[i]
        if septet > 0x7F:
            raise _septet_too_big(septet, i)
        if septet != ESCAPE:
            out.append(_defined(default[septet], septet, i))
            i += 1
            continue
        if i + 1 == n:
            raise EncodingError(
                f"escape septet 0x1B at offset {i} ends the data without its extension code",
                index=i,
            )
        code = data[i + 1]
        if code > 0x7F:
            raise _septet_too_big(code, i + 1)
        if code == ESCAPE:
            out.append(ESCAPE_ESCAPE_CHARACTER)
        else:
            # 3GPP TS 23.038 §6.2.1.1: a code the extension table lacks shows
            # the default-table character.
            out.append(shift.get(code) or _defined(default[code], code, i + 1))
        i += 2
    return "".join(out)


def _defined(ch: str, septet: int, offset: int) -> str:
    if ch == _UNDEFINED:
        raise EncodingError(
            f"septet 0x{septet:02X} at offset {offset} is undefined in the national "
            "language locking shift table",
            index=offset,
        )
    return ch


def _septet_too_big(value: int, offset: int) -> EncodingError:
    return EncodingError(
        f"octet 0x{value:02X} at offset {offset} is not a septet (above 0x7F)", index=offset
    )


def _check_fill_bits(fill_bits: int) -> None:
    if not 0 <= fill_bits <= MAX_FILL_BITS:
        raise ConfigurationError(f"fill_bits must be 0..{MAX_FILL_BITS}, got {fill_bits}")


def pack_septets(septets: bytes, fill_bits: int = 0, *, ussd_cr_pad: bool = False) -> bytes:
    """Pack septets LSB first after ``fill_bits`` zero bits (3GPP TS 23.038 §6.1.2.1.1).

    ``ussd_cr_pad`` applies the CR padding of TS 23.038 §6.1.2.3.1, which is for
    USSD and cell broadcast only; SMS never uses it (TP-UDL counts the septets).
    """
    _check_fill_bits(fill_bits)
    for i, septet in enumerate(septets):
        if septet > 0x7F:
            raise _septet_too_big(septet, i)
    if ussd_cr_pad and septets:
        spare = -(fill_bits + SEPTET_BITS * len(septets)) % 8
        # TS 23.038 §6.1.2.3.1: seven spare bits would read as '@': fill them
        # with CR; a wanted final CR that ends on an octet boundary is doubled.
        if spare == SEPTET_BITS or (spare == 0 and septets[-1] == CARRIAGE_RETURN):
            septets = bytes(septets) + bytes((CARRIAGE_RETURN,))
    if not septets:
        return b""
    acc = 0
    shift = fill_bits
    for septet in septets:
        acc |= septet << shift
        shift += SEPTET_BITS
    return acc.to_bytes((shift + 7) // 8, "little")


def unpack_septets(data: bytes, count: int, fill_bits: int = 0) -> bytes:
    """``count`` septets, one per octet, from packed ``data`` after ``fill_bits``.

    The count comes from TP-UDL: padding bits never come back as a septet.
    """
    _check_fill_bits(fill_bits)
    if count < 0:
        raise ConfigurationError(f"count must not be negative, got {count}")
    needed = (fill_bits + SEPTET_BITS * count + 7) // 8 if count else 0
    if len(data) < needed:
        raise EncodingError(
            f"{count} septets after {fill_bits} fill bits need {needed} octets, got {len(data)}",
            index=len(data),
        )
    acc = int.from_bytes(data[:needed], "little") >> fill_bits
    return bytes((acc >> (SEPTET_BITS * i)) & 0x7F for i in range(count))


# ---------------------------------------------------------------- UCS2


def encode_ucs2(text: str) -> bytes:
    """UTF-16BE octets of ``text`` (UCS2 as handsets use it: astral characters as pairs)."""
    try:
        return text.encode("utf-16-be")
    except UnicodeEncodeError as exc:
        raise _lone_surrogate(text[exc.start], exc.start) from None


def decode_ucs2(data: bytes) -> str:
    """The text of UTF-16BE octets; an odd length or a lone surrogate raises."""
    if len(data) % 2:
        raise EncodingError(
            f"UCS2 data has an odd number of octets ({len(data)})", index=len(data) - 1
        )
    try:
        return data.decode("utf-16-be")
    except UnicodeDecodeError as exc:
        unit = int.from_bytes(data[exc.start : exc.start + 2], "big")
        raise EncodingError(
            f"UCS2 unit 0x{unit:04X} at offset {exc.start} is a lone surrogate",
            index=exc.start,
        ) from None


# ---------------------------------------------------------------- capacity


def part_capacity(ucs2: bool, udh_octets: int) -> int:
    """Units one part holds after a UDH of ``udh_octets`` (UDHL included; 0: no UDH)."""
    if ucs2:
        return (USER_DATA_OCTETS - udh_octets) // 2
    # 3GPP TS 23.040 §9.2.3.24: septets start on a septet boundary after the UDH.
    udh_septets = (udh_octets * 8 + SEPTET_BITS - 1) // SEPTET_BITS
    return (USER_DATA_OCTETS * 8) // SEPTET_BITS - udh_septets


def _fill_bits(udh_octets: int) -> int:
    return -(udh_octets * 8) % SEPTET_BITS


class _Plan:
    """How one text splits: its encoding, units, and the character ranges of its parts."""

    __slots__ = ("cuts", "fits", "non_gsm", "per_segment", "ucs2", "units")

    def __init__(
        self,
        text: str,
        profile: Profile,
        udh16: bool,
        graphemes: bool,
        alphabet: Alphabet = DEFAULT,
        extra_udh_octets: int = 0,
        enforce_limits: bool = True,
    ) -> None:
        codes = alphabet.codes
        lo, hi = _SURROGATES
        non_gsm: list[tuple[int, str]] = []
        septets = len(text)
        for i, ch in enumerate(text):
            code = codes.get(ch)
            if code is None:
                if lo <= ch <= hi:
                    raise _lone_surrogate(ch, i)
                non_gsm.append((i, ch))
            elif code & _EXTENDED:
                septets += 1
        ucs2 = bool(non_gsm)
        units = len(text.encode("utf-16-be")) // 2 if ucs2 else septets
        concat_octets = CONCAT_16BIT_UDH_OCTETS if udh16 else CONCAT_8BIT_UDH_OCTETS
        single = part_capacity(ucs2, extra_udh_octets + 1 if extra_udh_octets else 0)
        multi = part_capacity(ucs2, concat_octets + extra_udh_octets)
        cap = profile.ucs2_part_cap if ucs2 else profile.gsm7_part_cap
        if cap is not None:
            multi = min(multi, cap)
        limit = profile.ucs2_limit if ucs2 else profile.gsm7_limit
        if limit is None:
            limit = profile.max_parts * multi
        unit_name = "UCS2 units" if ucs2 else "septets"
        self.fits = units <= limit
        if units > limit and enforce_limits:
            raise MessageTooLong(
                f"text needs {units} {unit_name}; profile '{profile.name}' allows at most {limit}",
                limit=limit,
                units=units,
                profile=profile.name,
            )
        self.ucs2 = ucs2
        self.units = units
        self.non_gsm = tuple(non_gsm)
        if units <= single:
            self.per_segment = single
            self.cuts = [0, len(text)]
            return
        self.per_segment = multi
        if ucs2:
            costs = [2 if ch > "\uffff" else 1 for ch in text]
        else:
            shifted = alphabet.shifted
            costs = [2 if ch in shifted else 1 for ch in text]
        self.cuts = _cut(costs, multi, cluster_starts(text) if graphemes else None)
        parts = len(self.cuts) - 1
        self.fits = self.fits and parts <= profile.max_parts
        if parts > profile.max_parts and enforce_limits:
            raise MessageTooLong(
                f"text needs {parts} parts of at most {multi} {unit_name}; profile "
                f"'{profile.name}' allows at most {profile.max_parts} parts",
                limit=limit,
                units=units,
                profile=profile.name,
            )


def _cut(costs: list[int], capacity: int, clusters: list[int] | None) -> list[int]:
    """Greedy cut points: a part ends before the first unit that would overflow it.

    Without ``clusters`` the atoms are characters, so an escape pair or a
    surrogate pair never straddles two parts; with them, grapheme clusters,
    except that a cluster longer than a whole part is cut between characters.
    """
    n = len(costs)
    cuts = [0]
    used = 0
    if clusters is None:
        for i, cost in enumerate(costs):
            if used + cost > capacity:
                cuts.append(i)
                used = 0
            used += cost
    else:
        ends = [*clusters[1:], n]
        for start, end in zip(clusters, ends):
            size = sum(costs[start:end])
            if size > capacity:
                for i in range(start, end):
                    if used + costs[i] > capacity:
                        cuts.append(i)
                        used = 0
                    used += costs[i]
                continue
            if used + size > capacity:
                cuts.append(start)
                used = 0
            used += size
    cuts.append(n)
    return cuts


# ---------------------------------------------------------------- national tables, smart


class _Choice:
    """The plan a text goes out with once the caller's opt-ins have had their say:
    the text as sent, its tables, its smart replacements and the parts they saved."""

    __slots__ = ("ies", "locking", "parts_saved", "plan", "replacements", "single", "text")

    def __init__(
        self,
        text: str,
        profile: Profile,
        udh16: bool,
        graphemes: bool,
        national: Iterable[str | NationalLanguage] | None,
        smart: bool,
    ) -> None:
        languages = languages_of(national)
        self.text: str = text
        self.replacements: tuple[tuple[int, str, str], ...] = ()
        self.locking = self.single = DEFAULT_TABLE
        self.ies = b""
        self.parts_saved = 0
        if not languages and not smart:
            self.plan = _Plan(text, profile, udh16, graphemes)
            return
        plain = _Plan(text, profile, udh16, graphemes, enforce_limits=False)
        best = _cheapest(text, plain, profile, udh16, graphemes, languages)
        if smart and plain.ucs2:
            replaced, replacements = _smart_replace(text, languages)
            if replacements:
                smart_plain = _Plan(replaced, profile, udh16, graphemes, enforce_limits=False)
                smarter = _cheapest(replaced, smart_plain, profile, udh16, graphemes, languages)
                # The caller asked for GSM text: it wins unless it costs more parts.
                if smarter is not None and (best is None or smarter[0] <= best[0]):
                    best = smarter
                    self.text, self.replacements = replaced, replacements
        if best is None:
            # Nothing fits: the plain text's own error says by how much.
            best = (0, _Plan(text, profile, udh16, graphemes), DEFAULT_TABLE, DEFAULT_TABLE)
        _, self.plan, self.locking, self.single = best
        self.ies = shift_ies(self.locking, self.single)
        self.parts_saved = len(plain.cuts) - len(self.plan.cuts)


def _cheapest(
    text: str,
    plain: _Plan,
    profile: Profile,
    udh16: bool,
    graphemes: bool,
    languages: tuple[int, ...],
) -> tuple[int, _Plan, int, int] | None:
    """The cheapest plan of ``text`` that fits ``profile``, among the plain one and
    those of the national tables allowed, as (parts, plan, locking, single shift).

    Fewest parts wins; then fewest header octets, so the default tables win a tie
    (every handset reads them); then fewest septets; then the lowest identifiers.
    """
    best = (len(plain.cuts) - 1, plain, DEFAULT_TABLE, DEFAULT_TABLE) if plain.fits else None
    best_key = (len(plain.cuts) - 1, 0, plain.units)
    for locking, single in shift_choices(text, languages):
        octets = len(shift_ies(locking, single))
        plan = _Plan(
            text,
            profile,
            udh16,
            graphemes,
            _alphabet(locking, single),
            octets,
            enforce_limits=False,
        )
        key = (len(plan.cuts) - 1, octets, plan.units)
        if plan.fits and (best is None or key < best_key):
            best, best_key = (key[0], plan, locking, single), key
    return best


def _smart_replace(
    text: str, languages: tuple[int, ...]
) -> tuple[str, tuple[tuple[int, str, str], ...]]:
    """``text`` with its look-alikes replaced, and each replacement as (index,
    character, replacement), if that makes it fit 7 bits in the tables allowed;
    otherwise ``text`` untouched: replacing gains nothing in a message that stays
    UCS2. Only characters no allowed table holds are replaced (a Turkish 'ç' stays
    when the Turkish tables may carry it).
    """
    replacements = []
    out = []
    for i, ch in enumerate(text):
        replacement = None if held_by(ch, languages) else smart_replacement(ch)
        if replacement is None:
            out.append(ch)
        else:
            replacements.append((i, ch, replacement))
            out.append(replacement)
    replaced = "".join(out)
    if replacements and (
        DEFAULT.codes.keys() >= set(replaced) or shift_choices(replaced, languages)
    ):
        return replaced, tuple(replacements)
    return text, ()


# ---------------------------------------------------------------- public API


def _characters(text: str) -> int:
    if text.isascii():
        # Every ASCII character is its own cluster but CR LF (UAX #29 GB3).
        return len(text) - text.count("\r\n")
    return len(cluster_starts(text))


def analyze(
    text: str,
    *,
    profile: Profile = STANDARD,
    udh16: bool = False,
    graphemes: bool = False,
    national: Iterable[str | NationalLanguage] | None = (),
    smart: bool = False,
) -> Analysis:
    """How ``text`` travels: encoding, units, parts and what forced UCS2.

    ``national`` names (ISO 639-1) the languages whose TS 23.038 Annex A shift
    tables the destination reads; ``smart`` lets look-alike characters be replaced.
    Either is used only where it makes the message cheaper or, for ``smart``, GSM.
    """
    choice = _Choice(text, profile, udh16, graphemes, national, smart)
    plan = choice.plan
    return Analysis(
        encoding="ucs2" if plan.ucs2 else "gsm7",
        data_coding=DATA_CODING_UCS2 if plan.ucs2 else DATA_CODING_GSM7,
        units=plan.units,
        segments=len(plan.cuts) - 1,
        per_segment=plan.per_segment,
        characters=_characters(choice.text),
        non_gsm=plan.non_gsm,
        locking_shift=_language_code(choice.locking),
        single_shift=_language_code(choice.single),
        parts_saved=choice.parts_saved,
        replacements=choice.replacements,
    )


def _language_code(identifier: int) -> str | None:
    return None if identifier == DEFAULT_TABLE else NationalLanguage(identifier).code


# Handsets reassemble parts by (originator, reference): start the per-process
# counter anywhere so a restarted sender does not reuse the last run's references.
_references = itertools.count(random.randrange(1 << 16))


def _reference(reference: int | None, udh16: bool) -> int:
    bits = 16 if udh16 else 8
    if reference is None:
        return next(_references) & ((1 << bits) - 1)
    if not 0 <= reference < 1 << bits:
        raise ConfigurationError(
            f"reference must be 0..{(1 << bits) - 1} for the {bits}-bit concatenation "
            f"reference, got {reference}"
        )
    return reference


def segment(
    text: str,
    *,
    profile: Profile = STANDARD,
    reference: int | None = None,
    udh16: bool = False,
    packed: bool = False,
    graphemes: bool = False,
    national: Iterable[str | NationalLanguage] | None = (),
    smart: bool = False,
) -> list[Segment]:
    """The parts of ``text`` with their UDH and payload, ready for the wire.

    With national language tables chosen (see ``analyze``), every part's UDH names
    them (IEI 0x25 locking, 0x24 single shift), a single part's too.
    """
    if reference is not None:
        _reference(reference, udh16)
    choice = _Choice(text, profile, udh16, graphemes, national, smart)
    plan, text, ies = choice.plan, choice.text, choice.ies
    alphabet = _alphabet(choice.locking, choice.single)
    cuts = plan.cuts
    total = len(cuts) - 1
    coding = DATA_CODING_UCS2 if plan.ucs2 else DATA_CODING_GSM7
    if total == 1:
        # 3GPP TS 23.040 §9.2.3.24: the UDH length octet, then the elements.
        udh = bytes((len(ies),)) + ies if ies else b""
        payload = _payload(text, plan.ucs2, packed, _fill_bits(len(udh)), alphabet)
        return [Segment(udh, payload, coding, 1, 1)]
    ref = _reference(reference, udh16)
    if udh16:
        head = bytes(
            (CONCAT_16BIT_UDH_OCTETS - 1 + len(ies), IEI_CONCAT_16BIT, 4, ref >> 8, ref & 0xFF)
        )
        fill = _fill_bits(CONCAT_16BIT_UDH_OCTETS + len(ies))
    else:
        head = bytes((CONCAT_8BIT_UDH_OCTETS - 1 + len(ies), IEI_CONCAT_8BIT, 3, ref))
        fill = _fill_bits(CONCAT_8BIT_UDH_OCTETS + len(ies))
    return [
        Segment(
            head + bytes((total, k)) + ies,
            _payload(text[cuts[k - 1] : cuts[k]], plan.ucs2, packed, fill, alphabet),
            coding,
            k,
            total,
        )
        for k in range(1, total + 1)
    ]


def _payload(text: str, ucs2: bool, packed: bool, fill_bits: int, alphabet: Alphabet) -> bytes:
    if ucs2:
        return text.encode("utf-16-be")
    septets = text.translate(alphabet.translation).encode("latin-1")
    return pack_septets(septets, fill_bits) if packed else septets


def _in_batch(position: int, exc: EncodingError) -> EncodingError:
    message = f"texts[{position}]: {exc}"
    if isinstance(exc, MessageTooLong):
        return MessageTooLong(message, limit=exc.limit, units=exc.units, profile=exc.profile)
    return EncodingError(message, character=exc.character, index=exc.index)


def analyze_many(
    texts: Iterable[str],
    *,
    profile: Profile = STANDARD,
    udh16: bool = False,
    graphemes: bool = False,
    national: Iterable[str | NationalLanguage] | None = (),
    smart: bool = False,
) -> list[Analysis]:
    """``analyze`` of each text; an error names the text's position in the batch."""
    # Checked once, up front, as the native backend does.
    national = tuple(NationalLanguage(i).code for i in languages_of(national))
    return _each(
        texts,
        functools.partial(
            analyze,
            profile=profile,
            udh16=udh16,
            graphemes=graphemes,
            national=national,
            smart=smart,
        ),
    )


def segment_many(
    texts: Sequence[str] | Iterable[str],
    *,
    profile: Profile = STANDARD,
    udh16: bool = False,
    packed: bool = False,
    graphemes: bool = False,
    national: Iterable[str | NationalLanguage] | None = (),
    smart: bool = False,
) -> list[list[Segment]]:
    """``segment`` of each text, each multi-part one with its own reference."""
    # Checked once, up front, as the native backend does.
    national = tuple(NationalLanguage(i).code for i in languages_of(national))
    return _each(
        texts,
        functools.partial(
            segment,
            profile=profile,
            udh16=udh16,
            packed=packed,
            graphemes=graphemes,
            national=national,
            smart=smart,
        ),
    )


def _each(texts: Iterable[str], one: Callable[[str], _T]) -> list[_T]:
    """``one`` of each text; an error names the text's position in the batch."""
    out = []
    for position, text in enumerate(texts):
        try:
            out.append(one(text))
        except EncodingError as exc:
            raise _in_batch(position, exc) from None
    return out
