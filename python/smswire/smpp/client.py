"""The asyncio SMPP client: one bind, many messages, none lost.

:class:`AsyncSmppClient` composes four pieces, each owning its own state:
:func:`~smswire.smpp.prepare.prepare` turns a call's messages into encoded
submit_sm PDUs (a window's worth in one native call); the
:class:`~smswire.smpp.pump.SendPump` writes them through the window within
the rate and retries them; the
:class:`~smswire.smpp.receiving.ReceiveSide` turns what the SMSC sends into
results, receipts and messages; the
:class:`~smswire.smpp.connection.Supervisor` connects, binds, keeps the
timers and binds again after a lost connection. Every protocol decision is
the :class:`~smswire.smpp.session.Session`'s.

Delivery guarantees. A message is *accepted* once the SMSC answered every
part with ESME_ROK. When the connection dies (the SMSC unbinds for a restart,
the network drops), parts never sent stay queued and go out after the rebind.
Parts whose submit_sm went out but whose response never came are the
ambiguous ones: the SMSC may have taken them.

- ``Delivery.AT_LEAST_ONCE`` (the default) submits them again after the
  rebind: no message is lost, and one whose response was lost may reach the
  handset twice.
- ``Delivery.AT_MOST_ONCE`` reports them as ``Outcome.UNKNOWN`` and never
  resubmits: no duplicates, and the caller decides what to do with them.

ESME_RSUBMITFAIL, ESME_RMSGQFUL, ESME_RTHROTTLED and ESME_RINVBNDSTS mean the
SMSC did not take the message, so they are retried with back-off in either mode
(ESME_RTHROTTLED also slows the whole client down); any other status reaches
the caller as ``Outcome.REJECTED`` with that status. Retries and resubmissions
of a part both count against ``Limits.retries``; once spent, the part is
REJECTED (refused) or UNKNOWN (its response kept being lost).

Cancellation. Cancelling a ``send``/``send_many`` (or ``asyncio.timeout``
running out) withdraws the parts not yet written: they never leave, and are
logged as withdrawn, NOT_SENT. Parts already written stay with the SMSC: their
responses are still read and their receipts still correlate, but they are
not resubmitted, even under AT_LEAST_ONCE, and nobody hears their outcome;
a cancelled message is UNKNOWN unless reconciled from its receipts.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterable
from typing import Any, Callable

from smswire.alphanumeric import ALPHANUMERIC_SOURCE_MAX, check_alphanumeric_max
from smswire.encoding import STANDARD, Profile
from smswire.errors import (
    ClientClosed,
    ConfigurationError,
    LocalProtocolError,
)
from smswire.message import Delivery, Message, Outcome, SendResult
from smswire.options import (
    DEFAULT_BACKOFF,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUTS,
    Backoff,
    Limits,
    Timeouts,
)
from smswire.pdu import CommandStatus
from smswire.smpp.addresses import SOURCE_ADDR_LIMIT
from smswire.smpp.connection import Supervisor
from smswire.smpp.credentials import Credentials
from smswire.smpp.gate import SubmitGate
from smswire.smpp.prepare import Prepared, SubmitRules, prepare
from smswire.smpp.pump import SendPump
from smswire.smpp.receipts import DeliveryReceipt
from smswire.smpp.receiving import RECEIPT_CORRELATION_LIMIT, InboundHandler, ReceiveSide
from smswire.smpp.shared import SharedReceiving
from smswire.smpp.userdata import MobileOriginated
from smswire.tls import TlsOption, client_context

__all__ = ["AsyncSmppClient"]

# A concatenated message's parts share a reference (3GPP TS 23.040
# §9.2.3.24.1, SMPP 3.4 §5.3.2.22); the 8-bit one has 256 values.
_REFERENCES = 256


class AsyncSmppClient:
    """An SMPP 3.4 client (ESME) bound to one SMSC, as an async context manager.

    ``tls``: True (the system trust store, host name checked, TLS 1.2 or
    newer), the path of a CA file to trust, an ``ssl.SSLContext``; False for
    plain TCP. ``bind``: "transceiver", "transmitter" or "receiver".
    ``source``: the sender of messages that name none. ``timeouts``,
    ``limits`` (the window, the rate in submit_sm per second, the retries)
    and ``backoff`` (rebinds and retried submits) as in :mod:`smswire.options`.
    ``delivery``: see the module documentation. ``source_limit``: how many
    characters of source_addr the SMSC keeps (inMobile discards those after
    the 15th); ``alphanumeric_max``: how long a sender name may be (11, the
    3GPP TS 23.040 §9.1.2.5 default; up to ``source_limit`` where the SMSC
    and the route allow it). A longer sender is refused, or with
    ``truncate_source`` cut to the limit that applies to it.
    ``alphanumeric_destination``: allow a name as the destination (refused
    unless asked for; numbers are ITU-T E.164 as on LINK).

    What the SMSC delivers (receipts, mobile-originated messages) is
    acknowledged only once the application has it. ``on_inbound``, an async
    function, is called with the receipts and messages of one read (and any
    that came while its previous call ran); they are acknowledged when it
    returns, and refused with ESME_RX_T_APPN, for the SMSC to deliver again,
    when it raises. Without it, :meth:`receipts` and :meth:`messages` hand
    them over, each acknowledged when the consumer asks for the next; up to
    :data:`~smswire.smpp.inbox.INBOX_LIMIT` of each wait unacknowledged, and
    beyond that the SMSC is told to deliver them again later. A transceiver
    that never reads them leaves them with the SMSC: bind as "transmitter"
    to send only. ``receipt_correlation``: how many message ids the client
    remembers to put the sent message on its receipts; 0 keeps none, for an
    application that correlates them itself (the outbox, through its store),
    so that nothing of a message stays in memory once it is settled.

    Shared with other clients (the binds of a :class:`~smswire.smpp.pool.AsyncSmppPool`):
    ``gate``, a cap every submit_sm passes (:mod:`smswire.smpp.gate`; an
    account-wide rate); ``shared``, where receipts find their messages and
    the receipts and messages of every bind come out
    (:class:`~smswire.smpp.shared.SharedReceiving`; it outlives the client,
    and ``receipt_correlation`` is then its own).
    """

    def __init__(
        self,
        host: str,
        port: int = 2775,
        *,
        system_id: str,
        password: str,
        bind: str = "transceiver",
        tls: TlsOption = True,
        system_type: str = "",
        source: str | None = None,
        profile: Profile = STANDARD,
        source_limit: int = SOURCE_ADDR_LIMIT,
        alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX,
        truncate_source: bool = False,
        alphanumeric_destination: bool = False,
        delivery: Delivery = Delivery.AT_LEAST_ONCE,
        reconnect: bool = True,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        limits: Limits = DEFAULT_LIMITS,
        backoff: Backoff = DEFAULT_BACKOFF,
        on_inbound: InboundHandler | None = None,
        receipt_correlation: int = RECEIPT_CORRELATION_LIMIT,
        gate: SubmitGate | None = None,
        shared: SharedReceiving | None = None,
    ) -> None:
        if (
            isinstance(receipt_correlation, bool)
            or not isinstance(receipt_correlation, int)
            or receipt_correlation < 0
        ):
            raise ConfigurationError(
                f"receipt_correlation must be 0 or more message ids, not {receipt_correlation!r}"
            )
        for name, value, kind in (
            ("timeouts", timeouts, Timeouts),
            ("limits", limits, Limits),
            ("backoff", backoff, Backoff),
            ("delivery", delivery, Delivery),
        ):
            if not isinstance(value, kind):
                raise ConfigurationError(f"{name} must be a {kind.__name__}, not {value!r}")
        self.source = source
        self.profile = profile
        self.source_limit = source_limit
        self.alphanumeric_max = check_alphanumeric_max(alphanumeric_max, ceiling=source_limit)
        self.truncate_source = truncate_source
        self.alphanumeric_destination = alphanumeric_destination
        self.timeouts = timeouts
        self.limits = limits
        rng = random.Random()
        self._connection = Supervisor(
            host,
            port,
            Credentials(system_id, password, system_type, bind),
            tls=client_context(tls),
            timeouts=timeouts,
            window=limits.window,
            backoff=backoff,
            reconnect=reconnect,
            rng=rng,
        )
        self._pump = SendPump(
            self._connection,
            limits=limits,
            backoff=backoff,
            delivery=delivery,
            rng=rng,
            gate=gate,
        )
        self._receiving = ReceiveSide(
            self._connection,
            self._pump,
            # A receiver never sees a submit_sm_resp: holding its receipts is no use.
            receipt_hold=0.0 if bind == "receiver" else timeouts.receipt_hold,
            on_inbound=on_inbound,
            correlation_limit=receipt_correlation,
            shared=shared,
        )
        self._connection.attach(self._receiving, self._pump)
        self._reference = rng.randrange(_REFERENCES)
        self._closing = False
        self._closed = False

    def __repr__(self) -> str:
        # Never the password.
        connection = self._connection
        scheme = "smpps" if connection.tls else "smpp"
        return (
            f"<{type(self).__name__} {scheme}://{connection.credentials.system_id}@"
            f"{connection.host}:{connection.port} bind={connection.credentials.bind}>"
        )

    @property
    def host(self) -> str:
        return self._connection.host

    @property
    def port(self) -> int:
        return self._connection.port

    @port.setter
    def port(self, port: int) -> None:
        self._connection.port = port

    @property
    def bound(self) -> bool:
        return self._connection.bound

    @property
    def bind(self) -> str:
        """ "transceiver", "transmitter" or "receiver"."""
        return self._connection.credentials.bind

    @property
    def failure(self) -> Exception | None:
        """Why the client stopped for good (a bind refused for good, a lost
        connection with reconnect off); None while it runs."""
        return self._connection.failure

    @property
    def backlog(self) -> int:
        """submit_sm parts not yet settled: queued, awaiting a retry or a response."""
        return self._pump.backlog

    @property
    def in_flight(self) -> int:
        """submit_sm parts awaiting their response: the window in use."""
        return self._pump.in_flight

    @property
    def throttles(self) -> int:
        """ESME_RTHROTTLED answers so far (each retried after a pause)."""
        return self._pump.throttles

    @property
    def times_bound(self) -> int:
        """Successful binds so far: the first, and one per rebind."""
        return self._connection.binds

    async def wait_ended(self) -> None:
        """Return once the client stopped keeping its bind up: it closed, or
        :attr:`failure` says why it gave up."""
        await self._connection.wait_ended()

    # -- lifecycle -------------------------------------------------------------

    async def __aenter__(self) -> AsyncSmppClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Connect and bind; raises :class:`~smswire.errors.SmscError` (the
        SMSC refused the bind) or :class:`~smswire.errors.RequestNotSent`."""
        if self._closing:
            raise ClientClosed()
        await self._connection.connect()

    async def close(self, timeout: float | None = None) -> None:
        """Stop new sends, wait up to ``timeout`` (``timeouts.close``) for the
        answers to what is in flight, unbind, close.

        Nothing new is written once closing begins, so parts never written are
        settled at once, NOT_SENT (waiting for them would wait out the whole
        timeout, as with an SMSC that is gone); parts awaiting a response are
        UNKNOWN if it has not come by the end.
        """
        if self._closed:
            return
        self._closing = True
        self._connection.closing = True
        wait = self.timeouts.close if timeout is None else timeout
        self._pump.give_up("the client closed")
        pending = self._pump.pending()
        if pending:
            await asyncio.wait(pending, timeout=wait)
        # A part answered "try again" meanwhile is queued again: never resent now.
        self._pump.give_up("the client closed")
        await self._receiving.drain(wait)
        await self._connection.unbind(wait)
        self._pump.abandon_in_flight("the client closed before the SMSC answered")
        self._closed = True
        await self._connection.shutdown()
        self._pump.close()
        self._receiving.close()

    # -- sending ---------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closing:
            raise ClientClosed()
        failure = self._connection.failure
        if failure is not None:
            raise failure
        if not self._connection.started:
            raise LocalProtocolError(
                "the client is not connected: call connect() or use `async with`",
                status=CommandStatus.ESME_RINVBNDSTS,
            )
        if self._connection.credentials.bind == "receiver":
            # SMPP 3.4 §2.3: a receiver may not issue submit_sm.
            raise ConfigurationError("a receiver bind cannot submit; bind as transceiver")

    def _prepare(self, messages: list[Message]) -> Prepared:
        rules = SubmitRules(
            self.source,
            self.profile,
            self.source_limit,
            self.alphanumeric_max,
            self.truncate_source,
            self.alphanumeric_destination,
        )
        prepared = prepare(messages, rules, self._reference)
        self._reference = prepared.reference
        return prepared

    async def send(
        self, destination: str, text: str, *, source: str | None = None, **options: Any
    ) -> SendResult:
        """Send one text; see :class:`~smswire.message.Message` for the options."""
        return await self.send_message(Message(destination, text, source=source, **options))

    async def send_message(self, message: Message) -> SendResult:
        """Encode, segment and submit one message; returns once every part is settled.

        Returns the result when the SMSC answered (ACCEPTED, or REJECTED with
        its status). Raises before anything goes out for a message that
        cannot be sent (:class:`ConfigurationError`, :class:`EncodingError`)
        or a client that is closed (:class:`~smswire.errors.ClientClosed`);
        afterwards :class:`~smswire.errors.RequestNotSent` when it never left
        (the client closed first) and :class:`~smswire.errors.OutcomeUnknown`
        when it may have: both carry the result.
        """
        self._check_open()
        items = _messages((message,))
        prepared = self._prepare(items)
        for _, error in prepared.refused:
            raise error
        batch = self._pump.batch(1)
        self._pump.add(batch, list(prepared.pending(items)), prepared.part_count)
        self._pump.pump()
        (result,) = await batch.future
        return result.raise_for_outcome()

    async def send_many(
        self,
        messages: Iterable[Message],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[SendResult]:
        """Send many messages through the window; one result per message, in order.

        A message the client refuses to send (a bad address, a text too long)
        is NOT_SENT with the reason; every other outcome is the SMSC's or the
        connection's. ``on_progress(done, total)`` runs as each settles; if it
        raises, what was not yet written is dropped and the error propagates.
        """
        self._check_open()
        items = _messages(messages)
        # Every message is built before any is queued: nothing goes out of a
        # call that then raises.
        prepared = self._prepare(items)
        pump = self._pump
        batch = pump.batch(len(items), on_progress)
        for index, error in prepared.refused:
            if batch.future.done():
                break  # the progress callback raised: settle and queue no more
            refusal = SendResult(items[index], Outcome.NOT_SENT, error=str(error))
            pump.settle_now(batch, index, refusal)
        if not batch.future.done():
            pump.add(batch, prepared.pending(items), prepared.part_count)
        pump.pump()
        return await batch.future

    # -- what the SMSC sends ---------------------------------------------------

    def receipts(self) -> AsyncIterator[DeliveryReceipt]:
        """Delivery receipts as they come, until the client closes; each is
        acknowledged when the next is asked for (one held when the iteration
        stops is refused, and comes again). Empty with ``on_inbound``."""
        return self._receiving.receipts.items()

    def messages(self) -> AsyncIterator[MobileOriginated]:
        """Mobile-originated messages, reassembled, until the client closes;
        acknowledged as :meth:`receipts` are."""
        return self._receiving.messages.items()


def _messages(messages: Iterable[Message]) -> list[Message]:
    items = list(messages)
    for item in items:
        if not isinstance(item, Message):
            raise ConfigurationError(f"a Message is needed, not {type(item).__name__}")
    return items
