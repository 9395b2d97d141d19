"""segment(): parts, concatenation UDH, fill bits, and what never straddles a boundary."""

from __future__ import annotations

import pytest

from smswire import ConfigurationError, EncodingError, MessageTooLong
from smswire.encoding import (
    LINK_MOBILITY,
    Segment,
    decode_gsm7,
    decode_ucs2,
    pack_septets,
    segment,
    segment_many,
    unpack_septets,
)


def _septets(parts: list[Segment]) -> list[int]:
    return [len(p.payload) for p in parts]


def _text(parts: list[Segment]) -> str:
    if parts[0].data_coding == 0x08:
        return "".join(decode_ucs2(p.payload) for p in parts)
    return "".join(decode_gsm7(p.payload) for p in parts)


def test_a_single_part_has_no_udh() -> None:
    (part,) = segment("hello")
    assert part == Segment(b"", b"\x68\x65\x6c\x6c\x6f", 0x00, 1, 1)


def test_an_empty_text_is_one_empty_part() -> None:
    assert segment("") == [Segment(b"", b"", 0x00, 1, 1)]


def test_8_bit_reference_udh_is_05_00_03_ref_total_seq() -> None:
    # 3GPP TS 23.040 §9.2.3.24.1.
    parts = segment("a" * 200, reference=0xA7)
    assert [p.udh.hex() for p in parts] == ["050003a70201", "050003a70202"]
    assert [(p.index, p.total) for p in parts] == [(1, 2), (2, 2)]
    assert _septets(parts) == [153, 47]


def test_16_bit_reference_udh_is_06_08_04_ref_ref_total_seq() -> None:
    # 3GPP TS 23.040 §9.2.3.24.8.
    parts = segment("a" * 200, reference=0xABCD, udh16=True)
    assert [p.udh.hex() for p in parts] == ["060804abcd0201", "060804abcd0202"]
    assert _septets(parts) == [152, 48]


def test_ucs2_parts_hold_67_units_or_66_with_the_16_bit_reference() -> None:
    assert [len(p.payload) // 2 for p in segment("я" * 140, reference=1)] == [67, 67, 6]
    assert [len(p.payload) // 2 for p in segment("я" * 140, reference=1, udh16=True)] == [
        66,
        66,
        8,
    ]


def test_link_mobility_ucs2_parts_hold_63_units() -> None:
    parts = segment("я" * 130, profile=LINK_MOBILITY, reference=1)
    assert [len(p.payload) // 2 for p in parts] == [63, 63, 4]


def test_an_escape_pair_at_the_153_boundary_moves_whole_to_the_next_part() -> None:
    text = "a" * 152 + "€" + "b" * 10
    parts = segment(text, reference=3)
    assert _septets(parts) == [152, 12]
    assert parts[1].payload[:2] == b"\x1b\x65"
    assert _text(parts) == text


def test_an_escape_pair_is_never_split_at_the_152_boundary_either() -> None:
    text = "a" * 151 + "[" + "b" * 10
    parts = segment(text, reference=3, udh16=True)
    assert _septets(parts) == [151, 12]


def test_a_surrogate_pair_at_the_67_boundary_moves_whole_to_the_next_part() -> None:
    text = "я" * 66 + "😀" + "я" * 3
    parts = segment(text, reference=9)
    assert [len(p.payload) // 2 for p in parts] == [66, 5]
    assert _text(parts) == text


def test_a_surrogate_pair_at_the_63_boundary_moves_whole_for_link_mobility() -> None:
    text = "я" * 62 + "😀" + "я" * 10
    parts = segment(text, profile=LINK_MOBILITY, reference=9)
    assert [len(p.payload) // 2 for p in parts] == [62, 12]


def test_graphemes_keep_a_flag_in_one_part() -> None:
    text = "я" * 65 + "🇮🇹" + "я" * 10
    plain = segment(text, reference=1)
    assert [len(p.payload) // 2 for p in plain] == [67, 12]  # the flag's two halves part
    assert decode_ucs2(plain[0].payload).endswith("🇮")
    whole = segment(text, reference=1, graphemes=True)
    assert [len(p.payload) // 2 for p in whole] == [65, 14]
    assert decode_ucs2(whole[1].payload).startswith("🇮🇹")


def test_graphemes_cut_a_cluster_longer_than_a_part_between_characters() -> None:
    text = "e" + "\u0301" * 100  # one cluster of 101 units
    parts = segment(text, reference=1, graphemes=True)
    assert [len(p.payload) // 2 for p in parts] == [67, 34]
    assert _text(parts) == text


def test_packed_parts_carry_the_fill_bit_after_the_8_bit_udh() -> None:
    # 3GPP TS 23.040 §9.2.3.24: 6 UDH octets are 48 bits; one fill bit reaches 49.
    text = "x" * 170
    unpacked = segment(text, reference=5)
    packed = segment(text, reference=5, packed=True)
    for plain, dense in zip(unpacked, packed):
        assert dense.udh == plain.udh
        assert dense.payload == pack_septets(plain.payload, 1)
        assert unpack_septets(dense.payload, len(plain.payload), 1) == plain.payload
    assert len(packed[0].udh) + len(packed[0].payload) == 140


def test_packed_parts_after_the_16_bit_udh_need_no_fill() -> None:
    text = "x" * 170
    packed = segment(text, reference=5, udh16=True, packed=True)
    assert packed[0].payload == pack_septets(b"x" * 152)
    assert len(packed[0].udh) + len(packed[0].payload) == 140


def test_a_packed_single_part_is_plain_packing() -> None:
    (part,) = segment("hellohello", packed=True)
    assert part.payload.hex().upper() == "E8329BFD4697D9EC37"


def test_packed_has_no_effect_on_ucs2() -> None:
    assert segment("я" * 80, reference=2, packed=True) == segment("я" * 80, reference=2)


def test_a_drawn_reference_is_shared_by_the_parts_and_advances() -> None:
    first = segment("a" * 200)
    second = segment("a" * 200)
    assert first[0].udh[3] == first[1].udh[3]
    assert second[0].udh[3] == (first[0].udh[3] + 1) % 256


@pytest.mark.parametrize(("reference", "udh16"), [(-1, False), (256, False), (65536, True)])
def test_a_reference_out_of_range_is_refused(reference: int, udh16: bool) -> None:
    with pytest.raises(ConfigurationError):
        segment("a" * 200, reference=reference, udh16=udh16)
    with pytest.raises(ConfigurationError):
        segment("a", reference=reference, udh16=udh16)


def test_too_long_for_the_profile_raises() -> None:
    with pytest.raises(MessageTooLong) as info:
        segment("я" * 568, profile=LINK_MOBILITY)
    assert (info.value.limit, info.value.units, info.value.profile) == (567, 568, "link_mobility")


def test_every_septet_and_unit_arrives_in_order() -> None:
    text = "Hello [world] ~ " * 40
    assert _text(segment(text, reference=1)) == text
    text = "Привет 😀 " * 30
    assert _text(segment(text, reference=1)) == text


def test_segment_many_matches_segment_one_by_one_with_its_own_references() -> None:
    texts = ["short", "a" * 200, "я" * 100, "{}" * 50]
    batch = segment_many(texts, profile=LINK_MOBILITY, packed=True)
    assert [len(parts) for parts in batch] == [1, 2, 2, 2]
    for text, parts in zip(texts, batch):
        reference = parts[0].udh[3] if parts[0].udh else None
        assert parts == segment(text, profile=LINK_MOBILITY, packed=True, reference=reference)
    references = [parts[0].udh[3] for parts in batch[1:]]
    assert len(set(references)) == 3


def test_segment_many_names_the_failing_text() -> None:
    with pytest.raises(EncodingError) as info:
        segment_many(["ok", "ok", "\ud800"])
    assert str(info.value).startswith("texts[2]: ")
    assert info.value.index == 0


def test_segment_repr_and_equality() -> None:
    (part,) = segment("hi")
    assert repr(part) == "Segment(udh=b'', payload=b'hi', data_coding=0, index=1, total=1)"
    assert part == Segment(udh=b"", payload=b"hi", data_coding=0, index=1, total=1)
    assert hash(part) == hash(Segment(b"", b"hi", 0, 1, 1))
    with pytest.raises(AttributeError):
        part.payload = b""  # type: ignore[misc]


def test_a_batch_large_enough_for_several_threads_keeps_order_and_first_error() -> None:
    texts = [("a€я"[n % 3]) * (n % 300) for n in range(3000)]
    batch = segment_many(texts, udh16=True)
    for text, parts in zip(texts, batch):
        reference = int.from_bytes(parts[0].udh[3:5], "big") if parts[0].udh else None
        assert parts == segment(text, reference=reference, udh16=True)
    texts[2100] = "x" * 1500
    texts[2900] = "\ud800"
    with pytest.raises(MessageTooLong) as info:
        segment_many(texts, profile=LINK_MOBILITY)
    assert str(info.value).startswith("texts[2100]: ")
