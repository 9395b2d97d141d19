"""The asyncio SMPP client: one bind, many messages, none lost.

:class:`SmppClient` owns the socket, TLS, the timers, the window and the
reconnection; every protocol decision is the :class:`~smswire.smpp.session.Session`'s.

Delivery guarantees. A message is *accepted* once the SMSC answered every
part with ESME_ROK. When the connection dies (the SMSC unbinds for a restart,
the network drops), parts never sent stay queued and go out after the rebind.
Parts whose submit_sm went out but whose response never came are the
ambiguous ones: the SMSC may have taken them.

- ``Delivery.AT_LEAST_ONCE`` (the default) submits them again after the
  rebind: no message is lost, and one whose response was lost may reach the
  handset twice.
- ``Delivery.AT_MOST_ONCE`` reports them as ``SendState.UNKNOWN`` and never
  resubmits: no duplicates, and the caller decides what to do with them.

ESME_RSUBMITFAIL, ESME_RMSGQFUL and ESME_RTHROTTLED mean the SMSC did not
take the message, so they are retried with back-off in either mode (ESME_RTHROTTLED
also slows the whole client down); any other status reaches the caller as
``SendState.FAILED`` with that status.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import enum
import heapq
import itertools
import logging
import random
import ssl
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from os import PathLike
from typing import Callable, Generic, TypeVar, Union

from smswire.encoding import STANDARD, Profile, analyze, encode_gsm7, encode_ucs2, segment
from smswire.errors import (
    ConfigurationError,
    EncodingError,
    ProtocolError,
    SmscError,
    SmswireError,
    TransportError,
)
from smswire.pdu import (
    BindReceiver,
    BindTransceiver,
    BindTransmitter,
    CommandId,
    CommandStatus,
    Pdu,
    SubmitSm,
    Tlv,
    TlvTag,
    Unbind,
)
from smswire.smpp.addresses import (
    ALPHANUMERIC_SOURCE_LIMIT,
    SOURCE_ADDR_LIMIT,
    Address,
    destination_address,
    source_address,
)
from smswire.smpp.message import (
    Concatenation,
    Message,
    MobileOriginated,
    SendResult,
    SendState,
)
from smswire.smpp.receipts import DeliveryReceipt, is_receipt, message_id_keys, parse_receipt
from smswire.smpp.session import (
    DEFAULT_ENQUIRE_LINK_INTERVAL,
    DEFAULT_RESPONSE_TIMEOUT,
    DEFAULT_WINDOW,
    ConnectionClosed,
    Event,
    InactivityTimeout,
    PduRejected,
    RequestReceived,
    ResponseReceived,
    ResponseTimedOut,
    Role,
    Session,
    SessionState,
    Unbound,
)
from smswire.smpp.userdata import (
    DATA_CODING_FLASH_BIT,
    ESM_CLASS_UDHI,
    MultipartAssembler,
    message_body,
    split_user_data,
)

__all__ = ["Backoff", "Delivery", "SmppClient"]

_log = logging.getLogger("smswire.smpp")

# SMPP 3.4 §5.2.17: registered_delivery bit 0, a receipt on the final outcome.
REGISTERED_DELIVERY_FINAL = 0x01

# The SMSC did not take the submit and asks to be tried again (SMPP 3.4 §5.1.3;
# inMobile answers ESME_RSUBMITFAIL while it restarts). ESME_RINVBNDSTS means
# the SMSC considers the session unbound, so it did not take it either.
_RETRY_STATUSES = frozenset(
    (
        CommandStatus.ESME_RSUBMITFAIL,
        CommandStatus.ESME_RMSGQFUL,
        CommandStatus.ESME_RTHROTTLED,
        CommandStatus.ESME_RINVBNDSTS,
    )
)
# inMobile refuses binds with ESME_RBINDFAIL while it restarts: rebind later.
_REBIND_STATUSES = frozenset((CommandStatus.ESME_RBINDFAIL, CommandStatus.ESME_RSYSERR))
_BIND_COMMANDS = frozenset(
    (CommandId.BIND_TRANSMITTER, CommandId.BIND_RECEIVER, CommandId.BIND_TRANSCEIVER)
)
# After the SMSC's unbind, how long it may take to answer what is in flight and close.
PEER_UNBIND_GRACE = 1.0
# The window is refilled once an eighth of it is free (or nothing is in flight).
WINDOW_REFILL_SHARE = 8
# SMPP 3.4 §4.1.1: the longest system_id, password and system_type, without the NUL.
SYSTEM_ID_LIMIT = 15
PASSWORD_LIMIT = 8
SYSTEM_TYPE_LIMIT = 12
# Receipts that overtake their submit_sm_resp wait this long to be correlated.
DEFAULT_RECEIPT_HOLD = 5.0
# How many message ids the client remembers for correlating receipts.
RECEIPT_CORRELATION_LIMIT = 1_000_000
# ESME_RTHROTTLED pauses all sending; the pause doubles while throttling lasts.
THROTTLE_PAUSE_INITIAL = 0.05
THROTTLE_PAUSE_MAX = 5.0

TlsOption = Union[bool, ssl.SSLContext, str, "PathLike[str]", None]


class Delivery(enum.Enum):
    """What happens to a submit_sm whose response was lost with the connection.

    AT_LEAST_ONCE submits it again after the rebind (none lost, rare
    duplicates); AT_MOST_ONCE reports it as ``SendState.UNKNOWN`` (no duplicates).
    """

    AT_LEAST_ONCE = "at_least_once"
    AT_MOST_ONCE = "at_most_once"


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off with jitter for rebinds and retried submits.

    The n-th retry (from 0) waits ``min(maximum, initial * multiplier**n)``
    less a random share of up to ``jitter`` of it, so clients that lost the
    same SMSC do not come back in step.
    """

    initial: float = 0.5
    maximum: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.5

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        base = min(self.maximum, self.initial * self.multiplier ** min(attempt, 64))
        return base * (1.0 - self.jitter * (rng or random).random())


def _tls_context(tls: TlsOption) -> ssl.SSLContext | None:
    if tls is None or tls is False:
        return None
    if isinstance(tls, ssl.SSLContext):
        return tls
    if tls is True:
        context = ssl.create_default_context()
    else:
        # inMobile asks customers to trust its certificate explicitly.
        context = ssl.create_default_context(cafile=str(tls))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


_T = TypeVar("_T")


class _Inbox(Generic[_T]):
    """An unbounded FIFO for one consumer, bound to the event loop only when awaited.

    Python 3.9's ``asyncio.Queue`` binds to a loop when created, which breaks
    a client created before ``asyncio.run``.
    """

    def __init__(self) -> None:
        self._items: collections.deque[_T] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None

    def put(self, item: _T) -> None:
        self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self) -> _T:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        return self._items.popleft()


class _Job:
    """One message: its parts and the future its caller awaits."""

    __slots__ = ("error", "future", "ids", "left", "message", "state", "status")

    def __init__(self, message: Message | None, parts: int, future: asyncio.Future[SendResult]):
        self.message = message
        self.future = future
        self.ids: list[str] = [""] * parts
        self.left = parts
        self.state = SendState.ACCEPTED
        self.status = CommandStatus.ESME_ROK
        self.error: str | None = None


class _Part:
    """One submit_sm and how often it has been tried."""

    __slots__ = ("ambiguous", "index", "job", "pdu", "retries")

    def __init__(self, job: _Job, index: int, pdu: SubmitSm):
        self.job = job
        self.index = index
        self.pdu = pdu
        self.retries = 0
        # A submit of this part went out and its response was lost: the SMSC
        # may hold it, so giving up on it later is UNKNOWN, not FAILED.
        self.ambiguous = False


class _Link(asyncio.Protocol):
    """One connection: hands bytes to the client, which owns the session."""

    def __init__(self, client: SmppClient) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.client._data_received(self, data)

    def eof_received(self) -> bool | None:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(exc)
        self.client._connection_lost(self, exc)


class SmppClient:
    """An SMPP 3.4 client (ESME) bound to one SMSC, as an async context manager.

    ``tls``: True (system trust store, hostname checked, TLS 1.2 or newer),
    an ``ssl.SSLContext``, or the path of a CA file to trust; False for plain
    TCP. ``bind``: "transceiver", "transmitter" or "receiver". ``window``:
    submit_sm awaiting a response at once. ``rate_limit``: messages (parts) per
    second, for the account's TPS. ``delivery``: see the module documentation.
    ``source_limit``/``truncate_source``: inMobile discards source_addr
    characters after the 15th, so longer senders are refused unless truncated
    on purpose.
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
        window: int = DEFAULT_WINDOW,
        rate_limit: float | None = None,
        delivery: Delivery = Delivery.AT_LEAST_ONCE,
        profile: Profile = STANDARD,
        source_limit: int = SOURCE_ADDR_LIMIT,
        truncate_source: bool = False,
        retries: int = 10,
        backoff: Backoff | None = None,
        reconnect: bool = True,
        connect_timeout: float = 10.0,
        response_timeout: float = DEFAULT_RESPONSE_TIMEOUT,
        enquire_link_interval: float | None = DEFAULT_ENQUIRE_LINK_INTERVAL,
        close_timeout: float = 10.0,
        receipt_hold: float = DEFAULT_RECEIPT_HOLD,
    ) -> None:
        binds: dict[str, type[BindTransceiver] | type[BindTransmitter] | type[BindReceiver]] = {
            "transceiver": BindTransceiver,
            "transmitter": BindTransmitter,
            "receiver": BindReceiver,
        }
        if bind not in binds:
            raise ConfigurationError(f"bind must be one of {', '.join(binds)}, not {bind!r}")
        # SMPP 3.4 §4.1.1: C-Octet Strings of at most 16, 9 and 13 octets with the NUL.
        for name, value, limit in (
            ("system_id", system_id, SYSTEM_ID_LIMIT),
            ("password", password, PASSWORD_LIMIT),
            ("system_type", system_type, SYSTEM_TYPE_LIMIT),
        ):
            if len(value.encode("latin-1", errors="replace")) > limit:
                raise ConfigurationError(f"{name} is longer than the {limit} octets SMPP allows")
        if window < 1:
            raise ConfigurationError(f"window must be at least 1, not {window}")
        if rate_limit is not None and rate_limit <= 0:
            raise ConfigurationError(f"rate_limit must be positive, not {rate_limit}")
        self.host = host
        self.port = port
        self.system_id = system_id
        self._password = password
        self._bind_class = binds[bind]
        self.bind = bind
        self._tls = _tls_context(tls)
        self._system_type = system_type
        self.window = window
        # The fewest free window places worth a write while submits are in flight.
        self._refill = max(1, window // WINDOW_REFILL_SHARE)
        self.rate_limit = rate_limit
        self.delivery = delivery
        self.profile = profile
        self.source_limit = source_limit
        self.truncate_source = truncate_source
        self.retries = retries
        self.backoff = backoff or Backoff()
        self.reconnect = reconnect
        self.connect_timeout = connect_timeout
        self.response_timeout = response_timeout
        self.enquire_link_interval = enquire_link_interval
        self.close_timeout = close_timeout
        self.receipt_hold = receipt_hold

        self._session: Session | None = None
        self._link: _Link | None = None
        self._queue: collections.deque[_Part] = collections.deque()
        self._in_flight: dict[int, _Part] = {}
        # Parts waiting out a retry back-off: (due, tie-breaker, part).
        self._delayed: list[tuple[float, int, _Part]] = []
        self._ticket = itertools.count()
        self._jobs: set[_Job] = set()
        self._pump_timer: asyncio.TimerHandle | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._paused_until = 0.0
        self._throttle_pause = THROTTLE_PAUSE_INITIAL
        self._tokens = float(window)
        self._tokens_at = 0.0
        self._reference = random.randrange(256)
        self._ids: collections.OrderedDict[str, Message | None] = collections.OrderedDict()
        self._early: dict[str, DeliveryReceipt] = {}
        self._receipts: _Inbox[DeliveryReceipt | None] = _Inbox()
        self._messages: _Inbox[MobileOriginated | None] = _Inbox()
        self._assembler = MultipartAssembler()
        self._bind_waiter: asyncio.Future[Pdu] | None = None
        self._unbind_waiter: asyncio.Future[None] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False
        self._closed = False
        self._failure: SmswireError | None = None
        self._rng = random.Random()

    def __repr__(self) -> str:
        # Never the password.
        scheme = "smpps" if self._tls else "smpp"
        return f"<SmppClient {scheme}://{self.system_id}@{self.host}:{self.port} bind={self.bind}>"

    # -- lifecycle -------------------------------------------------------------

    async def __aenter__(self) -> SmppClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Connect and bind; raises :class:`SmscError` or :class:`TransportError` on failure."""
        await self._connect_and_bind()
        self._supervisor = asyncio.get_running_loop().create_task(self._supervise())

    @property
    def bound(self) -> bool:
        return self._session is not None and self._session.bound

    async def _connect_and_bind(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, link = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Link(self),
                    self.host,
                    self.port,
                    ssl=self._tls,
                    server_hostname=self.host if self._tls else None,
                ),
                self.connect_timeout,
            )
        except (OSError, asyncio.TimeoutError, ssl.SSLError) as exc:
            raise TransportError(
                f"cannot connect to {self.host}:{self.port}: {exc or type(exc).__name__}"
            ) from exc
        session = Session(
            Role.ESME,
            window=self.window,
            response_timeout=self.response_timeout,
            enquire_link_interval=self.enquire_link_interval,
            clock=loop.time,
        )
        self._session, self._link = session, link
        waiter: asyncio.Future[Pdu] = loop.create_future()
        self._bind_waiter = waiter
        bind = self._bind_class(
            system_id=self.system_id,
            password=self._password,
            system_type=self._system_type,
        )
        try:
            self._write(session.send(bind))
            self._arm_timer()
            response = await asyncio.wait_for(asyncio.shield(waiter), self.response_timeout)
        except asyncio.TimeoutError:
            self._abort(link)
            raise TransportError(
                f"no bind response from {self.host}:{self.port} within {self.response_timeout} s"
            ) from None
        except TransportError:
            self._abort(link)
            raise
        finally:
            self._bind_waiter = None
            if waiter.done() and not waiter.cancelled():
                waiter.exception()  # retrieved: it was raised above, or is moot
        if response.command_status != CommandStatus.ESME_ROK:
            self._abort(link)
            status = _status(response.command_status)
            raise SmscError(
                f"bind as {self.bind} refused for system_id {self.system_id!r}: {status.name}",
                status=status,
            )
        _log.info(
            "bound as %s to %s:%d as system_id %r", self.bind, self.host, self.port, self.system_id
        )
        self._throttle_pause = THROTTLE_PAUSE_INITIAL
        self._pump()

    def _abort(self, link: _Link) -> None:
        if link.transport is not None:
            link.transport.abort()

    async def _supervise(self) -> None:
        """Keep the bind up: after each lost connection, rebind with back-off."""
        while not self._closed:
            link = self._link
            if link is not None:
                await link.closed
            if self._closing or not self.reconnect:
                if not self._closing:
                    self._fail_everything(TransportError("the connection to the SMSC closed"))
                return
            attempt = 0
            while not self._closing:
                delay = self.backoff.delay(attempt, self._rng)
                attempt += 1
                await asyncio.sleep(delay)
                if self._closing:
                    return
                try:
                    await self._connect_and_bind()
                    break
                except SmscError as exc:
                    if exc.status in _REBIND_STATUSES:
                        _log.info("rebind refused (%s); retrying", _status(exc.status).name)
                        continue
                    _log.error("rebind refused for good: %s", exc)
                    self._fail_everything(exc)
                    return
                except TransportError as exc:
                    _log.info("rebind failed (%s); retrying", exc)

    def _fail_everything(self, error: SmswireError) -> None:
        self._failure = error
        self._give_up(_status(getattr(error, "status", CommandStatus.ESME_RSYSERR)), str(error))

    def _give_up(self, status: CommandStatus, reason: str) -> None:
        """Settle every part still waiting to be (re)sent, telling each caller the truth."""
        parts = list(self._queue) + [part for _, _, part in self._delayed]
        self._queue.clear()
        self._delayed.clear()
        for part in parts:
            if part.ambiguous:
                self._settle(
                    part,
                    SendState.UNKNOWN,
                    status,
                    f"a response was lost and it cannot be resubmitted: {reason}",
                )
            else:
                self._settle(part, SendState.FAILED, status, f"never accepted: {reason}")

    async def close(self, timeout: float | None = None) -> None:
        """Stop new sends, wait up to ``timeout`` for what is queued and in flight, unbind.

        Whatever is still unsettled after the timeout is reported to its
        caller: parts never sent as FAILED, parts awaiting a response as UNKNOWN.
        """
        if self._closed:
            return
        self._closing = True
        wait = self.close_timeout if timeout is None else timeout
        pending = [job.future for job in self._jobs]
        if pending:
            await asyncio.wait(pending, timeout=wait)
        self._give_up(CommandStatus.ESME_RSYSERR, "the client closed")
        session, link = self._session, self._link
        if session is not None and link is not None and session.bound:
            self._unbind_waiter = asyncio.get_running_loop().create_future()
            try:
                self._write(session.send(Unbind()))
                await asyncio.wait_for(asyncio.shield(self._unbind_waiter), wait)
            except (asyncio.TimeoutError, ProtocolError, TransportError):
                # Some SMSCs (smpp34's server) close the socket instead of
                # answering unbind; that completes the unbind just as well.
                pass
        for part in list(self._in_flight.values()):
            self._settle(
                part,
                SendState.UNKNOWN,
                CommandStatus.ESME_RSYSERR,
                "client closed before the response came",
            )
        self._in_flight.clear()
        self._closed = True
        if link is not None and link.transport is not None:
            link.transport.close()
        for handle in (self._timer, self._pump_timer):
            if handle is not None:
                handle.cancel()
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        if self._link is not link and self._link is not None:
            # A rebind the cancellation interrupted.
            self._abort(self._link)
        # Receipts still waiting for their submit_sm_resp go out uncorrelated.
        for receipt in self._early.values():
            self._receipts.put(receipt)
        self._early.clear()
        self._receipts.put(None)
        self._messages.put(None)
        _log.info("closed the bind to %s:%d", self.host, self.port)

    # -- sending ---------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closing:
            raise TransportError("the client is closed")
        if self._failure is not None:
            raise self._failure
        if self._bind_class is BindReceiver:
            # SMPP 3.4 §2.3: a receiver may not issue submit_sm.
            raise ConfigurationError("a receiver bind cannot submit; bind as transceiver")

    def _next_reference(self) -> int:
        self._reference = (self._reference + 1) % 256
        return self._reference

    def _build(self, message: Message) -> list[SubmitSm]:
        """The submit_sm PDUs of a message; raises what makes it unsendable."""
        pdus, _, error = self._build_checked(message)
        if error is not None:
            raise error
        return pdus

    def _build_checked(
        self, message: Message
    ) -> tuple[list[SubmitSm], CommandStatus, SmswireError | None]:
        # Each refusal carries the status an SMSC would answer it with, for send_many.
        try:
            source = source_address(
                message.source,
                limit=self.source_limit,
                alphanumeric_limit=min(self.source_limit, ALPHANUMERIC_SOURCE_LIMIT),
                truncate=self.truncate_source,
            )
        except ConfigurationError as exc:
            return [], CommandStatus.ESME_RINVSRCADR, exc
        try:
            destination = destination_address(message.destination)
        except ConfigurationError as exc:
            return [], CommandStatus.ESME_RINVDSTADR, exc
        try:
            return self._pdus(message, source, destination), CommandStatus.ESME_ROK, None
        except EncodingError as exc:
            return [], CommandStatus.ESME_RINVMSGLEN, exc

    def _pdus(self, message: Message, source: Address, destination: Address) -> list[SubmitSm]:
        registered = REGISTERED_DELIVERY_FINAL if message.registered_delivery else 0

        def submit_sm(
            esm_class: int, data_coding: int, short_message: bytes, tlvs: tuple[Tlv, ...]
        ) -> SubmitSm:
            return SubmitSm(
                service_type=message.service_type,
                source_addr_ton=source.ton,
                source_addr_npi=source.npi,
                source_addr=source.value,
                dest_addr_ton=destination.ton,
                dest_addr_npi=destination.npi,
                destination_addr=destination.value,
                esm_class=esm_class,
                validity_period=message.validity_period,
                registered_delivery=registered,
                data_coding=data_coding,
                short_message=short_message,
                tlvs=tlvs,
            )

        # inMobile: 0x10 and 0x18 are GSM7 and UCS2 with message class 0 (flash);
        # 3GPP TS 23.038 §4: bit 4 set means bits 1-0 give the class.
        flash = DATA_CODING_FLASH_BIT if message.flash else 0
        # The shift tables are named in the UDH: no UDH, no national tables.
        udh = message.concatenation is Concatenation.UDH
        national = message.national if udh else ()
        if message.concatenation is Concatenation.PAYLOAD:
            analysis = analyze(message.text, profile=self.profile, smart=message.smart)
            text = _smart_text(message.text, analysis.replacements)
            body = encode_gsm7(text) if analysis.encoding == "gsm7" else encode_ucs2(text)
            payload = (Tlv(TlvTag.MESSAGE_PAYLOAD, body),)
            return [submit_sm(0, analysis.data_coding | flash, b"", payload)]
        reference = self._next_reference()
        segments = segment(
            message.text,
            profile=self.profile,
            reference=reference,
            national=national,
            smart=message.smart,
        )
        if len(segments) == 1:
            # A single part has a UDH too when it names national shift tables.
            (seg,) = segments
            esm_class = ESM_CLASS_UDHI if seg.udh else 0
            return [submit_sm(esm_class, seg.data_coding | flash, seg.udh + seg.payload, ())]
        if message.concatenation is Concatenation.SAR:
            return [
                submit_sm(
                    0,
                    seg.data_coding | flash,
                    seg.payload,
                    (
                        Tlv(TlvTag.SAR_MSG_REF_NUM, reference.to_bytes(2, "big")),
                        Tlv(TlvTag.SAR_TOTAL_SEGMENTS, bytes((seg.total,))),
                        Tlv(TlvTag.SAR_SEGMENT_SEQNUM, bytes((seg.index,))),
                    ),
                )
                for seg in segments
            ]
        return [
            submit_sm(ESM_CLASS_UDHI, seg.data_coding | flash, seg.udh + seg.payload, ())
            for seg in segments
        ]

    def _enqueue(self, message: Message | None, pdus: Sequence[SubmitSm]) -> _Job:
        loop = asyncio.get_running_loop()
        job = _Job(message, len(pdus), loop.create_future())
        self._jobs.add(job)
        self._queue.extend(_Part(job, i, pdu) for i, pdu in enumerate(pdus))
        return job

    async def send(
        self,
        destination: str,
        text: str,
        *,
        source: str,
        flash: bool = False,
        registered_delivery: bool = True,
        concatenation: Concatenation = Concatenation.UDH,
        validity_period: str = "",
        service_type: str = "",
        national: Iterable[str] = (),
        smart: bool = False,
    ) -> SendResult:
        """Encode, segment and submit one text; returns when every part is settled.

        Raises :class:`ConfigurationError` (an address the provider would
        alter or refuse) or :class:`EncodingError` (a text that cannot be
        sent) before anything goes out; the SMSC's answers come back in the
        :class:`SendResult`.
        """
        self._check_open()
        message = Message(
            destination,
            text,
            source,
            flash=flash,
            registered_delivery=registered_delivery,
            concatenation=concatenation,
            validity_period=validity_period,
            service_type=service_type,
            national=tuple(national),
            smart=smart,
        )
        job = self._enqueue(message, self._build(message))
        self._pump()
        return await job.future

    async def submit(self, pdu: SubmitSm) -> SendResult:
        """Submit one submit_sm as given (the client sets only its sequence_number)."""
        self._check_open()
        job = self._enqueue(None, [pdu])
        self._pump()
        return await job.future

    async def send_many(
        self,
        messages: Iterable[Message | tuple[str, str, str]],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[SendResult]:
        """Send many messages through the window; one result per message, in input order.

        A tuple is (destination, text, source). A message the client refuses
        to send (bad address, text too long) gets a FAILED result, as does one
        the SMSC refuses. ``on_progress(done, total)`` runs as each settles.
        """
        self._check_open()
        futures: list[asyncio.Future[SendResult]] = []
        loop = asyncio.get_running_loop()
        for item in messages:
            message = item if isinstance(item, Message) else Message(*item)
            pdus, status, error = self._build_checked(message)
            if error is not None:
                failed: asyncio.Future[SendResult] = loop.create_future()
                failed.set_result(SendResult(SendState.FAILED, (), status, str(error)))
                futures.append(failed)
                continue
            futures.append(self._enqueue(message, pdus).future)
        total = len(futures)
        if on_progress is not None:
            done = 0

            def progress(_: asyncio.Future[SendResult]) -> None:
                nonlocal done
                done += 1
                on_progress(done, total)

            for future in futures:
                future.add_done_callback(progress)
        self._pump()
        return list(await asyncio.gather(*futures))

    # -- the send pump ---------------------------------------------------------

    def _pump(self) -> None:
        """Fill the window from the queue in one write, within the rate limit."""
        session = self._session
        if session is None or not session.bound or self._closed:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._delayed:
            while self._delayed and self._delayed[0][0] <= now:
                self._queue.appendleft(heapq.heappop(self._delayed)[2])
            if self._delayed:
                self._schedule_pump(self._delayed[0][0] - now)
        if not self._queue:
            return
        if now < self._paused_until:
            self._schedule_pump(self._paused_until - now)
            return
        count = min(session.window_free, len(self._queue))
        if session.window_free < self._refill and self._in_flight:
            # Responses that trickle in one per read would otherwise send one
            # submit_sm per write; refill the window in batches instead.
            return
        if self.rate_limit is not None:
            # A token bucket holding at most one window's worth.
            rate = self.rate_limit
            self._tokens = min(float(self.window), self._tokens + (now - self._tokens_at) * rate)
            self._tokens_at = now
            if self._tokens < 1.0:
                self._schedule_pump((1.0 - self._tokens) / rate)
                return
            count = min(count, int(self._tokens))
            self._tokens -= count
        if count <= 0:
            return
        queue = self._queue
        parts = [queue.popleft() for _ in range(count)]
        sent, data = session.send_many([part.pdu for part in parts])
        in_flight = self._in_flight
        for part, pdu in zip(parts, sent):
            in_flight[pdu.sequence_number] = part
        self._write(data)
        self._arm_timer()

    def _schedule_pump(self, delay: float) -> None:
        if self._pump_timer is not None:
            self._pump_timer.cancel()
        self._pump_timer = asyncio.get_running_loop().call_later(max(delay, 0.0), self._pump)

    def _write(self, data: bytes) -> None:
        link = self._link
        if data and link is not None and link.transport is not None:
            link.transport.write(data)

    def _arm_timer(self) -> None:
        session = self._session
        if session is None or self._timer is not None:
            return
        deadline = session.next_deadline()
        if deadline is None:
            return
        # The session runs on the loop's clock, so its deadlines are loop times.
        self._timer = asyncio.get_running_loop().call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        session, link = self._session, self._link
        if session is None or link is None:
            return
        self._handle(link, session.handle_timeout())
        self._arm_timer()

    # -- receiving -------------------------------------------------------------

    def _data_received(self, link: _Link, data: bytes) -> None:
        session = self._session
        if link is not self._link or session is None:
            return
        try:
            events = session.receive_data(data)
        except ProtocolError as exc:
            _log.error("the SMSC's byte stream cannot be framed: %s", exc)
            self._write(session.data_to_send())
            self._abort(link)
            return
        self._handle(link, events)

    def _handle(self, link: _Link, events: list[Event]) -> None:
        session = self._session
        assert session is not None
        for event in events:
            if type(event) is ResponseReceived:
                self._on_response(event)
            elif type(event) is RequestReceived:
                self._on_request(session, event.pdu)
            elif isinstance(event, Unbound):
                if event.by_peer:
                    _log.info("the SMSC unbound the session; rebinding once it closes")
                    # Give the SMSC a moment to answer what is in flight and
                    # close; then close from this side.
                    asyncio.get_running_loop().call_later(PEER_UNBIND_GRACE, self._abort, link)
                elif self._unbind_waiter is not None and not self._unbind_waiter.done():
                    self._unbind_waiter.set_result(None)
            elif isinstance(event, ResponseTimedOut):
                _log.warning(
                    "no response to %s within %s s; dropping the connection",
                    type(event.request).__name__,
                    session.response_timeout,
                )
                self._requeue_or_unknown([event.request])
                self._abort(link)
            elif isinstance(event, PduRejected):
                pass  # the session answered it and logged why
            elif isinstance(event, InactivityTimeout):
                self._abort(link)
        self._write(session.data_to_send())
        self._pump()

    def _on_response(self, event: ResponseReceived) -> None:
        response = event.pdu
        command_id = response.command_id
        if command_id == CommandId.SUBMIT_SM_RESP or (
            command_id == CommandId.GENERIC_NACK and event.request.command_id == CommandId.SUBMIT_SM
        ):
            part = self._in_flight.pop(response.sequence_number, None)
            if part is None:
                return
            status = response.command_status
            if status == 0:
                message_id: str = getattr(response, "message_id", "")
                self._throttle_pause = max(THROTTLE_PAUSE_INITIAL, self._throttle_pause / 2)
                self._accepted(part, message_id)
            elif status in _RETRY_STATUSES:
                self._retry(part, _status(status))
            else:
                code = _status(status)
                self._settle(part, SendState.FAILED, code, f"the SMSC refused it: {code.name}")
        elif event.request.command_id in _BIND_COMMANDS:
            # A bind_*_resp, or a generic_nack from an SMSC that did not understand the bind.
            waiter = self._bind_waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(response)

    def _accepted(self, part: _Part, message_id: str) -> None:
        job = part.job
        job.ids[part.index] = message_id
        message = job.message
        ids = self._ids
        for key in message_id_keys(message_id):
            ids[key] = message
            early = self._early.pop(key, None)
            if early is not None:
                self._receipts.put(_with_message(early, message))
        while len(ids) > RECEIPT_CORRELATION_LIMIT:
            ids.popitem(last=False)
        self._part_done(part)

    def _retry(self, part: _Part, status: CommandStatus) -> None:
        loop = asyncio.get_running_loop()
        if status == CommandStatus.ESME_RTHROTTLED:
            # The SMSC asks for less: pause everything, longer while it lasts.
            # A window's worth of refusals arrives at once for one episode, so
            # the pause grows only when a throttle comes after the last pause.
            now = loop.time()
            if now >= self._paused_until:
                self._paused_until = now + self._throttle_pause
                self._throttle_pause = min(THROTTLE_PAUSE_MAX, self._throttle_pause * 2)
            self._queue.appendleft(part)
            return
        part.retries += 1
        if part.retries > self.retries:
            self._settle(
                part,
                SendState.UNKNOWN if part.ambiguous else SendState.FAILED,
                status,
                f"the SMSC refused it {part.retries} times: {status.name}",
            )
            return
        due = loop.time() + self.backoff.delay(part.retries - 1, self._rng)
        heapq.heappush(self._delayed, (due, next(self._ticket), part))
        self._schedule_pump(self._delayed[0][0] - loop.time())

    def _settle(self, part: _Part, state: SendState, status: CommandStatus, error: str) -> None:
        job = part.job
        # The worst outcome of any part is the message's: failed beats unknown.
        if job.state is not SendState.FAILED:
            job.state, job.status, job.error = state, status, error
        self._part_done(part)

    def _part_done(self, part: _Part) -> None:
        job = part.job
        job.left -= 1
        if job.left == 0:
            self._jobs.discard(job)
            if not job.future.done():
                ids = (
                    tuple(job.ids)
                    if job.state is SendState.ACCEPTED
                    else tuple(i for i in job.ids if i)
                )
                job.future.set_result(SendResult(job.state, ids, job.status, job.error))

    def _requeue_or_unknown(self, requests: Iterable[Pdu]) -> None:
        lost = []
        for request in requests:
            part = self._in_flight.pop(request.sequence_number, None)
            if part is not None:
                lost.append(part)
        if not lost:
            return
        if self.delivery is Delivery.AT_LEAST_ONCE and self.reconnect and not self._closing:
            _log.info("%d submit_sm lost their response; resubmitting them", len(lost))
            for part in lost:
                part.ambiguous = True
            self._queue.extendleft(reversed(lost))
        else:
            for part in lost:
                self._settle(
                    part,
                    SendState.UNKNOWN,
                    CommandStatus.ESME_RSYSERR,
                    "the connection closed before the SMSC answered",
                )

    def _on_request(self, session: Session, pdu: Pdu) -> None:
        command_id = pdu.command_id
        if command_id in (CommandId.DELIVER_SM, CommandId.DATA_SM):
            # Acknowledged once the receipt or message is in its inbox.
            self._on_deliver(pdu)
            self._write(session.respond(pdu))
        elif command_id == CommandId.ALERT_NOTIFICATION:
            _log.info("alert_notification for %s", getattr(pdu, "source_addr", ""))
        elif command_id == CommandId.OUTBIND:
            _log.warning("ignored an outbind on an open connection")

    def _on_deliver(self, pdu: Pdu) -> None:
        tlvs = tuple((tlv.tag, tlv.value) for tlv in getattr(pdu, "tlvs", ()))
        body = message_body(getattr(pdu, "short_message", b""), tlvs)
        source: str = getattr(pdu, "source_addr", "")
        destination: str = getattr(pdu, "destination_addr", "")
        esm_class: int = getattr(pdu, "esm_class", 0)
        if is_receipt(esm_class):
            receipt = parse_receipt(body, tlvs, source=source, destination=destination)
            self._correlate(receipt)
            return
        data_coding: int = getattr(pdu, "data_coding", 0)
        try:
            user_data = split_user_data(body, esm_class, tlvs)
            mo = self._assembler.add(source, destination, data_coding, user_data)
        except EncodingError as exc:
            _log.warning("dropped an undecodable mobile-originated message: %s", exc)
            return
        if mo is not None:
            self._messages.put(mo)

    def _correlate(self, receipt: DeliveryReceipt) -> None:
        for key in message_id_keys(receipt.message_id):
            if key in self._ids:
                self._receipts.put(_with_message(receipt, self._ids[key]))
                return
        # The receipt overtook its submit_sm_resp (or belongs to an earlier
        # process): hold it a while for the response to name its message.
        key = message_id_keys(receipt.message_id)[0]
        self._early[key] = receipt
        asyncio.get_running_loop().call_later(self.receipt_hold, self._release_early, key)

    def _release_early(self, key: str) -> None:
        receipt = self._early.pop(key, None)
        if receipt is not None:
            self._receipts.put(receipt)

    def _connection_lost(self, link: _Link, exc: Exception | None) -> None:
        if link is not self._link or self._session is None:
            return
        was_bound = self._session.state is not SessionState.OPEN
        closed: ConnectionClosed = self._session.connection_lost()
        if self._bind_waiter is not None and not self._bind_waiter.done():
            self._bind_waiter.set_exception(
                TransportError(f"the SMSC closed the connection during bind: {exc}")
            )
        if self._unbind_waiter is not None and not self._unbind_waiter.done():
            self._unbind_waiter.set_result(None)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if was_bound and not self._closing:
            _log.warning("connection to %s:%d lost: %s", self.host, self.port, exc or "closed")
        self._requeue_or_unknown(closed.unanswered)

    # -- what the SMSC sends ---------------------------------------------------

    async def receipts(self) -> AsyncIterator[DeliveryReceipt]:
        """Delivery receipts as they come, until the client closes."""
        while True:
            receipt = await self._receipts.get()
            if receipt is None:
                self._receipts.put(None)
                return
            yield receipt

    async def messages(self) -> AsyncIterator[MobileOriginated]:
        """Mobile-originated messages, reassembled, until the client closes."""
        while True:
            message = await self._messages.get()
            if message is None:
                self._messages.put(None)
                return
            yield message


def _status(value: int) -> CommandStatus:
    try:
        return CommandStatus(value)
    except ValueError:
        return CommandStatus.ESME_RUNKNOWNERR


def _with_message(receipt: DeliveryReceipt, message: Message | None) -> DeliveryReceipt:
    return receipt if message is None else replace(receipt, message=message)


def _smart_text(text: str, replacements: tuple[tuple[int, str, str], ...]) -> str:
    """``text`` with the replacements ``analyze(smart=True)`` reported applied."""
    characters = list(text)
    for index, _, replacement in replacements:
        characters[index] = replacement
    return "".join(characters)
