"""What the SMSC delivered, held unacknowledged until the application has it.

A deliver_sm (or data_sm) is the SMSC handing over a receipt or a message;
its response with ESME_ROK tells the SMSC it may forget it (SMPP 3.4
§4.6.2). So it is answered only once the application holds the item: an
:class:`Acknowledgement` carries the PDUs to answer, and answers them once,
with ESME_ROK after the hand-over or ESME_RX_T_APPN (SMPP 3.4 §5.1.3: the
receiving application failed for now; the SMSC delivers it again later)
when it did not happen.

An :class:`Inbox` holds items for an iterator consumer: an item is
acknowledged when the consumer asks for the one after it (so one that
crashes while handling an item has not acknowledged it), refused with
ESME_RX_T_APPN when the consumer stops iterating while holding it. An item
whose connection closed before it was handed over is not handed over: the
SMSC never had its answer, and delivers it again after the rebind. The inbox
is bounded (:data:`INBOX_LIMIT`); a full inbox refuses further deliveries with
ESME_RX_T_APPN, so the SMSC keeps them and delivers them again later, and
none is dropped.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import AsyncIterator, Sequence
from typing import Callable, Generic, TypeVar

from smswire.errors import ProtocolError
from smswire.pdu import CommandStatus, Pdu
from smswire.smpp.session import Session, SessionState

__all__ = ["INBOX_LIMIT", "Acknowledgement", "Inbox", "OverflowLog"]

_log = logging.getLogger("smswire.smpp")

# How many delivered items (receipts, or messages) may wait for an iterator
# consumer, unacknowledged; beyond it the SMSC is asked to deliver them again
# later. An SMSC's own window usually holds far fewer in flight.
INBOX_LIMIT = 1_000
# At most one warning about refused deliveries per this many seconds.
OVERFLOW_LOG_INTERVAL = 10.0

_T = TypeVar("_T")
# Puts bytes on the connection of the moment (the supervisor's write).
_WriteFn = Callable[[bytes], None]


class Acknowledgement:
    """The deliver_sm / data_sm PDUs that carried one item, each answered once.

    ``parts`` pairs each PDU with the session it came on: a PDU whose
    connection has closed is not answered (the SMSC delivers it again after
    the next bind, since it never had an answer).
    """

    __slots__ = ("_parts", "_write", "settled", "then")

    def __init__(self, write: _WriteFn, parts: Sequence[tuple[Session, Pdu]]) -> None:
        self._write = write
        self._parts = parts
        self.settled = False
        # Run once the item is accepted (a held multipart message forgotten).
        self.then: Callable[[], None] | None = None

    @property
    def orphaned(self) -> bool:
        """Its connection is gone without an answer: the SMSC still holds the
        item and delivers it again after the next bind, so handing it over
        now would hand it over twice."""
        if self.settled:
            return False
        # A loop, not all(): asked of every item handed over, and a
        # generator a time costs more than the one part it usually checks.
        for session, _ in self._parts:  # noqa: SIM110
            if session.state is not SessionState.CLOSED:
                return False
        return True

    def accept(self) -> None:
        """The application has the item: ESME_ROK."""
        if not self.settled and self.then is not None:
            self.then()
        self._settle(CommandStatus.ESME_ROK)

    def refuse(self) -> None:
        """The application does not have it: ESME_RX_T_APPN, deliver it again later."""
        self._settle(CommandStatus.ESME_RX_T_APPN)

    def _settle(self, status: CommandStatus) -> None:
        if self.settled:
            return
        self.settled = True
        for session, pdu in self._parts:
            if session.state is SessionState.CLOSED:
                continue
            try:
                data = session.respond(pdu, status)
            except ProtocolError as exc:  # the session no longer awaits it
                _log.debug("could not answer a %s: %s", type(pdu).__name__, exc)
                continue
            self._write(data)


class OverflowLog:
    """Warns about deliveries refused for want of room, at most once per interval."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._refused = 0
        self._logged_at = -OVERFLOW_LOG_INTERVAL

    def refused(self) -> None:
        self._refused += 1
        now = time.monotonic()
        if now - self._logged_at >= OVERFLOW_LOG_INTERVAL:
            _log.warning(
                "%s full (%d waiting): refused %d deliveries with ESME_RX_T_APPN; "
                "the SMSC delivers them again later",
                self._what,
                INBOX_LIMIT,
                self._refused,
            )
            self._logged_at = now
            self._refused = 0


_Entry = tuple[_T, Acknowledgement]


class Inbox(Generic[_T]):
    """A bounded FIFO of delivered items for one consumer, each acknowledged
    when the consumer asks for the next.

    Bound to the event loop only when awaited (Python 3.9's ``asyncio.Queue``
    binds to a loop when created, which breaks a client made before
    ``asyncio.run``).
    """

    def __init__(self, what: str, limit: int = INBOX_LIMIT) -> None:
        self._entries: collections.deque[_Entry[_T]] = collections.deque()
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False
        self.overflow = OverflowLog(what)

    def __len__(self) -> int:
        return len(self._entries)

    def room(self, held: int = 0) -> bool:
        """Whether one more item fits, with ``held`` more waiting elsewhere for it."""
        return len(self._entries) + held < self._limit

    def put(self, item: _T, ack: Acknowledgement) -> None:
        """Hold an item; when the inbox has ended, it is refused at once."""
        if self._ended:
            ack.refuse()
            return
        self._entries.append((item, ack))
        waiter = self._waiter  # _wake, without its call: one per item put
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def end(self) -> None:
        """No more items: what the consumer has not taken is refused (the SMSC
        delivers it again), and its iteration ends."""
        self._ended = True
        while self._entries:
            self._entries.popleft()[1].refuse()
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def items(self) -> AsyncIterator[_T]:
        """Each item as it comes, until the end."""
        holding: Acknowledgement | None = None
        try:
            while True:
                while not self._entries:
                    if self._ended:
                        return
                    self._waiter = asyncio.get_running_loop().create_future()
                    await self._waiter
                item, ack = self._entries.popleft()
                if ack.orphaned:
                    continue  # it comes again on the new connection
                holding = ack
                yield item
                # The consumer asks for the next: it is done with this one.
                holding = None
                ack.accept()
        finally:
            if holding is not None:
                holding.refuse()
