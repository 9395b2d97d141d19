"""One ESME connection to the simulator: its socket, its session, its timers.

The link feeds what it reads to the sans-I/O session, hands the requests to
the SMSC's :class:`~.answers.Answers` and the deliver_sm responses to its
:class:`~.deliveries.Deliveries`, journals each read's decisions and then
writes each read's responses in one write. One request's failure is its
own: the connection carries on.

It also keeps the timers of SMPP 3.4 §7.2 (a bind must come within
``bind_timeout`` of connecting, the session_init_timer; a session silent for
``idle_timeout`` is unbound and closed, the inactivity_timer; a deliver_sm
unanswered for ``deliver_timeout`` is owed again, the response_timer), and
back-pressure: a client that does not read its responses stops being read.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from smswire.errors import ProtocolError
from smswire.pdu import CommandId, CommandStatus, DeliverSm, Pdu, SubmitSm, Unbind, encode
from smswire.smpp.session import (
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
from smswire.smpp.simulator.answers import BIND_COMMANDS
from smswire.smpp.simulator.journal import Journal, Kind

if TYPE_CHECKING:
    from smswire.smpp.simulator.deliveries import Owed
    from smswire.smpp.simulator.smsc import SmscSimulator
    from smswire.smpp.simulator.throttle import PerSecondCap

__all__ = [
    "DEFAULT_BIND_TIMEOUT",
    "DEFAULT_DELIVER_TIMEOUT",
    "DEFAULT_IDLE_TIMEOUT",
    "UNBIND_TIMEOUT",
    "SmscLink",
]

_log = logging.getLogger("smswire.smpp.simulator")

# SMPP 3.4 §7.2 leaves the timers to implementations; these are common SMSC values.
# session_init_timer: a connection must bind within this many seconds.
DEFAULT_BIND_TIMEOUT = 10.0
# inactivity_timer: a connection silent this long is unbound and closed
# (ESMEs keep theirs alive with enquire_link, typically every 30 s).
DEFAULT_IDLE_TIMEOUT = 120.0
# response_timer: a deliver_sm unanswered this long is owed again.
DEFAULT_DELIVER_TIMEOUT = 30.0
# How long a closing session waits for the ESME's unbind_resp.
UNBIND_TIMEOUT = 1.0

_RECEIVING = (SessionState.BOUND_RX, SessionState.BOUND_TRX)


class SmscLink(asyncio.Protocol):
    def __init__(self, smsc: SmscSimulator, number: int) -> None:
        self.smsc = smsc
        self.number = number
        self.loop = asyncio.get_running_loop()
        self.session = Session(
            Role.SMSC,
            window=smsc.window,
            enquire_link_interval=None,
            response_timeout=smsc.deliver_timeout,
            inactivity_timeout=smsc.idle_timeout,
            clock=self.loop.time,
        )
        self.transport: asyncio.Transport | None = None
        self.peer = ""
        self.system_id: str | None = None
        self.cap: PerSecondCap | None = None
        self.failed_binds = 0
        # deliver_sm on the wire by sequence_number, until answered.
        self.in_flight: dict[int, Owed] = {}
        self.closed: asyncio.Future[None] = self.loop.create_future()
        self._bind_deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._reading_paused = False

    @property
    def receives(self) -> bool:
        return self.session.state in _RECEIVING

    @property
    def writable(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    # -- asyncio.Protocol ----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        if self.smsc.bind_timeout is not None:
            self._bind_deadline = self.loop.time() + self.smsc.bind_timeout
        self.smsc.opened(self)
        self.smsc.journal.write(Journal.opened(self.loop.time(), self.number, self.peer))
        self.arm()

    def data_received(self, data: bytes) -> None:
        try:
            events = self.session.receive_data(data)
        except ProtocolError as exc:
            # SMPP 3.4 §3.2: a command_length out of bounds leaves nothing to
            # frame by; the generic_nack is in the outbox, then the connection ends.
            self.smsc.journal.write(self._refused(self.loop.time(), exc))
            self.write(self.session.data_to_send())
            self.close()
            return
        self._handle(events)

    def eof_received(self) -> bool | None:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.session.connection_lost()
        clock = self.loop.time()
        self.smsc.journal.write(Journal.closed(clock, self.number))
        self.smsc.deliveries.lost(self)
        self.smsc.lost(self)
        self.smsc.deliveries.flush()
        if not self.closed.done():
            self.closed.set_result(None)

    def pause_writing(self) -> None:
        # The ESME is not reading its responses: stop reading its requests
        # rather than queue responses without bound.
        if self.transport is not None and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.transport is not None and self._reading_paused:
            self._reading_paused = False
            self.transport.resume_reading()

    # -- one read --------------------------------------------------------------------

    def _handle(self, events: list[Event]) -> None:
        clock = self.loop.time()
        smsc = self.smsc
        answers = smsc.answers
        records: list[bytes] = []
        submits: list[bytes] = []
        # The ESME's responses: sequence_number, command_status, ...
        answered: list[int] = []
        responses: list[Pdu] = []
        # Responses the session encodes itself (the uncommon requests).
        encoded: list[bytes] = []
        unbound = False
        for event in events:
            if type(event) is RequestReceived:
                pdu = event.pdu
                try:
                    if type(pdu) is SubmitSm:
                        response = answers.submit(self, pdu, clock, submits, records)
                    elif pdu.command_id in BIND_COMMANDS:
                        response = answers.bind(self, pdu, clock, records)
                    else:
                        # inMobile supports bind, unbind, submit_sm, deliver_sm and
                        # enquire_link; the rest get ESME_RINVCMDID (SMPP 3.4 §5.1.3).
                        encoded.append(self.session.respond(pdu, CommandStatus.ESME_RINVCMDID))
                        continue
                except Exception:
                    _log.exception("answering %s failed", type(pdu).__name__)
                    encoded.append(self.session.respond(pdu, CommandStatus.ESME_RSYSERR))
                    continue
                if response is not None:
                    responses.append(response)
            elif type(event) is ResponseReceived:
                response = event.pdu
                answered += (response.sequence_number, response.command_status)
                if type(event.request) is DeliverSm:
                    smsc.deliveries.answered(self, response, clock)
            elif type(event) is PduRejected:
                records.append(self._refused(clock, event.error))
            elif type(event) is Unbound:
                unbound = True
        if submits:
            records.append(Journal.submits(clock, self.number, submits))
        if answered:
            records.append(Journal.pairs(Kind.ANSWERED, clock, self.number, answered))
        # The record first: it must never hold less than the ESME was told.
        smsc.journal.write(b"".join(records))
        if responses:
            encoded.append(self._encode(responses))
        encoded.append(self.session.data_to_send())
        self.write(b"".join(encoded))
        if unbound:
            smsc.deliveries.detach(self)
            self.close()
        elif self.failed_binds >= smsc.failed_binds.per_connection:
            _log.warning(
                "closed connection %d after %d failed binds", self.number, self.failed_binds
            )
            self.close()
        smsc.deliveries.flush()
        self.arm()

    def _encode(self, responses: list[Pdu]) -> bytes:
        try:
            return self.session.send_many(responses)[1]
        except ProtocolError:
            # The session tracks one pending request per sequence_number; a
            # client that reuses one still gets an answer to each request.
            _log.warning(
                "connection %d reused a sequence_number awaiting its response", self.number
            )
            out = []
            for response in responses:
                try:
                    out.append(self.session.send(response))
                except ProtocolError:
                    out.append(encode(response))
            return b"".join(out)

    def _refused(self, clock: float, error: ProtocolError) -> bytes:
        return Journal.refused_pdu(
            clock, self.number, error.command_id or 0, error.status, str(error)
        )

    # -- writing -------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        if data and self.writable:
            assert self.transport is not None
            self.transport.write(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def unbind(self) -> None:
        """Unbind (SMPP 3.4 §4.2), and close when the answer comes or UNBIND_TIMEOUT passes."""
        self.smsc.deliveries.detach(self)
        self.write(self.session.send(Unbind()))
        self.loop.call_later(UNBIND_TIMEOUT, self.abort)

    def prepare_deliveries(self, owed: list[Owed], clock: float, records: list[bytes]) -> bytes:
        """The bytes of these deliver_sm, now in flight here; their records join ``records``."""
        sent, data = self.session.send_many([o.pdu for o in owed])
        went: list[int] = []
        for pdu, one in zip(sent, owed):
            self.in_flight[pdu.sequence_number] = one
            went += (one.id, pdu.sequence_number)
        records.append(Journal.pairs(Kind.DELIVER, clock, self.number, went))
        return data

    # -- timers --------------------------------------------------------------------

    def bound(self) -> None:
        """The bind succeeded: the session_init_timer stops."""
        self._bind_deadline = None

    def arm(self) -> None:
        """Make sure the timer runs by the earliest deadline the link has now."""
        deadline = self.session.next_deadline()
        if self._bind_deadline is not None:
            deadline = min(deadline or self._bind_deadline, self._bind_deadline)
        if deadline is None:
            return
        if self._timer is not None:
            if self._timer.when() <= deadline:
                return
            self._timer.cancel()
        self._timer = self.loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if not self.writable:
            return
        clock = self.loop.time()
        if self._bind_deadline is not None and clock >= self._bind_deadline:
            _log.info("closing connection %d: no bind within its session_init_timer", self.number)
            self.close()
            return
        for event in self.session.handle_timeout():
            if isinstance(event, ResponseTimedOut):
                seq = event.request.sequence_number
                self.smsc.journal.write(Journal.timed_out(clock, self.number, seq))
                if seq in self.in_flight:
                    self.smsc.deliveries.timed_out(self, seq, clock)
                elif event.request.command_id == CommandId.UNBIND:
                    self.abort()
            elif isinstance(event, InactivityTimeout):
                _log.info("closing connection %d: idle for %.0f s", self.number, event.idle)
                if self.session.bound:
                    self.unbind()
                else:
                    self.close()
        self.write(self.session.data_to_send())
        self.smsc.deliveries.flush()
        self.arm()
