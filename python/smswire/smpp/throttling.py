"""ESME_RTHROTTLED: a pause for the whole client that grows while the SMSC
keeps asking for less, and a log line at most every so often.

SMPP 3.4 §5.1.3 defines ESME_RTHROTTLED as the ESME exceeding its allowed
message limits. Each refused part is retried within its own budget by the
send pump; this pause holds back every part, so the client as a whole slows
down rather than hammering an SMSC that said it is over its rate.
"""

from __future__ import annotations

import logging

__all__ = ["THROTTLE_LOG_INTERVAL", "THROTTLE_PAUSE_INITIAL", "THROTTLE_PAUSE_MAX", "Throttling"]

_log = logging.getLogger("smswire.smpp")

# The pause doubles while throttling lasts, from the first value up to the last.
THROTTLE_PAUSE_INITIAL = 0.05
THROTTLE_PAUSE_MAX = 5.0
# Throttling is logged at most once in this many seconds, with the count since.
THROTTLE_LOG_INTERVAL = 10.0


class Throttling:
    """Whether sends are paused (until ``paused_until``), and for how long the
    next throttle pauses them (``pause``).

    Times are the event loop's, passed in by the caller.
    """

    __slots__ = ("_logged_at", "_unlogged", "pause", "paused_until")

    def __init__(self) -> None:
        self.paused_until = 0.0
        self.pause = THROTTLE_PAUSE_INITIAL
        self._unlogged = 0
        self._logged_at = -THROTTLE_LOG_INTERVAL

    def throttled(self, now: float) -> None:
        """The SMSC answered ESME_RTHROTTLED: pause, longer while it lasts.

        A window's worth of refusals arrives at once for one episode, so the
        pause grows only when a throttle comes after the last pause ended.
        """
        if now >= self.paused_until:
            self.paused_until = now + self.pause
            self.pause = min(THROTTLE_PAUSE_MAX, self.pause * 2)
        self._unlogged += 1
        if now - self._logged_at >= THROTTLE_LOG_INTERVAL:
            _log.warning(
                "the SMSC throttled %d submit_sm (ESME_RTHROTTLED) in the last %.0f s; "
                "pausing sends for %.2f s and retrying them with back-off",
                self._unlogged,
                min(now - self._logged_at, THROTTLE_LOG_INTERVAL),
                self.paused_until - now,
            )
            self._unlogged = 0
            self._logged_at = now

    def accepted(self) -> None:
        """A submit went through: the next pause is shorter again."""
        if self.pause > THROTTLE_PAUSE_INITIAL:
            self.pause = max(THROTTLE_PAUSE_INITIAL, self.pause / 2)

    def restart(self) -> None:
        """A new bind: throttling starts afresh."""
        self.pause = THROTTLE_PAUSE_INITIAL
