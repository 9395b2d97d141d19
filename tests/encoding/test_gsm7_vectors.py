"""The public vectors of tests/vectors/gsm7.json, in whichever backend is active.

Each entry cites its source. Counts follow the 3GPP limits (160/153 septets,
70/67 UCS2 units, 8-bit reference); ``segments_grapheme_safe`` is the count
with ``graphemes=True``. No entry disagrees with our reading of TS 23.038 /
TS 23.040: the one that looks odd, ``"1234567@"``, is right (the trailing '@'
is only distinguishable through TP-UDL, which is why ``unpack_septets`` takes
a septet count).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smswire.encoding import analyze, encode_gsm7, pack_septets, segment

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent.parent / "vectors" / "gsm7.json").read_text(encoding="utf-8")
)


def _id(entry: dict[str, Any]) -> str:
    text = entry["text"]
    return f"{entry['encoding']}-{entry['septets_or_units']}-{text[:12]!r}"


@pytest.mark.parametrize("entry", VECTORS, ids=_id)
def test_vector_encoding_units_and_segments(entry: dict[str, Any]) -> None:
    result = analyze(entry["text"])
    assert result.encoding == entry["encoding"], entry["source"]
    assert result.units == entry["septets_or_units"], entry["source"]
    assert result.segments == entry["segments"], entry["source"]
    assert len(segment(entry["text"], reference=0)) == entry["segments"]


@pytest.mark.parametrize("entry", VECTORS, ids=_id)
def test_vector_grapheme_safe_segments(entry: dict[str, Any]) -> None:
    expected = entry.get("segments_grapheme_safe", entry["segments"])
    assert analyze(entry["text"], graphemes=True).segments == expected, entry["source"]
    assert len(segment(entry["text"], reference=0, graphemes=True)) == expected


PACKED = [e for e in VECTORS if "packed_hex" in e]


@pytest.mark.parametrize("entry", PACKED, ids=_id)
def test_vector_packed_bytes(entry: dict[str, Any]) -> None:
    udh = bytes.fromhex(entry.get("udh_hex", ""))
    fill = entry.get("fill_bits", 0)
    user_data = udh + pack_septets(encode_gsm7(entry["text"]), fill)
    assert user_data.hex().upper() == entry["packed_hex"], entry["source"]


def test_the_packed_vectors_are_all_exercised() -> None:
    assert len(PACKED) == 4


def test_characters_count_grapheme_clusters_as_twilio_shows_them() -> None:
    # Twilio message-segment-calculator issue #17: "Twilio shows 67 'characters'".
    (entry,) = [e for e in VECTORS if "issue #17" in e["source"] and e["segments"] == 1]
    assert analyze(entry["text"]).characters == 67
