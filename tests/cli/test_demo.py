"""`smswire demo`, the README's main command, in a short batch."""

from __future__ import annotations

import json

from .support import run_cli


async def test_demo_accounts_for_every_message_through_both_ways_out() -> None:
    run = await run_cli("demo", "--count", "60", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["accounted_for"] is True
    assert [route["route"] for route in report["routes"]] == ["smpp (TLS)", "link (HTTPS)"]
    for route in report["routes"]:
        assert route["messages"] == route["accepted"] == 60
        assert route["parts"] > 60  # the long messages were concatenated
        assert set(route["encodings"]) == {"gsm7", "ucs2"}
        assert sum(route["receipts"].values()) == route["receipts_expected"] == route["parts"]
        assert route["failures"] == []


async def test_demo_shows_a_table_for_people() -> None:
    run = await run_cli("demo", "--count", "5")
    assert run.returncode == 0, run.stderr
    assert "all accounted for" in run.stdout
    assert "Traceback" not in run.stderr
