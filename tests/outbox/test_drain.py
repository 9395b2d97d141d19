"""A worker's drain: reports committed in groups, Delivery applied to possibly-written messages."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from smswire.errors import StoreBusy
from smswire.message import Delivery, Message, Outcome, SendResult
from smswire.outbox import (
    AcceptedPart,
    Drain,
    EventKind,
    Outbox,
    OutboxStore,
    Settled,
    SqliteStore,
    Via,
    new_worker_id,
)
from smswire.outbox.drain import POSSIBLY_WRITTEN_ERROR
from smswire.pdu import CommandStatus

from .support import ROUTE, all_events, message, put


class CountingStore:
    """A real store, with its record calls counted and, on request, one failed."""

    def __init__(self, store: OutboxStore) -> None:
        self.store = store
        self.records = 0
        self.fail_next = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    async def record(
        self, via: Via, parts: Sequence[AcceptedPart] = (), settled: Sequence[Settled] = ()
    ) -> frozenset[str]:
        if self.fail_next:
            self.fail_next = False
            raise StoreBusy("held by another process", operation="record")
        self.records += 1
        return await self.store.record(via, parts, settled)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "outbox.db")
    yield opened
    await opened.close()


def result(sent: Message, parts: int = 1) -> SendResult:
    return SendResult(
        sent,
        Outcome.ACCEPTED,
        tuple(f"id{i}" for i in range(parts)),
        CommandStatus.ESME_ROK,
        parts=parts,
    )


async def test_a_windows_reports_are_one_commit(store: SqliteStore) -> None:
    counting = CountingStore(store)
    drain = Drain(counting, ROUTE, worker="w1", via=Via.SMPP)  # type: ignore[arg-type]
    await put(store, [f"k{i}" for i in range(64)])
    claims = await drain.claim(64)
    assert drain.held == 64
    for claim in await drain.mark_writing(claims):
        drain.accepted(claim, 0, f"{claim.key}-0")
        drain.accepted(claim, 1, f"{claim.key}-1")
        drain.settled(claim, result(claim.message, parts=2))
    assert counting.records == 0
    assert await drain.flush() == frozenset()
    assert counting.records == 1
    assert drain.held == 0
    # Nothing left to commit: no empty transaction.
    assert await drain.flush() == frozenset()
    assert counting.records == 1
    status = await store.status("k7")
    assert status is not None and status.message_ids == ("k7-0", "k7-1")


async def test_a_failed_flush_keeps_its_reports_for_the_next(store: SqliteStore) -> None:
    counting = CountingStore(store)
    drain = Drain(counting, ROUTE, worker="w1", via=Via.SMPP)  # type: ignore[arg-type]
    await put(store, ["a"])
    [claim] = await drain.claim(1)
    drain.accepted(claim, 0, "id-a")
    drain.settled(claim, result(claim.message))
    counting.fail_next = True
    with pytest.raises(StoreBusy):
        await drain.flush()
    assert drain.held == 1
    assert (await store.status("a")).outcome is None  # type: ignore[union-attr]
    await drain.flush()
    status = await store.status("a")
    assert status is not None and status.outcome is Outcome.ACCEPTED and drain.held == 0


class GatedStore(CountingStore):
    """A real store whose next record call waits for the test to open the gate."""

    def __init__(self, store: OutboxStore) -> None:
        super().__init__(store)
        self.gate: asyncio.Event | None = None

    async def record(
        self, via: Via, parts: Sequence[AcceptedPart] = (), settled: Sequence[Settled] = ()
    ) -> frozenset[str]:
        gate, self.gate = self.gate, None
        if gate is not None:
            await gate.wait()
        return await super().record(via, parts, settled)


async def test_reports_made_while_a_flush_commits_wait_for_the_next_flush(
    store: SqliteStore,
) -> None:
    # A worker's lanes share one drain: one lane's reports may come while
    # another lane's flush is committing; they must not be dropped with it.
    gated = GatedStore(store)
    drain = Drain(gated, ROUTE, worker="w1", via=Via.SMPP)  # type: ignore[arg-type]
    await put(store, ["a", "b"])
    first, second = await drain.mark_writing(await drain.claim(2))
    drain.settled(first, result(first.message))
    gate = gated.gate = asyncio.Event()
    flushing = asyncio.ensure_future(drain.flush())
    await asyncio.sleep(0.01)
    assert not flushing.done()
    drain.accepted(second, 0, "id-b")
    drain.settled(second, result(second.message))
    gate.set()
    await flushing
    assert (await store.status("b")).outcome is None  # type: ignore[union-attr]
    await drain.flush()
    status = await store.status("b")
    assert status is not None and status.outcome is Outcome.ACCEPTED
    assert status.message_ids == ("id-b",) and drain.held == 0


# The dead worker's lease: its mark must commit within it (a loaded machine's
# SQLite commit can take a good part of a second), then the test waits it out.
DEAD_LEASE = 0.5


async def crashed_after_marking(store: OutboxStore) -> None:
    """Leave "a" marked with no outcome under a lease that is over: a worker died."""
    loop = asyncio.get_running_loop()
    await put(store, ["a", "b"])
    claims = await store.claim(ROUTE, "dead", 2, DEAD_LEASE)
    claimed = loop.time()
    assert await store.mark_writing([c for c in claims if c.key == "a"]) == frozenset()
    # The store read its clock before the claim returned: the lease ends by then + DEAD_LEASE.
    await asyncio.sleep(max(0.0, claimed + DEAD_LEASE + 0.2 - loop.time()))


async def test_at_most_once_records_a_possibly_written_message_unknown(
    store: SqliteStore,
) -> None:
    await crashed_after_marking(store)
    drain = Drain(store, ROUTE, worker="w2", via=Via.SMPP, delivery=Delivery.AT_MOST_ONCE)
    claims = await drain.claim(10)
    assert [c.key for c in claims] == ["b"]
    status = await store.status("a")
    assert status is not None
    assert status.outcome is Outcome.UNKNOWN and status.error == POSSIBLY_WRITTEN_ERROR
    assert status.possibly_written
    kinds = [(e.kind, e.key) for e in await all_events(store)]
    assert kinds == [(EventKind.POSSIBLY_WRITTEN, "a"), (EventKind.OUTCOME, "a")]


async def test_at_least_once_hands_a_possibly_written_message_out_again(
    store: SqliteStore,
) -> None:
    await crashed_after_marking(store)
    drain = Drain(store, ROUTE, worker="w2", via=Via.SMPP, delivery=Delivery.AT_LEAST_ONCE)
    claims = {c.key: c for c in await drain.claim(10)}
    assert sorted(claims) == ["a", "b"]
    assert claims["a"].possibly_written and not claims["b"].possibly_written


async def test_lost_and_refused_claims_are_let_go(store: SqliteStore) -> None:
    await put(store, ["a", "b"])
    drain = Drain(store, ROUTE, worker="w1", via=Via.SMPP, lease=0.2)
    claims = await drain.claim(2)
    await asyncio.sleep(0.4)
    # "a" is taken over by another worker; "b" merely ran out.
    other = await store.claim(ROUTE, "w2", 1, 30.0)
    assert [c.key for c in other] == ["a"]
    assert await drain.mark_writing(claims) == []
    assert drain.held == 0


async def test_extend_renews_what_is_held_and_drops_what_is_lost(store: SqliteStore) -> None:
    await put(store, ["a", "b"])
    drain = Drain(store, ROUTE, worker="w1", via=Via.SMPP, lease=0.2)
    await drain.claim(2)
    await asyncio.sleep(0.4)
    await store.claim(ROUTE, "w2", 1, 30.0)
    assert await drain.extend() == {"a"}
    assert drain.held == 1


async def test_release_gives_claims_back(store: SqliteStore) -> None:
    await put(store, ["a"])
    drain = Drain(store, ROUTE, worker="w1", via=Via.SMPP)
    claims = await drain.claim(1)
    assert await drain.release(claims) == frozenset()
    assert drain.held == 0
    assert [c.key for c in await store.claim(ROUTE, "w2", 1, 30.0)] == ["a"]


def test_worker_ids_are_unique_and_say_where_they_run() -> None:
    ids = {new_worker_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(f":{os.getpid()}:" in worker for worker in ids)


async def test_the_outbox_hands_out_drains(tmp_path: Path) -> None:
    async with Outbox.open(tmp_path / "outbox.db") as outbox:
        await outbox.put(message(1), key="a", route="link")
        drain = outbox.drain("link", worker="w1", via=Via.LINK)
        assert [c.key for c in await drain.claim(5)] == ["a"]
        assert drain.via is Via.LINK and drain.delivery is Delivery.AT_LEAST_ONCE
