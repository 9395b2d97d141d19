"""The event feed a consumer reads: every state change, resumable where it acknowledged.

::

    feed = outbox.events(consumer="billing")
    async for event in feed:
        await handle(event)
        await feed.ack(event)

A consumer's position is durable: a consumer that stops (or is killed) and
starts again resumes after the last event it acknowledged. Events given but
not yet acknowledged when it stopped are given again, so acknowledge after
handling, not before. One reader per consumer name at a time.
"""

from __future__ import annotations

import asyncio
from collections import deque

from smswire.errors import ConfigurationError
from smswire.outbox.records import Event
from smswire.outbox.store import OutboxStore, check_claim, check_name, check_seconds

__all__ = ["DEFAULT_EVENT_BATCH", "EventFeed"]

# Events read per look at the store.
DEFAULT_EVENT_BATCH = 256
# The longest one look waits for an event before looking again.
_WAIT_SLICE = 1.0


class EventFeed:
    """An async iterator of ``consumer``'s events, oldest first.

    It waits for new events as long as it is iterated; with ``idle_timeout``
    it ends after that many seconds without one. :meth:`close` ends it too.
    """

    def __init__(
        self,
        store: OutboxStore,
        consumer: str,
        *,
        batch: int = DEFAULT_EVENT_BATCH,
        idle_timeout: float | None = None,
    ) -> None:
        self._store = store
        self.consumer = check_name("consumer", consumer)
        self._batch = check_claim(batch)
        self._idle = None if idle_timeout is None else check_seconds("idle_timeout", idle_timeout)
        self._buffer: deque[Event] = deque()
        self._after: str | None = None
        self._closed = False

    def __aiter__(self) -> EventFeed:
        return self

    async def __anext__(self) -> Event:
        if not self._buffer:
            await self._fill()
        if not self._buffer:
            raise StopAsyncIteration
        event = self._buffer.popleft()
        self._after = event.id
        return event

    async def _fill(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = None if self._idle is None else loop.time() + self._idle
        while not self._closed:
            wait = _WAIT_SLICE if deadline is None else min(_WAIT_SLICE, deadline - loop.time())
            found = await self._store.read_events(
                self.consumer, self._after, self._batch, max(wait, 0.0)
            )
            if found:
                self._buffer.extend(found)
                return
            if deadline is not None and loop.time() >= deadline:
                return

    async def ack(self, event: Event | None = None) -> None:
        """Acknowledge ``event`` (by default the last one given) and every
        event before it; a restarted consumer resumes after it."""
        event_id = self._after if event is None else event.id
        if event_id is None:
            raise ConfigurationError("nothing to acknowledge: no event has been given yet")
        await self._store.ack_events(self.consumer, event_id)

    def close(self) -> None:
        """End the iteration (after the event being waited for, if any)."""
        self._closed = True
        self._buffer.clear()
