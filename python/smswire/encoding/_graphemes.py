"""Extended grapheme clusters (Unicode UAX #29), for the pure backend.

The tables are generated (``_grapheme_data``); the native backend applies the
same rules to the same tables in rust/encoding/graphemes.rs.
"""

from __future__ import annotations

from bisect import bisect_right

from smswire.encoding._grapheme_data import RUN_STARTS, RUN_VALUES

__all__ = ["cluster_starts"]

# Grapheme_Cluster_Break values, numbered as rust/encoding/gen_grapheme_data.py does.
_OTHER, _CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _PREPEND, _SPACING_MARK = range(9)
_L, _V, _T, _LV, _LVT = range(9, 14)
_PROPERTY_MASK = 0x0F
_EXTENDED_PICTOGRAPHIC = 0x10
_CONTROLS = (_CR, _LF, _CONTROL)


def _value(ch: str) -> int:
    return RUN_VALUES[bisect_right(RUN_STARTS, ord(ch)) - 1]


def cluster_starts(text: str) -> list[int]:
    """The index of the first character of every grapheme cluster of ``text``."""
    starts: list[int] = []
    prev = -1
    after_pictographic = False  # the run so far is ExtPict Extend*
    pictographic_zwj = False  # the previous character is the ZWJ after such a run
    regional_run = 0
    for i, ch in enumerate(text):
        value = _value(ch)
        cur = value & _PROPERTY_MASK
        pictographic = bool(value & _EXTENDED_PICTOGRAPHIC)
        if prev < 0 or _breaks(prev, cur, pictographic, pictographic_zwj, regional_run):
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
        prev = cur
    return starts


def _breaks(prev: int, cur: int, pictographic: bool, pictographic_zwj: bool, ri: int) -> bool:
    # UAX #29 §3.1.1, rules GB3 to GB999, in their order of precedence.
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
