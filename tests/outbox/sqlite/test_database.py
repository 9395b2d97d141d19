"""A SQLite store that cannot commit says so, precisely, and reports nothing durable that is not."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from smswire.errors import StoreBusy, StoreUnavailable
from smswire.message import Outcome
from smswire.outbox import AcceptedPart, Claim, Settled, SqliteStore, Via
from smswire.outbox.sqlite.database import Database

from ..support import PATIENCE, ROUTE, message, put, smpp_receipt

# A child that fills its disk: RLIMIT_FSIZE caps the size of any file it
# writes, so the WAL hits the cap as it would hit a full disk (write() fails
# with EFBIG; SIGXFSZ is ignored so the process lives to see the error).
DISK_FULL = r"""
import asyncio, os, resource, signal, sys
from smswire.errors import StoreUnavailable
from smswire.message import Message
from smswire.outbox import SqliteStore

async def main(path):
    store = await SqliteStore.open(path)
    await store.put("smpp", [("first", Message("+4791000000", "first"))])
    used = sum(os.path.getsize(path + tail) for tail in ("", "-wal") if os.path.exists(path + tail))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (used + 300_000, hard))
    batch = 0
    try:
        while True:
            items = [(f"b{batch}-{i}", Message("+4791000000", "x" * 120)) for i in range(200)]
            await store.put("smpp", items)
            print("durable", batch, flush=True)
            batch += 1
    except StoreUnavailable as exc:
        print("failed", batch, exc.operation, exc, flush=True)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    await store.put("smpp", [("after", Message("+4791000000", "after"))])
    print("recovered", flush=True)
    await store.close()

asyncio.run(main(sys.argv[1]))
"""


async def test_a_full_disk_fails_the_write_that_does_not_fit_and_nothing_else(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "outbox.db")
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DISK_FULL, path, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(child.communicate(), PATIENCE * 4)
    lines = output.decode().splitlines()
    assert child.returncode == 0, lines
    durable = [int(line.split()[1]) for line in lines if line.startswith("durable")]
    [failure] = [line for line in lines if line.startswith("failed")]
    assert lines[-1] == "recovered"
    _, failed_batch, operation, *text = failure.split()
    assert operation == "put" and "cannot commit (put)" in " ".join(text)
    assert durable == list(range(int(failed_batch))) and durable

    store = await SqliteStore.open(path)
    try:
        for batch in durable:
            for i in (0, 199):
                assert await store.status(f"b{batch}-{i}") is not None
        # The batch that did not fit is not there, not even in part.
        for i in range(200):
            assert await store.status(f"b{failed_batch}-{i}") is None
        assert await store.status("after") is not None
    finally:
        await store.close()


async def test_a_read_only_store_answers_and_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    writer = await SqliteStore.open(path)
    await put(writer, ["z"])
    [done] = await writer.claim(ROUTE, "w0", 1, 30.0)
    await writer.record(Via.SMPP, settled=[Settled(done, Outcome.ACCEPTED)])
    await put(writer, ["a"])
    await writer.close()

    reader = await SqliteStore.open(path, read_only=True)
    try:
        status = await reader.status("a")
        assert status is not None and status.message == message(0) and status.state == "queued"
        assert (await reader.pending(ROUTE)).queued == 1
        [event] = await reader.read_events("c", None, 10, 0.0)
        claim = Claim("a", ROUTE, message(0), "w1", 1)
        writes = [
            reader.put(ROUTE, [("b", message(1))]),
            reader.claim(ROUTE, "w1", 1, 30.0),
            reader.mark_writing([claim]),
            reader.record(Via.SMPP, parts=[AcceptedPart(claim, 0, "x")]),
            reader.record_inbound(ROUTE, [smpp_receipt("x")]),
            reader.ack_events("c", event.id),
        ]
        for write in writes:
            with pytest.raises(StoreUnavailable, match="read-only"):
                await write
        assert await reader.status("b") is None
    finally:
        await reader.close()


async def test_a_lock_held_past_the_busy_timeout_is_store_busy(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    store = await SqliteStore.open(path, busy_timeout=0.3)
    other = sqlite3.connect(path, isolation_level=None)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.ensure_future(ticker())
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreBusy, match="locked by another process") as caught:
            await store.put(ROUTE, [("a", message(1))])
        assert caught.value.operation == "put"
        # The wait happened on the store's thread: the event loop went on.
        assert ticks >= 5
        other.execute("ROLLBACK")
        assert await store.status("a") is None
        assert await store.put(ROUTE, [("a", message(1))]) == 1
    finally:
        beat.cancel()
        other.close()
        await store.close()


async def test_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        SqliteStore(tmp_path / "x.db", synchronous="off")
    with pytest.raises(ValueError, match="correlation_ttl"):
        SqliteStore(tmp_path / "x.db", correlation_ttl=0)
    assert not (tmp_path / "x.db").exists()


async def test_a_file_sqlite_can_only_read_fails_each_write_as_unavailable(
    tmp_path: Path,
) -> None:
    # Below the store's own read-only flag: SQLite's SQLITE_READONLY, as a
    # file without write permission gives it.
    path = tmp_path / "outbox.db"
    await (await SqliteStore.open(path)).close()
    database = Database(str(path), busy_timeout=1.0, synchronous="full", read_only=True)
    await database.open(lambda connection: None)
    try:
        with pytest.raises(StoreUnavailable, match="readonly database") as caught:
            await database.write(
                "put",
                lambda connection: connection.execute(
                    "INSERT INTO consumers (name, acked, acked_at) VALUES ('c', 0, 0)"
                ),
            )
        assert caught.value.operation == "put"
        assert await database.read("count", count_consumers) == 0
    finally:
        await database.close()


def count_consumers(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM consumers").fetchone()[0])


async def test_writes_queued_together_share_one_commit_and_each_returns_after_it(
    tmp_path: Path,
) -> None:
    statements: list[str] = []

    def prepare(connection: sqlite3.Connection) -> None:
        connection.execute("CREATE TABLE t (n INTEGER)")
        connection.set_trace_callback(statements.append)

    database = Database(str(tmp_path / "t.db"), busy_timeout=1.0, synchronous="full")
    await database.open(prepare)
    started, go_on = threading.Event(), threading.Event()

    def first(connection: sqlite3.Connection) -> None:
        started.set()
        go_on.wait(PATIENCE)  # holds the thread while the others queue up

    def insert(connection: sqlite3.Connection, n: int) -> int:
        connection.execute("INSERT INTO t (n) VALUES (?)", (n,))
        return n

    try:
        holding = asyncio.ensure_future(database.write("first", first))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, PATIENCE)
        queued = [asyncio.ensure_future(database.write("insert", insert, n)) for n in range(5)]
        await asyncio.sleep(0.01)
        assert not any(write.done() for write in queued)
        statements.clear()
        go_on.set()
        await holding
        assert await asyncio.gather(*queued) == list(range(5))
        # The first write's commit, then the five in one transaction.
        inserts = [f"INSERT INTO t (n) VALUES ({n})" for n in range(5)]
        assert statements == ["COMMIT", "BEGIN IMMEDIATE", *inserts, "COMMIT"]
    finally:
        go_on.set()
        await database.close()


async def test_a_write_that_fails_in_a_group_fails_alone(tmp_path: Path) -> None:
    database = Database(str(tmp_path / "t.db"), busy_timeout=1.0, synchronous="full")
    await database.open(lambda connection: connection.execute("CREATE TABLE t (n INTEGER)"))
    started, go_on = threading.Event(), threading.Event()

    def first(connection: sqlite3.Connection) -> None:
        started.set()
        go_on.wait(PATIENCE)

    def insert(connection: sqlite3.Connection, n: int) -> None:
        connection.execute("INSERT INTO t (n) VALUES (?)", (n,))
        if n == 2:
            raise ValueError("the third write's own fault")
        if n == 3:
            connection.execute("INSERT INTO missing (n) VALUES (1)")  # SQLite refuses it

    try:
        holding = asyncio.ensure_future(database.write("first", first))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, PATIENCE)
        queued = [asyncio.ensure_future(database.write(f"w{n}", insert, n)) for n in range(5)]
        go_on.set()
        await holding
        results = await asyncio.gather(*queued, return_exceptions=True)
        assert results[:2] == [None, None] and results[4] is None
        assert isinstance(results[2], ValueError)
        assert isinstance(results[3], StoreUnavailable) and results[3].operation == "w3"
        stored = await database.read("all", lambda c: [n for (n,) in c.execute("SELECT n FROM t")])
        assert sorted(stored) == [0, 1, 4]
    finally:
        go_on.set()
        await database.close()


def test_a_loop_that_ends_with_writes_in_flight_leaves_the_store_to_the_next_loop(
    tmp_path: Path,
) -> None:
    database = Database(str(tmp_path / "t.db"), busy_timeout=1.0, synchronous="full")
    started, go_on = threading.Event(), threading.Event()

    def first(connection: sqlite3.Connection) -> None:
        started.set()
        go_on.wait(PATIENCE)

    def insert(connection: sqlite3.Connection, n: int) -> None:
        connection.execute("INSERT INTO t (n) VALUES (?)", (n,))

    writes: list[asyncio.Future[None]] = []

    async def ends_mid_write() -> None:
        await database.open(lambda connection: connection.execute("CREATE TABLE t (n INTEGER)"))
        writes.append(asyncio.ensure_future(database.write("first", first)))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, PATIENCE)
        writes.append(asyncio.ensure_future(database.write("queued", insert, 1)))
        await asyncio.sleep(0)  # asyncio.run cancels both as it ends

    async def goes_on() -> list[int]:
        try:
            await asyncio.wait_for(database.write("later", insert, 2), PATIENCE)
            return await database.read(
                "all", lambda c: [n for (n,) in c.execute("SELECT n FROM t")]
            )
        finally:
            await database.close()

    try:
        asyncio.run(ends_mid_write())
    finally:
        go_on.set()
    assert all(write.cancelled() for write in writes)
    assert asyncio.run(goes_on()) == [2]
