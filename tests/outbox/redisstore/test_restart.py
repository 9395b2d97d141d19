"""The Redis store across a lost connection and a redis-server killed and started again.

A real redis-server (AOF on) of this test's own is SIGKILLed mid-run and
started again on the same directory and port. Workers keep going through it:
a call that meets the dead server raises StoreUnavailable (typed, bounded,
never a hang), the next one connects again. Nothing the store acknowledged
is forgotten, and claims in flight at the kill are resolved as after a
worker crash: taken over once their lease runs out, flagged possibly_written
where they were marked.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from smswire.errors import StoreUnavailable
from smswire.outbox import AcceptedPart, Claim, EventKind, Via
from smswire.outbox.redis import RedisStore

from ..redis_server import RedisServer, redis_server_binary
from ..support import PATIENCE, accepted, all_events, message

ROUTE = "smpp"
MESSAGES = 600
LEASE = 1.0
BATCH = 20

pytestmark = pytest.mark.skipif(redis_server_binary() is None, reason="no redis-server")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    own = RedisServer(tmp_path / "redis")
    own.start()
    yield own
    own.stop()


@pytest.fixture
async def store(server: RedisServer) -> AsyncIterator[RedisStore]:
    opened = await RedisStore.open(server.url)
    yield opened
    await opened.close()


async def worker(
    store: RedisStore, name: str, acknowledged: dict[str, int], failures: list[str]
) -> None:
    """Claim, mark, record as accepted; a StoreUnavailable drops what it held (a crash)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 4 * PATIENCE
    while loop.time() < deadline:
        try:
            claims = await store.claim(ROUTE, name, BATCH, LEASE)
            if not claims:
                if (await store.pending(ROUTE)).queued + (await store.pending(ROUTE)).claimed == 0:
                    return
                await asyncio.sleep(0.05)
                continue
            lost = await store.mark_writing(claims)
            ok = [c for c in claims if c.key not in lost]
            parts = [AcceptedPart(c, 0, f"{c.key}#{c.attempt}") for c in ok]
            lost |= await store.record(Via.SMPP, parts, [accepted(c) for c in ok])
            acknowledged.update((c.key, c.attempt) for c in ok if c.key not in lost)
        except StoreUnavailable as exc:
            failures.append(f"{name}: {exc.operation}")
            await asyncio.sleep(0.05)
    raise AssertionError(f"{name} did not finish the route in time")


async def test_a_redis_restart_mid_run_forgets_nothing_acknowledged(
    store: RedisStore, server: RedisServer
) -> None:
    keys = [f"k{i:04d}" for i in range(MESSAGES)]
    await store.put(ROUTE, [(key, message(i)) for i, key in enumerate(keys)])
    # In flight at the kill: claimed and marked by a worker that never reports.
    stuck: list[Claim] = await store.claim(ROUTE, "stuck", BATCH, LEASE)
    assert await store.mark_writing(stuck) == frozenset()

    acknowledged: dict[str, int] = {}
    failures: list[str] = []
    workers = [
        asyncio.ensure_future(worker(store, f"w{n}", acknowledged, failures)) for n in range(2)
    ]
    # Kill it mid-run: after some outcomes, long before the last.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while len(acknowledged) < MESSAGES // 4:
        assert loop.time() < deadline, "the workers made no progress"
        await asyncio.sleep(0.01)
    before_kill = dict(acknowledged)
    await loop.run_in_executor(None, server.restart, signal.SIGKILL)
    await asyncio.wait_for(asyncio.gather(*workers), 5 * PATIENCE)

    assert failures, "no call met the dead server: the restart proved nothing"
    assert len(before_kill) < MESSAGES
    # Nothing acknowledged is forgotten: each outcome stands with the claim that recorded it.
    for key, attempt in acknowledged.items():
        status = await store.status(key)
        assert status is not None and status.settled_attempt == attempt, key
    # Every message ends with one outcome; the stuck ones were taken over as after a crash.
    for key in keys:
        status = await store.status(key)
        assert status is not None and status.state == "accepted", (key, status)
    for claim in stuck:
        status = await store.status(claim.key)
        assert status is not None and status.possibly_written and status.settled_attempt == 2
    events = await all_events(store)
    outcomes = [e.key for e in events if e.kind is EventKind.OUTCOME]
    assert sorted(outcomes) == keys
    flagged = {e.key for e in events if e.kind is EventKind.POSSIBLY_WRITTEN}
    assert {c.key for c in stuck} <= flagged
    assert await store.record(Via.SMPP, settled=[accepted(c) for c in stuck]) == {
        c.key for c in stuck
    }


async def test_a_call_while_redis_is_down_raises_store_unavailable(
    store: RedisStore, server: RedisServer
) -> None:
    await store.put(ROUTE, [("a", message(1))])
    server.stop(signal.SIGKILL)
    with pytest.raises(StoreUnavailable) as caught:
        await asyncio.wait_for(store.claim(ROUTE, "w1", 1, LEASE), PATIENCE)
    assert caught.value.operation == "claim"
    server.start()
    # The same store object connects again at its next call; the message is still there.
    claims = await store.claim(ROUTE, "w1", 1, LEASE)
    assert [c.key for c in claims] == ["a"]
