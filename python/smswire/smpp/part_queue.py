"""The send pump's queue: the parts waiting for the window, made as it comes to them.

A ``send_many`` is encoded whole before any of it goes out (nothing goes out
of a call that then raises), but the :class:`~smswire.smpp.jobs.Job` and
:class:`~smswire.smpp.jobs.Part` that track each message are made only when
the window is about to take it. A call of a million messages then holds a
window's worth of them, not a million; and they live for a window's time, so
they die young instead of filling the garbage collector's oldest generation,
whose every full collection would walk them all again (about a fifth of the
client's CPU in a 50,000-message send, before).

Order is first in, first out across calls, parts put back (a retry, a
resubmission, a write the session refused) first of all.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Iterator, Sequence

from smswire.message import Message
from smswire.smpp.batch import Batch
from smswire.smpp.jobs import Job, Part

__all__ = ["PartQueue"]

# One message of a call: its index in the call, and its parts' encoded PDUs.
Pending = tuple[int, Message, Sequence[bytes]]


class _Feed:
    """The messages of one call not yet made into parts."""

    __slots__ = ("batch", "messages", "parts")

    def __init__(self, batch: Batch, messages: Iterator[Pending], parts: int) -> None:
        self.batch = batch
        self.messages = messages
        self.parts = parts


class PartQueue:
    """Parts ready to be written, then the calls' messages not yet made into parts."""

    def __init__(self) -> None:
        self._ready: collections.deque[Part] = collections.deque()
        self._feeds: collections.deque[_Feed] = collections.deque()
        self._unmade = 0

    def __len__(self) -> int:
        return len(self._ready) + self._unmade

    def __bool__(self) -> bool:
        return bool(self._ready) or self._unmade > 0

    def add(self, batch: Batch, messages: Iterable[Pending], parts: int) -> None:
        """Queue a call's messages, ``parts`` parts in all, behind what is queued."""
        if parts > 0:
            self._feeds.append(_Feed(batch, iter(messages), parts))
            self._unmade += parts

    def take(self, count: int) -> list[Part]:
        """The next ``count`` parts (fewer when fewer are queued), out of the queue."""
        ready = self._ready
        if len(ready) < count:
            self._make(count)
        return [ready.popleft() for _ in range(min(count, len(ready)))]

    def put_back(self, parts: Sequence[Part]) -> None:
        """Parts to go before everything queued, in their order."""
        self._ready.extendleft(reversed(parts))

    def withdraw(self, batch: Batch) -> list[Part]:
        """Every queued part of ``batch``, out of the queue."""
        feeds = [feed for feed in self._feeds if feed.batch is batch]
        for feed in feeds:
            self._feeds.remove(feed)
            self._unmade -= feed.parts
        withdrawn = [part for part in self._ready if part.job.batch is batch]
        if withdrawn:
            self._ready = collections.deque(p for p in self._ready if p.job.batch is not batch)
        for feed in feeds:
            withdrawn += _parts_of(feed.batch, feed.messages)
        return withdrawn

    def clear(self) -> list[Part]:
        """Every queued part, out of the queue."""
        parts = list(self._ready)
        self._ready.clear()
        for feed in self._feeds:
            parts += _parts_of(feed.batch, feed.messages)
        self._feeds.clear()
        self._unmade = 0
        return parts

    def _make(self, count: int) -> None:
        ready, feeds = self._ready, self._feeds
        while len(ready) < count and feeds:
            feed = feeds[0]
            pending = next(feed.messages, None)
            if pending is None:
                feeds.popleft()
                continue
            index, message, pdus = pending
            made = len(pdus)
            if made == 1:
                # Most messages: one part, made without a list to hold it.
                ready.append(Part(Job(message, 1, feed.batch, index), 0, pdus[0]))
            else:
                ready.extend(_parts(feed.batch, index, message, pdus))
            feed.parts -= made
            self._unmade -= made


def _parts(batch: Batch, index: int, message: Message, pdus: Sequence[bytes]) -> list[Part]:
    job = Job(message, len(pdus), batch, index)
    return [Part(job, i, pdu) for i, pdu in enumerate(pdus)]


def _parts_of(batch: Batch, messages: Iterator[Pending]) -> list[Part]:
    return [part for pending in messages for part in _parts(batch, *pending)]
