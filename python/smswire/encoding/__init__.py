"""GSM 03.38 / UCS2 encoding, analysis and segmentation.

Every function here is the native one (``smswire._native``) or its pure-Python
twin (``smswire.encoding._pure``), chosen once by ``smswire._backend``; both
give the same bytes and raise the same exceptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smswire._backend import NATIVE
from smswire.encoding import _pure
from smswire.encoding._national import NationalLanguage
from smswire.encoding._profile import LINK_MOBILITY, MAX_PARTS, STANDARD, Profile

__all__ = [
    "LINK_MOBILITY",
    "MAX_PARTS",
    "STANDARD",
    "Analysis",
    "NationalLanguage",
    "Profile",
    "Segment",
    "analyze",
    "analyze_many",
    "apply_replacements",
    "decode_gsm7",
    "decode_ucs2",
    "encode_gsm7",
    "encode_ucs2",
    "pack_septets",
    "segment",
    "segment_many",
    "unpack_septets",
]

if TYPE_CHECKING or NATIVE is None:
    # The pure twin's dataclasses are also the types mypy checks against: the
    # native classes (_native.pyi) have the same fields.
    from smswire.encoding._types import Analysis, Segment

    analyze = _pure.analyze
    analyze_many = _pure.analyze_many
    segment = _pure.segment
    segment_many = _pure.segment_many
    encode_gsm7 = _pure.encode_gsm7
    decode_gsm7 = _pure.decode_gsm7
    pack_septets = _pure.pack_septets
    unpack_septets = _pure.unpack_septets
    encode_ucs2 = _pure.encode_ucs2
    decode_ucs2 = _pure.decode_ucs2
else:
    Analysis = NATIVE.Analysis
    Segment = NATIVE.Segment
    analyze = NATIVE.analyze
    analyze_many = NATIVE.analyze_many
    segment = NATIVE.segment
    segment_many = NATIVE.segment_many
    encode_gsm7 = NATIVE.encode_gsm7
    decode_gsm7 = NATIVE.decode_gsm7
    pack_septets = NATIVE.pack_septets
    unpack_septets = NATIVE.unpack_septets
    encode_ucs2 = NATIVE.encode_ucs2
    decode_ucs2 = NATIVE.decode_ucs2


def apply_replacements(text: str, replacements: tuple[tuple[int, str, str], ...]) -> str:
    """``text`` with the look-alike replacements ``analyze(smart=True)`` reported
    (``(index, original, replacement)``) applied: the text a sender puts on the wire.

    Plain Python on either backend: it only rearranges what analyze returned.
    """
    if not replacements:
        return text
    characters = list(text)
    for index, _, replacement in replacements:
        characters[index] = replacement
    return "".join(characters)
