"""The receive side: what the SMSC sends, made into results, receipts and messages.

Responses to submit_sm go to the send pump; the ids it reports accepted are
remembered, so a delivery receipt names the message it belongs to, even one
that overtook its submit_sm_resp. deliver_sm and data_sm carry receipts and
mobile-originated messages (reassembled from their parts); each is
acknowledged in one place, :meth:`ReceiveSide.acknowledge`.

The ids and the inboxes are a :class:`Correlation`, which several clients may
share (the binds of a pool): a receipt then finds its message whichever bind
submitted it and whichever bind the receipt came on, and all come out of one
place.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Callable, Generic, TypeVar

from smswire.errors import EncodingError
from smswire.message import Message
from smswire.pdu import CommandId, Pdu
from smswire.smpp.pump import SendPump, Wire
from smswire.smpp.receipts import DeliveryReceipt, is_receipt, message_id_keys, parse_receipt
from smswire.smpp.session import ResponseReceived, Session
from smswire.smpp.userdata import (
    MobileOriginated,
    MultipartAssembler,
    message_body,
    split_user_data,
)

__all__ = ["RECEIPT_CORRELATION_LIMIT", "Correlation", "Inbox", "ReceiveSide"]

_log = logging.getLogger("smswire.smpp")

# How many message ids the client remembers for correlating receipts.
RECEIPT_CORRELATION_LIMIT = 1_000_000

_T = TypeVar("_T")


class Inbox(Generic[_T]):
    """An unbounded FIFO for one consumer, bound to the event loop only when awaited.

    Python 3.9's ``asyncio.Queue`` binds to a loop when created, which breaks
    a client created before ``asyncio.run``. ``None`` marks the end.
    """

    def __init__(self) -> None:
        self._items: collections.deque[_T | None] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None

    def put(self, item: _T | None) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def items(self) -> AsyncIterator[_T]:
        """Each item as it comes, until the end."""
        while True:
            while not self._items:
                self._waiter = asyncio.get_running_loop().create_future()
                await self._waiter
            item = self._items.popleft()
            if item is None:
                self._items.appendleft(None)  # the end, for every later reader too
                return
            yield item


class Correlation:
    """Message ids the SMSC accepted, the receipts that name them, and where
    receipts and mobile-originated messages come out.

    ``receipt_hold``: how long a receipt that overtook its submit_sm_resp
    waits for the response to name its message.
    """

    def __init__(self, *, receipt_hold: float) -> None:
        self.receipt_hold = receipt_hold
        self._ids: collections.OrderedDict[str, Message] = collections.OrderedDict()
        self._early: dict[str, DeliveryReceipt] = {}
        self.receipts: Inbox[DeliveryReceipt] = Inbox()
        self.messages: Inbox[MobileOriginated] = Inbox()
        # Told of each receipt as it comes out (a pool's metrics).
        self.observer: Callable[[DeliveryReceipt], None] | None = None

    def _out(self, receipt: DeliveryReceipt) -> None:
        if self.observer is not None:
            self.observer(receipt)
        self.receipts.put(receipt)

    def remember(self, message_id: str, message: Message) -> None:
        """The SMSC accepted ``message`` (a part of it) as ``message_id``."""
        ids = self._ids
        early = self._early
        for key in message_id_keys(message_id):
            ids[key] = message
            if early:
                receipt = early.pop(key, None)
                if receipt is not None:
                    self._out(replace(receipt, message=message))
        while len(ids) > RECEIPT_CORRELATION_LIMIT:
            ids.popitem(last=False)

    def correlate(self, receipt: DeliveryReceipt) -> None:
        """A receipt arrived: out with its message, or held a while for it."""
        keys = message_id_keys(receipt.message_id)
        for key in keys:
            message = self._ids.get(key)
            if message is not None:
                self._out(replace(receipt, message=message))
                return
        # The receipt overtook its submit_sm_resp (or belongs to an earlier
        # process): hold it a while for the response to name its message.
        self._early[keys[0]] = receipt
        asyncio.get_running_loop().call_later(self.receipt_hold, self._release, keys[0])

    def _release(self, key: str) -> None:
        receipt = self._early.pop(key, None)
        if receipt is not None:
            self._out(receipt)

    def close(self) -> None:
        """Held receipts go out uncorrelated, and the inboxes end."""
        for receipt in self._early.values():
            self._out(receipt)
        self._early.clear()
        self.receipts.put(None)
        self.messages.put(None)


class ReceiveSide:
    """Answers to our requests and requests of the SMSC's, each to where it belongs.

    ``correlation``: shared with other clients, or (None) this client's own,
    closed with it; ``receipt_hold`` is then its hold (see :class:`Correlation`).
    """

    def __init__(
        self,
        wire: Wire,
        pump: SendPump,
        *,
        receipt_hold: float,
        correlation: Correlation | None = None,
    ) -> None:
        self._wire = wire
        self._pump = pump
        self._owns_correlation = correlation is None
        self.correlation = correlation or Correlation(receipt_hold=receipt_hold)
        self.receipts = self.correlation.receipts
        self.messages = self.correlation.messages
        self._assembler = MultipartAssembler()

    # -- responses ---------------------------------------------------------------

    def on_response(self, event: ResponseReceived) -> None:
        """A response to a request of ours other than bind and unbind."""
        response = event.pdu
        command_id = response.command_id
        if command_id == CommandId.SUBMIT_SM_RESP or (
            command_id == CommandId.GENERIC_NACK and event.request.command_id == CommandId.SUBMIT_SM
        ):
            message_id: str = getattr(response, "message_id", "")
            message = self._pump.on_response(
                response.sequence_number, response.command_status, message_id
            )
            if message is not None:
                self.correlation.remember(message_id, message)

    # -- requests ------------------------------------------------------------------

    def on_request(self, session: Session, pdu: Pdu) -> None:
        """A request the SMSC sent (the session answered those it answers itself)."""
        command_id = pdu.command_id
        if command_id in (CommandId.DELIVER_SM, CommandId.DATA_SM):
            self._take(pdu)
            self.acknowledge(session, pdu)
        elif command_id == CommandId.ALERT_NOTIFICATION:
            _log.info("alert_notification for %s", getattr(pdu, "source_addr", ""))
        elif command_id == CommandId.OUTBIND:
            _log.warning("ignored an outbind on an open connection")

    def acknowledge(self, session: Session, pdu: Pdu) -> None:
        """The one place a deliver_sm or data_sm is answered: after it is in its
        inbox. ``session`` is the one it came on, the current one: answered even
        while an unbind is under way, or the SMSC would deliver it again."""
        self._wire.write(session.respond(pdu))

    def _take(self, pdu: Pdu) -> None:
        tlvs = tuple((tlv.tag, tlv.value) for tlv in getattr(pdu, "tlvs", ()))
        body = message_body(getattr(pdu, "short_message", b""), tlvs)
        source: str = getattr(pdu, "source_addr", "")
        destination: str = getattr(pdu, "destination_addr", "")
        esm_class: int = getattr(pdu, "esm_class", 0)
        if is_receipt(esm_class):
            self.correlation.correlate(
                parse_receipt(body, tlvs, source=source, destination=destination)
            )
            return
        data_coding: int = getattr(pdu, "data_coding", 0)
        try:
            user_data = split_user_data(body, esm_class, tlvs)
            mo = self._assembler.add(source, destination, data_coding, user_data)
        except EncodingError as exc:
            _log.warning("dropped an undecodable mobile-originated message: %s", exc)
            return
        if mo is not None:
            self.messages.put(mo)

    def close(self) -> None:
        """The client closed: its own correlation ends with it (a shared one
        ends with whoever shares it)."""
        if self._owns_correlation:
            self.correlation.close()
