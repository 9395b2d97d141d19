"""analyze(): encoding choice, units, parts, characters and profiles."""

from __future__ import annotations

import pytest

from smswire import EncodingError, MessageTooLong
from smswire.encoding import LINK_MOBILITY, STANDARD, Profile, analyze, analyze_many


def test_gsm_text_is_gsm7_with_data_coding_0() -> None:
    result = analyze("Hello {world}")
    assert (result.encoding, result.data_coding) == ("gsm7", 0x00)
    assert result.units == 15  # the braces are escape pairs
    assert result.non_gsm == ()


def test_one_non_gsm_character_forces_ucs2_and_is_reported_with_its_index() -> None:
    result = analyze("Price: 5€ ☕ ok")
    assert (result.encoding, result.data_coding) == ("ucs2", 0x08)
    assert result.non_gsm == ((10, "☕"),)
    assert result.units == 14  # in UCS2 the euro sign is one unit, not an escape pair


def test_astral_characters_count_two_ucs2_units() -> None:
    result = analyze("a😀")
    assert result.units == 3
    assert result.non_gsm == ((1, "😀"),)


def test_characters_are_grapheme_clusters() -> None:
    assert analyze("🇮🇹🏳️‍🌈e\u0301\r\n").characters == 4
    assert analyze("abc\r\n").characters == 4


@pytest.mark.parametrize(
    ("units", "segments", "per_segment"),
    [(0, 1, 160), (160, 1, 160), (161, 2, 153), (306, 2, 153), (307, 3, 153)],
)
def test_standard_gsm7_limits_are_160_and_153(units: int, segments: int, per_segment: int) -> None:
    result = analyze("a" * units)
    assert (result.segments, result.per_segment) == (segments, per_segment)


@pytest.mark.parametrize(
    ("units", "segments", "per_segment"),
    [(70, 1, 70), (71, 2, 67), (134, 2, 67), (135, 3, 67)],
)
def test_standard_ucs2_limits_are_70_and_67(units: int, segments: int, per_segment: int) -> None:
    result = analyze("я" * units)
    assert (result.segments, result.per_segment) == (segments, per_segment)


def test_16_bit_reference_leaves_152_septets_or_66_units_a_part() -> None:
    # 3GPP TS 23.040 §9.2.3.24.8: a 7-octet UDH, 56 bits: no fill bit, 152 septets.
    assert analyze("a" * 161, udh16=True).per_segment == 152
    assert analyze("a" * 305, udh16=True).segments == 3
    assert analyze("я" * 71, udh16=True).per_segment == 66
    assert analyze("я" * 133, udh16=True).segments == 3


def test_link_mobility_parts_hold_153_septets_or_63_ucs2_units() -> None:
    # LINK guide: Userdata.
    assert analyze("a" * 161, profile=LINK_MOBILITY).per_segment == 153
    assert analyze("я" * 71, profile=LINK_MOBILITY).per_segment == 63
    assert analyze("я" * 127, profile=LINK_MOBILITY).segments == 3
    assert analyze("я" * 70, profile=LINK_MOBILITY).segments == 1


def test_link_mobility_allows_1377_septets() -> None:
    assert analyze("a" * 1377, profile=LINK_MOBILITY).segments == 9
    assert analyze("€" * 688 + "a", profile=LINK_MOBILITY).units == 1377
    with pytest.raises(MessageTooLong) as info:
        analyze("a" * 1376 + "€", profile=LINK_MOBILITY)
    assert (info.value.limit, info.value.units, info.value.profile) == (1377, 1378, "link_mobility")
    assert "link_mobility" in str(info.value)
    assert "1377" in str(info.value)


def test_link_mobility_allows_567_ucs2_characters() -> None:
    assert analyze("я" * 567, profile=LINK_MOBILITY).segments == 9
    with pytest.raises(MessageTooLong) as info:
        analyze("я" * 568, profile=LINK_MOBILITY)
    assert (info.value.limit, info.value.units, info.value.profile) == (567, 568, "link_mobility")


def test_standard_allows_255_parts() -> None:
    assert analyze("a" * 255 * 153).segments == 255
    with pytest.raises(MessageTooLong) as info:
        analyze("a" * (255 * 153 + 1))
    assert (info.value.limit, info.value.units, info.value.profile) == (39015, 39016, "standard")


def test_too_many_parts_after_moved_pairs_is_too_long_too() -> None:
    # 255 parts of 153 septets hold 39015 septets, but escape pairs never
    # straddle a boundary, so parts of euro signs hold 152: 39014 septets need 257 parts.
    with pytest.raises(MessageTooLong) as info:
        analyze("€" * 19507)
    assert (info.value.limit, info.value.units) == (39015, 39014)
    assert "parts" in str(info.value)


def test_a_custom_profile_caps_parts() -> None:
    three = Profile("three", max_parts=3)
    assert analyze("a" * 459, profile=three).segments == 3
    with pytest.raises(MessageTooLong):
        analyze("a" * 460, profile=three)


def test_a_profile_with_impossible_limits_is_refused() -> None:
    from smswire import ConfigurationError

    with pytest.raises(ConfigurationError):
        Profile("none", max_parts=0)
    with pytest.raises(ConfigurationError):
        Profile("big", max_parts=256)
    with pytest.raises(ConfigurationError):
        Profile("zero", ucs2_part_cap=0)


def test_profiles_are_named() -> None:
    assert (STANDARD.name, LINK_MOBILITY.name) == ("standard", "link_mobility")


def test_lone_surrogate_raises_encoding_error_with_character_and_index() -> None:
    with pytest.raises(EncodingError) as info:
        analyze("ok\ud800 ç")
    assert (info.value.character, info.value.index) == ("\ud800", 2)


def test_analyze_many_matches_analyze_one_by_one() -> None:
    texts = ["hi", "ç" * 80, "€" * 90, ""]
    assert analyze_many(texts, profile=LINK_MOBILITY) == [
        analyze(t, profile=LINK_MOBILITY) for t in texts
    ]


def test_analyze_many_names_the_failing_text() -> None:
    with pytest.raises(EncodingError) as info:
        analyze_many(["fine", "bad\udfff"])
    assert str(info.value).startswith("texts[1]: ")
    assert (info.value.character, info.value.index) == ("\udfff", 3)
    with pytest.raises(MessageTooLong) as too_long:
        analyze_many(["fine", "a" * 1378], profile=LINK_MOBILITY)
    assert too_long.value.units == 1378


def test_analysis_repr_shows_every_field() -> None:
    assert repr(analyze("ç")) == (
        "Analysis(encoding='ucs2', data_coding=8, units=1, segments=1, per_segment=70, "
        "characters=1, non_gsm=((0, 'ç'),), locking_shift=None, single_shift=None, "
        "parts_saved=0, replacements=())"
    )


def test_analysis_is_frozen_and_hashable() -> None:
    result = analyze("abc")
    with pytest.raises(AttributeError):
        result.units = 4  # type: ignore[misc]
    assert hash(result) == hash(analyze("abc"))
