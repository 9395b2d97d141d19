"""Contract: the event feed, in commit order, with durable per-consumer positions."""

from __future__ import annotations

import asyncio

import pytest

from smswire.errors import ConfigurationError
from smswire.message import Outcome
from smswire.outbox import OutboxStore, Settled, Via

from ..conftest import StoreFactory
from ..support import (
    PATIENCE,
    ROUTE,
    WORK_LEASE,
    accepted,
    all_events,
    claim_keys,
    message,
    outlive,
    put,
)


async def settle(store: OutboxStore, keys: list[str]) -> None:
    """Put ``keys`` and record each one's outcome, one event each, in order."""
    await put(store, keys)
    claims = await claim_keys(store, len(keys))
    for key in keys:
        await store.record(Via.SMPP, settled=[accepted(claims[key])])


async def test_events_come_in_commit_order(store: OutboxStore) -> None:
    await settle(store, ["a", "b", "c"])
    events = await all_events(store)
    assert [e.key for e in events] == ["a", "b", "c"]
    assert all(e.outcome is Outcome.ACCEPTED and e.route == ROUTE for e in events)
    assert events[0].at <= events[1].at <= events[2].at


async def test_a_consumer_resumes_after_its_acknowledgement(make_store: StoreFactory) -> None:
    store = await make_store()
    await settle(store, [f"k{i}" for i in range(6)])
    first = await store.read_events("billing", None, 4, 0.0)
    assert [e.key for e in first] == ["k0", "k1", "k2", "k3"]
    # Read further without acknowledging, then acknowledge the second only.
    assert [e.key for e in await store.read_events("billing", first[-1].id, 10, 0.0)] == [
        "k4",
        "k5",
    ]
    await store.ack_events("billing", first[1].id)
    await store.close()
    # A restarted reader starts after the acknowledgement: k2 and k3 again, then on.
    again = await make_store()
    resumed = await again.read_events("billing", None, 10, 0.0)
    assert [e.key for e in resumed] == ["k2", "k3", "k4", "k5"]
    assert resumed[0].id == first[2].id


async def test_consumers_keep_their_own_positions(store: OutboxStore) -> None:
    await settle(store, ["a", "b", "c"])
    events = await all_events(store)
    await store.ack_events("one", events[2].id)
    await store.ack_events("two", events[0].id)
    assert await store.read_events("one", None, 10, 0.0) == []
    assert [e.key for e in await store.read_events("two", None, 10, 0.0)] == ["b", "c"]
    assert [e.key for e in await store.read_events("three", None, 10, 0.0)] == ["a", "b", "c"]


async def test_acknowledging_backwards_changes_nothing(store: OutboxStore) -> None:
    await settle(store, ["a", "b"])
    events = await all_events(store)
    await store.ack_events("c", events[1].id)
    await store.ack_events("c", events[0].id)
    await store.ack_events("c", events[1].id)
    assert await store.read_events("c", None, 10, 0.0) == []


async def test_an_id_the_store_never_gave_cannot_be_acknowledged(store: OutboxStore) -> None:
    await settle(store, ["a"])
    with pytest.raises(ConfigurationError, match="event id"):
        await store.ack_events("c", "not-an-id")
    assert [e.key for e in await store.read_events("c", None, 10, 0.0)] == ["a"]


async def test_a_wait_ends_empty_when_nothing_comes(store: OutboxStore) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await store.read_events("c", None, 10, 0.3) == []
    assert loop.time() - started >= 0.3


async def test_a_waiting_reader_sees_another_connections_write(make_store: StoreFactory) -> None:
    reader, writer = await make_store(), await make_store()

    async def write_later() -> None:
        await asyncio.sleep(0.2)
        await settle(writer, ["late"])

    task = asyncio.ensure_future(write_later())
    found = await reader.read_events("c", None, 10, PATIENCE)
    await task
    assert [e.key for e in found] == ["late"]


async def test_a_waiting_reader_wakes_for_its_own_stores_write(store: OutboxStore) -> None:
    waiting = asyncio.ensure_future(store.read_events("c", None, 10, PATIENCE))
    await asyncio.sleep(0.05)
    await settle(store, ["now"])
    found = await asyncio.wait_for(waiting, PATIENCE)
    assert [e.key for e in found] == ["now"]


async def test_events_expire(make_store: StoreFactory) -> None:
    # The new event must still be inside its time to live when the sweep
    # reads its clock, a settle (three store calls) later.
    store = await make_store(event_ttl=WORK_LEASE)
    await settle(store, ["old"])
    await outlive(asyncio.get_running_loop().time(), WORK_LEASE)
    await settle(store, ["new"])
    await store.expire()
    assert [e.key for e in await all_events(store)] == ["new"]


async def test_every_kind_of_change_is_an_event(store: OutboxStore) -> None:
    await store.put(ROUTE, [("a", message(1)), ("b", message(2))])
    claims = await claim_keys(store, 2)
    await store.record(
        Via.SMPP,
        settled=[
            Settled(claims["a"], Outcome.REJECTED, error="no"),
            Settled(claims["b"], Outcome.NOT_SENT, error="never written"),
        ],
    )
    assert [e.name for e in await all_events(store)] == ["rejected", "not_sent"]
