"""Stream framing (smswire.pdu.Framer): SMPP 3.4 §3.2 command_length frames."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

import pytest
from _pdu_strategies import pdus
from hypothesis import given
from hypothesis import strategies as st

from smswire import ConfigurationError, ProtocolError
from smswire.pdu import (
    MAX_COMMAND_LENGTH,
    CommandStatus,
    EnquireLink,
    Framer,
    Pdu,
    SubmitSmResp,
    encode,
    encode_many,
)

LINK = EnquireLink(sequence_number=1)
RESP = SubmitSmResp(message_id="abc", sequence_number=2)
UNKNOWN = struct.pack(">IIII", 16, 0x110, 0, 3)


def test_maximum_command_length_defaults_to_64_kib() -> None:
    assert MAX_COMMAND_LENGTH == 65536


def test_every_complete_pdu_is_returned_in_order() -> None:
    framer = Framer()
    assert framer.feed(encode_many([LINK, RESP, LINK])) == [LINK, RESP, LINK]
    assert framer.feed(b"") == []


def test_partial_pdu_is_kept_for_the_next_call() -> None:
    framer = Framer()
    data = encode(RESP)
    assert framer.feed(data[:3]) == []
    assert framer.feed(data[3:15]) == []
    assert framer.feed(data[15:-1]) == []
    assert framer.feed(data[-1:] + encode(LINK)[:5]) == [RESP]
    assert framer.feed(encode(LINK)[5:]) == [LINK]


@given(st.lists(pdus, max_size=5), st.data())
def test_any_split_of_a_stream_yields_the_same_pdus(items: list[Pdu], data: st.DataObject) -> None:
    stream = encode_many(items)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    framer = Framer()
    found: list[Pdu] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)]):
        found += framer.feed(stream[start:end])
    assert found == items


def test_command_length_below_16_breaks_the_framer_for_good() -> None:
    framer = Framer()
    with pytest.raises(ProtocolError) as info:
        framer.feed(struct.pack(">I", 15))
    assert (info.value.status, info.value.field) == (
        CommandStatus.ESME_RINVCMDLEN,
        "command_length",
    )
    with pytest.raises(ProtocolError) as again:
        framer.feed(encode(LINK))
    assert again.value.status == CommandStatus.ESME_RINVCMDLEN


def test_command_length_above_the_maximum_raises_before_the_body_arrives() -> None:
    framer = Framer(max_command_length=4096)
    with pytest.raises(ProtocolError) as info:
        framer.feed(struct.pack(">I", 4097))
    assert info.value.status == CommandStatus.ESME_RINVCMDLEN
    assert Framer(max_command_length=4097).feed(struct.pack(">I", 4097)) == []


def test_pdus_before_a_bad_command_length_are_returned_first() -> None:
    framer = Framer()
    assert framer.feed(encode(LINK) + b"\xf0\x00\x00\x11") == [LINK]
    with pytest.raises(ProtocolError):
        framer.feed(b"")


def test_undecodable_frame_is_consumed_and_reading_continues() -> None:
    framer = Framer()
    with pytest.raises(ProtocolError) as info:
        framer.feed(UNKNOWN + encode(LINK))
    error = info.value
    assert (error.status, error.command_id, error.sequence_number) == (
        CommandStatus.ESME_RINVCMDID,
        0x110,
        3,
    )
    assert framer.feed(b"") == [LINK]


def test_pdus_before_an_undecodable_frame_are_returned_first() -> None:
    framer = Framer()
    assert framer.feed(encode(RESP) + UNKNOWN + encode(LINK)) == [RESP]
    with pytest.raises(ProtocolError):
        framer.feed(b"")
    assert framer.feed(b"") == [LINK]


@pytest.mark.parametrize("maximum", [15, 1 << 32, -1, None, 64.0, "65536"])
def test_invalid_maximum_is_a_configuration_error(maximum: object) -> None:
    with pytest.raises(
        ConfigurationError, match=r"^max_command_length must be 16\.\.4294967295, got "
    ):
        Framer(max_command_length=maximum)  # type: ignore[arg-type]


@pytest.mark.parametrize("maximum", [16, 0xFFFFFFFF])
def test_maximum_may_be_any_int_a_command_length_can_hold(maximum: int) -> None:
    assert Framer(maximum).max_command_length == maximum


def strided(data: bytes) -> memoryview:
    """A view that is not C-contiguous: every other octet of a larger buffer."""
    spaced = bytearray(2 * len(data))
    spaced[::2] = data
    return memoryview(spaced)[::2]


@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview, strided])
def test_feed_takes_any_bytes_like_object(wrap: Callable[[bytes], Any]) -> None:
    data = encode_many([LINK, RESP])
    framer = Framer()
    assert framer.feed(wrap(data[:20])) == [LINK]
    assert framer.feed(wrap(data[20:])) == [RESP]


@pytest.mark.parametrize("data", ["text", 5, None, [1, 2]])
def test_feed_refuses_what_is_not_bytes_like(data: object) -> None:
    with pytest.raises(TypeError, match=r"^Framer.feed\(\) takes a bytes-like object, not "):
        Framer().feed(data)  # type: ignore[arg-type]


@given(st.lists(st.binary(max_size=64), max_size=8))
def test_random_chunks_raise_nothing_but_protocol_error(chunks: list[bytes]) -> None:
    framer = Framer()
    for chunk in chunks:
        try:
            framer.feed(chunk)
        except ProtocolError:
            continue
