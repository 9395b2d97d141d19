"""The outbox store on Redis: many worker processes on many machines, one outbox.

Each route's messages are a Redis Stream read through one consumer group
(``workers``): a claim takes expired leases over with ``XAUTOCLAIM`` and new
messages with ``XREADGROUP``; an outcome acknowledges and deletes the entry.
Claims, leases and fencing are Lua scripts (:mod:`.scripts`) on the server's
clock; reports and receipts are optimistic transactions (:mod:`.reports`).
Events are one stream, each consumer's acknowledged position a consumer
group's last-delivered id. docs/redis-store.md describes the key layout.

Durability is Redis's: run it with ``appendonly yes`` (an acknowledged write
is in the append-only file before the reply, so a killed redis-server keeps
it; ``appendfsync always`` keeps it through a power cut too). A lost
connection is made again, the call repeated, for up to ``reconnect_patience``
seconds (:mod:`.patience`: a restart or a failover is a pause, not a stop);
past that the call fails with :class:`~smswire.errors.StoreUnavailable` and
the next call connects again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Sequence
from typing import Any, Callable, TypeVar
from urllib.parse import parse_qs, urlsplit

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from smswire.errors import ClaimError, ConfigurationError, KeyConflict, StoreUnavailable
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
from smswire.outbox.redis import events, reports, scripts
from smswire.outbox.redis.keys import DEFAULT_PREFIX, Keys
from smswire.outbox.redis.patience import DEFAULT_PATIENCE, check_patience, patiently
from smswire.outbox.redis.rows import check_event_id, message_status, parse_parts
from smswire.outbox.redis.workers import WorkerHealth, Workers
from smswire.outbox.serial import decode_message, encode_message
from smswire.outbox.store import (
    DEFAULT_CORRELATION_TTL,
    check_claim,
    check_key,
    check_name,
    check_seconds,
)

__all__ = ["LEASE_HORIZON", "RedisStore"]

_log = logging.getLogger("smswire.outbox.redis")
T = TypeVar("T")

# The longest lease or release delay: claims set their entries' idle time to
# this less the lease (scripts.py), so it bounds both. Thirty days.
LEASE_HORIZON = 30 * 24 * 3600.0
# How often a store trims events past their TTL from the feed on its own.
EXPIRY_INTERVAL = 600.0
# How long a call waits to connect, and for a reply, before StoreUnavailable
# (a wait for events blocks in shorter steps: events.MAX_BLOCK).
CONNECT_TIMEOUT = 5.0
REPLY_TIMEOUT = 30.0


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisStore:
    """The outbox store in the Redis at ``url`` (``redis://host:port/db``).

    Open it with ``await RedisStore.open(url, ...)``. ``prefix``: the hash tag
    all its keys start with (one per outbox sharing a Redis).
    ``correlation_ttl``: seconds a recorded id, or a receipt waiting for its
    id, can match (default 7 days). ``event_ttl``: seconds events are kept.
    ``reconnect_patience``: seconds a call waits for an unreachable Redis to
    come back before :class:`~smswire.errors.StoreUnavailable` (default 30).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        correlation_ttl: float = DEFAULT_CORRELATION_TTL,
        event_ttl: float = DEFAULT_CORRELATION_TTL,
        reconnect_patience: float = DEFAULT_PATIENCE,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ConfigurationError(f"a Redis store needs a redis:// URL, not {parts.scheme}://")
        # Shown in reprs and errors: never the password the URL may carry.
        self.where = f"{parts.scheme}://{parts.hostname or ''}:{parts.port or ''}{parts.path}"
        self.correlation_ttl = check_seconds("correlation_ttl", correlation_ttl)
        self.event_ttl = check_seconds("event_ttl", event_ttl)
        self.reconnect_patience = check_patience(reconnect_patience)
        if not isinstance(prefix, str) or not prefix:
            raise ConfigurationError(f"prefix must be a non-empty str, not {prefix!r}")
        self.keys = Keys(prefix)
        self._redis: Any = Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=REPLY_TIMEOUT,
        )
        self._scripts: dict[str, Any] = {
            name: self._redis.register_script(getattr(scripts, name))
            for name in ("PUT", "CLAIM", "EXTEND", "RELEASE", "MARK", "ACK_EVENTS")
        }
        self.workers = Workers(self._redis, self.keys, self._run)
        self._closed = False
        self._next_expiry = 0.0
        self._sweeper: asyncio.Task[int] | None = None

    @classmethod
    async def open(cls, url: str, **options: Any) -> RedisStore:
        """Open the store at ``url``; a ``?prefix=NAME`` in it names the outbox
        (its keys start ``{NAME}``). Checks that Redis answers."""
        query = parse_qs(urlsplit(url).query)
        if "prefix" in query:
            options.setdefault("prefix", "{" + query["prefix"][0] + "}")
            url = url.split("?", 1)[0]
        store = cls(url, **options)
        await store._run("open", store._redis.ping)
        return store

    def __repr__(self) -> str:
        return f"RedisStore({self.where!r}, prefix={self.keys.prefix!r})"

    # -- plumbing ------------------------------------------------------------

    def _check_open(self, operation: str) -> None:
        if self._closed:
            raise StoreUnavailable(
                f"the outbox store {self} is closed ({operation})", operation=operation
            )

    async def _run(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        self._check_open(operation)
        try:
            return await patiently(call, self.reconnect_patience, f"the outbox's {operation}")
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise StoreUnavailable(
                f"Redis at {self.where} did not answer {operation}: {exc}", operation=operation
            ) from exc
        except ResponseError as exc:
            # Out of memory, read-only replica, a failed disk write (MISCONF), ...
            raise StoreUnavailable(
                f"Redis at {self.where} refused {operation}: {exc}", operation=operation
            ) from exc
        except RedisError as exc:
            raise StoreUnavailable(
                f"Redis at {self.where} failed {operation}: {exc}", operation=operation
            ) from exc

    async def _script(
        self, operation: str, name: str, args: Sequence[object], route: str = ""
    ) -> Any:
        # The one declared key routes the call to the outbox's slot in a cluster.
        key = self.keys.queue(route) if route else self.keys.events
        return await self._run(operation, lambda: self._scripts[name](keys=[key], args=args))

    def _schedule_sweep(self) -> None:
        now = time.time()
        if now < self._next_expiry or (self._sweeper is not None and not self._sweeper.done()):
            return
        self._next_expiry = now + EXPIRY_INTERVAL
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> int:
        try:
            return await self.expire()
        except StoreUnavailable as exc:
            _log.warning("trimming old outbox events failed: %s", exc)
            return 0

    @staticmethod
    def _claim_args(claims: Sequence[Claim]) -> list[object]:
        return [value for c in claims for value in (c.key, c.worker, c.attempt)]

    # -- putting -------------------------------------------------------------

    async def put(self, route: str, items: Sequence[tuple[str, Message]]) -> int:
        check_name("route", route)
        wanted: dict[str, Message] = {}
        for key, message in items:
            check_key(key)
            if not isinstance(message, Message):
                raise ConfigurationError(
                    f"key {key!r}: message must be a Message, not {type(message).__name__}"
                )
            if key in wanted and wanted[key] != message:
                raise KeyConflict(f"key {key!r} is given twice with different messages", key=key)
            wanted[key] = message
        if not wanted:
            return 0
        args: list[object] = [self.keys.prefix, route]
        for key, message in wanted.items():
            args += (key, encode_message(message))
        result = await self._script("put", "PUT", args, route)
        if isinstance(result, list):
            reason, key, stored_route = result
            if reason == "route":
                raise KeyConflict(
                    f"key {key!r} is in the outbox on route {stored_route!r}, not {route!r}",
                    key=key,
                )
            raise KeyConflict(
                f"key {key!r} is in the outbox with a different message; "
                "a key names one message for good",
                key=key,
            )
        self._schedule_sweep()
        return int(result)

    # -- draining ------------------------------------------------------------

    async def claim(self, route: str, worker: str, limit: int, lease: float) -> list[Claim]:
        check_name("route", route)
        check_name("worker", worker)
        check_claim(limit)
        lease = self._check_span("lease", lease)
        args = [self.keys.prefix, route, worker, limit, _ms(lease), _ms(LEASE_HORIZON)]
        found = await self._script("claim", "CLAIM", args, route)
        claims = []
        for key, payload, attempt, possibly, entry, earlier in found:
            ids: tuple[str, ...] = ()
            if earlier:
                parts = parse_parts(dict(zip(earlier[::2], earlier[1::2])))
                ids = tuple(part.message_id for part in parts)
            message = decode_message(payload)
            claims.append(Claim(key, route, message, worker, attempt, bool(possibly), ids, entry))
        return claims

    @staticmethod
    def _check_span(what: str, seconds: float, *, allow_zero: bool = False) -> float:
        seconds = check_seconds(what, seconds, allow_zero=allow_zero)
        if seconds > LEASE_HORIZON:
            raise ConfigurationError(f"{what} must be at most {LEASE_HORIZON:.0f} seconds")
        return seconds

    async def extend(self, claims: Sequence[Claim], lease: float) -> frozenset[str]:
        lease = self._check_span("lease", lease)
        if not claims:
            return frozenset()
        args = [self.keys.prefix, _ms(lease), _ms(LEASE_HORIZON), *self._claim_args(claims)]
        return frozenset(await self._script("extend", "EXTEND", args, claims[0].route))

    async def release(self, claims: Sequence[Claim], delay: float = 0.0) -> frozenset[str]:
        delay = self._check_span("delay", delay, allow_zero=True)
        if not claims:
            return frozenset()
        delay_ms = round(delay * 1000)
        args = [self.keys.prefix, delay_ms, _ms(LEASE_HORIZON), *self._claim_args(claims)]
        result = await self._script("release", "RELEASE", args, claims[0].route)
        if result[0] == "accepted":
            _, key, attempt, index = result
            raise ClaimError(
                f"key {key!r}: claim {attempt} has part {index} accepted by the "
                "provider, so it was written; record its outcome instead of releasing it"
            )
        return frozenset(result[1:])

    async def mark_writing(self, claims: Sequence[Claim]) -> frozenset[str]:
        if not claims:
            return frozenset()
        args = [self.keys.prefix, *self._claim_args(claims)]
        return frozenset(await self._script("mark_writing", "MARK", args, claims[0].route))

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
        ttl = _ms(self.correlation_ttl)

        def body(pipe: Any) -> Awaitable[frozenset[str]]:
            return reports.record(pipe, self.keys, time.time(), ttl, via, parts, settled)

        lost = await self._run("record", lambda: reports.transact(self._redis, "record", body))
        # Events grow with outcomes: the feed is trimmed past its TTL from here too.
        self._schedule_sweep()
        return lost

    # -- receipts ------------------------------------------------------------

    async def record_inbound(self, route: str, items: Sequence[Inbound]) -> list[str | None]:
        check_name("route", route)
        batch = list(items)
        if not batch:
            return []
        ttl = _ms(self.correlation_ttl)

        def body(pipe: Any) -> Awaitable[list[str | None]]:
            return reports.record_inbound(pipe, self.keys, time.time(), ttl, route, batch)

        return await self._run(
            "record_inbound", lambda: reports.transact(self._redis, "record_inbound", body)
        )

    # -- answers -------------------------------------------------------------

    async def status(self, key: str) -> MessageStatus | None:
        check_key(key)

        async def read() -> list[Any]:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hgetall(self.keys.message(key))
                pipe.hgetall(self.keys.parts(key))
                pipe.lrange(self.keys.receipts(key), 0, -1)
                return await pipe.execute()  # type: ignore[no-any-return]

        row, parts, receipts = await self._run("status", read)
        if not row:
            return None
        return message_status(key, row, parse_parts(parts), receipts)

    async def pending(self, route: str) -> Pending:
        check_name("route", route)

        async def read() -> list[Any]:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xlen(self.keys.queue(route))
                pipe.scard(self.keys.held(route))
                pipe.xrange(self.keys.queue(route), count=1)
                return await pipe.execute()  # type: ignore[no-any-return]

        waiting, held, oldest = await self._run("pending", read)
        put_at = float(oldest[0][1]["at"]) if oldest else None
        return Pending(queued=waiting - held, claimed=held, oldest_put_at=put_at)

    async def read_events(
        self, consumer: str, after: str | None, limit: int, wait: float
    ) -> list[Event]:
        check_name("consumer", consumer)
        check_claim(limit)
        wait = check_seconds("wait", wait, allow_zero=True)
        if after is not None:
            check_event_id(after)
        return await self._run(
            "read_events",
            lambda: events.read(self._redis, self.keys, consumer, after, limit, wait),
        )

    async def ack_events(self, consumer: str, event_id: str) -> None:
        self._check_open("ack_events")
        check_name("consumer", consumer)
        check_event_id(event_id)
        await self._script("ack_events", "ACK_EVENTS", [self.keys.prefix, consumer, event_id])

    # -- workers -------------------------------------------------------------

    async def beat(self, worker: str, ttl: float, **info: str) -> None:
        """Say that ``worker`` is alive for ``ttl`` more seconds (see :class:`Workers`)."""
        await self.workers.beat(worker, check_seconds("ttl", ttl), info)

    async def live_workers(self) -> list[WorkerHealth]:
        """The workers whose heartbeat has not run out, by id."""
        return await self.workers.live()

    async def stop_beating(self, worker: str) -> None:
        """Take ``worker`` off the live list at once (a clean stop)."""
        await self.workers.stop(worker)

    # -- housekeeping --------------------------------------------------------

    async def expire(self) -> int:
        # Correlation keys carry their own expiry; events are trimmed here.
        cutoff = f"{max(0, _ms(time.time() - self.event_ttl))}-0"
        trimmed = await self._run(
            "expire",
            lambda: self._redis.xtrim(self.keys.events, minid=cutoff, approximate=False),
        )
        return int(trimmed)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        sweeper, self._sweeper = self._sweeper, None
        if sweeper is not None and not sweeper.done():
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        await self._redis.aclose()
