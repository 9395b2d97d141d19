"""National language shift tables: what analysis costs with them, and what they save.

Run: pytest benches/bench_national.py --benchmark-only --benchmark-columns=mean,ops
     pytest benches/bench_national.py -k parts_saved -s   (the parts-saved table)

Timing: native ``analyze`` of one 600-character message per language, plain, with
its own language allowed, and with all thirteen allowed (target: at most 2x plain).
Parts saved: a corpus per language, the vector message of tests/vectors/national.json
cut or repeated to 60..600 characters, parts with and without the tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smswire.encoding import _pure

native: Any = pytest.importorskip("smswire._native")

_VECTORS = json.loads(
    (Path(__file__).parent.parent / "tests" / "vectors" / "national.json").read_text("utf-8")
)
SENTENCES: dict[str, str] = {entry["language"]: entry["text"] for entry in _VECTORS}
ALL_LANGUAGES = tuple(SENTENCES)
LENGTHS = (60, 100, 140, 200, 300, 450, 600)


def _message(language: str, characters: int) -> str:
    """The language's sentence repeated and cut to ``characters``, at a space."""
    sentence = SENTENCES[language]
    text = (sentence + " ") * (characters // len(sentence) + 1)
    return text[:characters].rsplit(" ", 1)[0] if len(text) > characters else text


LONG = {language: _message(language, 600) for language in ALL_LANGUAGES}
MODES: dict[str, Any] = {
    "plain": lambda language: (),
    "own": lambda language: (language,),
    "all13": lambda language: ALL_LANGUAGES,
}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_native_analyze(benchmark: Any, language: str, mode: str) -> None:
    text, national = LONG[language], MODES[mode](language)
    result = benchmark(native.analyze, text, national=national)
    assert result.encoding == ("ucs2" if mode == "plain" else "gsm7")


@pytest.mark.parametrize("mode", ["plain", "own"])
@pytest.mark.parametrize("language", ["tr", "hi"])
def test_pure_analyze(benchmark: Any, language: str, mode: str) -> None:
    text, national = LONG[language], MODES[mode](language)
    benchmark(_pure.analyze, text, national=national)


def test_parts_saved_per_language() -> None:
    """Not timed: the table of parts, plain UCS2 against the national tables."""
    rows = []
    for language in ALL_LANGUAGES:
        plain = national = 0
        for characters in LENGTHS:
            text = _message(language, characters)
            plain_parts = native.analyze(text).segments
            result = native.analyze(text, national=(language,))
            assert result.segments <= plain_parts
            assert result.parts_saved == plain_parts - result.segments
            plain += plain_parts
            national += result.segments
        rows.append((language, plain, national, plain - national))
    print()
    print(f"{'language':<9}{'plain parts':>12}{'national':>10}{'saved':>7}{'saved %':>9}")
    for language, plain, national, saved in rows:
        print(f"{language:<9}{plain:>12}{national:>10}{saved:>7}{100 * saved / plain:>8.0f}%")
    total_plain = sum(row[1] for row in rows)
    total_saved = sum(row[3] for row in rows)
    assert total_saved > 0
    print(f"{'all':<9}{total_plain:>12}{total_plain - total_saved:>10}{total_saved:>7}")
