"""One SQLite connection on a thread of its own, so the event loop never waits on it.

Every call runs on the connection's thread: a write inside ``BEGIN IMMEDIATE``
... ``COMMIT`` (the write lock taken first, so a transaction never fails
half way for want of it), a read inside a deferred transaction (one
consistent snapshot). The loop only awaits the result, so a busy wait on
another process's lock, an fsync or a long batch never blocks it.

Writes are committed in groups: the writes that queue up while the thread
is busy run one after the other in one transaction, one commit (one fsync)
for all of them, and each returns once that commit is done. A group in
which anything fails is rolled back and its writes run again one
transaction each, so a write fails for its own reasons only, as if it had
been alone.

SQLite's errors become the outbox's: a lock held past the busy timeout is
:class:`~smswire.errors.StoreBusy`; everything else that stops a commit
(read-only file, full disk, I/O error, a corrupt or foreign file, a closed
store) is :class:`~smswire.errors.StoreUnavailable`. Either way the
transaction was rolled back and nothing of the call is durable.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from smswire.errors import StoreBusy, StoreError, StoreUnavailable

__all__ = ["Database"]

_log = logging.getLogger("smswire.outbox.sqlite")

T = TypeVar("T")

# https://www.sqlite.org/rescode.html: primary result codes (the low byte).
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_BUSY_TEXTS = ("database is locked", "database table is locked")
# Retrying the switch to WAL: the first pause, doubling to the longest.
_WAL_RETRY_FIRST, _WAL_RETRY_MAX = 0.005, 0.1
# The most writes one commit takes: bounds how long the write lock is held
# (other processes wait for it) and what one failure sends back to run alone.
GROUP_LIMIT = 64


class _Write:
    """A write waiting for its group: what to run, and who awaits it."""

    __slots__ = ("args", "done", "operation", "outcome", "work")

    def __init__(
        self,
        operation: str,
        work: Callable[..., Any],
        args: tuple[object, ...],
        done: asyncio.Future[Any],
    ) -> None:
        self.operation = operation
        self.work = work
        self.args = args
        self.done = done
        # Set on the thread: (True, result) or (False, exception).
        self.outcome: tuple[bool, Any] = (False, None)


def _is_busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return bool(code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED))
    return str(exc) in _BUSY_TEXTS


class Database:
    """A SQLite file opened in WAL mode, used from one thread.

    ``busy_timeout``: seconds a write waits for another process's lock before
    :class:`~smswire.errors.StoreBusy`. ``synchronous``: ``"full"`` fsyncs the
    WAL at every commit (a commit survives a power cut), ``"normal"`` only at
    checkpoints (a commit survives the process, not the machine).
    """

    def __init__(
        self, path: str, *, busy_timeout: float, synchronous: str, read_only: bool = False
    ) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._synchronous = synchronous
        self._read_only = read_only
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None
        # Writes waiting for the thread, and whether a group is on its way there.
        self._writes: collections.deque[_Write] = collections.deque()
        self._grouping = False

    async def open(self, prepare: Callable[[sqlite3.Connection], None]) -> None:
        """Connect on the thread and run ``prepare`` (the schema migrations)."""
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="smswire-outbox")
        try:
            await self._call("open", self._connect, prepare)
        except BaseException:
            await self.close()
            raise

    def _connect(self, prepare: Callable[[sqlite3.Connection], None]) -> None:
        if self._read_only:
            target, uri = f"file:{self.path}?mode=ro", True
        else:
            target, uri = self.path, False
        connection = sqlite3.connect(
            target, timeout=self._busy_timeout, isolation_level=None, uri=uri
        )
        try:
            if not self._read_only:
                self._enter_wal(connection)
            connection.execute(f"PRAGMA synchronous={self._synchronous.upper()}")
            prepare(connection)
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    def _enter_wal(self, connection: sqlite3.Connection) -> None:
        """Switch the file to WAL (https://www.sqlite.org/wal.html: readers and
        the one writer work at once; the setting persists in the file).

        Two connections switching a new file at once can deadlock on the lock
        upgrade, and SQLite then answers BUSY at once instead of waiting (its
        busy handler would wait forever), so the switch is retried here, for
        as long as the busy timeout allows.
        """
        deadline = time.monotonic() + self._busy_timeout
        pause = _WAL_RETRY_FIRST
        while True:
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, _WAL_RETRY_MAX)

    async def write(self, operation: str, work: Callable[..., T], *args: object) -> T:
        """Run ``work(connection, *args)`` in a write transaction (shared with
        the writes queued with it), committed before this returns."""
        if self._executor is None:
            raise StoreUnavailable(
                f"the outbox store {self.path} is closed ({operation})", operation=operation
            )
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._writes.append(_Write(operation, work, args, done))
        if not self._grouping:
            self._next_group()
        return await done

    def _next_group(self) -> None:
        """Send the writes waiting now to the thread as one group (on the loop)."""
        group: list[_Write] = []
        while self._writes and len(group) < GROUP_LIMIT:
            write = self._writes.popleft()
            if not write.done.cancelled():  # its caller gave up before it started
                group.append(write)
        if not group:
            self._grouping = False
            return
        self._grouping = True
        task = asyncio.ensure_future(self._call("write", self._group, group))
        task.add_done_callback(lambda finished: self._grouped(group, finished))

    def _grouped(self, group: list[_Write], finished: asyncio.Future[None]) -> None:
        """The group is back from the thread (on the loop): each write's result."""
        cancelled = finished.cancelled()
        failure = None if cancelled else finished.exception()
        for write in group:
            if write.done.done():
                continue
            if cancelled:
                write.done.cancel()
            elif failure is not None:  # the store closed under it
                write.done.set_exception(failure)
            elif write.outcome[0]:
                write.done.set_result(write.outcome[1])
            else:
                write.done.set_exception(write.outcome[1])
        self._next_group()

    def _group(self, group: list[_Write]) -> None:
        """On the thread: the group in one transaction, or, if anything in it
        fails, each write in a transaction of its own."""
        if len(group) > 1:
            try:
                results = self._transaction("BEGIN IMMEDIATE", _run_all, (group,))
            except sqlite3.Error as exc:
                if _is_busy(exc):  # another process held the lock: alone, each would wait too
                    for write in group:
                        write.outcome = (False, self._translate(write.operation, exc))
                    return
                _log.debug("a group of %d writes failed (%s); each runs alone", len(group), exc)
            except Exception as exc:
                _log.debug("a group of %d writes failed (%s); each runs alone", len(group), exc)
            else:
                for write, result in zip(group, results):
                    write.outcome = (True, result)
                return
        for write in group:
            try:
                result = self._guarded(
                    write.operation,
                    self._transaction,
                    ("BEGIN IMMEDIATE", write.work, write.args),
                )
            except Exception as exc:
                write.outcome = (False, exc)
            else:
                write.outcome = (True, result)

    async def read(self, operation: str, work: Callable[..., T], *args: object) -> T:
        """Run ``work(connection, *args)`` on one consistent snapshot."""
        return await self._call(operation, self._transaction, "BEGIN", work, args)

    def _transaction(self, begin: str, work: Callable[..., T], args: tuple[object, ...]) -> T:
        connection = self._connection
        if connection is None:
            raise sqlite3.ProgrammingError("the store is closed")
        connection.execute(begin)
        try:
            result = work(connection, *args)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                try:
                    connection.execute("ROLLBACK")
                except sqlite3.Error as exc:
                    # SQLite rolls back by itself after some errors (a full disk).
                    _log.debug("rollback after a failed transaction: %s", exc)
            raise
        return result

    async def _call(self, operation: str, function: Callable[..., T], *args: object) -> T:
        executor = self._executor
        if executor is None:
            raise StoreUnavailable(
                f"the outbox store {self.path} is closed ({operation})", operation=operation
            )
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, self._guarded, operation, function, args)
        except RuntimeError as exc:
            # The executor was shut down while this call waited to be queued.
            raise StoreUnavailable(
                f"the outbox store {self.path} is closed ({operation})", operation=operation
            ) from exc

    def _guarded(self, operation: str, function: Callable[..., T], args: tuple[object, ...]) -> T:
        try:
            return function(*args)
        except sqlite3.Error as exc:
            raise self._translate(operation, exc) from exc

    def _translate(self, operation: str, exc: sqlite3.Error) -> StoreError:
        if _is_busy(exc):
            return StoreBusy(
                f"the outbox store {self.path} stayed locked by another process for over "
                f"{self._busy_timeout:g} s ({operation}); nothing was committed",
                operation=operation,
            )
        return StoreUnavailable(
            f"the outbox store {self.path} cannot commit ({operation}): {exc}; "
            "nothing was committed",
            operation=operation,
        )

    async def close(self) -> None:
        """Close the connection and stop its thread; later calls raise
        :class:`~smswire.errors.StoreUnavailable`."""
        executor, self._executor = self._executor, None
        for write in self._writes:
            if not write.done.done():
                write.done.set_exception(
                    StoreUnavailable(
                        f"the outbox store {self.path} is closed ({write.operation})",
                        operation=write.operation,
                    )
                )
        self._writes.clear()
        if executor is None:
            return
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(executor, self._disconnect)
        finally:
            executor.shutdown(wait=False)

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _run_all(connection: sqlite3.Connection, group: list[_Write]) -> list[Any]:
    return [write.work(connection, *write.args) for write in group]
