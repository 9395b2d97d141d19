"""An account-wide rate held in Redis: one GCRA shared by every process on every machine.

The same rule as :class:`smswire.ratelimit.RateLimiter` (ITU-T I.371 §4.4.2,
virtual scheduling: one theoretical arrival time, requests ``1/rate`` apart,
``burst`` at once after a pause, no first-second burst beyond it), with the
theoretical arrival time in one Redis key, moved by a Lua script on the
server's clock, so the check and the reservation are one atomic step for all.

::

    limiter = RedisRateLimiter.from_url("redis://10.0.0.5:6379/0", "inmobile", rate=100, burst=4)
    await limiter.acquire()      # before each submit_sm, in any process
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from smswire.errors import ConfigurationError, StoreUnavailable
from smswire.outbox.redis.keys import DEFAULT_PREFIX, Keys
from smswire.outbox.redis.patience import DEFAULT_PATIENCE, check_patience, patiently
from smswire.outbox.store import check_name
from smswire.ratelimit import RateLimiter

__all__ = ["RedisRateLimiter"]

# KEYS[1]: the limiter's key. ARGV: interval (µs), tolerance (µs), count.
# Reserves count consecutive slots; returns how many µs to wait before using them.
_GCRA = """
local interval, tolerance, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local last = tat + (count - 1) * interval
local next_tat = tat + count * interval
-- Kept while it still matters (until it falls behind the clock), then gone.
redis.call('SET', KEYS[1], string.format('%d', next_tat),
  'PX', math.floor((next_tat - now) / 1000) + 1000)
local wait = last - tolerance - now
if wait < 0 then return 0 end
return wait
"""
_MICROSECONDS = 1_000_000


class RedisRateLimiter:
    """``rate`` requests a second, ``burst`` at once at most, across every
    process that uses the limiter named ``name`` in the same Redis.
    ``reconnect_patience``: seconds to wait for an unreachable Redis before
    :class:`~smswire.errors.StoreUnavailable` (sending waits meanwhile)."""

    def __init__(
        self,
        client: Redis,
        name: str,
        rate: float,
        burst: int = 1,
        *,
        prefix: str = DEFAULT_PREFIX,
        reconnect_patience: float = DEFAULT_PATIENCE,
    ) -> None:
        # The local limiter checks rate and burst the same way (and names them).
        local = RateLimiter(rate, burst)
        self.rate = local.rate
        self.burst = local.burst
        self.name = check_name("name", name)
        self.reconnect_patience = check_patience(reconnect_patience)
        self._interval = max(1, round(_MICROSECONDS / self.rate))
        self._tolerance = (self.burst - 1) * self._interval
        self._redis: Any = client
        self._key = Keys(prefix).limiter(name)
        self._script: Any = client.register_script(_GCRA)

    @classmethod
    def from_url(
        cls,
        url: str,
        name: str,
        rate: float,
        burst: int = 1,
        *,
        prefix: str = DEFAULT_PREFIX,
        reconnect_patience: float = DEFAULT_PATIENCE,
    ) -> RedisRateLimiter:
        return cls(
            Redis.from_url(url),
            name,
            rate,
            burst,
            prefix=prefix,
            reconnect_patience=reconnect_patience,
        )

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self.name!r}, rate={self.rate}, burst={self.burst})"

    async def reserve(self, n: int = 1) -> float:
        """Claim ``n`` consecutive slots; returns how many seconds to wait
        before using them (0.0 when they may go now)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ConfigurationError(f"n must be an integer of at least 1, not {n!r}")
        args = [self._interval, self._tolerance, n]
        try:
            wait = await patiently(
                lambda: self._script(keys=[self._key], args=args),
                self.reconnect_patience,
                f"rate limiter {self.name!r}",
            )
        except (RedisError, OSError) as exc:
            # Without Redis nobody can say what the account may send: no guess.
            raise StoreUnavailable(
                f"rate limiter {self.name!r}: Redis did not answer: {exc}", operation="acquire"
            ) from exc
        return int(wait) / _MICROSECONDS

    async def acquire(self, n: int = 1) -> None:
        """Wait until ``n`` requests may go. The slots are reserved at once, so
        a caller cancelled while waiting leaves them unused: the rate errs low,
        never high."""
        wait = await self.reserve(n)
        if wait > 0:
            await asyncio.sleep(wait)

    async def close(self) -> None:
        await self._redis.aclose()
