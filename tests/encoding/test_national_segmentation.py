"""segment(national=...): every part's UDH names the national language tables
(IEI 0x25 locking shift, IEI 0x24 single shift; 3GPP TS 23.040 §9.2.3.24.15-16)
beside the concatenation IE, a single part's too."""

from __future__ import annotations

from smswire.encoding import decode_gsm7, segment, segment_many, unpack_septets

TURKISH = "Sayın müşterimiz, siparişiniz yola çıktı. "
HINDI = "नमस्ते! आपका ऑर्डर भेज दिया गया है। "


def test_a_single_part_gets_a_udh_with_the_shift_ie() -> None:
    (part,) = segment(TURKISH * 2, national=("tr",))
    # UDHL 3, IEI 0x25, length 1, Turkish (1).
    assert part.udh == bytes.fromhex("03250101")
    assert (part.index, part.total, part.data_coding) == (1, 1, 0x00)
    assert decode_gsm7(part.payload, udh=part.udh) == TURKISH * 2


def test_both_tables_go_in_iei_order() -> None:
    (part,) = segment(HINDI * 2, national=("hi",))
    assert part.udh == bytes.fromhex("06240106250106")


def test_every_concatenated_part_carries_the_shift_ies_after_the_concatenation_ie() -> None:
    parts = segment(TURKISH * 5, national=("tr",), reference=0x42)
    assert len(parts) == 2
    for k, part in enumerate(parts, start=1):
        assert part.udh == bytes((8, 0x00, 3, 0x42, 2, k, 0x25, 1, 1))
        assert len(part.payload) <= 149
    assert "".join(decode_gsm7(p.payload, udh=p.udh) for p in parts) == TURKISH * 5


def test_the_16_bit_reference_udh_carries_them_too() -> None:
    parts = segment(HINDI * 6, national=("hi",), reference=0x1234, udh16=True)
    for k, part in enumerate(parts, start=1):
        assert part.udh == bytes((12, 0x08, 4, 0x12, 0x34, len(parts), k, 0x24, 1, 6, 0x25, 1, 6))
        assert len(part.payload) <= 145
    assert "".join(decode_gsm7(p.payload, udh=p.udh) for p in parts) == HINDI * 6


def test_packed_parts_start_after_the_udh_fill_bits() -> None:
    # 9-octet UDH: 72 bits, 5 fill bits to the next septet boundary (TS 23.040 §9.2.3.24).
    parts = segment(TURKISH * 5, national=("tr",), reference=1, packed=True)
    unpacked = segment(TURKISH * 5, national=("tr",), reference=1)
    for packed, plain in zip(parts, unpacked):
        assert unpack_septets(packed.payload, len(plain.payload), 5) == plain.payload


def test_an_escape_pair_never_straddles_two_parts() -> None:
    # 145 letters, then dandas (escape pairs): a part of 146 septets cannot end
    # between the escape and its code.
    text = "क" * 145 + "।" * 30
    parts = segment(text, national=("hi",), reference=7)
    assert len(parts) == 2
    assert len(parts[0].payload) == 145
    assert parts[1].payload.startswith(b"\x1b\x19")
    assert "".join(decode_gsm7(p.payload, udh=p.udh) for p in parts) == text


def test_plain_text_segments_as_before() -> None:
    assert segment("hello", national=("tr",)) == segment("hello")


def test_the_batch_twin_takes_the_same_options() -> None:
    batches = segment_many([TURKISH * 2, "plain"], national=("tr",))
    assert batches[0][0].udh == bytes.fromhex("03250101")
    assert batches[1][0].udh == b""
