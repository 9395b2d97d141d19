"""An account's submit_sm cap, held across all its binds and against the SMSC's own count.

SMSCs count a rate cap in a window that slides (at most ``limit`` submits in
any one second, :class:`~smswire.smpp.simulator.throttle.PerSecondCap`), on
their own clock, when each submit_sm *arrives*. A sender that spaces its writes
exactly ``1/limit`` apart (GCRA, :class:`~smswire.ratelimit.RateLimiter`) still
gets ESME_RTHROTTLED now and then: a submit held up on its way (a busy event
loop, a TLS record, the network) arrives late, the next ones on time, and
``limit + 1`` of them land within one second.

:class:`AccountGate` closes that gap with what the sender can know for
certain: the SMSC counted a submit no earlier than it was written and no
later than its response came back. So a submit goes only while fewer than
``per_second`` others are either unanswered or were answered within the last
second; then no ``per_second + 1`` of them can have arrived within one second,
however the network delayed them. It costs the round trip: the sustained rate
is ``per_second / (1 s + round trip)``, within 1 % of the cap for round trips
under 10 ms. The GCRA in front spaces them evenly from the first second.
"""

from __future__ import annotations

import asyncio
import collections
import math

from smswire.errors import ConfigurationError
from smswire.ratelimit import RateLimit, RateLimiter

__all__ = ["SMSC_CAP_WINDOW", "AccountGate"]

# The interval SMSCs state their caps in: submit_sm per second.
SMSC_CAP_WINDOW = 1.0
# Float sums of loop times may round a full second down by an ulp; the SMSC's
# own comparison (now - oldest >= 1 s) must still hold on its side.
_CLOCK_SLACK = 1e-6


class AccountGate:
    """Admits submit_sm within ``limiter`` (None: no spacing) and keeps at most
    ``per_second`` of them countable by the SMSC in any one second (None: no such
    bound). A :class:`~smswire.smpp.gate.SubmitGate` shared by a pool's binds.
    """

    def __init__(self, limiter: RateLimit | None, per_second: int | None) -> None:
        if per_second is not None and (
            isinstance(per_second, bool) or not isinstance(per_second, int) or per_second < 1
        ):
            raise ConfigurationError(
                f"per_second must be an integer of at least 1, not {per_second!r}"
            )
        self.limiter = limiter
        self.per_second = per_second
        self._in_flight = 0
        # When each of the recent answers came back, oldest first.
        self._answered: collections.deque[float] = collections.deque()
        self._waiters: list[asyncio.Future[None]] = []

    @property
    def in_flight(self) -> int:
        """Submits admitted and not yet settled."""
        return self._in_flight

    def countable(self, now: float) -> int:
        """Submits the SMSC may count in the second before ``now``: unanswered,
        or answered within that second."""
        answered = self._answered
        horizon = now - SMSC_CAP_WINDOW - _CLOCK_SLACK
        while answered and answered[0] <= horizon:
            answered.popleft()
        return self._in_flight + len(answered)

    async def admit(self) -> None:
        if self.limiter is not None:
            await self.limiter.acquire(1)
        cap = self.per_second
        if cap is not None:
            loop = asyncio.get_running_loop()
            while self.countable(loop.time()) >= cap:
                # Room comes back when the oldest answer leaves the second, or
                # (with all of them unanswered) when an answer comes.
                wait = None
                if self._answered:
                    wait = self._answered[0] + SMSC_CAP_WINDOW + _CLOCK_SLACK - loop.time()
                waiter = loop.create_future()
                self._waiters.append(waiter)
                try:
                    await asyncio.wait([waiter], timeout=None if wait is None else max(wait, 0.0))
                finally:
                    if waiter in self._waiters:
                        self._waiters.remove(waiter)
        # Counted the moment it is admitted: nothing awaits between here and the write.
        self._in_flight += 1

    def try_admit(self) -> bool:
        limiter = self.limiter
        now = asyncio.get_running_loop().time()
        if limiter is not None and not (
            isinstance(limiter, RateLimiter) and limiter.available(now) >= 1
        ):
            return False  # a limiter held elsewhere is only ever awaited
        if self.per_second is not None and self.countable(now) >= self.per_second:
            return False
        if limiter is not None:
            limiter.reserve(now)
        self._in_flight += 1
        return True

    def unused(self) -> None:
        self._in_flight -= 1
        self._wake()

    def settled(self) -> None:
        self._in_flight -= 1
        if self.per_second is not None:
            self._answered.append(asyncio.get_running_loop().time())
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


def per_second_of(rate: float) -> int:
    """The whole submits a second a rate allows, at least 1."""
    return max(1, math.floor(rate + _CLOCK_SLACK))
