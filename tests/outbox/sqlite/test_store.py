"""What only the SQLite store does: its sweep of expired rows, its indexes, its thread."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from smswire.errors import StoreUnavailable
from smswire.outbox import AcceptedPart, Claim, SqliteStore, Via
from smswire.outbox.sqlite import draining
from smswire.outbox.sqlite.draining import CLAIMABLE
from smswire.outbox.sqlite.store import EXPIRY_INTERVAL

from ..support import PATIENCE, ROUTE, accepted, message, put, smpp_receipt

DAY = 24 * 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(sql).fetchone()[0])
    finally:
        connection.close()


async def sent_on(
    clock: Clock, path: Path, ids: dict[str, str]
) -> tuple[SqliteStore, dict[str, Claim]]:
    """A store at ``path`` on ``clock`` in which each key of ``ids`` was put,
    claimed and accepted as one part with that id; the claims by key."""
    store = await SqliteStore.open(path, clock=clock)
    await put(store, list(ids))
    claims = {c.key: c for c in await store.claim(ROUTE, "w1", len(ids), 30.0)}
    await store.record(
        Via.SMPP,
        parts=[AcceptedPart(claims[key], 0, message_id) for key, message_id in ids.items()],
        settled=[accepted(claim) for claim in claims.values()],
    )
    return store, claims


async def test_expiry_forgets_unmatched_receipts_and_events_but_keeps_messages(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.db"
    clock = Clock()
    store, _ = await sent_on(clock, path, {"matched": "m1", "unmatched": "u1"})
    await store.record_inbound(ROUTE, [smpp_receipt("m1"), smpp_receipt("0a1b")])
    assert count(path, "SELECT count(*) FROM waiting") == 2  # "0a1b" as "a1b" and "2587"

    clock.now += 6 * DAY
    assert await store.expire() == 0
    clock.now += 2 * DAY
    assert await store.expire() > 0
    await store.close()

    assert count(path, "SELECT count(*) FROM waiting") == 0
    assert count(path, "SELECT count(*) FROM receipts WHERE message IS NULL") == 0
    # All but the newest event, which keeps the numbering going.
    assert count(path, "SELECT count(*) FROM events") == 1
    # The story of each message stays, receipts matched to it included.
    assert count(path, "SELECT count(*) FROM messages") == 2
    assert count(path, "SELECT count(*) FROM receipts WHERE message IS NOT NULL") == 1
    assert count(path, "SELECT count(*) FROM parts") == 2


async def test_a_store_sweeps_on_its_own_after_a_write(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    clock = Clock()
    store = await SqliteStore.open(path, clock=clock, correlation_ttl=60.0)
    await store.record_inbound(ROUTE, [smpp_receipt("nobody")])
    clock.now += EXPIRY_INTERVAL + 61.0
    await put(store, ["later"])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while count(path, "SELECT count(*) FROM receipts") and loop.time() < deadline:
        await asyncio.sleep(0.02)
    assert count(path, "SELECT count(*) FROM receipts") == 0
    await store.close()


async def test_claims_read_the_due_index_not_the_table(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    await (await SqliteStore.open(path)).close()
    connection = sqlite3.connect(path)
    plan = " ".join(
        row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {CLAIMABLE}", (ROUTE, 0.0, 10))
    )
    connection.close()
    # A search of the partial index, in its order: no scan, no sort of the queue.
    assert "INDEX messages_due (route=? AND due_at<?)" in plan and "TEMP B-TREE" not in plan


async def test_a_large_batch_does_not_stall_the_event_loop(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "outbox.db")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    beat = asyncio.ensure_future(ticker())
    try:
        await store.put(ROUTE, [(f"k{i}", message(i)) for i in range(30_000)])
    finally:
        beat.cancel()
        await store.close()
    # The batch ran on the store's thread; the loop kept turning meanwhile.
    assert ticks >= 10


async def test_an_outcome_and_its_event_are_committed_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await SqliteStore.open(tmp_path / "outbox.db")
    await put(store, ["a"])
    [claim] = await store.claim(ROUTE, "w1", 1, 30.0)

    def failing(connection: sqlite3.Connection, rows: object) -> None:
        # The disk fails between the outcome's row and its event's.
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(draining, "add_events", failing)
    with pytest.raises(StoreUnavailable, match="disk I/O error"):
        await store.record(Via.SMPP, settled=[accepted(claim)])
    monkeypatch.undo()
    status = await store.status("a")
    assert status is not None and status.outcome is None and status.claimed_by == "w1"
    assert await store.read_events("c", None, 10, 0.0) == []
    await store.close()


async def test_a_copy_that_waited_past_the_ttl_matches_again_without_failing_the_record(
    tmp_path: Path,
) -> None:
    # The first copy matched part 0 long ago; the second came after the
    # correlation TTL, so it waits; then the id is recorded once more for the
    # same message. Matching the copy there must not fail that record.
    clock = Clock()
    store, claims = await sent_on(clock, tmp_path / "outbox.db", {"k": "x1"})
    receipt = smpp_receipt("x1")
    assert await store.record_inbound(ROUTE, [receipt]) == ["k"]
    clock.now += 8 * DAY
    assert await store.record_inbound(ROUTE, [receipt]) == [None]
    assert await store.record(Via.SMPP, parts=[AcceptedPart(claims["k"], 1, "x1")]) == frozenset()
    status = await store.status("k")
    await store.close()
    assert status is not None and len(status.receipts) == 2
