"""``smswire analyze``: the analysis of a text, from the argument or stdin, and the
opt-ins (``--national``, ``--smart``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from smswire.cli import main


def test_analyze_prints_encoding_units_and_parts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "a" * 161]) == 0
    out = capsys.readouterr().out
    assert "gsm7 (data_coding 0x00)" in out
    assert "161 septets" in out
    assert "2 (up to 153 septets each, profile standard)" in out


def test_analyze_names_what_forced_ucs2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "ça va"]) == 0
    out = capsys.readouterr().out
    assert "ucs2 (data_coding 0x08)" in out
    assert "'ç' U+00E7 at 0" in out


def test_analyze_json_for_link_mobility(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--json", "--profile", "link_mobility", "я" * 71]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "profile": "link_mobility",
        "encoding": "ucs2",
        "data_coding": 8,
        "units": 71,
        "segments": 2,
        "per_segment": 63,
        "characters": 71,
        "non_gsm": [{"index": i, "character": "я"} for i in range(71)],
    }


def test_analyze_too_long_is_one_error_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--profile", "link_mobility", "a" * 1378]) == 1
    err = capsys.readouterr().err
    assert err.startswith("smswire: error: ")
    assert "1377" in err


def test_analyze_reads_stdin_without_its_trailing_newline() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smswire", "analyze", "--json"],
        input="x€\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout)["units"] == 3


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
