"""The Redis store across a lost connection and a redis-server killed and started again.

A real redis-server (AOF on) of this test's own is SIGKILLed mid-run and
started again on the same directory and port. A store with no patience
fails the calls that meet the dead server with StoreUnavailable (typed,
bounded, never a hang), and the next one connects again; one with patience
(the default) waits for the server and goes on as if nothing happened.
Nothing the store acknowledged is forgotten, and claims in flight at the kill
are resolved as after a worker crash: taken over once their lease runs out,
flagged possibly_written where they were marked.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from smswire.errors import ConfigurationError, StoreUnavailable
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
    """A store that does not wait for Redis: every lost call is seen."""
    opened = await RedisStore.open(server.url, reconnect_patience=0)
    yield opened
    await opened.close()


@pytest.fixture
async def patient(server: RedisServer) -> AsyncIterator[RedisStore]:
    """A store with the default patience."""
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


async def test_a_patient_store_rides_out_a_restart_unnoticed(
    patient: RedisStore, server: RedisServer
) -> None:
    keys = [f"k{i:04d}" for i in range(MESSAGES)]
    await patient.put(ROUTE, [(key, message(i)) for i, key in enumerate(keys)])
    acknowledged: dict[str, int] = {}
    failures: list[str] = []
    workers = [
        asyncio.ensure_future(worker(patient, f"w{n}", acknowledged, failures)) for n in range(2)
    ]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while len(acknowledged) < MESSAGES // 4:
        assert loop.time() < deadline, "the workers made no progress"
        await asyncio.sleep(0.01)
    # An operator's restart: a clean shutdown (the AOF flushed), then up again.
    await loop.run_in_executor(None, server.restart, signal.SIGTERM)
    await asyncio.wait_for(asyncio.gather(*workers), 5 * PATIENCE)
    assert failures == []
    # Every message settled, each by the claim that recorded it (a second
    # attempt only where a lease ran out during the restart).
    for key in keys:
        status = await patient.status(key)
        assert status is not None and status.state == "accepted", (key, status)
        assert status.settled_attempt == acknowledged[key], key


async def test_patience_waits_for_a_server_that_comes_back(
    patient: RedisStore, server: RedisServer
) -> None:
    await patient.put(ROUTE, [("a", message(1))])
    server.stop(signal.SIGKILL)
    loop = asyncio.get_running_loop()
    claiming = asyncio.ensure_future(patient.claim(ROUTE, "w1", 1, LEASE))
    await asyncio.sleep(0.5)
    assert not claiming.done()  # still waiting, not failed
    await loop.run_in_executor(None, server.start)
    claims = await asyncio.wait_for(claiming, PATIENCE)
    assert [c.key for c in claims] == ["a"]


async def test_patience_runs_out(server: RedisServer) -> None:
    store = await RedisStore.open(server.url, reconnect_patience=0.5)
    server.stop(signal.SIGKILL)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(StoreUnavailable) as caught:
        await asyncio.wait_for(store.claim(ROUTE, "w1", 1, LEASE), PATIENCE)
    assert caught.value.operation == "claim"
    assert loop.time() - started >= 0.4  # it did wait
    await store.close()


@pytest.mark.parametrize("patience", [-1, float("nan"), "30", True])
def test_patience_must_be_seconds(server: RedisServer, patience: object) -> None:
    with pytest.raises(ConfigurationError, match="reconnect_patience"):
        RedisStore(server.url, reconnect_patience=patience)  # type: ignore[arg-type]
