"""Connection supervision: connect, bind, run the session's timers, reconnect.

A :class:`Supervisor` owns the socket (TCP or TLS), the
:class:`~smswire.smpp.session.Session` of the connection of the moment, its
timers (response timeouts, enquire_link) and the life of the bind: it binds,
notices a lost connection, and binds again with back-off. What arrives it
hands on (answers and the SMSC's requests to the receive side; lost requests
to the send pump), and it is the :class:`~smswire.smpp.pump.Wire` both of
them write through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl

from smswire.errors import (
    ProtocolError,
    RequestNotSent,
    SmscError,
    SmswireError,
    TransportError,
)
from smswire.options import Backoff, Timeouts
from smswire.pdu import CommandId, CommandStatus, Pdu, Unbind
from smswire.smpp.credentials import Credentials
from smswire.smpp.pump import SendPump, command_status
from smswire.smpp.receiving import ReceiveSide
from smswire.smpp.session import (
    ConnectionClosed,
    Event,
    InactivityTimeout,
    RequestReceived,
    ResponseReceived,
    ResponseTimedOut,
    Role,
    Session,
    SessionState,
    Unbound,
)
from smswire.smpp.timer import SessionTimer

__all__ = ["Supervisor"]

_log = logging.getLogger("smswire.smpp")

_BIND_COMMANDS = frozenset(
    (CommandId.BIND_TRANSMITTER, CommandId.BIND_RECEIVER, CommandId.BIND_TRANSCEIVER)
)
# inMobile refuses binds with ESME_RBINDFAIL while it restarts: rebind later.
_REBIND_STATUSES = frozenset((CommandStatus.ESME_RBINDFAIL, CommandStatus.ESME_RSYSERR))
# After the SMSC's unbind, how long it may take to answer what is in flight and close.
PEER_UNBIND_GRACE = 1.0


class _Link(asyncio.Protocol):
    """One connection: hands its bytes and its end to the supervisor."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.supervisor._received(self, data)

    def eof_received(self) -> bool | None:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(exc)
        self.supervisor._lost(self, exc)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class Supervisor:
    """Keeps one bind to one SMSC up; the wire the pump and the receive side use.

    Call :meth:`attach` once with the receive side and the send pump, then
    :meth:`connect`. ``reconnect``: bind again after a lost connection, with
    ``backoff``; a bind the SMSC refuses for good ends it, as does a lost
    connection without ``reconnect``: :attr:`failure` then says why.
    """

    def __init__(
        self,
        host: str,
        port: int,
        credentials: Credentials,
        *,
        tls: ssl.SSLContext | None,
        timeouts: Timeouts,
        window: int,
        backoff: Backoff,
        reconnect: bool,
        rng: random.Random,
    ) -> None:
        self.host = host
        self.port = port
        self.credentials = credentials
        self.tls = tls
        self._timeouts = timeouts
        self._window = window
        self._backoff = backoff
        self.reconnect = reconnect
        self._rng = rng
        self._receiving: ReceiveSide | None = None
        self._pump: SendPump | None = None
        self._session: Session | None = None
        self._link: _Link | None = None
        self._timer = SessionTimer(self._on_timer)
        self._bind_waiter: asyncio.Future[Pdu] | None = None
        self._unbind_waiter: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._bound_at = 0.0
        # The SMSC's PDUs kept coming for backoff.reset_after after the bind.
        self._healthy = False
        self.started = False
        # Successful binds, the first and every rebind.
        self.binds = 0
        self.closing = False
        self.failure: SmswireError | None = None

    def attach(self, receiving: ReceiveSide, pump: SendPump) -> None:
        """Where what arrives goes: answers and requests, and lost submits."""
        self._receiving, self._pump = receiving, pump

    # -- the wire ---------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        session = self._session
        if session is None or not session.bound or self.closing:
            return None
        # A connection being dropped (a response timed out) takes no more
        # submits: they would be lost with it, and counted lost.
        transport = self._link.transport if self._link is not None else None
        return None if transport is None or transport.is_closing() else session

    @property
    def bound(self) -> bool:
        return self._session is not None and self._session.bound

    def write(self, data: bytes) -> None:
        link = self._link
        transport = None if link is None else link.transport
        # A transport already closing (lost, not yet reported) drops what is
        # written and asyncio warns once per write: an answer that cannot go
        # out is simply not given, and the SMSC delivers its PDU again.
        if data and transport is not None and not transport.is_closing():
            transport.write(data)
            self._arm_timer()

    # -- connecting and binding ----------------------------------------------------

    async def connect(self) -> None:
        """Connect and bind, then keep the bind up; raises :class:`SmscError`
        or :class:`TransportError` when this first bind fails.

        A bind refused as during a restart (ESME_RBINDFAIL, ESME_RSYSERR) is
        tried again with the reconnect back-off, while the next attempt starts
        within ``timeouts.connect`` of the first.
        """
        self.started = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeouts.connect
        attempt = 0
        while True:
            try:
                await self._connect_and_bind()
                break
            except SmscError as exc:
                delay = self._backoff.delay(attempt, self._rng)
                if exc.status not in _REBIND_STATUSES or loop.time() + delay >= deadline:
                    raise
                _log.info("bind refused (%s); retrying", command_status(exc.status).name)
                attempt += 1
                await asyncio.sleep(delay)
        self._task = loop.create_task(self._supervise())

    async def _connect_and_bind(self) -> None:
        assert self._pump is not None, "attach() the receive side and the pump first"
        loop = asyncio.get_running_loop()
        try:
            _, link = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Link(self),
                    self.host,
                    self.port,
                    ssl=self.tls,
                    server_hostname=self.host if self.tls else None,
                ),
                self._timeouts.connect,
            )
        except (OSError, asyncio.TimeoutError, ssl.SSLError) as exc:
            raise RequestNotSent(
                f"cannot connect to {self.host}:{self.port}: {exc or type(exc).__name__}"
            ) from exc
        session = Session(
            Role.ESME,
            window=self._window,
            response_timeout=self._timeouts.response,
            enquire_link_interval=self._timeouts.enquire_link,
            clock=loop.time,
        )
        self._timer.start(session)
        self._session, self._link = session, link
        waiter: asyncio.Future[Pdu] = loop.create_future()
        self._bind_waiter = waiter
        try:
            self.write(session.send(self.credentials.request()))
            response = await asyncio.wait_for(asyncio.shield(waiter), self._timeouts.response)
        except asyncio.TimeoutError:
            link.abort()
            raise RequestNotSent(
                f"no bind response from {self.host}:{self.port} within {self._timeouts.response} s"
            ) from None
        except TransportError:
            link.abort()
            raise
        finally:
            self._bind_waiter = None
            if waiter.done() and not waiter.cancelled():
                waiter.exception()  # retrieved: it was raised above, or is moot
        if response.command_status != CommandStatus.ESME_ROK:
            link.abort()
            status = command_status(response.command_status)
            raise SmscError(
                f"bind as {self.credentials.bind} refused for system_id "
                f"{self.credentials.system_id!r}: {status.name}",
                status=status,
            )
        self._bound_at = loop.time()
        self.binds += 1
        self._healthy = False
        _log.info(
            "bound as %s to %s:%d as system_id %r",
            self.credentials.bind,
            self.host,
            self.port,
            self.credentials.system_id,
        )
        self._pump.on_bound()

    async def _supervise(self) -> None:
        """After each lost connection, bind again with back-off."""
        attempt = 0
        while True:
            link = self._link
            if link is not None:
                await link.closed
            if self.closing:
                return
            if not self.reconnect:
                self._fail(RequestNotSent("the connection to the SMSC closed; reconnect is off"))
                return
            if self._healthy:
                attempt = 0  # that bind was healthy: start the back-off again
            while not self.closing:
                await asyncio.sleep(self._backoff.delay(attempt, self._rng))
                attempt += 1
                if self.closing:
                    return
                try:
                    await self._connect_and_bind()
                    break
                except SmscError as exc:
                    if exc.status in _REBIND_STATUSES:
                        _log.info("rebind refused (%s); retrying", command_status(exc.status).name)
                        continue
                    _log.error("rebind refused for good: %s", exc)
                    self._fail(exc)
                    return
                except TransportError as exc:
                    _log.info("rebind failed (%s); retrying", exc)

    def _fail(self, error: SmswireError) -> None:
        self.failure = error
        assert self._pump is not None
        status = command_status(error.status) if isinstance(error, SmscError) else None
        self._pump.give_up(str(error), status)

    # -- what arrives -----------------------------------------------------------------

    def _received(self, link: _Link, data: bytes) -> None:
        session = self._session
        if link is not self._link or session is None:
            return
        try:
            events = session.receive_data(data)
        except ProtocolError as exc:
            _log.error("the SMSC's byte stream cannot be framed: %s", exc)
            self.write(session.data_to_send())
            link.abort()
            return
        if not self._healthy:
            # The SMSC's PDUs still come reset_after into the bind: a healthy one.
            now = asyncio.get_running_loop().time()
            self._healthy = now - self._bound_at >= self._backoff.reset_after
        self._handle(link, session, events)

    def _handle(self, link: _Link, session: Session, events: list[Event]) -> None:
        receiving, pump = self._receiving, self._pump
        assert receiving is not None and pump is not None
        # A read can bring a whole window of responses. Refilling the window
        # as they are taken, not once after the last, gives the SMSC work
        # while this side is still busy: the two overlap instead of taking turns.
        answered, refill = 0, pump.refill
        for event in events:
            if type(event) is ResponseReceived:
                if event.request.command_id in _BIND_COMMANDS:
                    # A bind_*_resp, or a generic_nack from an SMSC that did not understand it.
                    waiter = self._bind_waiter
                    if waiter is not None and not waiter.done():
                        waiter.set_result(event.pdu)
                else:
                    receiving.on_response(event)
                    answered += 1
                    if answered == refill:
                        pump.pump(most=answered)
                        answered = 0
            elif type(event) is RequestReceived:
                receiving.on_request(session, event.pdu)
            elif isinstance(event, Unbound):
                if event.by_peer:
                    _log.info("the SMSC unbound the session; rebinding once it closes")
                    # Give the SMSC a moment to answer what is in flight and
                    # close; then close from this side.
                    asyncio.get_running_loop().call_later(PEER_UNBIND_GRACE, link.abort)
                elif self._unbind_waiter is not None and not self._unbind_waiter.done():
                    self._unbind_waiter.set_result(None)
            elif isinstance(event, ResponseTimedOut):
                _log.warning(
                    "no response to %s within %s s; dropping the connection",
                    type(event.request).__name__,
                    session.response_timeout,
                )
                pump.on_unanswered([event.request], resubmit=self._can_resubmit())
                link.abort()
            elif isinstance(event, InactivityTimeout):
                link.abort()
            # PduRejected: the session answered it and logged why.
        self.write(session.data_to_send())
        # An answer moves the enquire_link due: sooner, maybe, than the timer.
        self._arm_timer()
        pump.pump()

    def _can_resubmit(self) -> bool:
        return self.reconnect and not self.closing

    def _lost(self, link: _Link, exc: Exception | None) -> None:
        session = self._session
        if link is not self._link or session is None:
            return
        was_bound = session.state is not SessionState.OPEN
        closed: ConnectionClosed = session.connection_lost()
        if self._bind_waiter is not None and not self._bind_waiter.done():
            self._bind_waiter.set_exception(
                RequestNotSent(f"the SMSC closed the connection during bind: {exc}")
            )
        if self._unbind_waiter is not None and not self._unbind_waiter.done():
            self._unbind_waiter.set_result(None)
        self._timer.cancel()
        if was_bound and not self.closing:
            _log.warning("connection to %s:%d lost: %s", self.host, self.port, exc or "closed")
        assert self._pump is not None
        self._pump.on_unanswered(closed.unanswered, resubmit=self._can_resubmit())

    # -- the session's timers -----------------------------------------------------------

    def _arm_timer(self) -> None:
        if self._session is not None:
            self._timer.arm(self._session)

    def _on_timer(self) -> None:
        session, link = self._session, self._link
        if session is None or link is None:
            return
        self._handle(link, session, session.handle_timeout())
        self._arm_timer()

    # -- the end ------------------------------------------------------------------------

    async def unbind(self, timeout: float) -> None:
        """Send unbind and wait up to ``timeout`` for its answer or the connection's end."""
        session, link = self._session, self._link
        if session is None or link is None or not session.bound:
            return
        self._unbind_waiter = asyncio.get_running_loop().create_future()
        try:
            self.write(session.send(Unbind()))
            await asyncio.wait_for(asyncio.shield(self._unbind_waiter), timeout)
        except (asyncio.TimeoutError, ProtocolError, TransportError):
            # Some SMSCs (smpp34's server) close the socket instead of
            # answering unbind; that completes the unbind just as well.
            pass

    async def wait_ended(self) -> None:
        """Return once supervision stopped: closing, or :attr:`failure` set."""
        if self._task is not None:
            await asyncio.wait([self._task])

    async def shutdown(self) -> None:
        """Close the connection and stop supervising it."""
        link = self._link
        if link is not None and link.transport is not None:
            link.transport.close()
        self._timer.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._link is not link and self._link is not None:
            # A rebind the cancellation interrupted.
            self._link.abort()
        _log.info("closed the bind to %s:%d", self.host, self.port)
