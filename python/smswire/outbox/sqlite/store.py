"""The embedded outbox store: one SQLite file in WAL mode, no server.

Several processes on one machine may share the file (a worker, a report
receiver, ``smswire status``): WAL lets readers and the one writer work at
once, every write takes the lock first (``BEGIN IMMEDIATE``) and holds it
for one short transaction, and a process that finds the lock taken waits up
to ``busy_timeout``. Each store object runs its SQLite calls on a thread of
its own (:class:`~smswire.outbox.sqlite.database.Database`), so the event
loop never waits on a lock, an fsync or a large batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Sequence
from typing import Callable, TypeVar

from smswire.errors import ConfigurationError, StoreError, StoreUnavailable
from smswire.message import Message
from smswire.outbox.records import (
    AcceptedPart,
    Claim,
    Event,
    Inbound,
    MessageStatus,
    Pending,
    Settled,
    Via,
)
from smswire.outbox.sqlite import answers, draining, events, expiry, inbound, putting, schema
from smswire.outbox.sqlite.database import Database
from smswire.outbox.store import (
    DEFAULT_CORRELATION_TTL,
    check_claim,
    check_key,
    check_name,
    check_seconds,
)

__all__ = ["SqliteStore"]

_log = logging.getLogger("smswire.outbox.sqlite")

T = TypeVar("T")

# A write that finds another process's lock waits this long before StoreBusy.
DEFAULT_BUSY_TIMEOUT = 10.0
# Waiting for events: the first re-read after this long, doubling to the poll
# ceiling; a write from this process wakes the reader at once.
FIRST_EVENT_POLL = 0.005
DEFAULT_EVENT_POLL = 0.5
# How often a store sweeps unmatched receipts and events past their TTL, and how many
# rows of each kind one sweep transaction deletes.
EXPIRY_INTERVAL = 600.0
EXPIRY_BATCH = 5_000
_SYNCHRONOUS = ("full", "normal")


class SqliteStore:
    """The outbox store in the SQLite file at ``path`` (created if missing).

    Open it with ``await SqliteStore.open(path, ...)``. ``correlation_ttl``:
    seconds a recorded id, or a receipt still waiting for its id, can match
    (default 7 days). ``event_ttl``: seconds events are kept for consumers.
    ``busy_timeout``: seconds a write waits for another process's lock.
    ``synchronous``: ``"full"`` (default) fsyncs every commit, which then
    survives a power cut; ``"normal"`` survives a crash of the process but not
    of the machine, for less I/O. ``read_only``: for processes that only ask
    (``status``, ``events`` without acknowledging). ``event_poll``: the longest
    pause between two looks for events written by other processes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        correlation_ttl: float = DEFAULT_CORRELATION_TTL,
        event_ttl: float = DEFAULT_CORRELATION_TTL,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        synchronous: str = "full",
        read_only: bool = False,
        event_poll: float = DEFAULT_EVENT_POLL,
        clock: Callable[[], float] = time.time,
        migrations: Sequence[schema.Migration] = schema.MIGRATIONS,
    ) -> None:
        self.path = os.fspath(path)
        self.correlation_ttl = check_seconds("correlation_ttl", correlation_ttl)
        self.event_ttl = check_seconds("event_ttl", event_ttl)
        self._event_poll = check_seconds("event_poll", event_poll)
        if synchronous not in _SYNCHRONOUS:
            raise ConfigurationError(f"synchronous must be 'full' or 'normal', not {synchronous!r}")
        self._db = Database(
            self.path,
            busy_timeout=check_seconds("busy_timeout", busy_timeout),
            synchronous=synchronous,
            read_only=read_only,
        )
        self._read_only = read_only
        self._clock = clock
        self._migrations = tuple(migrations)
        self._waiters: set[asyncio.Future[None]] = set()
        self._next_expiry = 0.0
        self._sweeper: asyncio.Task[int] | None = None

    @classmethod
    async def open(cls, path: str | os.PathLike[str], **options: object) -> SqliteStore:
        """Open (creating or migrating) the store at ``path``."""
        store = cls(path, **options)  # type: ignore[arg-type]
        await store._db.open(store._prepare)
        return store

    def _prepare(self, connection: sqlite3.Connection) -> None:
        if self._read_only:
            schema.check_version(connection, self.path, self._migrations)
        else:
            schema.migrate(connection, self.path, self._migrations)

    def __repr__(self) -> str:
        return f"SqliteStore({self.path!r})"

    # -- plumbing ------------------------------------------------------------

    def _timed(
        self, connection: sqlite3.Connection, work: Callable[..., T], args: tuple[object, ...]
    ) -> T:
        # The time is read inside the transaction, so leases compare with the
        # moment the lock was held, not the moment the call was queued.
        return work(connection, self._clock(), *args)

    async def _write(self, operation: str, work: Callable[..., T], *args: object) -> T:
        if self._read_only:
            # Refused before it starts, even a call that would find nothing to change.
            raise StoreUnavailable(
                f"the outbox store {self.path} was opened read-only ({operation})",
                operation=operation,
            )
        result: T = await self._db.write(operation, self._timed, work, args)
        self._wake()
        self._schedule_sweep()
        return result

    def _wake(self) -> None:
        for waiter in self._waiters:
            _release(waiter)

    async def _pause(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if this store commits meanwhile."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.add(waiter)
        timer = loop.call_later(seconds, _release, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiters.discard(waiter)

    def _schedule_sweep(self) -> None:
        now = self._clock()
        if now < self._next_expiry or (self._sweeper is not None and not self._sweeper.done()):
            return
        self._next_expiry = now + EXPIRY_INTERVAL
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> int:
        try:
            return await self.expire()
        except StoreError as exc:
            # The next write's own error says what is wrong; a sweep is only tidying.
            _log.warning("expiring old outbox data failed: %s", exc)
            return 0

    # -- putting -------------------------------------------------------------

    async def put(self, route: str, items: Sequence[tuple[str, Message]]) -> int:
        check_name("route", route)
        batch = list(items)
        for key, message in batch:
            check_key(key)
            if not isinstance(message, Message):
                raise ConfigurationError(
                    f"key {key!r}: message must be a Message, not {type(message).__name__}"
                )
        if not batch:
            return 0
        return await self._write("put", putting.put, route, batch)

    # -- draining ------------------------------------------------------------

    async def claim(self, route: str, worker: str, limit: int, lease: float) -> list[Claim]:
        check_name("route", route)
        check_name("worker", worker)
        check_claim(limit)
        check_seconds("lease", lease)
        return await self._write("claim", draining.claim, route, worker, limit, lease)

    async def extend(self, claims: Sequence[Claim], lease: float) -> frozenset[str]:
        check_seconds("lease", lease)
        if not claims:
            return frozenset()
        return await self._write("extend", draining.extend, list(claims), lease)

    async def release(self, claims: Sequence[Claim], delay: float = 0.0) -> frozenset[str]:
        check_seconds("delay", delay, allow_zero=True)
        if not claims:
            return frozenset()
        return await self._write("release", draining.release, list(claims), delay)

    async def mark_writing(self, claims: Sequence[Claim]) -> frozenset[str]:
        if not claims:
            return frozenset()
        return await self._write("mark_writing", draining.mark_writing, list(claims))

    async def record(
        self,
        via: Via,
        parts: Sequence[AcceptedPart] = (),
        settled: Sequence[Settled] = (),
    ) -> frozenset[str]:
        if not isinstance(via, Via):
            raise ConfigurationError(f"via must be a Via, not {via!r}")
        for part in parts:
            if isinstance(part.index, bool) or not isinstance(part.index, int) or part.index < 0:
                raise ConfigurationError(f"key {part.claim.key!r}: part index {part.index!r}")
            if not isinstance(part.message_id, str) or not part.message_id:
                raise ConfigurationError(f"key {part.claim.key!r}: an empty message id")
        if not parts and not settled:
            return frozenset()
        return await self._write(
            "record", draining.record, self.correlation_ttl, via, list(parts), list(settled)
        )

    # -- receipts ------------------------------------------------------------

    async def record_inbound(self, route: str, items: Sequence[Inbound]) -> list[str | None]:
        check_name("route", route)
        batch = list(items)
        if not batch:
            return []
        return await self._write(
            "record_inbound", inbound.record_inbound, self.correlation_ttl, route, batch
        )

    # -- answers -------------------------------------------------------------

    async def status(self, key: str) -> MessageStatus | None:
        check_key(key)
        return await self._db.read("status", answers.status, key)

    async def pending(self, route: str) -> Pending:
        check_name("route", route)
        return await self._db.read("pending", answers.pending, route)

    async def read_events(
        self, consumer: str, after: str | None, limit: int, wait: float
    ) -> list[Event]:
        check_name("consumer", consumer)
        check_claim(limit)
        check_seconds("wait", wait, allow_zero=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        pause = FIRST_EVENT_POLL
        while True:
            found = await self._db.read("read_events", events.read_events, consumer, after, limit)
            left = deadline - loop.time()
            if found or left <= 0:
                return found
            # Another process's commit is seen at the next look; this one's at once.
            await self._pause(min(pause, left))
            pause = min(pause * 2, self._event_poll)

    async def ack_events(self, consumer: str, event_id: str) -> None:
        check_name("consumer", consumer)
        await self._write("ack_events", events.ack_events, consumer, event_id)

    # -- housekeeping --------------------------------------------------------

    async def expire(self) -> int:
        total = 0
        if self._read_only:
            return 0
        while True:
            deleted: int = await self._db.write(
                "expire",
                self._timed,
                expiry.expire,
                (self.correlation_ttl, self.event_ttl, EXPIRY_BATCH),
            )
            total += deleted
            if not deleted:
                return total

    async def close(self) -> None:
        sweeper, self._sweeper = self._sweeper, None
        if sweeper is not None and not sweeper.done():
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        self._wake()
        await self._db.close()


def _release(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
