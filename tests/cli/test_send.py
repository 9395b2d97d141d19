"""`smswire send-csv` and `smswire send` against the simulators, over TLS: every
row and every --json line in the Outcome words, and nothing else."""

from __future__ import annotations

import asyncio
import csv
import json
import time
from collections import Counter
from pathlib import Path

from smpp.scripted_smsc import ScriptedSmsc, accept

from smswire.campaign import CampaignRow
from smswire.link import LinkSimulator
from smswire.message import Outcome
from smswire.outbox import Outbox
from smswire.pdu import SubmitSm
from smswire.sim import LocalAuthority, serve_https
from smswire.smpp import SmscSimulator

from .support import PATIENCE, run_cli, start_cli

ACCOUNT, PASSWORD = "acme", "Pw0rd&x"
LINK_PASSWORD = "link pass&word=1"

GOOD = [
    ("+4746910001", "Plain GSM text", ""),
    ("+4746910002", "Euro € and {braces}", "ACME"),
    ("+4746910003", "Привет, мир", ""),
    ("+4746910004", "Long " + "x" * 310, ""),  # 315 septets: 3 parts of 153
]
BAD = [
    ("+47" + "1" * 30, "destination far too long", ""),  # over the address limit
    ("+4746910005", "source too long", "ACME-CORPORATION-LTD"),  # over 11 alphanumerics
    ("", "no destination", ""),
]


def _write_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(("destination", "text", "source"))
        writer.writerows(rows)
    return path


def _journal(path: Path) -> dict[int, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return {int(r["line"]): r for r in csv.DictReader(stream)}


def _smpp_env(sim: SmscSimulator) -> dict[str, str]:
    return {
        "SMSWIRE_SMPP_URL": f"smpps://{ACCOUNT}@127.0.0.1:{sim.port}",
        "SMSWIRE_SMPP_PASSWORD": PASSWORD,
    }


async def test_send_csv_over_smpp_reports_bad_rows_by_line_and_sends_the_rest(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    rows = [GOOD[0], BAD[0], GOOD[1], BAD[1], GOOD[2], BAD[2], GOOD[3]]
    source = _write_csv(tmp_path / "campaign.csv", rows)
    out = tmp_path / "results.csv"
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=authority.server_context()) as sim:
        run = await run_cli(
            "send-csv", source, "--via", "smpp", "--source", "SHOP", "--out", out,
            "--store", tmp_path / "outbox.db", "--ca-file", authority.ca_file, "--json",
            env=_smpp_env(sim),
        )  # fmt: skip
        # On the wire an international number is TON 1 digits, without its '+'.
        received = {"+" + m.destination: m for m in sim.received}
    assert run.returncode == 1, run.stderr  # some rows need attention
    summary = json.loads(run.stdout)
    # Rows refused before sending are NOT_SENT, with their reason.
    assert summary["outcomes"] == {"accepted": 4, "not_sent": 3}
    assert [p["line"] for p in summary["problems"]] == [3, 5, 7]
    assert {p["outcome"] for p in summary["problems"]} == {"not_sent"}
    assert "destination" in summary["problems"][0]["error"]
    assert "11" in summary["problems"][1]["error"]
    assert set(received) == {row[0] for row in GOOD}
    assert all(m.times_accepted == 1 for m in received.values())
    assert received["+4746910002"].source == "ACME"  # the row's own source wins
    assert received["+4746910001"].source == "SHOP"
    assert received["+4746910004"].text == GOOD[3][1]
    journal = _journal(out)
    assert journal[2]["outcome"] == "accepted" and journal[2]["message_ids"]
    assert journal[2]["status"] == "ESME_ROK"
    assert journal[3]["outcome"] == "not_sent" and "destination" in journal[3]["error"]
    assert journal[8]["parts"] == "3" and len(journal[8]["message_ids"].split()) == 3
    assert PASSWORD not in run.stdout + run.stderr + out.read_text()


async def test_send_csv_over_link_with_a_dry_run_first(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    source = _write_csv(tmp_path / "campaign.csv", GOOD + BAD[:1])
    simulator = LinkSimulator(service_id=7, username="acme", password=LINK_PASSWORD)
    async with serve_https(simulator, authority) as url:
        env = {
            "SMSWIRE_LINK_URL": f"{url}/smscsimplehttp",
            "SMSWIRE_LINK_SERVICE_ID": "7",
            "SMSWIRE_LINK_USERNAME": "acme",
            "SMSWIRE_LINK_PASSWORD": LINK_PASSWORD,
        }
        common = ("--via", "link", "--source", "SHOP", "--ca-file", authority.ca_file, "--json")
        dry = await run_cli(
            "send-csv", source, "--out", tmp_path / "dry.csv", "--dry-run", *common, env=env
        )
        assert simulator.accepted == []
        real = await run_cli(
            "send-csv", source, "--out", tmp_path / "out.csv", "--store", tmp_path / "outbox.db",
            *common, env=env,
        )  # fmt: skip
    dry_summary, summary = json.loads(dry.stdout), json.loads(real.stdout)
    # A dry run sends nothing: every row is NOT_SENT, the valid ones priced.
    assert dry_summary["outcomes"] == {"not_sent": 5}
    assert [p["line"] for p in dry_summary["problems"]] == [6]
    assert dry.returncode == 1  # the invalid row needs attention
    # LINK bills concatenated GSM text at 153 septets a part, as 3GPP does.
    assert dry_summary["parts"] == summary["parts"] == 1 + 1 + 1 + 3
    assert summary["outcomes"] == {"accepted": 4, "not_sent": 1}
    sent = sorted(m.parameters["Destination"] for m in simulator.accepted)
    assert sent == sorted(r[0] for r in GOOD)
    assert LINK_PASSWORD not in real.stdout + real.stderr + dry.stdout + dry.stderr


async def test_running_again_with_the_same_store_resumes_and_sends_each_row_once(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    rows = [(f"+47469{20000 + i:05d}", f"message {i}", "") for i in range(200)]
    source = _write_csv(tmp_path / "campaign.csv", rows)
    out, store = tmp_path / "results.csv", tmp_path / "outbox.db"
    common = (
        "--via", "smpp", "--source", "SHOP", "--ca-file", authority.ca_file, "--json",
        "--out", out, "--store", store,
    )  # fmt: skip
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=authority.server_context()) as sim:
        env = _smpp_env(sim)
        first = await start_cli(
            "send-csv", source, "--batch", "8", "--rate", "50", "--lease", "2", *common, env=env
        )
        deadline = time.monotonic() + PATIENCE
        # The client's rate limit holds from the first second: 50/s.
        while len(sim.record.accepted) < 96:
            assert time.monotonic() < deadline, "the first run never got going"
            await asyncio.sleep(0.005)
        first.kill()  # as a crash or power cut would: no clean-up runs
        await first.wait()
        assert not out.exists()  # the export comes at the end, whole
        sent_first = len(sim.received)
        assert sent_first < len(rows), "the kill should land before the run ends"

        # Resuming is running again: a killed worker's leases run out first.
        second = await run_cli("send-csv", source, "--lease", "1", *common, env=env)
        assert second.returncode == 0, second.stdout + second.stderr
        summary = json.loads(second.stdout)
        assert summary["outcomes"] == {"accepted": 200}
        assert summary["skipped_already_sent"] == 200  # every row was put by the first run
        counts = Counter[str]()
        for message in sim.received:
            counts["+" + message.destination] += message.times_accepted

    assert set(counts) == {row[0] for row in rows}  # nothing lost
    twice = {destination for destination, n in counts.items() if n > 1}
    # A row sent twice is one the store flagged as possibly written by the killed run.
    flagged = set()
    async with Outbox.open(store) as outbox:
        for line, (destination, text, _) in enumerate(rows, start=2):
            status = await outbox.status(CampaignRow(line, destination, text).fingerprint)
            assert status is not None and status.outcome is Outcome.ACCEPTED
            if status.possibly_written:
                flagged.add(destination)
    assert twice <= flagged
    final = _journal(out)
    assert {r["outcome"] for r in final.values()} == {"accepted"}
    assert sorted(final) == list(range(2, 202))


async def test_send_one_flash_message_over_smpp(authority: LocalAuthority) -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=authority.server_context()) as sim:
        run = await run_cli(
            "send", "+4746910822", "Flash!", "--via", "smpp", "--source", "ACME", "--flash",
            "--ca-file", authority.ca_file, "--json", env=_smpp_env(sim),
        )  # fmt: skip
        received = sim.received
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["outcome"] == "accepted" and len(result["message_ids"]) == 1
    assert (result["status"], result["parts"], result["error"]) == ("ESME_ROK", 1, "")
    assert [(m.destination, m.text, m.data_coding) for m in received] == [
        ("4746910822", "Flash!", 0x10)  # inMobile: GSM7 class 0
    ]


async def test_send_is_at_most_once_a_lost_response_is_unknown_and_never_resent(
    authority: LocalAuthority,
) -> None:
    # The SMSC takes the submit_sm and never answers it, then the connection
    # drops; it would accept a resubmission. Resent, the message would come
    # back accepted and may arrive twice: `smswire send` reports it unknown.
    submits: list[SubmitSm] = []

    def first_unanswered(pdu: SubmitSm) -> bytes:
        submits.append(pdu)
        return b"" if len(submits) == 1 else accept(pdu)

    smsc = ScriptedSmsc(
        on_submit=first_unanswered, hang_up_after=1.0, tls=authority.server_context()
    )
    async with smsc:
        env = {
            "SMSWIRE_SMPP_URL": f"smpps://{ACCOUNT}@127.0.0.1:{smsc.port}",
            "SMSWIRE_SMPP_PASSWORD": PASSWORD,
        }
        run = await run_cli(
            "send", "+4746910822", "Only once", "--via", "smpp", "--source", "ACME",
            "--bind", "transceiver", "--ca-file", authority.ca_file, "--json", env=env,
        )  # fmt: skip
    assert run.returncode == 1, run.stderr
    result = json.loads(run.stdout)
    assert result["outcome"] == "unknown" and result["error"], result
    assert len(submits) == 1, f"sent {len(submits)} times"


async def test_errors_are_one_line_without_a_traceback_unless_debug() -> None:
    run = await run_cli("send", "+4746910822", "hi", "--via", "smpp", "--source", "ACME")
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        "smswire: error: no SMPP server: give --url, SMSWIRE_SMPP_URL or url in the [smpp] table"
    ]
    debug = await run_cli("--debug", "send", "+4746910822", "hi", "--via", "smpp", "--source", "A")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


async def test_a_password_on_the_command_line_is_refused() -> None:
    run = await run_cli(
        "send", "+4746910822", "hi", "--via", "smpp", "--source", "ACME",
        "--url", "smpps://acme:hunter2@127.0.0.1:1",
    )  # fmt: skip
    assert run.returncode == 1
    assert "must not carry a password" in run.stderr
    assert "hunter2" not in run.stderr + run.stdout


async def test_an_option_the_way_out_does_not_understand_is_refused_by_name() -> None:
    run = await run_cli(
        "send", "+4746910822", "hi", "--via", "link", "--source", "ACME", "--flash", "--dry-run"
    )
    assert run.returncode == 1
    assert "flash is not an option LINK understands" in run.stderr


async def test_a_dry_run_of_one_message_prices_it_and_says_it_was_not_sent() -> None:
    run = await run_cli(
        "send", "+4746910822", "x" * 200, "--via", "smpp", "--source", "ACME", "--dry-run", "--json"
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert (result["outcome"], result["encoding"], result["parts"]) == ("not_sent", "gsm7", 2)
    assert "dry run" in result["error"]
