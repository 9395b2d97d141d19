"""The Redis store's own surface: its location, its secrets, its refusals."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from ports import refusing_port

from smswire.errors import ConfigurationError, StoreUnavailable
from smswire.outbox import open_store
from smswire.outbox.redis import LEASE_HORIZON, RedisStore

from ..redis_server import RedisServer
from ..support import ROUTE, message

SECRET = "s3cr3t-Pa55"


async def test_a_password_shows_nowhere_right_or_wrong(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = RedisServer(tmp_path / "redis", options=("--requirepass", SECRET))
    server.start()
    try:
        right = await RedisStore.open(f"redis://:{SECRET}@127.0.0.1:{server.port}/0")
        assert await right.put(ROUTE, [("k", message(1))]) == 1
        assert SECRET not in repr(right) and SECRET not in right.where
        await right.close()
        wrong = RedisStore(f"redis://:{SECRET}-not@127.0.0.1:{server.port}/0")
        with pytest.raises(StoreUnavailable) as caught:
            await wrong.put(ROUTE, [("k", message(1))])
        assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
        await wrong.close()
    finally:
        server.stop()
    assert SECRET not in caplog.text


async def test_an_unreachable_redis_is_store_unavailable_naming_it() -> None:
    with (
        refusing_port() as port,
        pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}") as caught,
    ):
        await open_store(f"redis://127.0.0.1:{port}/0", reconnect_patience=0)
    assert caught.value.operation == "open"


def test_only_redis_urls_open_a_redis_store() -> None:
    with pytest.raises(ConfigurationError, match="redis://"):
        RedisStore("http://127.0.0.1:6379/0")


async def test_a_lease_past_the_horizon_is_refused(redis_server: RedisServer) -> None:
    store = await RedisStore.open(f"{redis_server.url}?prefix=horizon")
    with pytest.raises(ConfigurationError, match="lease must be at most"):
        await store.claim(ROUTE, "w1", 1, LEASE_HORIZON + 1)
    await store.close()
