"""The outbox's depth for Prometheus, read from a real SQLite store when scraped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from smswire.message import Message
from smswire.outbox import Outbox
from smswire.outbox.records import Via

prometheus_client = pytest.importorskip("prometheus_client")

from prometheus_scrape import scrape  # noqa: E402

from smswire.outbox.metrics import OutboxMetrics  # noqa: E402


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
