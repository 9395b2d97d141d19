"""GSM 03.38 / UCS2 encoding, analysis and segmentation.

Every function here is the native one (``smswire._native``) or its pure-Python
twin (``smswire.encoding._pure``), chosen once by ``smswire._backend``; both
give the same bytes and raise the same exceptions.
"""

from __future__ import annotations

from smswire.encoding import _pure
from smswire.encoding._national import NationalLanguage
from smswire.encoding._profile import LINK_MOBILITY, MAX_PARTS, STANDARD, Profile
from smswire.encoding._types import Analysis, Segment

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
    "decode_gsm7",
    "decode_ucs2",
    "encode_gsm7",
    "encode_ucs2",
    "pack_septets",
    "segment",
    "segment_many",
    "unpack_septets",
]

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
