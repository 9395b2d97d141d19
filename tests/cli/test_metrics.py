"""``smswire worker --metrics-port``: a worker process with two binds scraped
over HTTP, its numbers checked against the run; and the extra it needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from smswire.message import Outcome

from .test_worker import free_port
from .test_worker_binds import (
    ACCOUNT,
    BINDS,
    CAP,
    all_delivered,
    campaign,
    fill,
    smsc_process,
    stop,
    worker_process,
)

parser = pytest.importorskip("prometheus_client.parser")

PATIENCE = 30.0


async def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/metrics", timeout=PATIENCE)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in parser.text_string_to_metric_families(response.text)
        for sample in family.samples
    }


async def test_a_scrape_of_a_pooled_worker_counts_what_it_did(tmp_path: Path) -> None:
    store = tmp_path / "outbox.db"
    await fill(store)
    port = free_port()
    async with smsc_process(tmp_path, "--tps-limit", str(CAP)) as (smsc_port, _):
        url = f"smpp://{ACCOUNT}@127.0.0.1:{smsc_port}"
        async with worker_process(
            "--store", store, "--url", url,
            "--binds", str(BINDS), "--tps", str(CAP), "--metrics-port", str(port),
        ) as worker:  # fmt: skip
            found = await all_delivered(store, worker)
            samples = await scrape(port)
            stats = await stop(worker)
    messages = len(campaign())
    parts = sum(status.part_count for status in found.values())
    assert stats["accepted"] == messages
    assert all(status.outcome is Outcome.ACCEPTED for status in found.values())
    route = ("route", "default")
    for outcome in Outcome:
        expected = messages if outcome is Outcome.ACCEPTED else 0
        sample = ("smswire_pool_messages_total", (("outcome", outcome.name), route))
        assert samples[sample] == expected, outcome
    accepted = (("outcome", "ACCEPTED"), route)
    assert samples[("smswire_pool_parts_total", accepted)] == parts
    assert samples[("smswire_pool_send_seconds_count", (route,))] == messages
    # Every receipt was stored (all_delivered), and each counted once, whichever bind.
    assert samples[("smswire_pool_receipts_total", (route, ("state", "DELIVERED")))] == parts
    for bind in map(str, range(BINDS)):
        assert samples[("smswire_pool_binds_up", (("bind", bind), route))] == 1
        assert samples[("smswire_pool_window_in_use", (("bind", bind), route))] == 0
    assert samples[("smswire_pool_binds_total", (route,))] == BINDS
    assert samples[("smswire_pool_throttles_total", (route,))] == 0
    # Drained: nothing waits.
    assert samples[("smswire_outbox_messages", (route, ("state", "queued")))] == 0
    assert samples[("smswire_outbox_messages", (route, ("state", "claimed")))] == 0
    assert samples[("smswire_outbox_oldest_age_seconds", (route,))] == 0


def test_without_the_metrics_extra_the_worker_says_which_to_install(tmp_path: Path) -> None:
    # prometheus-client made unimportable, as where the extra is not installed.
    code = (
        "import sys; sys.modules['prometheus_client'] = None; from smswire.cli import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "worker", "--via", "smpp", "--store",
         str(tmp_path / "outbox.db"), "--url", f"smpp://{ACCOUNT}@127.0.0.1:{free_port()}",
         "--metrics-port", str(free_port())],
        capture_output=True, text=True, timeout=PATIENCE,
        env={"SMSWIRE_SMPP_PASSWORD": "pw", "PATH": ""},
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.startswith("smswire: error:") and "Traceback" not in run.stderr
    assert "prometheus-client" in run.stderr and "smswire[metrics]" in run.stderr
