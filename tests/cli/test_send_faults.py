"""`send-csv` through the real SMPP and LINK adapters against simulators told to
refuse some messages and to lose some responses: each row of the results file
says what the simulator did with that message, checked row by row."""

from __future__ import annotations

import asyncio
import csv
import time
from pathlib import Path

from smswire.link import LinkSimulator
from smswire.pdu import CommandStatus
from smswire.sim import LocalAuthority, serve_https
from smswire.smpp import SmscSimulator
from smswire.smpp.simulator.record import Submit

from .support import PATIENCE, run_cli, start_cli

ACCOUNT, PASSWORD = "acme", "Pw0rd&x"
ROWS = 120


def _campaign(tmp_path: Path) -> Path:
    path = tmp_path / "campaign.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(("destination", "text"))
        writer.writerows((f"+4746{n:06d}", f"message {n}") for n in range(ROWS))
    return path


def _rows(out: Path) -> dict[str, dict[str, str]]:
    """The last line of each row, by destination."""
    with out.open(newline="", encoding="utf-8") as stream:
        return {r["destination"]: r for r in csv.DictReader(stream)}


def _accepted_lines(out: Path) -> int:
    return out.read_text(encoding="utf-8").count(",accepted,") if out.exists() else 0


async def test_send_csv_over_smpp_records_refusals_and_lost_responses_row_by_row(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    async with SmscSimulator(
        accounts={ACCOUNT: PASSWORD},
        tls=authority.server_context(),
        failure_rate=0.2,
        failure_status=CommandStatus.ESME_RINVDSTADR,
        seed=7,
    ) as sim:
        env = {
            "SMSWIRE_SMPP_URL": f"smpps://{ACCOUNT}@127.0.0.1:{sim.port}",
            "SMSWIRE_SMPP_PASSWORD": PASSWORD,
            "SMSWIRE_SMPP_CA_FILE": str(authority.ca_file),
        }
        process = await start_cli(
            "send-csv", _campaign(tmp_path), "--via", "smpp", "--source", "ACME", "--out", out,
            "--rate", "60", "--batch", "16", "--delivery", "at-most-once",
            "--store", tmp_path / "outbox.db", "--json", env=env,
        )  # fmt: skip
        deadline = time.monotonic() + PATIENCE
        while sim.accepted_submits < 20:
            assert time.monotonic() < deadline, "the campaign never got going"
            await asyncio.sleep(0.01)
        # A crash mid-write: three submits accepted and never answered.
        await sim.restart(downtime=0.3, lose_responses=3)
        _, stderr = await asyncio.wait_for(process.communicate(), PATIENCE)
        submits = sim.record.submits
    assert process.returncode == 1, stderr.decode()  # rows need attention
    rows = _rows(out)
    assert len(rows) == ROWS
    by_destination: dict[str, list[Submit]] = {}
    for submit in submits:
        by_destination.setdefault("+" + submit.destination, []).append(submit)
    outcomes = {r["outcome"] for r in rows.values()}
    assert {"accepted", "rejected", "unknown"} <= outcomes, outcomes
    for destination, row in rows.items():
        seen = by_destination.get(destination, [])
        answered_ok = [s for s in seen if s.status == 0 and s.answered]
        withheld = [s for s in seen if s.status == 0 and not s.answered]
        refused = [s for s in seen if s.status != 0]
        outcome = row["outcome"]
        if outcome == "accepted":
            assert [s.message_id for s in answered_ok] == row["message_ids"].split(), row
        elif outcome == "rejected":
            assert refused and not answered_ok, row
            assert row["status"] == "ESME_RINVDSTADR", row
        elif outcome == "unknown":
            # Accepted without an answer, or written and lost with the connection.
            assert not answered_ok and not refused, row
        else:
            assert outcome == "not_sent", row
            assert not answered_ok and not withheld, row
        if withheld:
            assert outcome == "unknown", (row, withheld)


async def test_send_csv_over_link_records_refusals_and_lost_responses_row_by_row(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    out = tmp_path / "results.csv"
    simulator = LinkSimulator(
        service_id=7, username="acme", password=PASSWORD, refused_share=0.2, lost_share=0.1, seed=3
    )
    async with serve_https(simulator, authority) as url:
        env = {
            "SMSWIRE_LINK_URL": f"{url}/smscsimplehttp",
            "SMSWIRE_LINK_SERVICE_ID": "7",
            "SMSWIRE_LINK_USERNAME": "acme",
            "SMSWIRE_LINK_PASSWORD": PASSWORD,
            "SMSWIRE_LINK_CA_FILE": str(authority.ca_file),
        }
        run = await run_cli(
            "send-csv", _campaign(tmp_path), "--via", "link", "--source", "ACME", "--out", out,
            "--store", tmp_path / "outbox.db", "--json", env=env,
        )  # fmt: skip
    assert run.returncode == 1, run.stderr  # rows need attention
    rows = _rows(out)
    assert len(rows) == ROWS
    accepted = {m.parameters["Destination"]: m.message_id for m in simulator.accepted}
    lost = {m.parameters["Destination"] for m in simulator.lost}
    refused = {p["Destination"] for p in simulator.refused}
    assert refused and lost, "the seed should inject both faults"
    for destination, row in rows.items():
        if destination in refused:
            assert (row["outcome"], row["status"]) == ("rejected", "QUOTA_EXCEEDED"), row
        elif destination in lost:
            # Accepted by LINK, but the sender never heard: unknown, never accepted.
            assert row["outcome"] == "unknown" and row["error"], row
        else:
            assert row["outcome"] == "accepted", row
            assert row["message_ids"] == accepted[destination], row
    assert PASSWORD not in out.read_text(encoding="utf-8") + run.stdout + run.stderr
