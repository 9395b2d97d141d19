"""The results of analysis and segmentation, as the pure backend builds them.

The native backend returns its own classes with the same fields, equality,
hash and repr (rust/python/encoding.rs), so neither backend pays for the
other's objects; ``smswire.encoding`` exports whichever is active.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Analysis", "Segment"]


@dataclass(frozen=True)
class Analysis:
    """How a text travels as SMS.

    ``units`` are septets for GSM7 (an extension character counts 2) or UTF-16
    units for UCS2; ``per_segment`` is how many of them one part holds;
    ``characters`` counts user-perceived characters (grapheme clusters);
    ``non_gsm`` lists ``(index, character)`` for each character that forced UCS2.

    ``locking_shift`` and ``single_shift`` name (ISO 639-1) the national language
    tables chosen (3GPP TS 23.038 Annex A; ``None``: the default alphabet or
    extension table); ``parts_saved`` is how many parts fewer than plain GSM7/UCS2
    the opt-ins cost; ``replacements`` lists ``(index, character, replacement)``
    for each look-alike smart encoding replaced. ``characters`` counts the text as
    sent; the indices are into the text given.
    """

    encoding: str
    data_coding: int
    units: int
    segments: int
    per_segment: int
    characters: int
    non_gsm: tuple[tuple[int, str], ...]
    locking_shift: str | None = None
    single_shift: str | None = None
    parts_saved: int = 0
    replacements: tuple[tuple[int, str, str], ...] = ()


@dataclass(frozen=True)
class Segment:
    """One part of a message as it goes on the wire.

    ``udh`` is the User Data Header (empty for a single-part message);
    ``payload`` the user data after it: septets one per octet, packed septets,
    or UTF-16BE octets. ``index`` counts from 1 to ``total``.
    """

    udh: bytes
    payload: bytes
    data_coding: int
    index: int
    total: int
