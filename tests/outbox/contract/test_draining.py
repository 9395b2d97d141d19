"""Contract: claims under leases, the write-ahead mark, parts and outcomes, fencing."""

from __future__ import annotations

import asyncio

import pytest

from smswire.errors import ClaimError, ConfigurationError
from smswire.link.codes import ResultCode
from smswire.message import Outcome
from smswire.outbox import AcceptedPart, EventKind, OutboxStore, Settled, Via
from smswire.outbox.store import MAX_CLAIM
from smswire.pdu import CommandStatus

from ..conftest import StoreFactory
from ..support import (
    ROUTE,
    WORK_LEASE,
    accepted,
    all_events,
    claim_keys,
    message,
    names,
    outlive,
    put,
)

# Short leases for the tests that let one run out; sleeps are this plus a margin.
SHORT_LEASE = 0.4
PAST_LEASE = 0.7


async def test_claims_come_oldest_first_up_to_the_limit(store: OutboxStore) -> None:
    await put(store, ["a", "b"])
    await put(store, ["c", "d"])
    claims = await store.claim(ROUTE, "w1", 3, 30.0)
    assert [c.key for c in claims] == ["a", "b", "c"]
    assert all(c.worker == "w1" and c.attempt == 1 for c in claims)
    assert all(not c.possibly_written and c.earlier_message_ids == () for c in claims)
    assert claims[0].message == message(0)
    assert [c.key for c in await store.claim(ROUTE, "w1", 3, 30.0)] == ["d"]
    assert await store.claim(ROUTE, "w1", 3, 30.0) == []


async def test_a_claim_is_shown_in_status(store: OutboxStore) -> None:
    await put(store, ["a"])
    await claim_keys(store, 1, worker="worker-7")
    status = await store.status("a")
    assert status is not None
    assert (status.state, status.claimed_by, status.attempts) == ("claimed", "worker-7", 1)
    assert status.claimed_at is not None and status.marked_at is None


async def test_routes_are_drained_apart(store: OutboxStore) -> None:
    await put(store, ["s1", "s2"], route="smpp")
    await put(store, ["l1"], route="link")
    assert list(await claim_keys(store, 10, route="link")) == ["l1"]
    assert sorted(await claim_keys(store, 10, route="smpp")) == ["s1", "s2"]


async def test_no_message_is_held_by_two_workers_at_once(make_store: StoreFactory) -> None:
    # Two store objects: two connections, as two processes would have.
    first, second = await make_store(), await make_store()
    await first.put(ROUTE, [(f"k{i}", message(i)) for i in range(300)])
    results = await asyncio.gather(
        *((first if n % 2 else second).claim(ROUTE, f"w{n}", 20, 30.0) for n in range(20))
    )
    keys = [c.key for claims in results for c in claims]
    assert len(keys) == len(set(keys)) == 300


async def test_a_lease_that_expires_mid_batch_is_taken_over(store: OutboxStore) -> None:
    await put(store, ["k0", "k1", "k2", "k3", "k4", "k5"])
    a = await claim_keys(store, 6, worker="A", lease=WORK_LEASE)
    claimed = asyncio.get_running_loop().time()
    assert await store.mark_writing([a["k0"], a["k1"], a["k2"]]) == frozenset()
    assert (
        await store.record(
            Via.SMPP,
            parts=[AcceptedPart(a["k0"], 0, "A0"), AcceptedPart(a["k1"], 0, "A1")],
            settled=[accepted(a["k1"])],
        )
        == frozenset()
    )
    await outlive(claimed, WORK_LEASE)

    b = await claim_keys(store, 10, worker="B")
    assert sorted(b) == ["k0", "k2", "k3", "k4", "k5"]
    assert all(c.attempt == 2 for c in b.values())
    # Marked and left without an outcome: it may have gone out.
    assert b["k0"].possibly_written and b["k0"].earlier_message_ids == ("A0",)
    assert b["k2"].possibly_written and b["k2"].earlier_message_ids == ()
    assert not any(b[k].possibly_written for k in ("k3", "k4", "k5"))

    # A's late reports move nothing it no longer holds...
    assert await store.extend(list(a.values()), 30.0) == {"k0", "k1", "k2", "k3", "k4", "k5"}
    assert await store.mark_writing([a["k3"]]) == {"k3"}
    assert await store.release([a["k4"]]) == {"k4"}
    lost = await store.record(
        Via.SMPP, parts=[AcceptedPart(a["k2"], 0, "A2")], settled=[accepted(a["k2"])]
    )
    assert lost == {"k2"}
    status = await store.status("k2")
    assert status is not None
    assert status.outcome is None and status.claimed_by == "B" and status.possibly_written
    # ...but what it learnt of the provider's ids is kept, for receipts.
    assert [(p.attempt, p.message_id) for p in status.parts] == [(1, "A2")]

    assert await store.record(Via.SMPP, settled=[accepted(c) for c in b.values()]) == frozenset()
    events = [e for e in await all_events(store) if e.kind is EventKind.POSSIBLY_WRITTEN]
    assert sorted(e.key or "" for e in events) == ["k0", "k2"]


async def test_an_expired_lease_nobody_took_is_still_the_workers(store: OutboxStore) -> None:
    await put(store, ["a"])
    claim = (await claim_keys(store, 1, lease=SHORT_LEASE))["a"]
    await asyncio.sleep(PAST_LEASE)
    # Writing under a lease that ran out could duplicate: refused until extended.
    assert await store.mark_writing([claim]) == {"a"}
    assert await store.extend([claim], 30.0) == frozenset()
    assert await store.mark_writing([claim]) == frozenset()
    assert await claim_keys(store, 1, worker="w2") == {}
    assert await store.record(Via.SMPP, settled=[accepted(claim)]) == frozenset()


async def test_a_worker_that_claims_its_message_again_cannot_use_the_old_claim(
    store: OutboxStore,
) -> None:
    await put(store, ["a"])
    old = (await claim_keys(store, 1, worker="w1", lease=SHORT_LEASE))["a"]
    await asyncio.sleep(PAST_LEASE)
    new = (await claim_keys(store, 1, worker="w1"))["a"]
    assert (old.attempt, new.attempt) == (1, 2)
    # Same worker, earlier claim: a stale report (a task that outlived its lease).
    assert await store.mark_writing([old]) == {"a"}
    assert await store.record(Via.SMPP, settled=[accepted(old)]) == {"a"}
    assert await store.record(Via.SMPP, settled=[accepted(new)]) == frozenset()
    status = await store.status("a")
    assert status is not None and status.settled_attempt == 2


async def test_an_extended_lease_is_not_taken_over(store: OutboxStore) -> None:
    await put(store, ["a"])
    claim = (await claim_keys(store, 1, lease=WORK_LEASE))["a"]
    claimed = asyncio.get_running_loop().time()
    assert await store.extend([claim], 30.0) == frozenset()
    await outlive(claimed, WORK_LEASE)
    assert await claim_keys(store, 1, worker="w2") == {}


async def test_a_released_claim_comes_back_as_never_written(store: OutboxStore) -> None:
    await put(store, ["a", "b"])
    first = await claim_keys(store, 2)
    await store.mark_writing([first["a"]])
    # The worker never wrote "a" after all (it stopped first): its mark goes.
    assert await store.release(list(first.values())) == frozenset()
    again = await claim_keys(store, 2, worker="w2")
    assert sorted(again) == ["a", "b"]
    assert not again["a"].possibly_written and again["a"].attempt == 2
    # The first worker's claim is gone for good.
    assert await store.record(Via.SMPP, settled=[accepted(first["a"])]) == {"a"}


async def test_a_released_claim_is_gone_even_before_anyone_claims_again(
    store: OutboxStore,
) -> None:
    await put(store, ["a"])
    claim = (await claim_keys(store, 1))["a"]
    assert await store.release([claim]) == frozenset()
    # Same worker, same attempt, nobody else yet: still not its claim.
    assert await store.extend([claim], 30.0) == {"a"}
    assert await store.mark_writing([claim]) == {"a"}
    assert await store.record(Via.SMPP, settled=[accepted(claim)]) == {"a"}
    assert (await store.pending(ROUTE)).queued == 1


async def test_a_release_with_a_delay_holds_the_message_back(store: OutboxStore) -> None:
    await put(store, ["a"])
    claim = (await claim_keys(store, 1))["a"]
    await store.release([claim], delay=WORK_LEASE)
    released = asyncio.get_running_loop().time()
    assert await claim_keys(store, 1, worker="w2") == {}
    assert (await store.pending(ROUTE)).queued == 1
    await outlive(released, WORK_LEASE)
    assert list(await claim_keys(store, 1, worker="w2")) == ["a"]


async def test_a_claim_with_an_accepted_part_cannot_be_released(store: OutboxStore) -> None:
    await put(store, ["a", "b"])
    claims = await claim_keys(store, 2)
    await store.mark_writing(list(claims.values()))
    await store.record(Via.SMPP, parts=[AcceptedPart(claims["b"], 0, "id-b")])
    with pytest.raises(ClaimError, match="'b'"):
        await store.release(list(claims.values()))
    # Nothing of the call was done: both are still held.
    assert await claim_keys(store, 2, worker="w2") == {}
    assert await store.extend(list(claims.values()), 30.0) == frozenset()


async def test_the_mark_is_one_call_for_a_group_and_shows_in_status(store: OutboxStore) -> None:
    await put(store, ["a", "b", "c"])
    claims = await claim_keys(store, 3)
    assert await store.mark_writing(list(claims.values())) == frozenset()
    status = await store.status("b")
    assert status is not None and status.state == "writing" and status.marked_at is not None


async def test_an_outcome_ends_the_claim_for_good(store: OutboxStore) -> None:
    await put(store, ["a"])
    claim = (await claim_keys(store, 1, lease=SHORT_LEASE))["a"]
    await store.mark_writing([claim])
    await store.record(
        Via.SMPP,
        parts=[AcceptedPart(claim, 0, "id-0"), AcceptedPart(claim, 1, "id-1")],
        settled=[accepted(claim, parts=2)],
    )
    await asyncio.sleep(PAST_LEASE)
    assert await claim_keys(store, 1, worker="w2") == {}
    status = await store.status("a")
    assert status is not None
    assert status.outcome is Outcome.ACCEPTED and status.status is CommandStatus.ESME_ROK
    assert status.message_ids == ("id-0", "id-1") and status.part_count == 2
    assert status.claimed_by is None and status.settled_at is not None
    assert status.settled_attempt == 1 and status.state == "accepted"
    assert (await store.pending(ROUTE)).queued == 0


@pytest.mark.parametrize(
    ("outcome", "provider_status", "error"),
    [
        (Outcome.REJECTED, CommandStatus.ESME_RINVDSTADR, "the SMSC refused it"),
        (Outcome.REJECTED, ResultCode.INVALID_DESTINATION, "LINK refused it"),
        (Outcome.NOT_SENT, None, "destination is not a number"),
        (Outcome.UNKNOWN, None, "the connection closed before the SMSC answered"),
    ],
)
async def test_every_outcome_is_kept_with_its_status_and_error(
    store: OutboxStore,
    outcome: Outcome,
    provider_status: CommandStatus | ResultCode | None,
    error: str,
) -> None:
    await put(store, ["a"])
    claim = (await claim_keys(store, 1))["a"]
    await store.record(Via.SMPP, settled=[Settled(claim, outcome, provider_status, error)])
    status = await store.status("a")
    assert status is not None
    assert (status.outcome, status.status, status.error) == (outcome, provider_status, error)
    assert type(status.status) is type(provider_status)
    assert status.delivery is None and status.state == outcome.value
    [event] = await all_events(store)
    assert (event.kind, event.key, event.outcome) == (EventKind.OUTCOME, "a", outcome)
    assert (event.status, event.error) == (provider_status, error)


async def test_recording_the_same_reports_twice_changes_nothing(store: OutboxStore) -> None:
    await put(store, ["a"])
    claim = (await claim_keys(store, 1))["a"]
    reports = {"parts": [AcceptedPart(claim, 0, "id-0")], "settled": [accepted(claim)]}
    assert await store.record(Via.SMPP, **reports) == frozenset()  # type: ignore[arg-type]
    assert await store.record(Via.SMPP, **reports) == frozenset()  # type: ignore[arg-type]
    status = await store.status("a")
    assert status is not None and len(status.parts) == 1
    assert names(await all_events(store)) == [("a", "accepted")]


async def test_a_part_may_be_recorded_before_the_others(store: OutboxStore) -> None:
    await put(store, ["a"])
    claim = (await claim_keys(store, 1))["a"]
    await store.record(Via.SMPP, parts=[AcceptedPart(claim, 1, "second")])
    status = await store.status("a")
    assert status is not None and status.outcome is None
    assert [(p.index, p.message_id) for p in status.parts] == [(1, "second")]
    await store.record(Via.SMPP, parts=[AcceptedPart(claim, 0, "first")])
    status = await store.status("a")
    assert status is not None and status.message_ids == ("first", "second")


@pytest.mark.parametrize(
    ("limit", "lease"), [(0, 1.0), (MAX_CLAIM + 1, 1.0), (1, 0.0), (1, -1.0), (1, float("nan"))]
)
async def test_bad_claims_are_refused(store: OutboxStore, limit: int, lease: float) -> None:
    with pytest.raises(ConfigurationError, match=r"limit|lease"):
        await store.claim(ROUTE, "w1", limit, lease)


async def test_a_bad_worker_name_is_refused(store: OutboxStore) -> None:
    with pytest.raises(ConfigurationError, match="worker"):
        await store.claim(ROUTE, "", 1, 1.0)
