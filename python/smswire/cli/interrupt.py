"""Ctrl-C during a campaign: the first stops it in order, the second at once.

The first SIGINT stops submitting: the campaign hands the sender no further
batch, and the client is closed, which sends nothing new, waits up to its
``timeouts.close`` for the answers to what is already out, and settles the
rest (never written: NOT_SENT; written, unanswered: UNKNOWN). So the results
file says what happened to every row. A second SIGINT quits at once, as Python
does by default; the rows of the batch then in flight stay ``sending``
(``--resume`` treats them as unknown).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Iterator
from typing import Callable

__all__ = ["GracefulInterrupt"]


class GracefulInterrupt:
    """Arms SIGINT on the running loop for one graceful stop.

    ``stop`` is awaited once, on the first Ctrl-C (closing the client); its
    task is awaited by :meth:`finish`. ``requested`` tells the campaign."""

    def __init__(self, stop: Callable[[], Awaitable[None]], *, grace: float) -> None:
        self._stop = stop
        self._grace = grace
        self._task: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def requested(self) -> bool:
        return self._task is not None

    @contextlib.contextmanager
    def armed(self) -> Iterator[GracefulInterrupt]:
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, self._first)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows, other threads
            yield self
            return
        self._loop = loop
        try:
            yield self
        finally:
            if self._task is None:
                loop.remove_signal_handler(signal.SIGINT)

    def _first(self) -> None:
        assert self._loop is not None
        # The default handler again: the next Ctrl-C raises KeyboardInterrupt.
        self._loop.remove_signal_handler(signal.SIGINT)
        print(
            f"smswire: stopping: nothing new is sent; waiting up to {self._grace:g} s for "
            "answers to what is out (Ctrl-C again to quit at once)",
            file=sys.stderr,
            flush=True,
        )
        self._task = asyncio.ensure_future(self._stop())

    async def finish(self) -> None:
        """Wait for the stop the first Ctrl-C began, if it did."""
        if self._task is not None:
            await self._task
