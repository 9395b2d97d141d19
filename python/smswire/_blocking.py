"""The thread a blocking client runs its asyncio twin on.

Both blocking clients (:class:`~smswire.smpp.SmppClient`,
:class:`~smswire.link.LinkMobilityClient`) are their asyncio client run on an
event loop in a daemon thread of their own: one driver per way out, so the
blocking and the asyncio client cannot drift apart, and the SMPP bind stays up
(enquire_link, receipts, reconnection) between the caller's calls.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, Callable, TypeVar

from smswire.errors import ClientClosed

__all__ = ["LoopThread"]

_T = TypeVar("_T")


class LoopThread:
    """An event loop in a thread of its own, started on first use, stopped once."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stopped = False

    def run(self, start: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
        """Run the coroutine ``start()`` makes on the loop; block until it ends.

        Raises :class:`ClientClosed` once the loop was stopped; ``start`` is
        not called then, so no coroutine is left unawaited.
        """
        with self._lock:
            if self.stopped:
                raise ClientClosed()
            loop = self._loop
            if loop is None:
                loop = self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=_serve, args=(loop,), name=self._name, daemon=True
                )
                self._thread.start()
        return asyncio.run_coroutine_threadsafe(start(), loop).result()

    def iterate(
        self, items: Callable[[], AsyncIterator[_T]], timeout: float | None
    ) -> Iterator[_T]:
        """The items of an async iterator of the loop, each waited for up to
        ``timeout`` seconds; the iteration ends at its end or at a timeout."""

        iterator = items()

        async def following() -> tuple[bool, _T | None]:
            try:
                return True, await asyncio.wait_for(iterator.__anext__(), timeout)
            except (StopAsyncIteration, asyncio.TimeoutError):
                return False, None

        while True:
            more, item = self.run(following)
            if not more:
                return
            yield item  # type: ignore[misc]

    def stop(self) -> None:
        """Stop the loop and wait for its thread; idempotent."""
        with self._lock:
            self.stopped = True
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    """The thread: the loop until stopped, then whatever it still runs cancelled."""
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
