"""Workers' health in Redis: who is alive, since when, doing what.

A worker beats (:meth:`Workers.beat`) every few seconds with a time to live;
its heartbeat is a hash that expires when the beats stop, and the live list
is a sorted set by expiry, so ``redis-cli ZRANGE {smswire}:workers 0 -1`` and
``HGETALL {smswire}:hb:<id>`` show the same as :meth:`Workers.live`. A worker
id belongs to one store object while its heartbeat lives: a second process
beating under the same id is refused, so ids stay unique and visible.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from redis.asyncio import Redis

from smswire.errors import ConfigurationError
from smswire.outbox.redis.keys import Keys
from smswire.outbox.store import check_name

__all__ = ["WorkerHealth", "Workers"]

T = TypeVar("T")
Runner = Callable[[str, Callable[[], Awaitable[Any]]], Awaitable[Any]]

# ARGV: heartbeat key, live set, worker, token, ttl (ms), then field, value pairs.
# Returns the server time (ms), or {'taken'} when a live heartbeat has another token.
_BEAT = """
local hb, live, worker, token, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local holder = redis.call('HGET', hb, 'token')
if holder and holder ~= token then return {'taken'} end
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not holder then redis.call('HSET', hb, 'started_at', now_ms) end
redis.call('HSET', hb, 'token', token, 'beat_at', now_ms, 'expires_at', now_ms + ttl)
for i = 6, #ARGV, 2 do redis.call('HSET', hb, ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', hb, ttl)
redis.call('ZADD', live, now_ms + ttl, worker)
redis.call('ZREMRANGEBYSCORE', live, '-inf', now_ms)
return now_ms
"""
# The fields a heartbeat keeps for itself; ``info`` may not use them.
_OWN_FIELDS = frozenset({"token", "beat_at", "expires_at", "started_at"})


@dataclass(frozen=True)
class WorkerHealth:
    """A live worker: its id, when it started and last beat, when its
    heartbeat runs out (Unix times, Redis's clock), and what it said of itself."""

    worker: str
    started_at: float
    beat_at: float
    expires_at: float
    info: Mapping[str, str] = field(default_factory=dict)


class Workers:
    """The heartbeats of one outbox's workers (``RedisStore.workers``)."""

    def __init__(self, client: Redis, keys: Keys, run: Runner) -> None:
        self._redis: Any = client
        self._keys = keys
        self._run = run
        # This store object's claim on the worker ids it beats for.
        self._token = f"{socket.gethostname()}:{secrets.token_hex(8)}"
        self._beat: Any = client.register_script(_BEAT)

    async def beat(self, worker: str, ttl: float, info: Mapping[str, str]) -> None:
        """``worker`` is alive for ``ttl`` more seconds; ``info`` (str to str:
        route, binds, version) is shown with it. Raises ConfigurationError
        when another process beats under the same id."""
        check_name("worker", worker)
        clash = _OWN_FIELDS.intersection(info)
        if clash:
            raise ConfigurationError(f"heartbeat info may not set {sorted(clash)}")
        args: list[object] = [
            self._keys.heartbeat(worker),
            self._keys.workers,
            worker,
            self._token,
            max(1, round(ttl * 1000)),
        ]
        for name, value in info.items():
            args += (str(name), str(value))
        result = await self._run("beat", lambda: self._beat(keys=[self._keys.workers], args=args))
        if isinstance(result, list):
            raise ConfigurationError(
                f"worker id {worker!r} is in use by another live worker; worker ids must be unique"
            )

    async def live(self) -> list[WorkerHealth]:
        """Every worker whose heartbeat has not run out, by id."""

        async def read() -> list[WorkerHealth]:
            names = await self._redis.zrange(self._keys.workers, 0, -1)
            found = []
            for name in sorted(names):
                beat = await self._redis.hgetall(self._keys.heartbeat(name))
                if not beat:
                    continue  # ran out since; the next beat anywhere drops it from the set
                info = {k: v for k, v in beat.items() if k not in _OWN_FIELDS}
                found.append(
                    WorkerHealth(
                        name,
                        int(beat["started_at"]) / 1000,
                        int(beat["beat_at"]) / 1000,
                        int(beat["expires_at"]) / 1000,
                        info,
                    )
                )
            return found

        result: list[WorkerHealth] = await self._run("live_workers", read)
        return result

    async def stop(self, worker: str) -> None:
        """Remove ``worker``'s heartbeat now, if this store object holds it."""
        check_name("worker", worker)

        async def remove() -> None:
            key = self._keys.heartbeat(worker)
            if await self._redis.hget(key, "token") == self._token:
                await self._redis.delete(key)
                await self._redis.zrem(self._keys.workers, worker)

        await self._run("stop_beating", remove)
