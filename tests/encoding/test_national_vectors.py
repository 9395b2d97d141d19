"""The vectors of tests/vectors/national.json: a message in each language of 3GPP TS
23.038 Annex A that fits 7 bits only with its national shift tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smswire.encoding import analyze, decode_gsm7, segment, unpack_septets

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent.parent / "vectors" / "national.json").read_text(encoding="utf-8")
)


def _id(entry: dict[str, Any]) -> str:
    return str(entry["language"])


def test_every_language_of_annex_a_has_a_vector() -> None:
    assert sorted(entry["language"] for entry in VECTORS) == sorted(
        ["tr", "es", "pt", "bn", "gu", "hi", "kn", "ml", "or", "pa", "ta", "te", "ur"]
    )


@pytest.mark.parametrize("entry", VECTORS, ids=_id)
def test_vector_needs_ucs2_without_its_tables(entry: dict[str, Any]) -> None:
    plain = analyze(entry["text"])
    assert (plain.encoding, plain.segments) == (entry["plain_encoding"], entry["plain_segments"])


@pytest.mark.parametrize("entry", VECTORS, ids=_id)
def test_vector_tables_septets_and_parts(entry: dict[str, Any]) -> None:
    result = analyze(entry["text"], national=entry["national"])
    assert (result.encoding, result.data_coding) == ("gsm7", 0x00)
    assert (result.locking_shift, result.single_shift) == (
        entry["locking_shift"],
        entry["single_shift"],
    )
    assert result.units == entry["septets"]
    assert (result.segments, result.per_segment) == (entry["segments"], entry["per_segment"])
    assert result.parts_saved == entry["plain_segments"] - entry["segments"]
    assert result.non_gsm == ()


@pytest.mark.parametrize("entry", VECTORS, ids=_id)
def test_vector_udh_and_packed_user_data(entry: dict[str, Any]) -> None:
    (part,) = segment(entry["text"], national=entry["national"], packed=True)
    assert part.udh.hex().upper() == entry["udh_hex"]
    assert (part.udh + part.payload).hex().upper() == entry["packed_hex"]


@pytest.mark.parametrize("entry", VECTORS, ids=_id)
def test_vector_decodes_back_through_its_udh(entry: dict[str, Any]) -> None:
    (part,) = segment(entry["text"], national=entry["national"], packed=True)
    septets = unpack_septets(part.payload, entry["septets"], entry["fill_bits"])
    assert decode_gsm7(septets, udh=part.udh) == entry["text"]
