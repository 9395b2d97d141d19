"""`send-csv` reads what people save: a byte that is not UTF-8 fails its row,
named by line, and the run goes on; never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from .support import run_cli


async def test_an_invalid_utf8_byte_is_that_row_s_error_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "campaign.csv"
    # Saved as Latin-1 on line 3; the other rows are UTF-8.
    source.write_bytes(
        b"destination,text\n+4746910001,ok\n+4746910002,Caf\xe9\n+4746910003,Caf\xc3\xa9\n"
    )
    run = await run_cli(
        "send-csv", source, "--via", "link", "--source", "SHOP", "--dry-run", "--json"
    )
    assert "Traceback" not in run.stderr
    assert run.returncode == 1  # one row needs attention
    summary = json.loads(run.stdout)
    assert summary["problems"] == [
        {
            "line": 3,
            "outcome": "not_sent",
            "status": "",
            "error": "byte 0xE9 in column 'text' is not UTF-8 (save the file as UTF-8)",
        }
    ]
    assert summary["outcomes"] == {"not_sent": 3}  # a dry run: two priced, one invalid
