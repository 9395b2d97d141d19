"""analyze(smart=True) / segment(smart=True): look-alikes that would force UCS2
are replaced with GSM text, and every replacement is reported. Off by default."""

from __future__ import annotations

from smswire.encoding import analyze, segment

QUOTED = "It’s a “deal” – 50% off… today only"


def test_off_by_default_the_text_is_the_senders() -> None:
    result = analyze(QUOTED)
    assert result.encoding == "ucs2"
    assert result.replacements == ()


def test_smart_replaces_quotes_dashes_and_the_ellipsis_and_reports_each() -> None:
    result = analyze(QUOTED, smart=True)
    assert result.encoding == "gsm7"
    assert result.replacements == (
        (2, "’", "'"),
        (7, "“", '"'),
        (12, "”", '"'),
        (14, "–", "-"),
        (23, "…", "..."),
    )
    assert result.units == len('It\'s a "deal" - 50% off... today only')
    assert result.non_gsm == ()


def test_segments_carry_the_replaced_text() -> None:
    (part,) = segment(QUOTED, smart=True)
    assert part.payload == b'It\'s a "deal" - 50% off... today only'


def test_nothing_is_replaced_when_the_message_stays_ucs2() -> None:
    result = analyze(QUOTED + " 😀", smart=True)
    assert result.encoding == "ucs2"
    assert result.replacements == ()
    assert result.non_gsm[-1] == (len(QUOTED) + 1, "😀")


def test_replacing_is_declined_when_it_would_cost_more_parts() -> None:
    # 70 ellipses fit one UCS2 part; as 210 full stops they would need two.
    result = analyze("…" * 70, smart=True)
    assert (result.encoding, result.segments, result.replacements) == ("ucs2", 1, ())


def test_characters_an_allowed_national_table_holds_are_not_replaced() -> None:
    text = "Çok güzel “kampanya”: şimdi %50 indirim, çabuk olun! " * 3
    result = analyze(text, smart=True, national=("tr",))
    assert result.locking_shift == "tr"
    assert [ch for _, ch, _ in result.replacements] == ["“", "”"] * 3
    assert "ç" not in [ch for _, ch, _ in result.replacements]


def test_without_the_national_table_c_cedilla_becomes_the_capital() -> None:
    result = analyze("Merci, ça va", smart=True)
    assert result.replacements == ((7, "ç", "Ç"),)
    assert result.encoding == "gsm7"


def test_invisible_characters_are_removed() -> None:
    result = analyze("a\u200bb\u00adc", smart=True)
    assert result.replacements == ((1, "\u200b", ""), (3, "\u00ad", ""))
    assert (result.units, result.characters) == (3, 3)
