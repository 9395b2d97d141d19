"""Native and pure backends agree: same bytes, same exceptions, for any input.

Both implementations are called directly in one process, whichever backend
the public API is bound to in this run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smswire.encoding import _pure
from smswire.encoding._profile import LINK_MOBILITY, STANDARD, Profile
from smswire.errors import SmswireError

native: Any = pytest.importorskip("smswire._native")

SMALL = Profile("small", max_parts=3, gsm7_limit=400, ucs2_part_cap=20)
PROFILES = st.sampled_from([STANDARD, LINK_MOBILITY, SMALL])

# Characters that matter to the rules: GSM basics and extension characters,
# the escape itself, c-cedilla, CR/LF, combining marks, ZWJ, regional
# indicators, astral emoji, lone surrogates, Devanagari consonants, virama and
# vowel sign (UAX #29 GB9c), and arbitrary code points.
INTERESTING = st.sampled_from(
    list(
        "aZ@£Ç\r\n €[]{}|^~\\\x0c\x1bçéÁяΩ\u2126\u0301\u200d\ufe0f😀🏳🌈🇮🇹\ud800\udfff"
        "\u0915\u0937\u094d\u093f"
    )
)
ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
CHARACTERS = st.one_of(INTERESTING, INTERESTING, ANY_CHARACTER)
BOUNDARIES = [0, 1, 63, 66, 67, 70, 76, 135, 152, 153, 160, 306, 567, 1377]


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Arbitrary text, often a run of one character up to a part boundary."""
    if draw(st.booleans()):
        return draw(st.text(CHARACTERS, max_size=200))
    base = draw(st.sampled_from(["a", "€", "я", "😀", "🇮🇹", "e\u0301"]))
    length = draw(st.sampled_from(BOUNDARIES)) + draw(st.integers(-2, 2))
    text = list(base * max(length // len(base), 0))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text.insert(at, draw(CHARACTERS))
    return "".join(text)


def _normal(value: Any) -> Any:
    """Results as plain data, so the two backends' classes compare."""
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if hasattr(value, "payload"):
        return ("Segment", value.udh, value.payload, value.data_coding, value.index, value.total)
    if hasattr(value, "non_gsm"):
        fields = ("encoding", "data_coding", "units", "segments", "per_segment", "characters")
        return ("Analysis", *(getattr(value, f) for f in fields), value.non_gsm, repr(value))
    return value


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return ("ok", _normal(call()))
    except SmswireError as exc:
        attrs = {k: v for k, v in vars(exc).items() if not k.startswith("_")}
        return ("error", type(exc), str(exc), attrs)


def _same(name: str, *args: Any, **kwargs: Any) -> Any:
    expected = _outcome(lambda: getattr(_pure, name)(*args, **kwargs))
    actual = _outcome(lambda: getattr(native, name)(*args, **kwargs))
    assert actual == expected
    return expected


@settings(max_examples=400, deadline=None)
@given(texts(), PROFILES, st.booleans(), st.booleans())
def test_analyze_agrees(text: str, profile: Profile, udh16: bool, graphemes: bool) -> None:
    _same("analyze", text, profile=profile, udh16=udh16, graphemes=graphemes)


@settings(max_examples=400, deadline=None)
@given(
    texts(),
    PROFILES,
    st.integers(-1, 70000),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_segment_agrees(
    text: str, profile: Profile, reference: int, udh16: bool, packed: bool, graphemes: bool
) -> None:
    _same(
        "segment",
        text,
        profile=profile,
        reference=reference,
        udh16=udh16,
        packed=packed,
        graphemes=graphemes,
    )


def _without_references(outcome: Any) -> Any:
    """Each backend draws references from its own counter: compare the rest."""
    if outcome[0] != "ok":
        return outcome
    return [
        [(udh[:3] + udh[-2:] if udh else udh, *rest) for _, udh, *rest in parts]
        for parts in outcome[1]
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(texts(), max_size=6), PROFILES, st.booleans(), st.booleans())
def test_batches_agree(texts_: list[str], profile: Profile, udh16: bool, packed: bool) -> None:
    _same("analyze_many", texts_, profile=profile, udh16=udh16)
    expected = _outcome(
        lambda: _pure.segment_many(texts_, profile=profile, udh16=udh16, packed=packed)
    )
    actual = _outcome(
        lambda: native.segment_many(texts_, profile=profile, udh16=udh16, packed=packed)
    )
    assert _without_references(actual) == _without_references(expected)


@settings(max_examples=300, deadline=None)
@given(texts())
def test_text_codecs_agree(text: str) -> None:
    _same("encode_gsm7", text)
    _same("encode_ucs2", text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.integers(-1, 60), st.integers(-1, 7), st.booleans())
def test_byte_codecs_agree(data: bytes, count: int, fill_bits: int, cr_pad: bool) -> None:
    _same("decode_gsm7", data)
    _same("decode_ucs2", data)
    _same("unpack_septets", data, count, fill_bits)
    _same("pack_septets", data, fill_bits, ussd_cr_pad=cr_pad)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 0x7F), max_size=40).map(bytes), st.integers(0, 6))
def test_packing_round_trips_in_both(septets: bytes, fill_bits: int) -> None:
    packed = _same("pack_septets", septets, fill_bits)[1]
    assert _same("unpack_septets", packed, len(septets), fill_bits)[1] == septets


@settings(max_examples=200, deadline=None)
@given(st.text(st.one_of(INTERESTING, ANY_CHARACTER), max_size=100))
def test_gsm7_round_trips_when_it_encodes(text: str) -> None:
    outcome = _same("encode_gsm7", text)
    if outcome[0] == "ok":
        assert _same("decode_gsm7", outcome[1]) == ("ok", text)
