"""A rate that holds from the first second: the generic cell rate algorithm.

GCRA (ITU-T I.371 §4.4.2, the "virtual scheduling" form) keeps one number, the
theoretical arrival time (TAT) of the next request. Requests are spaced
``1/rate`` apart, and up to ``burst`` may go at once after a pause; unlike a
token bucket that starts full, nothing lets a first-second burst past the
rate. Both ways out use it (SMPP counts submit_sm, LINK counts POSTs), and the
account-wide limiter of a bind pool is the same rule held elsewhere.

:class:`RateLimit` is what a sender needs of any limiter, wherever it keeps
its state: ``await acquire(n)`` returns when ``n`` more requests may go. The
local :class:`RateLimiter` is one; a limiter shared by many processes (held in
Redis) is another, and a bind pool takes either.
"""

from __future__ import annotations

import asyncio
import math
import threading
from typing import Protocol, runtime_checkable

from smswire.errors import ConfigurationError

__all__ = ["RateLimit", "RateLimiter"]


@runtime_checkable
class RateLimit(Protocol):
    """A limiter a sender waits on before each request it writes."""

    async def acquire(self, n: int = 1) -> None:
        """Return once ``n`` more requests may go, having counted them."""


class RateLimiter:
    """Spaces requests ``1/rate`` seconds apart, ``burst`` at once at most.

    Thread-safe. Times are whatever clock the caller passes, in seconds.
    """

    def __init__(self, rate: float, burst: int = 1) -> None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise ConfigurationError(f"rate must be a number, not {type(rate).__name__}")
        if not (math.isfinite(rate) and rate > 0):
            raise ConfigurationError(
                f"rate must be a positive number of requests per second, not {rate!r}"
            )
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ConfigurationError(f"burst must be an integer of at least 1, not {burst!r}")
        self.rate = float(rate)
        self.burst = burst
        self._interval = 1.0 / self.rate
        # How far ahead of its slot a request may go: the burst beyond the first.
        self._tolerance = (burst - 1) * self._interval
        self._tat = -math.inf
        self._lock = threading.Lock()

    def reserve(self, now: float, count: int = 1) -> float:
        """Claim ``count`` consecutive slots; returns how long to wait before
        using them (0.0 when they may go now)."""
        with self._lock:
            tat = max(self._tat, now)
            last = tat + (count - 1) * self._interval
            self._tat = tat + count * self._interval
            return max(0.0, last - self._tolerance - now)

    async def acquire(self, n: int = 1) -> None:
        """Claim ``n`` consecutive slots on the event loop's clock and wait for
        the last of them. For an even spacing claim one at a time: ``n`` claimed
        together go at once, so a sliding one-second window may then see up to
        ``n - 1`` more than the rate."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ConfigurationError(f"n must be an integer of at least 1, not {n!r}")
        wait = self.reserve(asyncio.get_running_loop().time(), n)
        if wait > 0:
            await asyncio.sleep(wait)

    def available(self, now: float) -> int:
        """How many requests may go at ``now`` without waiting (not claimed)."""
        with self._lock:
            tat = max(self._tat, now)
            room = now + self._tolerance - tat
            return 0 if room < 0 else int(room // self._interval) + 1

    def next_free(self, now: float) -> float:
        """How long from ``now`` until one more request may go."""
        with self._lock:
            return max(0.0, max(self._tat, now) - self._tolerance - now)
