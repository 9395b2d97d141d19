"""Extended grapheme clusters (Unicode UAX #29), for the pure backend.

The native backend uses the ``unicode-segmentation`` crate; the tables here are
generated from that crate's own (``_grapheme_data``, by
tools/gen_grapheme_tables.py), so both follow the same Unicode version.
"""

from __future__ import annotations

from bisect import bisect_right

from smswire.encoding._grapheme_data import RUNS

__all__ = ["cluster_starts"]

# Grapheme_Cluster_Break classes, numbered as tools/gen_grapheme_tables.py does.
_OTHER, _CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _PREPEND, _SPACING_MARK = range(9)
_L, _V, _T, _LV, _LVT = range(9, 14)
_CLASS_MASK = 0x0F
_EXTENDED_PICTOGRAPHIC = 0x10
# Indic_Conjunct_Break (UAX #44), two bits.
_INCB_MASK = 0x60
_INCB_CONSONANT, _INCB_EXTEND, _INCB_LINKER = 0x20, 0x40, 0x60
_CONTROLS = (_CR, _LF, _CONTROL)
# GB9c's progress through Consonant [Extend Linker]* Linker [Extend Linker]*.
_NO_CONJUNCT, _AFTER_CONSONANT, _AFTER_LINKER = range(3)


def _parse(runs: str) -> tuple[list[int], bytes]:
    starts, values = [], bytearray()
    for run in runs.split():
        start, value = run.split(":")
        starts.append(int(start, 16))
        values.append(int(value, 16))
    return starts, bytes(values)


_RUN_STARTS, _RUN_VALUES = _parse(RUNS)


def _value(ch: str) -> int:
    return _RUN_VALUES[bisect_right(_RUN_STARTS, ord(ch)) - 1]


def cluster_starts(text: str) -> list[int]:
    """The index of the first character of every grapheme cluster of ``text``."""
    starts: list[int] = []
    prev = -1
    after_pictographic = False  # the run so far is ExtPict Extend*
    pictographic_zwj = False  # the previous character is the ZWJ after such a run
    regional_run = 0
    conjunct = _NO_CONJUNCT
    previous_value = -1
    for i, ch in enumerate(text):
        value = _value(ch)
        if value == previous_value == _OTHER:
            # Two plain characters: GB999, and the state is already reset.
            starts.append(i)
            continue
        previous_value = value
        cur = value & _CLASS_MASK
        incb = value & _INCB_MASK
        pictographic = bool(value & _EXTENDED_PICTOGRAPHIC)
        opens = prev < 0 or _breaks(prev, cur, pictographic, pictographic_zwj, regional_run)
        # GB9c: Consonant [Extend Linker]* Linker [Extend Linker]* × Consonant
        if opens and not (incb == _INCB_CONSONANT and conjunct == _AFTER_LINKER):
            starts.append(i)
        if pictographic:
            after_pictographic, pictographic_zwj = True, False
        elif cur == _EXTEND:
            pictographic_zwj = False
        elif cur == _ZWJ:
            after_pictographic, pictographic_zwj = False, after_pictographic
        else:
            after_pictographic = pictographic_zwj = False
        regional_run = regional_run + 1 if cur == _RI else 0
        conjunct = _conjunct(conjunct, incb)
        prev = cur
    return starts


def _conjunct(state: int, incb: int) -> int:
    """GB9c's state after a character with Indic_Conjunct_Break ``incb``."""
    if incb == _INCB_CONSONANT:
        return _AFTER_CONSONANT
    if incb == _INCB_LINKER and state != _NO_CONJUNCT:
        return _AFTER_LINKER
    if incb == _INCB_EXTEND:
        return state
    return _NO_CONJUNCT


def _breaks(prev: int, cur: int, pictographic: bool, pictographic_zwj: bool, ri: int) -> bool:
    # UAX #29 §3.1.1, rules GB3 to GB999 but GB9c, in their order of precedence.
    if prev == _CR and cur == _LF:  # GB3
        return False
    if prev in _CONTROLS or cur in _CONTROLS:  # GB4, GB5
        return True
    if prev == _L and cur in (_L, _V, _LV, _LVT):  # GB6
        return False
    if prev in (_LV, _V) and cur in (_V, _T):  # GB7
        return False
    if prev in (_LVT, _T) and cur == _T:  # GB8
        return False
    if cur in (_EXTEND, _ZWJ, _SPACING_MARK) or prev == _PREPEND:  # GB9, GB9a, GB9b
        return False
    if pictographic and pictographic_zwj:  # GB11
        return False
    # GB12, GB13: regional indicators pair up from the start of their run.
    return not (cur == _RI and prev == _RI and ri % 2 == 1)
