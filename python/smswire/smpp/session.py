"""The SMPP 3.4 session as a sans-I/O state machine.

A :class:`Session` does no I/O and reads no clock of its own accord: the
driver feeds it received bytes (:meth:`Session.receive_data`) and gets events
back, hands it PDUs to send (:meth:`Session.send`, :meth:`Session.send_many`)
and gets bytes back (or hands it submit_sm already encoded, to be numbered:
:meth:`Session.send_encoded_submits`), and asks it when its next timer falls due
(:meth:`Session.next_deadline`, :meth:`Session.handle_timeout`). Replies the
protocol makes on its own (enquire_link_resp, unbind_resp, generic_nack, the
error response to a request not allowed in the current state, the periodic
enquire_link) collect in an outbox the driver drains with
:meth:`Session.data_to_send` after each call. The states and which request
is allowed in which are tables (:mod:`.session_rules`); the events are in
:mod:`.session_events`; both are named here too.

The same class plays either side: ``Role.ESME`` for a client, ``Role.SMSC``
for the simulator.
"""

from __future__ import annotations

import logging
import struct
import time
from collections.abc import Mapping, Sequence
from typing import Callable

from smswire import pdu as _pdu
from smswire.errors import (
    ConfigurationError,
    LocalProtocolError,
    ProtocolError,
    RemoteProtocolError,
)
from smswire.options import (
    DEFAULT_ENQUIRE_LINK_INTERVAL,
    DEFAULT_RESPONSE_TIMEOUT,
    DEFAULT_WINDOW,
)
from smswire.pdu import CommandId, CommandStatus, Framer, Pdu, with_sequence_number
from smswire.smpp.session_events import (
    ConnectionClosed,
    Event,
    InactivityTimeout,
    PduRejected,
    RequestReceived,
    ResponseReceived,
    ResponseTimedOut,
    Unbound,
)
from smswire.smpp.session_requests import MAX_SEQUENCE_NUMBER, AwaitedRequests
from smswire.smpp.session_rules import BIND_REQUESTS as _BINDS
from smswire.smpp.session_rules import BOUND_BY_RESPONSE as _BOUND
from smswire.smpp.session_rules import CONTROL_REQUESTS as _CONTROL
from smswire.smpp.session_rules import ESME_REQUESTS as _ESME_REQUESTS
from smswire.smpp.session_rules import PLAIN_RESPONSE_BODIES as _PLAIN_BODIES
from smswire.smpp.session_rules import RESPONSE_BIT as _RESPONSE_BIT
from smswire.smpp.session_rules import RESPONSE_CLASSES as _RESPONSES
from smswire.smpp.session_rules import SMSC_REQUESTS as _SMSC_REQUESTS
from smswire.smpp.session_rules import Role, SessionState, refusal

__all__ = [
    "DEFAULT_ENQUIRE_LINK_INTERVAL",
    "DEFAULT_RESPONSE_TIMEOUT",
    "DEFAULT_WINDOW",
    "MAX_SEQUENCE_NUMBER",
    "ConnectionClosed",
    "Event",
    "InactivityTimeout",
    "PduRejected",
    "RequestReceived",
    "ResponseReceived",
    "ResponseTimedOut",
    "Role",
    "Session",
    "SessionState",
    "Unbound",
]

_log = logging.getLogger("smswire.smpp")


# What every PDU is compared with, bound once as plain ints and members: on
# CPython 3.11 an enum attribute lookup costs more than the rest of a PDU's
# dispatch.
_GENERIC_NACK = int(CommandId.GENERIC_NACK)
_ENQUIRE_LINK = int(CommandId.ENQUIRE_LINK)
_ENQUIRE_LINK_RESP = int(CommandId.ENQUIRE_LINK_RESP)
_UNBIND = int(CommandId.UNBIND)
_UNBIND_RESP = int(CommandId.UNBIND_RESP)
_ALERT_NOTIFICATION = int(CommandId.ALERT_NOTIFICATION)
_SUBMIT_SM = int(CommandId.SUBMIT_SM)
_OPEN, _UNBOUND, _CLOSED = SessionState.OPEN, SessionState.UNBOUND, SessionState.CLOSED
_pack_header = struct.Struct(">IIII").pack


def _remote(exc: ProtocolError) -> RemoteProtocolError:
    """The codec's error about bytes the peer sent, as the peer's fault."""
    if isinstance(exc, RemoteProtocolError):
        return exc
    return RemoteProtocolError(
        str(exc),
        status=exc.status,
        field=exc.field,
        command_id=exc.command_id,
        sequence_number=exc.sequence_number,
    )


class Session:
    """One SMPP session, either side of it, without I/O.

    ``window`` caps the requests awaiting a response (enquire_link and unbind
    aside). Timers are in seconds on ``clock`` (``time.monotonic`` unless a
    test passes a fake one); ``None`` turns a timer off.
    ``enquire_link_interval``: after that long without hearing from the
    peer, an enquire_link is queued (SMPP 3.4 §4.11). ``inactivity_timeout``:
    after that long, :class:`InactivityTimeout` is reported.
    """

    def __init__(
        self,
        role: Role = Role.ESME,
        *,
        window: int = DEFAULT_WINDOW,
        response_timeout: float | None = DEFAULT_RESPONSE_TIMEOUT,
        enquire_link_interval: float | None = DEFAULT_ENQUIRE_LINK_INTERVAL,
        inactivity_timeout: float | None = None,
        max_command_length: int = _pdu.MAX_COMMAND_LENGTH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if window < 1:
            raise ConfigurationError(f"window must be at least 1, not {window}")
        self.role = role
        self.response_timeout = response_timeout
        self.enquire_link_interval = enquire_link_interval
        self.inactivity_timeout = inactivity_timeout
        self._clock = clock
        self._framer = Framer(max_command_length)
        self._state = SessionState.OPEN
        # The bound state an unbind left: requests already in flight from the
        # peer are still allowed, and answered, while the unbind completes.
        self._was = SessionState.OPEN
        self._ours = _ESME_REQUESTS if role is Role.ESME else _SMSC_REQUESTS
        self._theirs = _SMSC_REQUESTS if role is Role.ESME else _ESME_REQUESTS
        self._requests = AwaitedRequests(window)
        # The peer's requests awaiting our response: sequence_number -> command_id.
        self._peer_pending: dict[int, int] = {}
        self._outbox: list[bytes] = []
        now = clock()
        self._last_received = now
        self._enquiring = False

    # -- state ---------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def bound(self) -> bool:
        return self._state in (
            SessionState.BOUND_TX,
            SessionState.BOUND_RX,
            SessionState.BOUND_TRX,
        )

    @property
    def window(self) -> int:
        """Requests that may await a response at once, control requests aside."""
        return self._requests.window

    @property
    def window_free(self) -> int:
        """How many more windowed requests may go out now."""
        return self._requests.window - self._requests.windowed

    @property
    def outstanding(self) -> int:
        """Our requests awaiting a response, control requests included."""
        return len(self._requests)

    @property
    def last_sequence_number(self) -> int:
        """The sequence_number of the last request sent (0 before the first)."""
        return self._requests.last

    def oldest_outstanding(self) -> int | None:
        """The sequence_number of the oldest request still awaiting its response."""
        return self._requests.oldest()

    def data_to_send(self) -> bytes:
        """Bytes the session queued on its own (replies, enquire_link); empties the outbox."""
        if not self._outbox:
            return b""
        data = b"".join(self._outbox)
        self._outbox.clear()
        return data

    # -- sending -------------------------------------------------------------

    def _allowed(self, table: Mapping[SessionState, frozenset[int]], command_id: int) -> bool:
        state = self._was if self._state is _UNBOUND else self._state
        if self._state is _CLOSED:
            return False
        return command_id in table.get(state, ())

    def _prepare(self, pdu: Pdu, deadline: float) -> Pdu:
        command_id = pdu.command_id
        if command_id & _RESPONSE_BIT:
            pending = self._peer_pending.pop(pdu.sequence_number, None)
            if pending is None and command_id != _GENERIC_NACK:
                raise LocalProtocolError(
                    f"{type(pdu).__name__} answers sequence_number {pdu.sequence_number}, "
                    "which no request of the peer is waiting on",
                    status=CommandStatus.ESME_RINVCMDID,
                    field="sequence_number",
                    command_id=command_id,
                    sequence_number=pdu.sequence_number,
                )
            if pdu.command_status == 0 and command_id in _BOUND and self._state is _OPEN:
                self._state = _BOUND[command_id]
            return pdu
        if self._state is _UNBOUND or not self._allowed(self._ours, command_id):
            raise LocalProtocolError(
                f"{type(pdu).__name__} may not be sent in session state {self._state.value}",
                status=CommandStatus.ESME_RINVBNDSTS,
                command_id=command_id,
            )
        requests = self._requests
        if command_id in _BINDS and requests.bind_awaited():
            raise LocalProtocolError(
                "a bind is already awaiting its response",
                status=CommandStatus.ESME_RALYBND,
                command_id=command_id,
            )
        if command_id not in _CONTROL:
            if requests.windowed >= requests.window:
                raise LocalProtocolError(
                    f"the window of {requests.window} outstanding requests is full",
                    status=CommandStatus.ESME_RTHROTTLED,
                    field="window",
                    command_id=command_id,
                )
            requests.windowed += 1
        elif command_id == _UNBIND:
            self._was, self._state = self._state, _UNBOUND
        pdu = with_sequence_number(pdu, requests.next_sequence())
        requests.add(pdu, deadline)
        return pdu

    def _deadline(self) -> float:
        timeout = self.response_timeout
        return self._clock() + timeout if timeout is not None else float("inf")

    def send(self, pdu: Pdu) -> bytes:
        """Encode one PDU to send, updating the session.

        A request gets the next sequence number (any the PDU carries is
        replaced); a response must answer a request of the peer's by its
        sequence_number. Raises :class:`LocalProtocolError` for a request the
        session state or the window does not allow, or a PDU that cannot be
        encoded (then nothing of it counts).
        """
        prepared = self._prepare(pdu, self._deadline())
        try:
            return _pdu.encode(prepared)
        except ProtocolError as exc:
            raise self._withdraw([prepared], exc) from None

    def respond(self, request: Pdu, status: int = 0) -> bytes:
        """Encode the response to a request of the peer's (deliver_sm, submit_sm, ...).

        SMPP 3.4 §3.2: the response carries the request's sequence_number and
        its command_id with bit 31 set; ``status`` is its command_status.
        """
        command_id = request.command_id
        body = _PLAIN_BODIES.get(command_id)
        if body is not None and status == 0:
            seq = request.sequence_number
            if self._peer_pending.pop(seq, None) is not None:
                # What the codec gives for it, without a PDU object to encode
                # (a refusal has no body, which the codec decides: its path).
                header = (_pdu.HEADER_LENGTH + len(body), command_id | _RESPONSE_BIT, 0, seq)
                return _pack_header(*header) + body
        response_class = _RESPONSES[command_id | _RESPONSE_BIT]
        response = response_class(command_status=status, sequence_number=request.sequence_number)
        # A response awaits nothing: no deadline to take the clock for.
        prepared = self._prepare(response, 0.0)
        try:
            return _pdu.encode(prepared)
        except ProtocolError as exc:
            raise self._withdraw([prepared], exc) from None

    def send_many(self, pdus: list[Pdu]) -> tuple[list[Pdu], bytes]:
        """Prepare a batch and encode it in one call, for one write.

        Returns the PDUs as sent (with their sequence numbers) and the bytes.
        The batch is checked whole before any of it counts: if the window
        cannot take it all, or a PDU of it cannot be encoded, nothing is sent
        and :class:`LocalProtocolError` is raised.
        """
        windowed = sum(
            1 for p in pdus if p.command_id not in _CONTROL and not p.command_id & _RESPONSE_BIT
        )
        self._requests.check_room(windowed)
        deadline = self._deadline()
        prepared = [self._prepare(p, deadline) for p in pdus]
        try:
            return prepared, _pdu.encode_many(prepared)
        except ProtocolError as exc:
            raise self._withdraw(prepared, exc) from None

    def send_encoded_submits(self, pdus: Sequence[bytes]) -> tuple[list[int], bytes]:
        """Number submit_sm PDUs encoded already, for one write: the fused
        submit path (:mod:`~smswire.smpp.window`) builds no PDU object to send.

        Returns each one's sequence_number and the bytes, its number stamped
        in place of the one it carried. The request that stands for one in
        this session's events (its response, its timeout, its loss) is a
        :class:`~smswire.pdu.SubmitSm` carrying that sequence_number only.
        Raises :class:`LocalProtocolError`, and nothing counts, when the
        state allows no submit_sm, the window cannot take them all, or one is
        not a whole submit_sm.
        """
        if self._state is _UNBOUND or not self._allowed(self._ours, _SUBMIT_SM):
            raise LocalProtocolError(
                f"SubmitSm may not be sent in session state {self._state.value}",
                status=CommandStatus.ESME_RINVBNDSTS,
                command_id=_SUBMIT_SM,
            )
        return self._requests.stamp_submits(pdus, self._deadline())

    def _withdraw(self, prepared: list[Pdu], exc: ProtocolError) -> LocalProtocolError:
        """Forget requests prepared for a write that could not be encoded, so
        none awaits a response that cannot come; the error, as ours."""
        for pdu in prepared:
            if pdu.command_id & _RESPONSE_BIT:
                continue
            self._requests.release(pdu.sequence_number)
        return LocalProtocolError(
            f"cannot encode our own PDU: {exc}",
            status=exc.status,
            field=exc.field,
            command_id=exc.command_id,
        )

    # -- receiving -----------------------------------------------------------

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes from the peer; returns what they mean, in order.

        ``b""`` means the peer closed the connection. Raises
        :class:`RemoteProtocolError` when the stream cannot be framed any more
        (a command_length out of bounds, SMPP 3.4 §3.2); a generic_nack for
        it is in the outbox, and the connection must close.
        """
        if not data:
            return [self.connection_lost()]
        self._last_received = self._clock()
        events: list[Event] = []
        chunk = data
        while True:
            try:
                pdus = self._framer.feed(chunk)
            except ProtocolError as exc:
                fault = _remote(exc)
                events.append(self._reject(fault))
                # Only a header whose command_length is out of bounds loses the
                # framing; a body that ends inside a field (the same status,
                # with its command_id known) was skipped whole.
                if fault.status == CommandStatus.ESME_RINVCMDLEN and fault.command_id is None:
                    self._state = SessionState.CLOSED
                    raise fault from exc
                chunk = b""
                continue
            for received in pdus:
                self._dispatch(received, events)
            return events

    def _reject(self, exc: RemoteProtocolError) -> PduRejected:
        # SMPP 3.4 §4.3: an unrecognised or corrupt PDU is answered with
        # generic_nack; a request whose body is bad gets its own response with
        # the error status, so the peer can match it.
        response = refusal(exc.command_id, exc.status, exc.sequence_number or 0)
        _log.warning("rejected a PDU from the peer: %s", exc)
        self._outbox.append(_pdu.encode(response))
        return PduRejected(exc)

    def _dispatch(self, received: Pdu, events: list[Event]) -> None:
        command_id = received.command_id
        seq = received.sequence_number
        if command_id & _RESPONSE_BIT:
            request = self._requests.release(seq)
            if request is None:
                _log.debug(
                    "dropped %s for sequence_number %d, which awaits nothing",
                    type(received).__name__,
                    seq,
                )
                return
            if command_id != request.command_id | _RESPONSE_BIT and command_id != _GENERIC_NACK:
                self._mismatched(received, request, events)
                return
            if command_id == _ENQUIRE_LINK_RESP:
                self._enquiring = False
                return
            bound = _BOUND.get(command_id)
            if bound is not None and received.command_status == 0 and self._state is _OPEN:
                self._state = bound
            events.append(ResponseReceived(received, request))
            if command_id == _UNBIND_RESP:
                events.append(Unbound(by_peer=False))
            return
        if command_id == _ENQUIRE_LINK:
            # SMPP 3.4 §4.11: answered in any state, by either side.
            self._outbox.append(_pdu.encode(_pdu.EnquireLinkResp(sequence_number=seq)))
            return
        if command_id == _UNBIND and self._state is not _OPEN:
            # SMPP 3.4 §4.2: answer unbind_resp; the session is no longer bound.
            self._outbox.append(_pdu.encode(_pdu.UnbindResp(sequence_number=seq)))
            if self._state is not _UNBOUND:
                self._was, self._state = self._state, _UNBOUND
            events.append(Unbound(by_peer=True))
            return
        if not self._allowed(self._theirs, command_id):
            # SMPP 3.4 §5.1.3: ESME_RALYBND for a second bind, ESME_RINVBNDSTS
            # for a request the session state does not allow.
            status = (
                CommandStatus.ESME_RALYBND
                if command_id in _BINDS and self.bound
                else CommandStatus.ESME_RINVBNDSTS
            )
            _log.warning(
                "answered %s with %s in session state %s",
                type(received).__name__,
                status.name,
                self._state.value,
            )
            self._outbox.append(_pdu.encode(refusal(command_id, status, seq)))
            return
        if command_id != _ALERT_NOTIFICATION:
            # SMPP 3.4 §4.12.1: alert_notification is the one request without a response.
            self._peer_pending[seq] = command_id
        events.append(RequestReceived(received))

    def _mismatched(self, received: Pdu, request: Pdu, events: list[Event]) -> None:
        """A response of another type than its request's (SMPP 3.4 §3.2: the
        response's command_id is the request's with bit 31 set): the request
        is answered all the same, and the driver learns that it was not
        answered properly. A bind or control request (enquire_link, unbind)
        is left to its own timers, as if nothing had come."""
        _log.warning(
            "%s came for %s (sequence_number %d), which it does not answer",
            type(received).__name__,
            type(request).__name__,
            received.sequence_number,
        )
        if request.command_id == _ENQUIRE_LINK:
            self._enquiring = False
        elif request.command_id not in _CONTROL and request.command_id not in _BINDS:
            events.append(ResponseReceived(received, request))

    # -- timers --------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When :meth:`handle_timeout` next has something to do, on the session's clock."""
        deadlines = []
        first = self._requests.first_deadline()
        if first is not None:
            deadlines.append(first)
        if self.enquire_link_interval is not None and not self._enquiring and self.bound:
            deadlines.append(self._last_received + self.enquire_link_interval)
        if self.inactivity_timeout is not None and self._state is not SessionState.CLOSED:
            deadlines.append(self._last_received + self.inactivity_timeout)
        finite = [d for d in deadlines if d != float("inf")]
        return min(finite) if finite else None

    def handle_timeout(self) -> list[Event]:
        """Run every timer that is due; returns what they mean.

        Timed-out requests leave the session (a late response is dropped),
        a due enquire_link is queued in the outbox.
        """
        now = self._clock()
        events: list[Event] = []
        for request in self._requests.expired(now):
            if request.command_id == CommandId.ENQUIRE_LINK:
                self._enquiring = False
            events.append(ResponseTimedOut(request))
        idle = now - self._last_received
        interval = self.enquire_link_interval
        if interval is not None and self.bound and not self._enquiring and idle >= interval:
            self._enquiring = True
            self._outbox.append(self.send(_pdu.EnquireLink()))
        if self.inactivity_timeout is not None and idle >= self.inactivity_timeout:
            self._last_received = now
            events.append(InactivityTimeout(idle))
        return events

    # -- the end -------------------------------------------------------------

    def connection_lost(self) -> ConnectionClosed:
        """The transport closed: every request still awaiting a response is reported."""
        unanswered = self._requests.clear()
        self._peer_pending.clear()
        self._enquiring = False
        self._state = SessionState.CLOSED
        return ConnectionClosed(unanswered)
