"""Grapheme clusters (Unicode UAX #29) for ``characters`` and ``graphemes=True``.

tests/vectors/GraphemeBreakTest.txt is the Unicode Consortium's own test data
for the Unicode version of the unicode-segmentation crate, which the native
backend uses and the pure backend's tables are generated from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smswire.encoding import analyze, segment
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
    assert len(CASES) == 766


@pytest.mark.parametrize(("text", "starts"), CASES, ids=lambda v: repr(v)[:40])
def test_unicode_grapheme_break_test(text: str, starts: list[int]) -> None:
    assert cluster_starts(text) == starts


@pytest.mark.parametrize(("text", "starts"), CASES, ids=lambda v: repr(v)[:40])
def test_characters_counts_the_clusters_of_the_unicode_test(text: str, starts: list[int]) -> None:
    assert analyze(text).characters == len(starts)


# UAX #29 GB9c (Unicode 15.1): Devanagari KA, VIRAMA, SSA, VOWEL SIGN I is one
# cluster, the conjunct "kssi"; before GB9c it broke before SSA.
HINDI_CONJUNCT = "\u0915\u094d\u0937\u093f"


def test_an_indic_conjunct_is_one_cluster() -> None:
    assert cluster_starts(HINDI_CONJUNCT) == [0]
    assert analyze(HINDI_CONJUNCT).characters == 1


def test_graphemes_keep_an_indic_conjunct_in_one_part() -> None:
    # 74 UCS2 units take two parts of 67. 65 units leave room in the first for
    # KA VIRAMA, the cluster that Unicode 15.0 cut there, but not for the whole
    # four-unit conjunct.
    text = "\u0905" * 65 + HINDI_CONJUNCT + "\u0905" * 5
    parts = segment(text, reference=1, graphemes=True)
    assert [len(p.payload) // 2 for p in parts] == [65, 9]
    split = segment(text, reference=1)
    assert [len(p.payload) // 2 for p in split] == [67, 7]
