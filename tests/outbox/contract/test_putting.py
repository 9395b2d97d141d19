"""Contract: putting messages in. Each key names one message for good; a batch is all or none."""

from __future__ import annotations

import pytest

from smswire.errors import ConfigurationError, KeyConflict
from smswire.message import Message, Outcome
from smswire.outbox import OutboxStore, Settled, Via
from smswire.outbox.store import MAX_KEY_LENGTH, MAX_NAME_LENGTH

from ..conftest import StoreFactory
from ..support import ROUTE, claim_keys, every_option, message, put


async def test_a_message_is_stored_whole_with_every_field(store: OutboxStore) -> None:
    original = every_option()
    assert await store.put(ROUTE, [("order-1", original)]) == 1
    status = await store.status("order-1")
    assert status is not None
    assert status.message == original
    assert status.route == ROUTE
    assert status.state == "queued"
    assert status.outcome is None and status.attempts == 0


async def test_a_message_survives_a_restart(make_store: StoreFactory) -> None:
    first = await make_store()
    await first.put(ROUTE, [("order-1", every_option())])
    await first.close()
    second = await make_store()
    status = await second.status("order-1")
    assert status is not None and status.message == every_option()


async def test_put_returns_how_many_keys_were_new(store: OutboxStore) -> None:
    assert await store.put(ROUTE, [("a", message(1)), ("b", message(2))]) == 2
    assert await store.put(ROUTE, [("a", message(1)), ("c", message(3))]) == 1
    assert (await store.pending(ROUTE)).queued == 3


async def test_the_same_key_twice_is_never_sent_twice(store: OutboxStore) -> None:
    await store.put(ROUTE, [("order-1", message(1))])
    assert await store.put(ROUTE, [("order-1", message(1))]) == 0
    claims = await claim_keys(store, 10)
    assert list(claims) == ["order-1"]
    # Put again while claimed, and again once settled: it never comes back.
    assert await store.put(ROUTE, [("order-1", message(1))]) == 0
    assert await claim_keys(store, 10, worker="w2") == {}
    await store.record(Via.SMPP, settled=[Settled(claims["order-1"], Outcome.REJECTED, error="no")])
    assert await store.put(ROUTE, [("order-1", message(1))]) == 0
    assert await claim_keys(store, 10, worker="w3") == {}
    status = await store.status("order-1")
    assert status is not None and status.outcome is Outcome.REJECTED


async def test_a_key_put_again_with_another_message_is_a_conflict_naming_it(
    store: OutboxStore,
) -> None:
    await store.put(ROUTE, [("order-1234", message(1))])
    with pytest.raises(KeyConflict, match="order-1234") as caught:
        await store.put(ROUTE, [("order-1234", message(2))])
    assert caught.value.key == "order-1234"
    assert isinstance(caught.value, ConfigurationError)
    status = await store.status("order-1234")
    assert status is not None and status.message == message(1)


async def test_a_key_put_again_on_another_route_is_a_conflict(store: OutboxStore) -> None:
    await store.put(ROUTE, [("order-1", message(1))])
    with pytest.raises(KeyConflict, match="order-1"):
        await store.put("link", [("order-1", message(1))])


async def test_a_conflict_stores_nothing_of_its_batch(store: OutboxStore) -> None:
    await store.put(ROUTE, [("taken", message(1))])
    batch = [("new-1", message(5)), ("taken", message(2)), ("new-2", message(6))]
    with pytest.raises(KeyConflict, match="taken"):
        await store.put(ROUTE, batch)
    assert await store.status("new-1") is None
    assert await store.status("new-2") is None
    assert (await store.pending(ROUTE)).queued == 1


async def test_a_key_twice_in_one_batch(store: OutboxStore) -> None:
    assert await store.put(ROUTE, [("k", message(1)), ("k", message(1))]) == 1
    with pytest.raises(KeyConflict, match="'j'"):
        await store.put(ROUTE, [("j", message(1)), ("other", message(3)), ("j", message(2))])
    assert await store.status("j") is None and await store.status("other") is None


async def test_an_option_differing_is_a_different_message(store: OutboxStore) -> None:
    await store.put(ROUTE, [("k", Message("+4791000000", "hi"))])
    with pytest.raises(KeyConflict):
        await store.put(ROUTE, [("k", Message("+4791000000", "hi", flash=True))])


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "be 1 to"),
        ("x" * (MAX_KEY_LENGTH + 1), "be 1 to"),
        (42, "be a str"),
    ],
)
async def test_a_bad_key_is_refused_naming_it(
    store: OutboxStore, key: object, problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=f"key must {problem}"):
        await store.put(ROUTE, [(key, message(1))])  # type: ignore[list-item]


async def test_a_key_of_the_longest_length_is_taken(store: OutboxStore) -> None:
    key = "k" * MAX_KEY_LENGTH
    assert await store.put(ROUTE, [(key, message(1))]) == 1
    assert await store.status(key) is not None


@pytest.mark.parametrize("route", ["", "r" * (MAX_NAME_LENGTH + 1)])
async def test_a_bad_route_is_refused(store: OutboxStore, route: str) -> None:
    with pytest.raises(ConfigurationError, match="route"):
        await store.put(route, [("k", message(1))])


async def test_only_messages_go_in(store: OutboxStore) -> None:
    with pytest.raises(ConfigurationError, match="'k': message must be a Message"):
        await store.put(ROUTE, [("k", "hello")])  # type: ignore[list-item]


async def test_an_unknown_key_has_no_status(store: OutboxStore) -> None:
    await put(store, ["a"])
    assert await store.status("b") is None


async def test_an_empty_batch_stores_nothing(store: OutboxStore) -> None:
    assert await store.put(ROUTE, []) == 0
    assert (await store.pending(ROUTE)).queued == 0


async def test_pending_counts_what_waits_per_route(store: OutboxStore) -> None:
    await put(store, ["a", "b", "c"])
    await store.put("link", [("d", message(4))])
    await claim_keys(store, 1)
    pending = await store.pending(ROUTE)
    assert (pending.queued, pending.claimed) == (2, 1)
    assert pending.oldest_put_at is not None
    empty = await store.pending("nothing-here")
    assert (empty.queued, empty.claimed, empty.oldest_put_at) == (0, 0, None)
