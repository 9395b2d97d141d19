"""Riding out a Redis that is gone for a moment: a restart, a failover, a dropped connection.

A call that cannot reach Redis is made again, with back-off, until
``patience`` seconds have passed since its first failure; only then does it
fail (the caller turns that into :class:`~smswire.errors.StoreUnavailable`).
So a worker keeps its place through a ``redis-server`` restart instead of
stopping, and an operator's restart costs a pause, not a fleet of workers.

Every call the store and the limiter make is safe to make twice: puts are
idempotent by key; claims, marks, reports and releases are fenced by the
claim's attempt (docs/redis-store.md); a claim whose reply was lost comes
back once its lease runs out; a limiter reservation whose reply was lost
leaves its slots unused, so the rate errs low. A server that answers with a
refusal (out of memory, MISCONF, a wrong password) is not waited for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Callable, TypeVar

from redis.exceptions import AuthenticationError, ReadOnlyError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from smswire.errors import ConfigurationError

__all__ = ["DEFAULT_PATIENCE", "check_patience", "patiently"]

_log = logging.getLogger("smswire.outbox.redis")
T = TypeVar("T")

# Long enough for a redis-server restart with its append-only file loaded, or
# a Sentinel failover (its default down-after is 30 s), short enough that a
# Redis that is really gone stops the worker within a minute.
DEFAULT_PATIENCE = 30.0
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 1.0
# Redis unreachable, still loading its data (BusyLoadingError is a
# ConnectionError), or a replica not yet promoted (READONLY).
_GONE_FOR_NOW = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OSError)


def check_patience(patience: float) -> float:
    if isinstance(patience, bool) or not isinstance(patience, (int, float)) or not patience >= 0:
        raise ConfigurationError(
            f"reconnect_patience must be a number of seconds, 0 or more, not {patience!r}"
        )
    return float(patience)


async def patiently(call: Callable[[], Awaitable[T]], patience: float, what: str) -> T:
    """``await call()``, made again while Redis is unreachable, for up to
    ``patience`` seconds; then its last error is raised. ``what`` names the
    call in the one warning logged when it first fails."""
    give_up_at: float | None = None
    pause = FIRST_PAUSE
    while True:
        try:
            return await call()
        except AuthenticationError:
            raise
        except _GONE_FOR_NOW as exc:
            now = time.monotonic()
            if give_up_at is None:
                give_up_at = now + patience
                if patience > 0:
                    _log.warning(
                        "%s: Redis did not answer (%s); trying again for up to %.1f s",
                        what,
                        type(exc).__name__,
                        patience,
                    )
            if now >= give_up_at:
                raise
            await asyncio.sleep(min(pause, give_up_at - now))
            pause = min(pause * 2, LONGEST_PAUSE)
