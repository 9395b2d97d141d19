"""The store factory every contract test runs against, one parameter per store.

A store is named by a *location* (what ``smswire.outbox.open_store`` opens), so
a test can open the same store again (a restart) or hand it to a subprocess.
The Redis store of the scale-out issue adds its parameter here (a real
redis-server on a free port) and must pass the contract suite unchanged.

Options the contract tests pass to a store: ``correlation_ttl`` and
``event_ttl`` (seconds); every store takes them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import Callable

import pytest

from smswire.outbox import OutboxStore, open_store

from .redis_server import RedisServer, redis_server_binary

STORES = ["sqlite", "redis"]

StoreFactory = Callable[..., Awaitable[OutboxStore]]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session (AOF on); each test takes a prefix of its own."""
    if redis_server_binary() is None:
        pytest.fail("redis-server is not installed: apt-get install redis-server (.ci/run does)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def _redis_location(request: pytest.FixtureRequest) -> str:
    server: RedisServer = request.getfixturevalue("redis_server")
    # A prefix per test keeps tests apart on the one server (no FLUSHDB between them).
    return f"{server.url}?prefix=t{next(_PREFIXES)}"


_PREFIXES = iter(range(10**9))


@pytest.fixture(params=STORES)
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the store under test lives (the same for every open in one test)."""
    if request.param == "sqlite":
        return str(tmp_path / "outbox.db")
    if request.param == "redis":
        return _redis_location(request)
    raise AssertionError(f"no store named {request.param}")


@pytest.fixture
async def make_store(store_location: str) -> AsyncIterator[StoreFactory]:
    """Open the store under test (again, for a restart); all are closed at the end."""
    opened: list[OutboxStore] = []

    async def factory(**options: object) -> OutboxStore:
        store = await open_store(store_location, **options)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        await store.close()


@pytest.fixture
async def store(make_store: StoreFactory) -> OutboxStore:
    return await make_store()
