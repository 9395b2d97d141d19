"""The receive side: what the SMSC sends, made into results, receipts and messages.

Responses to submit_sm go to the send pump; the ids it reports accepted are
remembered, so a delivery receipt names the message it belongs to, even one
that overtook its submit_sm_resp. deliver_sm and data_sm carry receipts and
mobile-originated messages (reassembled from their parts).

Nothing delivered is acknowledged before the application has it
(:mod:`smswire.smpp.inbox`). With an ``on_inbound`` handler, the items that
arrived in one read (and any that arrived while the handler last ran) are
handed to it in one call, and their PDUs answered ESME_ROK once it returns,
ESME_RX_T_APPN when it raises, the call's answers in one write; without one,
they wait in bounded inboxes for :meth:`ReceiveSide.receipts` / ``messages``
consumers. Each delivery is read in isolation: one the client cannot read is
still handed over (a receipt in state UNKNOWN, a message with ``error`` set),
raw octets and all. The table of ids and the inboxes may be shared with other
clients (the binds of a pool, :mod:`smswire.smpp.shared`).

The parts of a concatenated message but the last are acknowledged as soon
as the client holds them: SMSCs that deliver one deliver_sm at a time would
otherwise never send the next part. The part that completes the message is
acknowledged after the hand-over, and the parts are kept until then, so a
redelivered last part completes the message again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import operator

from smswire.message import Message
from smswire.pdu import CommandId, Pdu
from smswire.smpp.correlation import RECEIPT_CORRELATION_LIMIT, correlation_key, receipt_keys
from smswire.smpp.handing import Answers, Delivered, HandlerFeed, Inbound, InboundHandler
from smswire.smpp.held_receipts import HeldReceipts
from smswire.smpp.inbox import INBOX_LIMIT, Acknowledgement, Inbox, OverflowLog
from smswire.smpp.pump import SendPump, Wire
from smswire.smpp.receipts import (
    DeliveryReceipt,
    ReceiptState,
    is_receipt,
    name_unshared,
    parse_receipt,
)
from smswire.smpp.session import ResponseReceived, Session
from smswire.smpp.shared import SharedReceiving
from smswire.smpp.userdata import (
    MobileOriginated,
    MultipartAssembler,
    message_body,
    split_user_data,
)

__all__ = ["RECEIPT_CORRELATION_LIMIT", "Inbound", "InboundHandler", "ReceiveSide"]

_log = logging.getLogger("smswire.smpp")

# Compared with every response, bound once as plain ints: an enum attribute
# lookup costs more than the rest of the comparison (see smpp/session.py).
_SUBMIT_SM = int(CommandId.SUBMIT_SM)
_SUBMIT_SM_RESP = int(CommandId.SUBMIT_SM_RESP)
_GENERIC_NACK = int(CommandId.GENERIC_NACK)
_DELIVERIES = (int(CommandId.DELIVER_SM), int(CommandId.DATA_SM))
_ALERT_NOTIFICATION = int(CommandId.ALERT_NOTIFICATION)
_OUTBIND = int(CommandId.OUTBIND)
# A TLV as the user-data and receipt readers take it, made without a Python frame.
_tag_and_value = operator.attrgetter("tag", "value")


class ReceiveSide:
    """Answers to our requests and requests of the SMSC's, each to where it belongs.

    ``receipt_hold``: how long a receipt that overtook its submit_sm_resp
    waits for the response to name its message. ``on_inbound``: see the
    module documentation. ``shared``: the table and inboxes of several
    clients (``correlation_limit`` is then its own), which this one does not end.
    """

    def __init__(
        self,
        wire: Wire,
        pump: SendPump,
        *,
        receipt_hold: float,
        on_inbound: InboundHandler | None = None,
        correlation_limit: int = RECEIPT_CORRELATION_LIMIT,
        shared: SharedReceiving | None = None,
    ) -> None:
        self._wire = wire
        self._owns_inboxes = shared is None
        if shared is None:
            shared = SharedReceiving(correlation_limit)
        self._correlation_limit = shared.correlation_limit
        self._pump = pump
        self._receipt_hold = receipt_hold
        self._correlation = shared.correlation
        self._early = HeldReceipts(receipt_hold, self._held_too_long)
        self._held_keys = self._early.keys()
        self.receipts: Inbox[DeliveryReceipt] = shared.receipts
        self.messages: Inbox[MobileOriginated] = shared.messages
        self._assembler = MultipartAssembler()
        self._answers = Answers(wire)
        # Bound once: every delivery's acknowledgement writes with it.
        self._answer = self._answers.write
        self._handler = None if on_inbound is None else HandlerFeed(on_inbound, self._answers)
        # Read, waiting for the end of the read to be handed over; how many
        # of them are receipts (an inbox's room counts them on every receipt).
        self._arrived: list[Delivered] = []
        self._arrived_receipts = 0
        self._scheduled = False
        # Responses came this read while receipts were held (see on_response).
        self._answered = False
        self._overflow = OverflowLog("the on_inbound backlog")
        self._closed = False

    # -- responses ---------------------------------------------------------------

    def on_response(self, event: ResponseReceived) -> None:
        """A response to a request of ours other than bind and unbind; one that
        cannot be taken fails its own message, nothing else."""
        if event.request.command_id != _SUBMIT_SM:
            return
        response = event.pdu
        command_id = response.command_id
        try:
            if command_id == _SUBMIT_SM_RESP:
                message_id: str = response.message_id  # type: ignore[union-attr]
                message = self._pump.on_response(
                    response.sequence_number, response.command_status, message_id
                )
                # A message without registered_delivery has no receipt due: its
                # id would only push out the ids of messages whose receipts are coming.
                if message is not None and message.registered_delivery:
                    self._remember(message_id, message)
            elif command_id == _GENERIC_NACK and response.command_status == 0:
                # SMPP 3.4 §4.3.1: a generic_nack says the PDU was not
                # understood; with status 0 it says nothing more, and never
                # that the message was taken.
                _log.warning(
                    "a generic_nack of status 0 answered submit_sm %d: its outcome is unknown",
                    response.sequence_number,
                )
                self._pump.on_unanswered([event.request], resubmit=False)
            elif command_id == _GENERIC_NACK:
                self._pump.on_response(response.sequence_number, response.command_status, "")
            else:
                # The session warned already; resent under at-least-once, else UNKNOWN.
                self._pump.on_unanswered([event.request], resubmit=True)
        except Exception:  # a bug of ours must fail this message alone
            _log.exception("could not take the answer to submit_sm %d", response.sequence_number)
            self._pump.on_unanswered([event.request], resubmit=False)
        if self._held_keys:
            # Checked at the end of the read: the session has taken every
            # response of the read before the first one's event comes here,
            # and a response further on may still name a held receipt.
            self._answered = True
            self._schedule()

    def _remember(self, message_id: str, message: Message) -> None:
        if not self._correlation_limit:
            return  # the application correlates receipts (the outbox, by its store)
        key = self._correlation.remember(message_id, message)
        if self._held_keys:
            # A receipt that overtook this response: it is held under its own
            # key, one of the forms this id may take.
            for candidate in receipt_keys(message_id):
                held = self._early.pop(candidate)
                if held is not None:
                    self._name(held, key, message)
                    self._ready(held)

    def _name(self, delivered: Delivered, key: str, message: Message | None) -> None:
        """Name the receipt's message; its final receipt taken, the id is forgotten."""
        receipt = delivered.item
        assert isinstance(receipt, DeliveryReceipt)
        if message is not None:
            # Not handed over yet: this read's (or this hold's) alone.
            name_unshared(receipt, message)
        if receipt.state.final:
            delivered.ack.then = functools.partial(self._correlation.forget, key)

    # -- requests ------------------------------------------------------------------

    def on_request(self, session: Session, pdu: Pdu) -> None:
        """A request the SMSC sent (the session answered those it answers itself)."""
        command_id = pdu.command_id
        if command_id in _DELIVERIES:
            self._take(session, pdu)
        elif command_id == _ALERT_NOTIFICATION:
            _log.info("alert_notification for %s", getattr(pdu, "source_addr", ""))
        elif command_id == _OUTBIND:
            _log.warning("ignored an outbind on an open connection")

    def _take(self, session: Session, pdu: Pdu) -> None:
        """Read one delivery, in isolation, and hold it for the application;
        refused (to be delivered again) when there is no room for it."""
        ack = Acknowledgement(self._answer, ((session, pdu),))
        receipt = is_receipt(getattr(pdu, "esm_class", 0))
        if not self._room(receipt):
            ack.refuse()
            return
        try:
            if receipt:
                self._ready(Delivered(_read_receipt(pdu), ack, session))
            else:
                self._take_message(session, pdu, ack)
        except Exception:  # a bug of ours must not cost the delivery: the SMSC keeps it
            _log.exception("could not read a %s; refused it for now", type(pdu).__name__)
            ack.refuse()

    def _room(self, receipt: bool) -> bool:
        if self._handler is not None:
            held = len(self._arrived) + self._handler.held + len(self._held_keys)
            if held < INBOX_LIMIT:
                return True
            self._overflow.refused()
            return False
        inbox: Inbox[DeliveryReceipt] | Inbox[MobileOriginated]
        inbox = self.receipts if receipt else self.messages
        waiting = self._arrived_receipts if receipt else len(self._arrived) - self._arrived_receipts
        if inbox.room(waiting + (len(self._held_keys) if receipt else 0)):
            return True
        inbox.overflow.refused()
        return False

    def _take_message(self, session: Session, pdu: Pdu, ack: Acknowledgement) -> None:
        tlvs = tuple(map(_tag_and_value, getattr(pdu, "tlvs", ())))
        body = message_body(getattr(pdu, "short_message", b""), tlvs)
        source: str = getattr(pdu, "source_addr", "")
        destination: str = getattr(pdu, "destination_addr", "")
        data_coding: int = getattr(pdu, "data_coding", 0)
        try:
            part = split_user_data(body, getattr(pdu, "esm_class", 0), tlvs)
        except ValueError as exc:
            _log.warning("handing over a message whose user data is malformed: %s", exc)
            unreadable = MobileOriginated(source, destination, "", data_coding, 1, body, str(exc))
            self._ready(Delivered(unreadable, ack, session))
            return
        message = self._assembler.add(source, destination, data_coding, part, hold=True)
        if message is None:
            ack.accept()  # a part held for the rest (see the module documentation)
            return
        if message.parts > 1:
            key = self._assembler.key(source, destination, part)
            ack.then = lambda: self._assembler.discard(key)
        self._ready(Delivered(message, ack, session))

    def _correlate(self, delivered: Delivered) -> bool:
        """Name a receipt's message; False when it is held a while instead."""
        if delivered.correlated:
            return True
        delivered.correlated = True
        if not self._correlation_limit:
            # The application correlates receipts itself (the outbox, by its
            # store): there is no message to name, and holding the receipt
            # would only delay its acknowledgement.
            return True
        receipt = delivered.item
        assert isinstance(receipt, DeliveryReceipt)
        found = self._correlation.find(receipt.message_id)
        if found is not None:
            self._name(delivered, *found)
            return True
        key = correlation_key(receipt.message_id)
        session = delivered.session
        if (
            not key
            or self._closed
            or self._receipt_hold <= 0
            or session.oldest_outstanding() is None
        ):
            return True  # no id to correlate by, or no response to come
        # The receipt may have overtaken its submit_sm_resp: hold it until the
        # requests sent before it came are answered (or receipt_hold passed).
        # It is not acknowledged meanwhile, so the wait is kept short.
        delivered.waits_for = session.last_sequence_number
        previous = self._early.hold(key, delivered)
        if previous is not None:
            self._ready(previous)  # the same receipt again: no longer held
        return False

    def _held_too_long(self, held: Delivered) -> None:
        # Its response may have come on another bind sharing the table.
        self._look_again(held)
        self._ready(held)

    def _look_again(self, held: Delivered) -> None:
        receipt = held.item
        assert isinstance(receipt, DeliveryReceipt)
        found = self._correlation.find(receipt.message_id)
        if found is not None:
            self._name(held, *found)

    # -- handing over -----------------------------------------------------------------

    def _ready(self, delivered: Delivered) -> None:
        """Hand over at the end of this read, with whatever else it brought."""
        self._arrived.append(delivered)
        if isinstance(delivered.item, DeliveryReceipt):
            self._arrived_receipts += 1
        if not self._scheduled:  # asked per delivery; scheduled once per read
            self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._hand_over)

    def _hand_over(self) -> None:
        self._scheduled = False
        if self._answered:
            self._answered = False
            for held in self._early.answered():
                self._ready(held)
        arrived, self._arrived = self._arrived, []
        self._arrived_receipts = 0
        # Receipts are matched now, when the read's responses are taken (a
        # submit_sm_resp may have come behind its receipt); held ones wait.
        arrived = [delivered for delivered in arrived if self._correlate(delivered)]
        if self._handler is None:
            for delivered in arrived:
                item = delivered.item
                if isinstance(item, DeliveryReceipt):
                    self.receipts.put(item, delivered.ack)
                else:
                    self.messages.put(item, delivered.ack)
            return
        self._handler.feed(arrived)

    # -- the end ---------------------------------------------------------------------

    async def drain(self, timeout: float) -> None:
        """The client is closing, its connection still up: receipts held for
        their response go out uncorrelated, the handler gets up to ``timeout``
        to take what waits, and what is left is refused (the SMSC delivers it
        again), as is what waits in the inboxes, whose iterations end."""
        self._closed = True
        for held in self._early.take_all():
            self._look_again(held)
            self._ready(held)
        if self._arrived:
            self._hand_over()
        task = None if self._handler is None else self._handler.task
        if task is not None:
            done, _ = await asyncio.wait((task,), timeout=timeout)
            if not done:
                task.cancel()
                await asyncio.wait((task,))
        self._end_inboxes()
        # Before the unbind that follows: the SMSC takes no answer after it.
        self._answers.flush()

    def close(self) -> None:
        """The connection is gone: the inboxes end (unless shared)."""
        self._closed = True
        self._end_inboxes()

    def _end_inboxes(self) -> None:
        # Shared inboxes end with their owner; what this client put there is
        # skipped once its connection closes (the SMSC delivers it again).
        if self._owns_inboxes:
            self.receipts.end()
            self.messages.end()


def _read_receipt(pdu: Pdu) -> DeliveryReceipt:
    """The receipt a deliver_sm carries; one that cannot be read is state UNKNOWN."""
    tlvs = tuple(map(_tag_and_value, getattr(pdu, "tlvs", ())))
    # Nearly every receipt is in short_message; message_payload only when it is empty.
    body = getattr(pdu, "short_message", b"") or message_body(b"", tlvs)
    source: str = getattr(pdu, "source_addr", "")
    destination: str = getattr(pdu, "destination_addr", "")
    try:
        return parse_receipt(
            body,
            tlvs,
            source=source,
            destination=destination,
            data_coding=getattr(pdu, "data_coding", 0),
        )
    except Exception as exc:  # the parser promises not to raise; if it does, keep the octets
        _log.warning("handing over a receipt the parser could not read: %s", exc)
        return DeliveryReceipt(
            "", ReceiptState.UNKNOWN, raw=body, source=source, destination=destination
        )
