"""One event-loop timer for a sans-I/O session's deadlines: response timeouts,
the next enquire_link, inactivity.

The :class:`~smswire.smpp.session.Session` knows its deadlines and what is due
(SMPP 3.4 §7.2 leaves the timers to implementations); this keeps a single
``call_at`` armed for the earliest of them, re-arming only when a write or a
read may have brought one forward, so a busy connection pays one clock read
per write, not a timer per request.
"""

from __future__ import annotations

import asyncio
from typing import Callable

from smswire.smpp.session import Session

__all__ = ["SessionTimer"]


class SessionTimer:
    """Calls ``on_due`` at the session's next deadline; :meth:`arm` after each
    write or read, :meth:`start` for each new session, :meth:`cancel` at the end."""

    __slots__ = ("_at", "_handle", "_on_due", "_soonest")

    def __init__(self, on_due: Callable[[], None]) -> None:
        self._on_due = on_due
        self._handle: asyncio.TimerHandle | None = None
        self._at = 0.0
        # No deadline a write or a read creates comes sooner than this after it.
        self._soonest = 0.0

    def start(self, session: Session) -> None:
        """A new session: forget the last one's timer and learn this one's periods."""
        self.cancel()
        periods = (
            session.response_timeout,
            session.enquire_link_interval,
            session.inactivity_timeout,
        )
        self._soonest = min((p for p in periods if p is not None), default=0.0)

    def arm(self, session: Session) -> None:
        """Make sure the timer fires no later than the session's next deadline."""
        loop = asyncio.get_running_loop()
        if self._handle is not None:
            # Every deadline a write or a read sets is at least the shortest
            # period away. A timer armed for later than that (an enquire_link
            # due in 30 s, a response timeout of 5; a response due in 30 s, an
            # enquire_link every 1 s) may be late for it: re-arm.
            if self._at <= loop.time() + self._soonest:
                return
            self._handle.cancel()
        deadline = session.next_deadline()
        if deadline is None:
            self._handle = None
            return
        # The session runs on the loop's clock, so its deadlines are loop times.
        self._at = deadline
        self._handle = loop.call_at(deadline, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._on_due()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
