"""Workers on the Redis store: unique ids, heartbeats that expire, all visible in Redis itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from smswire.errors import ConfigurationError
from smswire.outbox.redis import RedisStore

from ..conftest import StoreFactory
from ..redis_server import RedisServer
from ..support import PATIENCE, ROUTE, put

# A heartbeat the test's own Redis calls must land within (round trips on a
# loaded machine take far longer than usual), and how long after one's end a
# test looks: Redis read its clock before the call returned.
HEARTBEAT = 1.0
EXPIRY_MARGIN = 0.3


async def outlive(returned: float, seconds: float) -> None:
    """Sleep until what a call that ``returned`` at that loop time set to
    expire after ``seconds`` has surely expired."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, returned + seconds + EXPIRY_MARGIN - loop.time()))


@pytest.fixture
def store_location(redis_server: RedisServer, request: pytest.FixtureRequest) -> str:
    return f"{redis_server.url}?prefix=workers-{request.node.name}"


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    await client.aclose()


async def test_a_heartbeat_is_visible_with_its_info_until_it_runs_out(
    make_store: StoreFactory, raw: Redis
) -> None:
    store = await make_store()
    assert isinstance(store, RedisStore)
    await store.beat("host-a:1:ab", HEARTBEAT, route=ROUTE, binds="2")
    beaten = asyncio.get_running_loop().time()
    [health] = await store.live_workers()
    assert health.worker == "host-a:1:ab" and dict(health.info) == {"route": ROUTE, "binds": "2"}
    assert health.started_at <= health.beat_at < health.expires_at
    # In Redis itself, for an operator with redis-cli.
    prefix = store.keys.prefix
    assert await raw.zrange(f"{prefix}:workers", 0, -1) == ["host-a:1:ab"]
    assert (await raw.hgetall(f"{prefix}:hb:host-a:1:ab"))["binds"] == "2"
    await outlive(beaten, HEARTBEAT)
    assert await store.live_workers() == []


async def test_beating_again_keeps_it_alive(make_store: StoreFactory) -> None:
    store = await make_store()
    assert isinstance(store, RedisStore)
    loop = asyncio.get_running_loop()
    await store.beat("w1", HEARTBEAT)
    first = loop.time()
    # Beat on until the first beat has surely run out, then look at once:
    # alive only because the later beats renewed it. A beat late on a loaded
    # machine may let it lapse in between; the next one brings it back, and
    # the look right after the last beat has a whole heartbeat to land in.
    while loop.time() < first + HEARTBEAT + EXPIRY_MARGIN:
        await asyncio.sleep(HEARTBEAT / 4)
        await store.beat("w1", HEARTBEAT)
    assert [h.worker for h in await store.live_workers()] == ["w1"]
    await store.stop_beating("w1")
    assert await store.live_workers() == []


async def test_a_worker_id_in_use_by_another_live_process_is_refused(
    make_store: StoreFactory,
) -> None:
    first, second = await make_store(), await make_store()
    assert isinstance(first, RedisStore) and isinstance(second, RedisStore)
    await first.beat("w1", PATIENCE)
    with pytest.raises(ConfigurationError, match="'w1' is in use"):
        await second.beat("w1", PATIENCE)
    # Stopping an id it does not hold changes nothing; the holder's clean stop frees it.
    await second.stop_beating("w1")
    assert [h.worker for h in await first.live_workers()] == ["w1"]
    await first.stop_beating("w1")
    await second.beat("w1", PATIENCE)
    assert [h.worker for h in await first.live_workers()] == ["w1"]


async def test_workers_are_the_consumers_of_their_routes_group(
    make_store: StoreFactory, raw: Redis
) -> None:
    store = await make_store()
    assert isinstance(store, RedisStore)
    await put(store, ["a", "b", "c"])
    await store.claim(ROUTE, "worker-1", 2, 30.0)
    await store.claim(ROUTE, "worker-2", 2, 30.0)
    queue = store.keys.queue(ROUTE)
    consumers = {c["name"]: c["pending"] for c in await raw.xinfo_consumers(queue, "workers")}
    assert consumers == {"worker-1": 2, "worker-2": 1}


async def test_heartbeat_info_cannot_overwrite_its_own_fields(make_store: StoreFactory) -> None:
    store = await make_store()
    assert isinstance(store, RedisStore)
    with pytest.raises(ConfigurationError, match="expires_at"):
        await store.beat("w1", 1.0, expires_at="never")
