"""The native codec and the pure twin agree: same bytes, same objects, same errors.

Both run in this process, called directly; skipped when the extension is absent.
"""

from __future__ import annotations

import gc
import inspect
import sys
from array import array
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

import pytest
from _pdu_strategies import octet, pdu_of, pdus
from hypothesis import given
from hypothesis import strategies as st

from smswire._backend import NATIVE
from smswire.errors import ProtocolError
from smswire.pdu import (
    PDU_CLASSES,
    DistributionList,
    Pdu,
    QuerySmResp,
    SmeAddress,
    SubmitSm,
    Tlv,
    UnsuccessSme,
    encode,
)
from smswire.pdu import _pure as pure
from smswire.pdu._types import (
    BODIES,
    CSTRING,
    DEST_ADDRESS,
    SHORT_MESSAGE,
    TIME,
    UINT8,
    UNSUCCESS_SME,
)

if NATIVE is None:
    pytest.skip("the native extension is not loaded", allow_module_level=True)
native: Any = NATIVE


def outcome(function: Callable[[Any], Any], argument: Any) -> tuple[Any, ...]:
    try:
        return ("ok", function(argument))
    except ProtocolError as error:
        return (
            "ProtocolError",
            str(error),
            error.status,
            error.field,
            error.command_id,
            error.sequence_number,
        )
    except Exception as error:  # the type and the message must match too
        return (type(error).__name__, str(error))


def field_state(pdu: Any) -> list[tuple[str, type, Any]]:
    """Every field of a PDU with its value's exact type: `==` alone would
    let an int subclass or a list stand in for an int or a tuple."""
    return [(f.name, type(v), v) for f in fields(pdu) for v in [getattr(pdu, f.name)]]


def both(pure_fn: Callable[[Any], Any], native_fn: Callable[[Any], Any], arg: Any) -> Any:
    expected = outcome(pure_fn, arg)
    assert outcome(native_fn, arg) == expected
    return expected


@given(pdus)
def test_encode_gives_the_same_bytes(pdu: Pdu) -> None:
    both(pure.encode, native.pdu_encode, pdu)


@given(pdus)
def test_decode_gives_equal_objects_of_the_same_types(pdu: Pdu) -> None:
    data = pure.encode(pdu)
    expected = pure.decode(data)
    got = native.pdu_decode(data)
    assert got == expected
    assert type(got) is type(expected)
    assert [type(t) for t in got.tlvs] == [Tlv] * len(got.tlvs)
    assert field_state(got) == field_state(expected)


@given(st.lists(pdus, max_size=6))
def test_encode_many_gives_the_same_bytes(items: list[Pdu]) -> None:
    both(pure.encode_many, native.pdu_encode_many, items)


@given(st.binary(max_size=200))
def test_random_bytes_decode_alike(data: bytes) -> None:
    both(pure.decode, native.pdu_decode, data)


@given(pdus, st.data())
def test_mutated_pdus_decode_alike(pdu: Pdu, data: st.DataObject) -> None:
    raw = bytearray(encode(pdu))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(octet)
    if data.draw(st.booleans()):
        # Keep command_length consistent so the body decoder is reached.
        cut = data.draw(st.integers(16, len(raw)))
        raw = raw[:cut]
        raw[:4] = len(raw).to_bytes(4, "big")
    both(pure.decode, native.pdu_decode, bytes(raw))


def _wrong_value(kind: int, limit: int) -> st.SearchStrategy[Any]:
    if kind in (CSTRING, TIME):
        return st.one_of(
            st.text(min_size=limit, max_size=limit + 3),
            st.text(st.characters(min_codepoint=0x100), min_size=1, max_size=3),
            st.just("a\0b"),
            st.integers(),
        )
    if kind == UINT8:
        return st.one_of(st.integers(-5, -1), st.integers(256, 1 << 70), st.text(max_size=2))
    return st.one_of(st.integers(), st.text(max_size=2), st.binary(min_size=255, max_size=300))


@st.composite
def broken_pdus(draw: st.DrawFn) -> Pdu:
    cls = draw(st.sampled_from([c for c in PDU_CLASSES if BODIES[c]]))
    pdu = draw(pdu_of(cls))
    name, kind, limit = draw(st.sampled_from(BODIES[cls]))
    changes = {name: draw(_wrong_value(kind, limit))}
    if draw(st.booleans()):
        changes["sequence_number"] = draw(st.one_of(st.integers(-3, -1), st.just(1 << 32)))
    if draw(st.booleans()):
        changes["tlvs"] = draw(
            st.one_of(
                st.just((Tlv(0x10000, b""),)),
                st.just((Tlv(1, "x"),)),  # type: ignore[arg-type]
                st.just([Tlv(1, b"")]),
            )
        )
    broken: Pdu = replace(pdu, **changes)
    return broken


@given(broken_pdus())
def test_invalid_values_fail_alike(pdu: Pdu) -> None:
    both(pure.encode, native.pdu_encode, pdu)


@pytest.mark.parametrize("name", ["source_addr", "sequence_number", "tlvs"])
def test_an_emptied_slot_fails_alike(name: str) -> None:
    # Only object.__delattr__ gets past the frozen class; reading the empty
    # slot raises the interpreter's own AttributeError in both backends.
    pdu = SubmitSm(source_addr="LINK", tlvs=(Tlv(1, b""),))
    object.__delattr__(pdu, name)
    assert both(pure.encode, native.pdu_encode, pdu)[0] == "AttributeError"
    entry = Tlv(1, b"")
    object.__delattr__(entry, "value")
    assert both(pure.encode, native.pdu_encode, SubmitSm(tlvs=(entry,)))[0] == "AttributeError"


def test_a_value_in_use_stays_alive_while_encoding_runs_code() -> None:
    # The omitted-body check of a response with an error status runs each
    # field's ==. One that empties a slot (object.__delattr__ gets past the
    # frozen class) drops the PDU's own reference to a value the encoder
    # has read and still uses. The native encoder holds it, as the pure
    # twin's tuple of values does: it is freed only once the PDU is encoded.
    events: list[str] = []
    held: list[Pdu] = []

    class Vanishing(str):
        __slots__ = ()

        def __eq__(self, other: object) -> bool:
            object.__delattr__(held[0], "message_id")
            return True  # as if at its default, so the check goes on

        def __del__(self) -> None:
            events.append("message_id freed")

    class Differing(str):
        __slots__ = ()

        def __eq__(self, other: object) -> bool:
            events.append("final_date compared")
            return False

    encoded = []
    for encode_with in (pure.encode, native.pdu_encode):
        events.clear()
        held[:] = [QuerySmResp(Vanishing("abc"), Differing(""), command_status=8)]
        encoded.append(encode_with(held[0]))
        assert events == ["final_date compared", "message_id freed"]
        held.clear()
    assert encoded[0] == encoded[1]
    assert native.pdu_decode(encoded[1]).message_id == "abc"


def test_decoded_pdus_are_left_out_of_the_cycle_collector() -> None:
    # Frozen, holding only str, int, bytes and tuples of such entries: they
    # cannot form a cycle, so the native decoder untracks them, as CPython
    # untracks tuples of atomic values; constructed ones stay tracked.
    pdu = SubmitSm(source_addr="LINK", tlvs=(Tlv(1, b"x"),), sequence_number=300)
    decoded = native.pdu_decode(pure.encode(pdu))
    assert decoded == pdu
    assert not gc.is_tracked(decoded) and not gc.is_tracked(decoded.tlvs[0])
    assert gc.is_tracked(pdu)
    (framed,) = native.PduFramer().feed(pure.encode(pdu))
    assert not gc.is_tracked(framed)


def test_the_native_base_builds_only_pdu_classes() -> None:
    with pytest.raises(TypeError, match="PduBase is not an SMPP PDU class"):
        native.PduBase()
    assert all(issubclass(cls, native.PduBase) for cls in (*PDU_CLASSES, Tlv, SmeAddress))


def test_non_pdus_fail_alike() -> None:
    for value in (None, b"", Tlv(1, b""), 5):
        both(pure.encode, native.pdu_encode, value)


@given(st.lists(pdus, max_size=4), st.data())
def test_framers_agree_on_any_stream(items: list[Pdu], data: st.DataObject) -> None:
    stream = bytearray(pure.encode_many(items))
    if stream and data.draw(st.booleans()):
        stream[data.draw(st.integers(0, len(stream) - 1))] = data.draw(octet)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=5)))
    chunks = [bytes(stream[a:b]) for a, b in zip([0, *cuts], [*cuts, len(stream)])]
    chunks += [b"", b""]
    maximum = data.draw(st.sampled_from([16, 64, 65536]))
    pure_framer, native_framer = pure.Framer(maximum), native.PduFramer(maximum)
    for chunk in chunks:
        both(pure_framer.feed, native_framer.feed, chunk)


# --- Argument types: what each backend accepts and how it refuses the rest ---


class _Octets(bytes):
    """A bytes subclass: its buffer is what counts."""


def _strided(data: bytes) -> memoryview:
    spaced = bytearray(2 * len(data))
    spaced[::2] = data
    return memoryview(spaced)[::2]


bytes_like: st.SearchStrategy[Callable[[bytes], Any]] = st.sampled_from(
    [bytes, bytearray, memoryview, _strided, _Octets, lambda b: array("B", b)]
)
not_bytes_like = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100),
    st.floats(),
    st.text(max_size=20),
    st.lists(octet, max_size=20),
    st.lists(octet, max_size=4).map(tuple),
)


@given(pdus, bytes_like)
def test_bytes_like_data_decodes_alike(pdu: Pdu, wrap: Callable[[bytes], Any]) -> None:
    data = pure.encode(pdu)
    assert both(pure.decode, native.pdu_decode, wrap(data)) == ("ok", pdu)


@given(st.binary(max_size=64), bytes_like)
def test_bytes_like_noise_decodes_alike(data: bytes, wrap: Callable[[bytes], Any]) -> None:
    both(pure.decode, native.pdu_decode, wrap(data))


@given(st.lists(pdus, max_size=3), st.lists(bytes_like, min_size=1, max_size=4))
def test_bytes_like_chunks_frame_alike(
    items: list[Pdu], wraps: list[Callable[[bytes], Any]]
) -> None:
    stream = pure.encode_many(items)
    step = len(stream) // len(wraps) + 1
    pure_framer, native_framer = pure.Framer(), native.PduFramer()
    found = []
    for index, wrap in enumerate(wraps):
        chunk = wrap(stream[index * step : (index + 1) * step])
        found += both(pure_framer.feed, native_framer.feed, chunk)[1]
    assert found == items


@given(not_bytes_like)
def test_what_is_not_bytes_like_is_refused_alike(value: Any) -> None:
    kind = type(value).__name__
    assert both(pure.decode, native.pdu_decode, value) == (
        "TypeError",
        f"decode() takes a bytes-like object, not {kind}",
    )
    assert both(pure.Framer().feed, native.PduFramer().feed, value) == (
        "TypeError",
        f"Framer.feed() takes a bytes-like object, not {kind}",
    )


maximums = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(1 << 40), 1 << 40),
    st.sampled_from([15, 16, 0xFFFFFFFF, 1 << 32]),
    st.floats(),
    st.text(max_size=6),
    st.binary(max_size=4),
)


@given(maximums)
def test_framer_maximums_are_checked_alike(value: Any) -> None:
    def build(framer: Callable[[Any], Any]) -> Callable[[Any], int]:
        return lambda maximum: int(framer(maximum).max_command_length)

    both(build(pure.Framer), build(native.PduFramer), value)


def test_framers_default_to_the_same_maximum() -> None:
    assert pure.Framer().max_command_length == native.PduFramer().max_command_length
    classes = [pure.Framer, native.PduFramer]
    if sys.version_info < (3, 10):
        # PyO3 gives an abi3 extension's class its text signature from Python 3.10 on.
        classes.remove(native.PduFramer)
    signatures = [inspect.signature(cls) for cls in classes]
    defaults = [s.parameters["max_command_length"].default for s in signatures]
    assert defaults == [pure.Framer().max_command_length] * len(classes)


_scalar_kinds = [
    # Around U+00FF and past the limits: which error comes first must agree.
    st.text(st.characters(min_codepoint=0xF0, max_codepoint=0x110), max_size=70),
    st.text(max_size=24),
    st.integers(-3, 300),
    st.integers(-(1 << 70), 1 << 70),
    st.booleans(),
    st.binary(max_size=8),
    st.binary(min_size=250, max_size=260),
    st.binary(max_size=8).map(bytearray),
    st.floats(allow_nan=False),
    st.none(),
]
_scalars = st.one_of(_scalar_kinds)
_entries = st.one_of(
    _scalars,
    st.builds(Tlv, _scalars, _scalars),
    st.builds(SmeAddress, _scalars, _scalars, _scalars),
    st.builds(DistributionList, _scalars),
    st.builds(UnsuccessSme, _scalars, _scalars, _scalars, _scalars),
)
any_value = st.one_of(
    *_scalar_kinds,
    st.lists(_entries, max_size=3).map(tuple),
    st.lists(_entries, max_size=2),
)


_KIND_NAMES = {
    CSTRING: "c_octet_string",
    TIME: "time",
    UINT8: "uint8",
    SHORT_MESSAGE: "short_message",
    DEST_ADDRESS: "dest_address",
    UNSUCCESS_SME: "unsuccess_sme",
}
# Every place a value goes, by what it must be: the fields of one kind share
# their checks, so one test per kind (and per header field) reaches them all.
_PLACES: dict[str, list[tuple[type, str]]] = {}
for _cls in PDU_CLASSES:
    for _name, _kind, _ in BODIES[_cls]:
        _PLACES.setdefault(_KIND_NAMES[_kind], []).append((_cls, _name))
    for _name in ("command_status", "sequence_number", "tlvs"):
        _PLACES.setdefault(_name, []).append((_cls, _name))


@st.composite
def pdus_with_a_value_of_any_type(draw: st.DrawFn, place: str) -> Pdu:
    cls, name = draw(st.sampled_from(_PLACES[place]))
    pdu = draw(pdu_of(cls))
    changed: Pdu = replace(pdu, **{name: draw(any_value)})
    return changed


@pytest.mark.parametrize("place", list(_PLACES))
@given(data=st.data())
def test_values_of_any_type_encode_or_fail_alike(place: str, data: st.DataObject) -> None:
    pdu = data.draw(pdus_with_a_value_of_any_type(place))
    both(pure.encode, native.pdu_encode, pdu)


@given(
    st.lists(
        st.one_of(
            pdus, st.sampled_from(list(_PLACES)).flatmap(pdus_with_a_value_of_any_type), _scalars
        ),
        max_size=4,
    )
)
def test_batches_of_anything_encode_or_fail_alike(items: list[Any]) -> None:
    both(pure.encode_many, native.pdu_encode_many, items)
    both(pure.encode_many, native.pdu_encode_many, tuple(items))
