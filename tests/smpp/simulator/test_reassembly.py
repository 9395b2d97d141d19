"""Accepted parts back into messages: UDH and SAR concatenation, resubmissions, odd parts."""

from __future__ import annotations

import itertools

from smswire.encoding import segment
from smswire.pdu import SubmitSm, Tlv
from smswire.smpp.simulator import Submit
from smswire.smpp.simulator.reassembly import reassemble

_ids = itertools.count(1)


def accepted(pdu: SubmitSm, system_id: str = "acme") -> Submit:
    return Submit(0.0, 0.0, 1, system_id, 0, True, f"id{next(_ids)}", pdu)


def parts_of(text: str, destination: str = "4512345678", **fields: object) -> list[Submit]:
    return [
        accepted(
            SubmitSm(
                source_addr="Acme",
                destination_addr=destination,
                esm_class=0x40 if seg.udh else 0,
                data_coding=seg.data_coding,
                short_message=seg.udh + seg.payload,
                **fields,  # type: ignore[arg-type]
            )
        )
        for seg in segment(text, **fields)  # type: ignore[arg-type]
    ]


def test_udh_parts_join_in_index_order_whatever_order_they_came_in() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 8
    parts = parts_of(text)
    assert len(parts) == 3
    (message,) = reassemble([parts[2], parts[0], parts[1]])
    assert message.text == text and message.parts == 3 and message.complete
    assert message.times_accepted == 1


def test_ucs2_whose_surrogate_pair_straddles_two_parts_is_joined_before_decoding() -> None:
    text = "😀" * 70  # 140 UTF-16 units: the part boundary falls inside a pair
    (message,) = reassemble(parts_of(text))
    assert message.text == text


def test_sar_tlv_parts_join_like_udh_parts() -> None:
    def part(index: int, payload: bytes) -> Submit:
        sar = (Tlv(0x020C, b"\x01\x02"), Tlv(0x020E, b"\x02"), Tlv(0x020F, bytes([index])))
        return accepted(SubmitSm(destination_addr="45", short_message=payload, tlvs=sar))

    (message,) = reassemble([part(2, b" world"), part(1, b"hello")])
    assert message.text == "hello world" and message.parts == 2


def test_a_resubmitted_part_counts_twice_and_keeps_its_latest_message_id() -> None:
    parts = parts_of("x" * 200)
    again = accepted(parts[1].pdu)
    (message,) = reassemble([*parts, again])
    assert message.times_accepted == 2
    assert message.message_ids == (parts[0].message_id, again.message_id)


def test_two_messages_with_the_same_reference_to_different_destinations_stay_apart() -> None:
    one, two = parts_of("a" * 200, "4511111111"), parts_of("b" * 200, "4522222222")
    messages = reassemble([one[0], two[0], two[1], one[1]])
    assert sorted(m.text for m in messages) == ["a" * 200, "b" * 200]


def test_a_message_missing_a_part_is_incomplete() -> None:
    parts = parts_of("y" * 400)
    (message,) = reassemble(parts[:-1])
    assert not message.complete and message.parts == len(parts)


def test_the_same_text_sent_again_as_a_new_message_is_a_second_message() -> None:
    # A long text sent twice gets a new concatenation reference: two messages.
    first, second = parts_of("z" * 200), parts_of("z" * 200)
    assert first[0].pdu.short_message[3] != second[0].pdu.short_message[3]
    messages = reassemble(first + second)
    assert len(messages) == 2 and all(m.times_accepted == 1 for m in messages)


def test_a_part_with_an_unreadable_udh_is_kept_as_it_came() -> None:
    odd = accepted(SubmitSm(destination_addr="45", esm_class=0x40, short_message=b"\x09\x00"))
    (message,) = reassemble([odd])
    assert message.parts == 1 and message.text


def test_a_part_whose_index_is_past_its_total_stands_alone() -> None:
    pdu = SubmitSm(
        destination_addr="45", esm_class=0x40, short_message=b"\x05\x00\x03\x07\x02\x05hi"
    )
    (message,) = reassemble([accepted(pdu)])
    assert message.text == "hi" and message.parts == 1
