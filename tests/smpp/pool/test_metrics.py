"""The pool's Prometheus numbers, scraped over HTTP and checked against the run."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from smswire import Outcome
from smswire.smpp import SmscSimulator

from ..support import ACCOUNT, PASSWORD
from .support import PATIENCE, numbered, pool_for

prometheus_client = pytest.importorskip("prometheus_client")

from prometheus_scrape import scrape  # noqa: E402

from smswire.smpp.pool.metrics import PoolMetrics  # noqa: E402


async def test_a_scrape_counts_what_the_run_did(sim: SmscSimulator, ca_file: Path) -> None:
    registry = prometheus_client.CollectorRegistry()
    metrics = PoolMetrics(registry=registry)
    count = 30
    async with pool_for(sim, ca_file, binds=2, metrics=metrics, route="inmobile") as pool:
        results = await asyncio.wait_for(pool.send_many(numbered(count)), PATIENCE)
        receipts = 0
        async for _ in pool.receipts():
            receipts += 1
            if receipts == count:
                break
        samples = await scrape(registry)
    route = ("route", "inmobile")
    assert all(r.outcome is Outcome.ACCEPTED for r in results)
    assert samples[("smswire_pool_messages_total", (("outcome", "ACCEPTED"), route))] == count
    assert samples[("smswire_pool_messages_total", (("outcome", "REJECTED"), route))] == 0
    assert samples[("smswire_pool_receipts_total", (route, ("state", "DELIVERED")))] == count
    assert samples[("smswire_pool_send_seconds_count", (route,))] == count
    assert samples[("smswire_pool_receipt_seconds_count", (route,))] == count
    for bind in ("0", "1"):
        assert samples[("smswire_pool_binds_up", (("bind", bind), route))] == 1
        assert samples[("smswire_pool_window_in_use", (("bind", bind), route))] == 0
    assert samples[("smswire_pool_throttles_total", (route,))] == 0
    assert samples[("smswire_pool_binds_total", (route,))] == 2


async def test_each_receipt_is_timed_from_its_part_answered(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    registry = prometheus_client.CollectorRegistry()
    delay, count = 0.3, 12
    async with (
        SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=server_tls, receipt_delay=delay) as sim,
        pool_for(sim, ca_file, binds=2, metrics=PoolMetrics(registry=registry)) as pool,
    ):
        await asyncio.wait_for(pool.send_many(numbered(count)), PATIENCE)
        taken = 0
        async for _ in pool.receipts():
            taken += 1
            if taken == count:
                break
        samples = await scrape(registry)
    labels = (("route", "smpp"),)
    assert samples[("smswire_pool_receipt_seconds_count", labels)] == count
    # No sooner than the SMSC's delay, and not the hour a wrong clock would give.
    mean = samples[("smswire_pool_receipt_seconds_sum", labels)] / count
    assert delay * 0.9 <= mean < delay + PATIENCE


async def test_throttles_are_counted_as_the_smsc_refused_them(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    registry = prometheus_client.CollectorRegistry()
    async with SmscSimulator(
        accounts={ACCOUNT: PASSWORD}, tls=server_tls, tps_limit=20, receipt_delay=None
    ) as sim:
        # No rate given: the SMSC's cap is found the hard way.
        async with pool_for(sim, ca_file, binds=2, metrics=PoolMetrics(registry=registry)) as pool:
            await asyncio.wait_for(pool.send_many(numbered(60)), PATIENCE)
            samples = await scrape(registry)
        refused = len(sim.record.refused)
    assert refused > 0
    assert samples[("smswire_pool_throttles_total", (("route", "smpp"),))] == refused


def test_a_pool_without_metrics_never_imports_prometheus() -> None:
    code = "import sys, smswire.smpp.pool; sys.exit(1 if 'prometheus_client' in sys.modules else 0)"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=PATIENCE)
