"""The SQLite outbox store: what putting, draining and receipts cost per message.

Three workloads, each with the WAL fsynced at every commit (``full``, the
default) and only at checkpoints (``normal``):

- ``put_many``: 10,000 messages in one call (the target is 50,000 a second);
- ``drain``: one worker cycle per message, as a worker does it for a window:
  claim 256, mark them (one commit), record a part id and an outcome for each
  (one commit);
- ``receipts``: receipts for recorded parts, committed a read at a time
  (1 and 32 receipts per commit: one deliver_sm, or a busy read);
- ``wal_bytes``: what a worker cycle and a receipt write to the WAL, with
  many receipts stored already (the bytes every commit writes, and with
  ``full`` fsyncs; printed, and in ``extra_info``).

Time is wall time per round; ``extra_info`` adds the per-message (or
per-receipt) figures and the process CPU per message (every thread, so the
store's SQLite thread counts), the figure a worker's CPU budget is about:

    pytest benches/bench_outbox.py --benchmark-columns=min,median \\
        --benchmark-sort=name -s
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _per_item import per_item

from smswire.message import Message, Outcome
from smswire.outbox import AcceptedPart, Settled, SqliteStore, Via
from smswire.pdu import CommandStatus
from smswire.smpp.receipts import parse_receipt

ROUTE = "smpp"
PUT_BATCH = 10_000
WINDOW = 256
ROUNDS = 8
TEXT = "Your verification code is {i}. It expires in 10 minutes. Do not share it."


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(params=["full", "normal"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, loop: asyncio.AbstractEventLoop
) -> Iterator[SqliteStore]:
    opened = loop.run_until_complete(
        SqliteStore.open(tmp_path / "outbox.db", synchronous=request.param)
    )
    yield opened
    loop.run_until_complete(opened.close())


def messages(count: int) -> list[Message]:
    return [Message(f"+4791{i:06d}", TEXT.format(i=i), source="Shop") for i in range(count)]


def test_put_many(benchmark: Any, store: SqliteStore, loop: asyncio.AbstractEventLoop) -> None:
    batch = messages(PUT_BATCH)
    rounds = itertools.count()

    def setup() -> tuple[tuple[list[tuple[str, Message]]], dict[str, Any]]:
        n = next(rounds)
        return ([(f"r{n}-{i}", message) for i, message in enumerate(batch)],), {}

    def put(items: list[tuple[str, Message]]) -> None:
        loop.run_until_complete(store.put(ROUTE, items))

    cpu = time.process_time()
    benchmark.pedantic(put, setup=setup, rounds=ROUNDS)
    per_item(benchmark, PUT_BATCH, time.process_time() - cpu, ROUNDS)


def test_drain(benchmark: Any, store: SqliteStore, loop: asyncio.AbstractEventLoop) -> None:
    batch = messages(WINDOW)
    for n in range(ROUNDS + 1):
        loop.run_until_complete(store.put(ROUTE, [(f"r{n}-{i}", m) for i, m in enumerate(batch)]))
    ok = CommandStatus.ESME_ROK

    async def cycle() -> None:
        claims = await store.claim(ROUTE, "bench", WINDOW, 60.0)
        await store.mark_writing(claims)
        parts = [AcceptedPart(c, 0, f"{c.key}-id") for c in claims]
        settled = [Settled(c, Outcome.ACCEPTED, ok, parts=1) for c in claims]
        await store.record(Via.SMPP, parts, settled)

    cpu = time.process_time()
    benchmark.pedantic(lambda: loop.run_until_complete(cycle()), rounds=ROUNDS)
    per_item(benchmark, WINDOW, time.process_time() - cpu, ROUNDS)


@pytest.mark.parametrize("per_commit", [1, 32])
def test_receipts(
    benchmark: Any, store: SqliteStore, loop: asyncio.AbstractEventLoop, per_commit: int
) -> None:
    count = per_commit * 64
    keys = [f"k{i}" for i in range(count)]
    loop.run_until_complete(store.put(ROUTE, list(zip(keys, messages(count)))))

    async def send_all() -> None:
        claims = await store.claim(ROUTE, "bench", count, 60.0)
        parts = [AcceptedPart(c, 0, f"{c.key}-id") for c in claims]
        settled = [Settled(c, Outcome.ACCEPTED, CommandStatus.ESME_ROK, parts=1) for c in claims]
        await store.record(Via.SMPP, parts, settled)

    loop.run_until_complete(send_all())
    stats = itertools.cycle(["ENROUTE", "DELIVRD"])
    rounds = itertools.count()

    def setup() -> tuple[tuple[list[list[Any]]], dict[str, Any]]:
        stat = next(stats)
        n = next(rounds)
        receipts = [
            parse_receipt(f"id:{key}-id sub:001 dlvrd:001 stat:{stat} err:000 text:{n}".encode())
            for key in keys
        ]
        return ([receipts[i : i + per_commit] for i in range(0, count, per_commit)],), {}

    async def commit_all(reads: list[list[Any]]) -> None:
        for read in reads:
            await store.record_inbound(ROUTE, read)

    cpu = time.process_time()
    benchmark.pedantic(
        lambda reads: loop.run_until_complete(commit_all(reads)), setup=setup, rounds=ROUNDS
    )
    per_item(benchmark, count, time.process_time() - cpu, ROUNDS)


# Receipts already stored when the WAL is measured: an index a receipt lands
# at a random place in costs a page a receipt once it has many pages.
STORED_RECEIPTS = 20_000
# Measured: few enough that no automatic checkpoint (at 1,000 pages) restarts
# the WAL within them.
MEASURED = 256


def _wal_frames(path: Path) -> int:
    """Frames in the WAL now (a passive checkpoint reports them, copying what
    no reader needs; the next commit still appends after them)."""
    with sqlite3.connect(path) as side:
        busy, frames, _ = side.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    side.close()
    assert busy == 0
    return int(frames)


def _restart_wal(path: Path) -> None:
    with sqlite3.connect(path) as side:
        assert side.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    side.close()


@pytest.mark.parametrize("store", ["normal"], indirect=True)
def test_wal_bytes(
    benchmark: Any, store: SqliteStore, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    path = tmp_path / "outbox.db"
    side = sqlite3.connect(path)
    (page,) = side.execute("PRAGMA page_size").fetchone()
    side.close()
    ok = CommandStatus.ESME_ROK

    async def send(keys: list[str]) -> None:
        await store.put(ROUTE, list(zip(keys, messages(len(keys)))))
        while claims := await store.claim(ROUTE, "bench", WINDOW, 60.0):
            await store.mark_writing(claims)
            parts = [AcceptedPart(c, 0, f"{c.key}-id") for c in claims]
            await store.record(
                Via.SMPP, parts, [Settled(c, Outcome.ACCEPTED, ok, parts=1) for c in claims]
            )

    async def receipts(keys: list[str]) -> None:
        for start in range(0, len(keys), 32):
            read = [
                parse_receipt(f"id:{key}-id sub:001 dlvrd:001 stat:DELIVRD err:000".encode())
                for key in keys[start : start + 32]
            ]
            await store.record_inbound(ROUTE, read)

    def bytes_per_message(work: Any, keys: list[str]) -> float:
        _restart_wal(path)
        loop.run_until_complete(work(keys))
        return _wal_frames(path) * (page + 24) / len(keys)  # a frame: its header and a page

    old = [f"old{i}" for i in range(STORED_RECEIPTS)]
    loop.run_until_complete(send(old))
    loop.run_until_complete(receipts(old))
    new = [f"new{i}" for i in range(MEASURED)]
    drain = bytes_per_message(send, new)
    receipt = bytes_per_message(receipts, new)
    benchmark.extra_info.update(
        wal_bytes_per_message=round(drain), wal_bytes_per_receipt=round(receipt)
    )
    print(
        f"\nWAL bytes, {STORED_RECEIPTS:,} receipts stored: {drain:,.0f} a message "
        f"(put, claim, mark, record), {receipt:,.0f} a receipt (32 a commit)"
    )
    benchmark.pedantic(lambda: None, rounds=1)
