"""The event feed: an async iterator that resumes where its consumer acknowledged."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from smswire.errors import ConfigurationError
from smswire.outbox import Outbox, Via

from .support import PATIENCE, ROUTE, accepted, message


async def settle(outbox: Outbox, keys: list[str]) -> None:
    await outbox.put_many([(key, message(i)) for i, key in enumerate(keys)], route=ROUTE)
    claims = await outbox.store.claim(ROUTE, "w1", len(keys), 30.0)
    await outbox.store.record(Via.SMPP, settled=[accepted(c) for c in claims])


async def test_the_feed_gives_every_event_and_resumes_after_its_ack(tmp_path: Path) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        await settle(outbox, ["a", "b", "c", "d"])
        feed = outbox.events("crm", batch=3, idle_timeout=0.2)
        seen = []
        async for event in feed:
            seen.append(event.key)
            if event.key == "b":
                await feed.ack()
        assert seen == ["a", "b", "c", "d"]
        again = outbox.events("crm", idle_timeout=0.2)
        assert [event.key async for event in again] == ["c", "d"]


async def test_acknowledging_before_any_event_is_refused(tmp_path: Path) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        with pytest.raises(ConfigurationError, match="nothing to acknowledge"):
            await outbox.events("crm").ack()


async def test_the_feed_waits_for_new_events(tmp_path: Path) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        feed = outbox.events("crm")
        waiting = asyncio.ensure_future(feed.__anext__())
        await asyncio.sleep(0.1)
        assert not waiting.done()
        await settle(outbox, ["late"])
        event = await asyncio.wait_for(waiting, PATIENCE)
        assert event.key == "late"


async def test_a_closed_feed_ends(tmp_path: Path) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        await settle(outbox, ["a", "b"])
        feed = outbox.events("crm")
        assert (await feed.__anext__()).key == "a"
        feed.close()
        assert [event async for event in feed] == []


@pytest.mark.parametrize("batch", [0, -1])
async def test_a_bad_batch_is_refused(tmp_path: Path, batch: int) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        with pytest.raises(ConfigurationError, match="limit"):
            outbox.events("crm", batch=batch)
