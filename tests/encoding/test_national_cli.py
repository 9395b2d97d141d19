"""``smswire analyze --national ... --smart``: the opt-ins from the command line."""

from __future__ import annotations

import json

import pytest

from smswire.cli import main

TURKISH = "Sayın müşterimiz, siparişiniz yola çıktı. Kargo şirketi yarın sizi arayacak."


def test_national_tables_and_parts_saved_are_shown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--national", "tr,es", TURKISH]) == 0
    out = capsys.readouterr().out
    assert "gsm7 (data_coding 0x00)" in out
    assert "locking shift tr, single shift default; 1 part(s) saved" in out


def test_json_carries_the_tables_and_replacements(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--json", "--national", "tr", "--smart", "“" + TURKISH + "”"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["locking_shift"], result["single_shift"], result["parts_saved"]) == (
        "tr",
        None,
        1,
    )
    assert result["replacements"][0] == {"index": 0, "character": "“", "replacement": '"'}


def test_an_unknown_language_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--national", "xx", "abc"]) == 1
    assert "'xx' is not a language" in capsys.readouterr().err
