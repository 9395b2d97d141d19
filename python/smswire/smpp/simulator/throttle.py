"""The simulator's limits on what clients may ask of it: submits per second, failed binds.

Both count on the event loop's monotonic clock, handed in by the caller, so
they hold across wall-clock steps and are tested with plain numbers.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

from smswire.errors import ConfigurationError

__all__ = ["FailedBindGuard", "FailedBindLimit", "PerSecondCap"]

# The window every rate cap counts in: SMSCs state their limits per second.
CAP_WINDOW = 1.0
# Remote addresses whose failed binds are remembered at once; the oldest is
# forgotten beyond it, so a flood of addresses cannot grow the table without end.
MAX_TRACKED_ADDRESSES = 10_000


class PerSecondCap:
    """At most ``limit`` admissions in any interval of one second.

    The window slides: a submit at time ``t`` is admitted when fewer than
    ``limit`` were admitted in ``(t - 1, t]``, so no one-second interval,
    however placed, holds more than ``limit`` (which is stricter than counting
    per calendar second, where two adjacent seconds may hold ``2 * limit``
    across their boundary). Refused attempts do not count.
    """

    __slots__ = ("_times", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ConfigurationError(
                f"a submit_sm rate cap must be at least 1 a second, not {limit}"
            )
        self.limit = limit
        # The last ``limit`` admission times; the oldest is the one that matters.
        self._times: collections.deque[float] = collections.deque(maxlen=limit)

    def has_room(self, now: float) -> bool:
        times = self._times
        return len(times) < self.limit or now - times[0] >= CAP_WINDOW

    def take(self, now: float) -> None:
        """Count an admission at ``now``; call only after :meth:`has_room` said yes."""
        self._times.append(now)


@dataclass(frozen=True)
class FailedBindLimit:
    """How many failed binds the simulator tolerates before it stops listening.

    ``per_connection``: after this many failed binds on one connection it is
    closed. ``per_address``: after this many from one remote address within
    ``period`` seconds, further binds from it are refused with ESME_RBINDFAIL
    without their credentials being checked, until old failures age out.
    """

    per_connection: int = 3
    per_address: int = 10
    period: float = 60.0

    def __post_init__(self) -> None:
        for name in ("per_connection", "per_address"):
            if getattr(self, name) < 1:
                raise ConfigurationError(f"FailedBindLimit.{name} must be at least 1")
        if self.period <= 0:
            raise ConfigurationError("FailedBindLimit.period must be positive")


class FailedBindGuard:
    """Failed binds per remote address, within :attr:`FailedBindLimit.period`."""

    def __init__(self, limit: FailedBindLimit) -> None:
        self.limit = limit
        self._failures: collections.OrderedDict[str, collections.deque[float]] = (
            collections.OrderedDict()
        )

    def blocked(self, address: str, now: float) -> bool:
        failures = self._failures.get(address)
        if failures is None:
            return False
        while failures and now - failures[0] >= self.limit.period:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return False
        return len(failures) >= self.limit.per_address

    def failed(self, address: str, now: float) -> None:
        failures = self._failures.get(address)
        if failures is None:
            failures = self._failures[address] = collections.deque(maxlen=self.limit.per_address)
            if len(self._failures) > MAX_TRACKED_ADDRESSES:
                self._failures.popitem(last=False)
        else:
            self._failures.move_to_end(address)
        failures.append(now)
