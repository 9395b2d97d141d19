"""The outbox as the application uses it: put messages in, ask what became of them.

::

    from smswire.message import Message
    from smswire.outbox import Outbox

    async with Outbox.open("outbox.db") as outbox:
        await outbox.put(Message("+4791234567", "Your code is 1234"), key="order-1234")
        status = await outbox.status("order-1234")
        print(status.state)  # queued, then accepted, delivered, ...

Workers drain it (:meth:`Outbox.drain`); receivers hand it what providers
send back (:meth:`Outbox.record_inbound`); consumers follow every change
(:meth:`Outbox.events`). Every call that writes returns once the write is
committed, and raises :class:`~smswire.errors.StoreError` when it was not.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterable, Sequence
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

from smswire.errors import ConfigurationError
from smswire.message import Delivery, Message
from smswire.outbox.drain import DEFAULT_LEASE, Drain
from smswire.outbox.feed import DEFAULT_EVENT_BATCH, EventFeed
from smswire.outbox.records import Inbound, MessageStatus, Pending, Via
from smswire.outbox.sqlite.store import SqliteStore
from smswire.outbox.store import DEFAULT_ROUTE, OutboxStore

__all__ = ["Outbox", "open_store", "shown_location"]


async def open_store(location: str | os.PathLike[str], **options: object) -> OutboxStore:
    """Open the store at ``location``: a file path opens (or creates) a SQLite
    store, a ``redis://host:port/db`` URL a Redis one (the ``redis`` extra);
    ``options`` go to it (see :class:`SqliteStore`, ``RedisStore``)."""
    text = os.fspath(location)
    scheme, separator, _ = text.partition("://")
    if separator and scheme in ("redis", "rediss"):
        try:
            from smswire.outbox.redis import RedisStore
        except ImportError as exc:
            raise ConfigurationError(
                "a redis:// outbox needs the redis package: pip install 'smswire[redis]'"
            ) from exc
        # A status read creates nothing in Redis: no read-only mode is needed.
        options.pop("read_only", None)
        return await RedisStore.open(text, **options)
    if separator:
        raise ConfigurationError(
            f"no outbox store is known for {scheme}:// locations;"
            " give a file path for SQLite or a redis:// URL"
        )
    return await SqliteStore.open(text, **options)


def shown_location(location: str | os.PathLike[str]) -> str:
    """``location`` as it may be printed or logged: a URL without the
    password it may carry (``redis://:secret@host`` shows as ``redis://host``)."""
    text = os.fspath(location)
    parts = urlsplit(text)
    if "://" not in text or "@" not in parts.netloc:
        return text
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


class Outbox:
    """The durable outbox over a store (any :class:`OutboxStore`)."""

    def __init__(self, store: OutboxStore) -> None:
        self.store = store

    @classmethod
    def open(cls, location: str | os.PathLike[str], **options: object) -> _Opening:
        """The outbox at ``location`` (see :func:`open_store`): ``await`` it, or
        use it as ``async with Outbox.open(path) as outbox:``, which closes it."""
        return _Opening(location, options)

    async def __aenter__(self) -> Outbox:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.store.close()

    # -- putting messages in -------------------------------------------------

    async def put(self, message: Message, *, key: str, route: str = DEFAULT_ROUTE) -> bool:
        """Put ``message`` under ``key`` on ``route``, durably; True if the key
        is new, False if it was there already with this very message (which
        is then not sent again). Another message under the key raises
        :class:`~smswire.errors.KeyConflict`."""
        return await self.store.put(route, [(key, message)]) == 1

    async def put_many(
        self, items: Iterable[tuple[str, Message]], *, route: str = DEFAULT_ROUTE
    ) -> int:
        """Put ``(key, message)`` pairs on ``route`` in one commit (all or none);
        return how many keys were new. Keep a batch to what one transaction
        should hold (tens of thousands): other processes wait for its commit."""
        return await self.store.put(route, list(items))

    # -- answers -------------------------------------------------------------

    async def status(self, key: str) -> MessageStatus | None:
        """Everything known of the message under ``key``; None if there is none."""
        return await self.store.status(key)

    async def pending(self, route: str = DEFAULT_ROUTE) -> Pending:
        """How much of ``route`` waits to be sent."""
        return await self.store.pending(route)

    def events(
        self,
        consumer: str,
        *,
        batch: int = DEFAULT_EVENT_BATCH,
        idle_timeout: float | None = None,
    ) -> EventFeed:
        """Every state change, for the consumer named ``consumer``, from where it
        last acknowledged (see :class:`EventFeed`)."""
        return EventFeed(self.store, consumer, batch=batch, idle_timeout=idle_timeout)

    # -- workers and receivers -------------------------------------------------

    def drain(
        self,
        route: str = DEFAULT_ROUTE,
        *,
        worker: str,
        via: Via,
        delivery: Delivery = Delivery.AT_LEAST_ONCE,
        lease: float = DEFAULT_LEASE,
    ) -> Drain:
        """A worker's side of ``route`` (see :class:`Drain`)."""
        return Drain(self.store, route, worker=worker, via=via, delivery=delivery, lease=lease)

    async def record_inbound(self, route: str, items: Sequence[Inbound]) -> list[str | None]:
        """Store receipts, reports and handset messages taken on ``route`` in one
        commit; acknowledge them to the provider only after this returns.
        Returns, per item, the key of the message it matched (or None)."""
        return await self.store.record_inbound(route, items)

    async def expire(self) -> int:
        """Forget unmatched receipts and events past their time now (the store
        also does so on its own from time to time)."""
        return await self.store.expire()


class _Opening:
    """``Outbox.open(...)``: awaitable, or an async context manager that closes it."""

    def __init__(self, location: str | os.PathLike[str], options: dict[str, object]) -> None:
        self._location = location
        self._options = options
        self._outbox: Outbox | None = None

    async def _open(self) -> Outbox:
        return Outbox(await open_store(self._location, **self._options))

    def __await__(self) -> Generator[object, None, Outbox]:
        return self._open().__await__()

    async def __aenter__(self) -> Outbox:
        self._outbox = await self._open()
        return self._outbox

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._outbox is not None:
            await self._outbox.close()
