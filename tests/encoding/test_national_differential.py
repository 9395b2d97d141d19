"""Native and pure backends agree on national language tables and smart encoding:
same tables chosen, same bytes, same exceptions, for any input (hypothesis).

Both implementations are called directly in one process, whichever backend the
public API is bound to in this run.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smswire.encoding import _pure
from smswire.encoding._gsm7_tables import DEFAULT_ALPHABET, EXTENSION_TABLE
from smswire.encoding._national import NationalLanguage
from smswire.encoding._national_tables import LOCKING_SHIFT_TABLES, SINGLE_SHIFT_TABLES
from smswire.encoding._profile import LINK_MOBILITY, STANDARD, Profile
from smswire.encoding._smart_table import _REPLACEMENTS

# Results compared as plain data, an Analysis by its repr (every field).
from .test_differential import _outcome, _same

native: Any = pytest.importorskip("smswire._native")

SMALL = Profile("small", max_parts=3, gsm7_limit=400, ucs2_part_cap=20)
PROFILES = st.sampled_from([STANDARD, LINK_MOBILITY, SMALL])
CODES = ["tr", "es", "pt", "bn", "gu", "hi", "kn", "ml", "or", "pa", "ta", "te", "ur"]
NATIONAL = st.one_of(
    st.just(()),
    st.lists(st.sampled_from(CODES), max_size=4),
    st.lists(st.sampled_from(CODES), min_size=13, max_size=13),
)

_GSM = DEFAULT_ALPHABET.replace("\x1b", "") + "".join(EXTENSION_TABLE.values())
# The characters of each language's tables, and of the default ones.
POOLS = [
    sorted(
        set(LOCKING_SHIFT_TABLES.get(identifier, _GSM) + SINGLE_SHIFT_TABLES[identifier]) - {"\x00"}
    )
    for identifier in range(1, 14)
]
STRAYS = st.one_of(
    st.sampled_from(sorted(_REPLACEMENTS)),
    st.sampled_from(list("aZ@€{}çÇş😀\u0301\u200d\x1b\x00\uff21\uff40\ud800")),
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Text in one language's tables with a few strays, at lengths around the
    part boundaries, and the languages allowed: mostly that one among others."""
    language = draw(st.integers(0, 12))
    pool = POOLS[language]
    national = draw(NATIONAL)
    if draw(st.integers(0, 3)):
        national = [*national, CODES[language]]
    alphabet = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6))
    length = draw(st.sampled_from([0, 1, 70, 146, 149, 152, 155, 160, 300, 460]))
    length += draw(st.integers(-3, 3))
    text = [draw(st.sampled_from(alphabet)) for _ in range(max(length, 0))]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        text.insert(draw(st.integers(0, len(text))), draw(STRAYS))
    return "".join(text), national


def _without_reference(udh: bytes) -> bytes:
    """The UDH with the drawn concatenation reference blanked: each backend draws
    its own (IEI 0x00: one octet at 3; IEI 0x08: two at 3 and 4)."""
    if len(udh) > 4 and udh[1] == 0x00:
        return udh[:3] + b"?" + udh[4:]
    if len(udh) > 5 and udh[1] == 0x08:
        return udh[:3] + b"??" + udh[5:]
    return udh


@settings(max_examples=300, deadline=None)
@given(cases(), PROFILES, st.booleans(), st.booleans(), st.booleans())
def test_analyze_agrees(
    case: tuple[str, list[str]], profile: Profile, smart: bool, udh16: bool, graphemes: bool
) -> None:
    text, national = case
    _same(
        "analyze",
        text,
        profile=profile,
        national=national,
        smart=smart,
        udh16=udh16,
        graphemes=graphemes,
    )


@settings(max_examples=200, deadline=None)
@given(cases(), PROFILES, st.booleans(), st.booleans(), st.booleans())
def test_segment_agrees(
    case: tuple[str, list[str]], profile: Profile, smart: bool, udh16: bool, packed: bool
) -> None:
    text, national = case
    _same(
        "segment",
        text,
        profile=profile,
        national=national,
        smart=smart,
        udh16=udh16,
        packed=packed,
        reference=0x2A,
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(cases(), max_size=4), NATIONAL, st.booleans())
def test_batches_agree(
    batch: list[tuple[str, list[str]]], national: list[str], smart: bool
) -> None:
    texts = [text for text, _ in batch]
    _same("analyze_many", texts, national=national, smart=smart)
    expected = _outcome(lambda: _pure.segment_many(texts, national=national, smart=smart))
    actual = _outcome(lambda: native.segment_many(texts, national=national, smart=smart))
    if expected[0] == actual[0] == "ok":
        expected, actual = (
            [[(_without_reference(s[1]), *s[2:]) for s in parts] for parts in outcome[1]]
            for outcome in (expected, actual)
        )
    assert actual == expected


SHIFT_UDH = st.builds(
    lambda single, locking: bytes((6, 0x24, 1, single, 0x25, 1, locking)),
    st.integers(0, 15),
    st.integers(0, 15),
)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=40),
    st.one_of(SHIFT_UDH, SHIFT_UDH, st.binary(max_size=12)),
)
def test_decode_gsm7_agrees(data: bytes, udh: bytes) -> None:
    _same("decode_gsm7", data, udh=udh)


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(
        st.lists(
            st.one_of(
                st.sampled_from(CODES),
                st.sampled_from(list(NationalLanguage)),
                st.text(max_size=3),
                st.integers(),
            ),
            max_size=3,
        ),
        st.text(max_size=3),
    )
)
def test_language_lists_are_checked_alike(national: Any) -> None:
    _same("analyze", "abc", national=national)
