"""Handing what the SMSC delivered to an ``on_inbound`` handler, and writing
the answers to the SMSC's deliveries together.

:class:`Answers` is where every deliver_sm_resp / data_sm_resp goes: those of
a batch the handler took go out in one write, and those an inbox consumer
makes (one as it asks for each next item) at the end of the event loop's
turn, so a consumer taking a read's receipts in one go answers them in one
write too.

:class:`HandlerFeed` calls the handler with one batch at a time: what
arrived in one read, or everything that arrived while it last ran. A batch
is answered ESME_ROK once the call returns, ESME_RX_T_APPN when it raises
or is cancelled (the SMSC delivers it again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Callable, Union

from smswire.smpp.inbox import Acknowledgement
from smswire.smpp.pump import Wire
from smswire.smpp.receipts import DeliveryReceipt
from smswire.smpp.session import Session
from smswire.smpp.userdata import MobileOriginated

__all__ = ["Answers", "Delivered", "HandlerFeed", "Inbound", "InboundHandler"]

_log = logging.getLogger("smswire.smpp")

Inbound = Union[DeliveryReceipt, MobileOriginated]
# Takes the receipts and messages of one read; they are acknowledged when it returns.
InboundHandler = Callable[[list[Inbound]], Awaitable[None]]


class Delivered:
    """One receipt or message and the acknowledgement of what carried it."""

    __slots__ = ("ack", "correlated", "held_until", "item", "session", "waits_for")

    def __init__(self, item: Inbound, ack: Acknowledgement, session: Session) -> None:
        self.item = item
        self.ack = ack
        self.session = session
        # A message, or a receipt whose message was looked for: ready to go.
        self.correlated = not isinstance(item, DeliveryReceipt)
        # A held receipt: the last request sent before it came; every one up
        # to it answered, no response can name its message any more.
        self.waits_for = 0
        # A held receipt: when its hold ends (the event loop's clock).
        self.held_until = 0.0


class Answers:
    """The answers to the SMSC's deliveries, written together (see the module)."""

    def __init__(self, wire: Wire) -> None:
        self._wire = wire
        # While a handed-over batch is answered: its answers.
        self._corked: list[bytes] | None = None
        # Answers made this turn of the event loop, outside a batch.
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        """An answer (what an :class:`Acknowledgement` writes with)."""
        if self._corked is not None:
            self._corked.append(data)
            return
        if not self._pending:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no loop any more (an iteration finalised late)
                self._wire.write(data)
                return
        self._pending.append(data)

    def flush(self) -> None:
        """Write the answers of this turn now (before an unbind, say)."""
        if self._pending:
            pending, self._pending = self._pending, []
            self._wire.write(b"".join(pending))

    def answer(self, batch: list[Delivered], *, accept: bool) -> None:
        """Accept or refuse a batch's deliveries, in one write."""
        self._corked = []
        try:
            for delivered in batch:
                if accept:
                    delivered.ack.accept()
                else:
                    delivered.ack.refuse()
        finally:
            answers, self._corked = self._corked, None
            self._wire.write(b"".join(answers))


class HandlerFeed:
    """Calls ``handler`` with one batch at a time, in the order they came."""

    def __init__(self, handler: InboundHandler, answers: Answers) -> None:
        self._handler = handler
        self._answers = answers
        # Waiting for the handler, and in its hands.
        self._backlog: list[Delivered] = []
        self._in_hand: list[Delivered] = []
        self.task: asyncio.Task[None] | None = None

    @property
    def held(self) -> int:
        """Deliveries waiting for the handler or in its hands."""
        return len(self._backlog) + len(self._in_hand)

    def feed(self, arrived: list[Delivered]) -> None:
        """Hand ``arrived`` over: in the next call, or in this one when idle."""
        self._backlog += arrived
        if self.task is None and self._backlog:
            self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while self._backlog:
                # What came on a connection since lost comes again on the next.
                batch = [delivered for delivered in self._backlog if not delivered.ack.orphaned]
                self._backlog = []
                if not batch:
                    continue
                self._in_hand = batch
                try:
                    await self._handler([delivered.item for delivered in batch])
                except Exception:  # the application's: its deliveries come again
                    _log.warning(
                        "the on_inbound handler raised; %d deliveries refused with "
                        "ESME_RX_T_APPN for the SMSC to deliver again",
                        len(batch),
                        exc_info=True,
                    )
                    self._answers.answer(batch, accept=False)
                else:
                    self._answers.answer(batch, accept=True)
                self._in_hand = []
        finally:
            # Cancelled (the client closed first): what it held was not taken.
            for delivered in self._in_hand + self._backlog:
                delivered.ack.refuse()
            self._in_hand, self._backlog = [], []
            self.task = None
