"""Grapheme clusters (Unicode UAX #29, Unicode 15.0) for ``characters`` and ``graphemes=True``.

tests/vectors/GraphemeBreakTest.txt is the Unicode Consortium's own test data
for the version the generated tables come from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smswire.encoding import analyze
from smswire.encoding._grapheme_data import UNICODE_VERSION
from smswire.encoding._graphemes import cluster_starts

TEST_FILE = Path(__file__).parent.parent / "vectors" / "GraphemeBreakTest.txt"


def _cases() -> list[tuple[str, list[int]]]:
    cases = []
    for line in TEST_FILE.read_text(encoding="utf-8").splitlines():
        spec = line.split("#", 1)[0].split()
        if not spec:
            continue
        text, starts = "", []
        for token in spec[:-1]:  # the last token is the final ÷
            if token == "÷":
                starts.append(len(text))
            elif token != "\u00d7":  # MULTIPLICATION SIGN: no break
                text += chr(int(token, 16))
        cases.append((text, starts))
    return cases


CASES = _cases()


def test_the_test_data_is_for_the_tables_unicode_version() -> None:
    first = TEST_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# GraphemeBreakTest-{UNICODE_VERSION}.txt"
    assert len(CASES) == 602


@pytest.mark.parametrize(("text", "starts"), CASES, ids=lambda v: repr(v)[:40])
def test_unicode_grapheme_break_test(text: str, starts: list[int]) -> None:
    assert cluster_starts(text) == starts


@pytest.mark.parametrize(
    ("text", "starts"),
    [c for c in CASES if not any("\ud800" <= ch <= "\udfff" for ch in c[0])],
    ids=lambda v: repr(v)[:40],
)
def test_characters_counts_the_clusters_of_the_unicode_test(text: str, starts: list[int]) -> None:
    assert analyze(text).characters == len(starts)
