"""The native codec and the pure twin agree: same bytes, same objects, same errors.

Both run in this process, called directly; skipped when the extension is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _pdu_strategies import octet, pdu_of, pdus
from hypothesis import given
from hypothesis import strategies as st

from smswire._backend import NATIVE
from smswire.errors import ProtocolError
from smswire.pdu import PDU_CLASSES, Pdu, Tlv, encode
from smswire.pdu import _pure as pure
from smswire.pdu._types import BODIES, CSTRING, TIME, UINT8

if NATIVE is None:
    pytest.skip("the native extension is not loaded", allow_module_level=True)
native: Any = NATIVE


def outcome(function: Callable[[Any], Any], argument: Any) -> tuple[Any, ...]:
    try:
        return ("ok", function(argument))
    except ProtocolError as error:
        return (
            "ProtocolError",
            error.status,
            error.field,
            error.command_id,
            error.sequence_number,
        )
    except Exception as error:  # the type must match too
        return (type(error).__name__,)


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
    assert got.__dict__ == expected.__dict__
    assert list(got.__dict__) == list(expected.__dict__)


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
    state = dict(pdu.__dict__, **changes)
    broken: Pdu = cls(**state)
    return broken


@given(broken_pdus())
def test_invalid_values_fail_alike(pdu: Pdu) -> None:
    both(pure.encode, native.pdu_encode, pdu)


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
