"""The Outbox as an application uses it: open, put, ask, close."""

from __future__ import annotations

from pathlib import Path

import pytest

from smswire.errors import ConfigurationError, KeyConflict, StoreUnavailable
from smswire.message import Message
from smswire.outbox import DEFAULT_ROUTE, Outbox, SqliteStore, open_store


async def test_an_outbox_opens_as_a_context_and_closes_its_store(tmp_path: Path) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        assert isinstance(outbox.store, SqliteStore)
        assert await outbox.put(Message("+4791234567", "Your code is 1234"), key="order-1234")
    with pytest.raises(StoreUnavailable, match="closed"):
        await outbox.status("order-1234")


async def test_an_outbox_can_be_awaited_open(tmp_path: Path) -> None:
    outbox = await Outbox.open(tmp_path / "outbox.db", synchronous="normal")
    try:
        status = await outbox.status("nothing")
        assert status is None
    finally:
        await outbox.close()


async def test_put_says_whether_the_key_was_new(tmp_path: Path) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        hello = Message("+4791234567", "hello")
        assert await outbox.put(hello, key="a") is True
        assert await outbox.put(hello, key="a") is False
        with pytest.raises(KeyConflict, match="'a'"):
            await outbox.put(Message("+4791234567", "bye"), key="a")
        status = await outbox.status("a")
        assert status is not None and status.route == DEFAULT_ROUTE


async def test_put_many_takes_any_iterable_of_pairs(tmp_path: Path) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        pairs = ((f"row-{i}", Message("+4791234567", f"row {i}")) for i in range(10))
        assert await outbox.put_many(pairs, route="link") == 10
        assert (await outbox.pending("link")).queued == 10
        assert (await outbox.pending()).queued == 0


async def test_a_location_with_a_scheme_no_store_knows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no outbox store is known for mongodb://"):
        await open_store("mongodb://127.0.0.1:27017/0")
