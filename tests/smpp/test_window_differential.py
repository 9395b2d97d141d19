"""The native submit_window and its pure twin agree: the same wire bytes,
the same records, the same refusals (type, message and attributes) and the
same errors for a window, on arbitrary addresses, texts and options. Both
run in this process, called directly; skipped when the extension is absent."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smswire._backend import NATIVE
from smswire.encoding import LINK_MOBILITY, STANDARD, Profile
from smswire.smpp import _window_pure

if NATIVE is None:
    pytest.skip("the native extension is not loaded", allow_module_level=True)
native: Any = NATIVE

SMALL = Profile("small", max_parts=3, gsm7_limit=400, ucs2_part_cap=20)
MAX_SEQUENCE_NUMBER = 0x7FFFFFFF

# Characters that matter: GSM basics and extension characters, national
# (Turkish, Spanish, Portuguese) letters, look-alikes smart encoding
# replaces, CR/LF, combining marks, astral emoji, lone surrogates, NUL,
# Latin-1 and beyond.
INTERESTING = st.sampled_from(
    list("aZ@£Ç\r\n €[]{}|^~\\\x1bçéşğıÁяΩ“”–…\u0301😀🇮🇹\ud800\udfff\x00ÿĀ")
)
ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
CHARACTERS = st.one_of(INTERESTING, INTERESTING, ANY_CHARACTER)


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Arbitrary text, often a run of one character near a part boundary."""
    if draw(st.booleans()):
        return draw(st.text(CHARACTERS, max_size=300))
    base = draw(st.sampled_from(["a", "€", "я", "😀", "ş"]))
    length = draw(st.sampled_from([0, 1, 67, 70, 134, 153, 160, 306, 1400])) + draw(
        st.integers(-2, 2)
    )
    text = list(base * max(length // len(base), 0))
    for _ in range(draw(st.integers(0, 3))):
        text.insert(draw(st.integers(0, len(text))), draw(CHARACTERS))
    return "".join(text)


ADDRESSES = st.one_of(
    st.sampled_from(["Acme", "4746910822", "1919", "4" * 20, "4" * 21, ""]),
    st.text(CHARACTERS, max_size=24),
)
OCTETS = st.integers(0, 255)
MESSAGES = st.lists(
    st.tuples(OCTETS, OCTETS, ADDRESSES, OCTETS, OCTETS, ADDRESSES, texts()), max_size=6
)


@st.composite
def shared(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "reference": draw(st.integers(0, 255)),
        "profile": draw(st.sampled_from([None, STANDARD, LINK_MOBILITY, SMALL])),
        "national": draw(st.sampled_from([None, (), ("tr",), ("es", "pt"), ("hi", "bn")])),
        "smart": draw(st.booleans()),
        "concatenation": draw(st.sampled_from(["udh", "sar", "payload"])),
        "flash": draw(st.booleans()),
        "registered_delivery": draw(st.booleans()),
        "service_type": draw(st.sampled_from([b"", b"CMT"])),
        "validity_period": draw(st.sampled_from([b"", b"000001000000000R"])),
        "tlvs": draw(st.sampled_from([b"", b"\x02\x04\x00\x02\x00\x09"])),
    }


def error_state(error: BaseException) -> tuple[Any, ...]:
    """An error as data: its type, message and every attribute it carries."""
    attributes = ("status", "field", "command_id", "sequence_number")
    attributes += ("character", "index", "limit", "units", "profile")
    return (
        type(error).__name__,
        str(error),
        tuple(getattr(error, name, None) for name in attributes),
    )


def outcome(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        wire, records, refused = function(*args, **kwargs)
    except Exception as error:  # the type and the message must match too
        return ("raised", error_state(error))
    return ("ok", wire, records, [(i, error_state(e)) for i, e in refused])


def both(*args: Any, **kwargs: Any) -> Any:
    expected = outcome(_window_pure.submit_window, *args, **kwargs)
    assert outcome(native.submit_window, *args, **kwargs) == expected
    return expected


@settings(max_examples=300, deadline=None)
@given(
    messages=MESSAGES,
    first=st.sampled_from([1, 7, MAX_SEQUENCE_NUMBER - 1, MAX_SEQUENCE_NUMBER]),
    options=shared(),
)
def test_both_backends_write_the_same_window(
    messages: list[Any], first: int, options: dict[str, Any]
) -> None:
    both(messages, first, **options)


# Ints near every edge a backend might convert through: the field's own
# range, u8, i32, u32, i64 and far beyond.
EDGES = [0, 1, 255, 256, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 2**70]
HUGE = st.one_of(
    st.sampled_from(EDGES + [-e for e in EDGES]),
    st.integers(-(2**40), 2**40),
    st.integers(-(2**200), 2**200),
)


@settings(max_examples=100, deadline=None)
@given(
    first=HUGE,
    reference=HUGE,
    concatenation=st.sampled_from(["udh", "sar", "payload", "UDH", ""]),
    national=st.sampled_from([None, ("tr",), ("xx",), "tr", ("tr", "tr")]),
)
def test_both_backends_refuse_a_window_alike(
    first: int, reference: int, concatenation: str, national: Any
) -> None:
    both(
        [(5, 0, "Acme", 1, 1, "4746910822", "hi")],
        first,
        reference=reference,
        concatenation=concatenation,
        national=national,
    )


@settings(max_examples=200, deadline=None)
@given(
    place=st.integers(0, 3),
    value=st.one_of(HUGE, st.sampled_from([True, "5", 5.0, None, b"\x05"])),
    empty_text=st.booleans(),
    bad_address=st.booleans(),
)
def test_both_backends_refuse_a_ton_or_npi_out_of_range_alike(
    place: int, value: Any, empty_text: bool, bad_address: bool
) -> None:
    """Whatever else is wrong with the message (an empty text, an address
    too long), and whatever message came before it refused."""
    fields: list[Any] = [5, 0, "Acme", 1, 1, "4" * 21 if bad_address else "47", "hi"]
    fields[(0, 1, 3, 4)[place]] = value
    fields[6] = "" if empty_text else "hi"
    before = (5, 0, "Acme", 1, 1, "47", "")
    result = both([before, tuple(fields)], 1)
    if not (isinstance(value, int) and 0 <= value <= 255):
        assert result[0] == "raised" and result[1][0] == "ConfigurationError"


def test_a_realistic_window_is_the_same_and_nonempty() -> None:
    """A floor under the property tests: 64 messages of every kind go out."""
    messages = [
        (5, 0, "Acme", 1, 1, f"47469108{i:02d}", text)
        for i, text in enumerate(["a" * 160, "€" * 90, "Привет", "ş" * 200] * 16)
    ]
    for concatenation in ("udh", "sar", "payload"):
        result = both(messages, 1, concatenation=concatenation, national=("tr",))
        assert result[0] == "ok" and result[1] and not result[3]
