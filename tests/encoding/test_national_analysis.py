"""analyze(national=...): the cheapest of the national language shift tables the
caller allows (3GPP TS 23.038 §6.2.1.2.4, Annex A), with the UDH they cost counted
in every part (TS 23.040 §9.2.3.24.15-16; TS 23.038 Annex C)."""

from __future__ import annotations

import pytest

from smswire import ConfigurationError, MessageTooLong
from smswire.encoding import LINK_MOBILITY, NationalLanguage, analyze, analyze_many

TURKISH_ONLY = "ş"  # Turkish locking 0x1D, single shift 0x73; not GSM
HINDI_DANDA = "।"  # Hindi single shift 0x19
HINDI_KA = "क"  # Hindi locking 0x15


@pytest.mark.parametrize(
    ("septets", "segments", "per_segment"),
    [(155, 1, 155), (156, 2, 149), (298, 2, 149), (299, 3, 149)],
)
def test_one_table_leaves_155_septets_single_and_149_concatenated(
    septets: int, segments: int, per_segment: int
) -> None:
    # A 4-octet UDH (UDHL + one 3-octet IE) leaves 155 septets; with the 5-octet
    # concatenation IE, 9 octets: 149 (TS 23.038 Annex C).
    result = analyze(TURKISH_ONLY * septets, national=("tr",))
    assert (result.locking_shift, result.single_shift) == ("tr", None)
    assert (result.units, result.segments, result.per_segment) == (septets, segments, per_segment)


@pytest.mark.parametrize(
    ("letters", "segments", "per_segment"),
    [(150, 1, 152), (151, 2, 146)],
)
def test_both_tables_leave_152_septets_single(
    letters: int, segments: int, per_segment: int
) -> None:
    # A 7-octet UDH (UDHL + two 3-octet IEs) leaves 152 septets (TS 23.038 Annex C).
    result = analyze(HINDI_KA * letters + HINDI_DANDA, national=("hi",))
    assert (result.locking_shift, result.single_shift) == ("hi", "hi")
    assert result.units == letters + 2
    assert (result.segments, result.per_segment) == (segments, per_segment)


@pytest.mark.parametrize(("pairs", "segments"), [(97, 2), (140, 3)])
def test_both_tables_leave_146_septets_concatenated(pairs: int, segments: int) -> None:
    # Each pair is 3 septets: the letter, and the danda as an escape pair, which
    # never straddles two parts: 97 pairs (291 septets) split 145 + 146.
    result = analyze((HINDI_KA + HINDI_DANDA) * pairs, national=("hi",))
    assert (result.locking_shift, result.single_shift) == ("hi", "hi")
    assert (result.units, result.segments, result.per_segment) == (3 * pairs, segments, 146)


def test_the_16_bit_reference_leaves_148_and_145_septets() -> None:
    assert analyze(TURKISH_ONLY * 156, national=("tr",), udh16=True).per_segment == 148
    text = (HINDI_KA + HINDI_DANDA) * 100
    assert analyze(text, national=("hi",), udh16=True).per_segment == 145


def test_national_tables_are_chosen_only_when_they_save_a_part() -> None:
    # One part either way: UCS2, which every handset reads, keeps the message.
    result = analyze("Şeker", national=("tr",))
    assert (result.encoding, result.locking_shift, result.single_shift) == ("ucs2", None, None)
    assert result.parts_saved == 0
    assert result.non_gsm == ((0, "Ş"),)


def test_parts_saved_counts_against_plain_ucs2() -> None:
    result = analyze(TURKISH_ONLY * 155, national=("tr",))
    assert analyze(TURKISH_ONLY * 155).segments == 3
    assert (result.segments, result.parts_saved) == (1, 2)


def test_plain_gsm7_text_keeps_the_default_tables() -> None:
    result = analyze("Hello {world}", national=("tr", "es", "pt"))
    assert (result.encoding, result.locking_shift, result.single_shift) == ("gsm7", None, None)
    assert result.units == 15


def test_a_single_shift_table_alone_serves_a_few_national_characters() -> None:
    # Spanish has no locking table; its single shift table holds the accented vowels.
    text = "Nos vemos mañana en la estación a las ocho, ¿vale? " * 3
    result = analyze(text, national=("es",))
    assert (result.locking_shift, result.single_shift) == (None, "es")
    assert result.units == len(text) + 3  # three 'ó' as escape pairs


def test_the_cheapest_of_the_allowed_languages_wins() -> None:
    # Portuguese locking holds 'ç', 'ã' and 'ê' in one septet each; the Turkish
    # locking table lacks 'ã' and 'ê', so its choice would need Portuguese shifts.
    text = "A promoção de verão começa amanhã: não perca, é só até sexta-feira! " * 3
    result = analyze(text, national=("tr", "pt"))
    assert (result.locking_shift, result.single_shift) == ("pt", None)
    assert result.units == len(text)


def test_a_language_not_allowed_is_never_used() -> None:
    text = TURKISH_ONLY * 100
    assert analyze(text, national=("pt", "es")).encoding == "ucs2"
    assert analyze(text, national=("tr",)).encoding == "gsm7"


def test_languages_may_repeat_and_come_in_any_order() -> None:
    text = TURKISH_ONLY * 100
    assert analyze(text, national=["tr", "es", "tr"]) == analyze(text, national=("es", "tr"))


def test_an_unknown_language_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="'xx' is not a language"):
        analyze("abc", national=("xx",))


def test_a_bare_string_is_not_a_list_of_languages() -> None:
    with pytest.raises(ConfigurationError, match="sequence of language codes"):
        analyze("abc", national="tr")


def test_national_tables_can_make_an_over_long_message_fit() -> None:
    # 17086 UCS2 units need 256 parts of 67; in Turkish 7 bits, 115 parts of 149.
    text = TURKISH_ONLY * (255 * 67 + 1)
    with pytest.raises(MessageTooLong):
        analyze(text)
    result = analyze(text, national=("tr",))
    assert (result.segments, result.parts_saved) == (115, 256 - 115)


def test_a_message_too_long_even_so_reports_the_plain_limit() -> None:
    text = TURKISH_ONLY * (255 * 149 + 1)
    with pytest.raises(MessageTooLong) as info:
        analyze(text, national=("tr",))
    assert (info.value.units, info.value.limit) == (len(text), 255 * 67)


def test_link_mobility_limits_hold_with_national_tables() -> None:
    # LINK guide: Userdata: 1377 septets at most in all.
    assert analyze(TURKISH_ONLY * 1377, profile=LINK_MOBILITY, national=("tr",)).segments == 10
    with pytest.raises(MessageTooLong) as info:
        analyze(TURKISH_ONLY * 1378, profile=LINK_MOBILITY, national=("tr",))
    assert info.value.profile == "link_mobility"


def test_the_batch_twin_takes_the_same_options() -> None:
    texts = [TURKISH_ONLY * 100, "plain"]
    assert analyze_many(texts, national=("tr",)) == [
        analyze(text, national=("tr",)) for text in texts
    ]


def test_members_of_the_language_enum_name_languages_too() -> None:
    text = TURKISH_ONLY * 100
    assert analyze(text, national=[NationalLanguage.TURKISH]) == analyze(text, national=["tr"])
