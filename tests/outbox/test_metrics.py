"""The outbox's depth for Prometheus, read from a real SQLite store when scraped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from smswire.message import Message
from smswire.outbox import Outbox
from smswire.outbox.records import Via

prometheus_client = pytest.importorskip("prometheus_client")
parser = pytest.importorskip("prometheus_client.parser")

from smswire.outbox.metrics import OutboxMetrics  # noqa: E402

PATIENCE = 30.0


async def scrape(registry: object) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample served over HTTP (from prometheus-client's thread, as in production)."""
    server, thread = prometheus_client.start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        async with httpx.AsyncClient() as client:
            response = await client.get(url, timeout=PATIENCE)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(PATIENCE)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in parser.text_string_to_metric_families(response.text)
        for sample in family.samples
    }


async def test_a_scrape_reads_what_waits_and_how_long_the_oldest_has(tmp_path: Path) -> None:
    registry = prometheus_client.CollectorRegistry()
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        await outbox.put_many((f"k{i}", Message(f"+4791{i:06d}", "hi")) for i in range(3))
        await outbox.put(Message("+4791999999", "elsewhere"), key="other", route="bulk")
        oldest = (await outbox.pending()).oldest_put_at
        assert oldest is not None
        OutboxMetrics(
            outbox,
            "default",
            registry=registry,
            loop=asyncio.get_running_loop(),
            clock=lambda: oldest + 42.0,
        )
        before = await scrape(registry)
        drain = outbox.drain("default", worker="w1", via=Via.SMPP)
        assert len(await drain.claim(1)) == 1
        after = await scrape(registry)
    route = ("route", "default")
    assert before[("smswire_outbox_messages", (route, ("state", "queued")))] == 3
    assert before[("smswire_outbox_messages", (route, ("state", "claimed")))] == 0
    assert before[("smswire_outbox_oldest_age_seconds", (route,))] == 42.0
    assert after[("smswire_outbox_messages", (route, ("state", "queued")))] == 2
    assert after[("smswire_outbox_messages", (route, ("state", "claimed")))] == 1


async def test_a_store_that_cannot_answer_leaves_the_depth_out_of_the_scrape(
    tmp_path: Path,
) -> None:
    registry = prometheus_client.CollectorRegistry()
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        OutboxMetrics(outbox, "default", registry=registry, loop=asyncio.get_running_loop())
    # Closed: its reads fail, and the scrape still answers, without the depth.
    samples = await scrape(registry)
    assert not [name for name, _ in samples if name.startswith("smswire_outbox")]
