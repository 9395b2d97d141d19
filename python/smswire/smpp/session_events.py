"""What an SMPP session tells its driver: the events
:meth:`~smswire.smpp.session.Session.receive_data`,
:meth:`~smswire.smpp.session.Session.handle_timeout` and
:meth:`~smswire.smpp.session.Session.connection_lost` return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from smswire.errors import RemoteProtocolError
from smswire.pdu import Pdu

__all__ = [
    "ConnectionClosed",
    "Event",
    "InactivityTimeout",
    "PduRejected",
    "RequestReceived",
    "ResponseReceived",
    "ResponseTimedOut",
    "Unbound",
]


# One of these two for every PDU received: their __init__ fills the instance
# dict in one step, where the generated frozen one calls object.__setattr__
# per field.
@dataclass(frozen=True, init=False)
class RequestReceived:
    """The peer sent a request the application answers with :meth:`Session.send`."""

    pdu: Pdu

    def __init__(self, pdu: Pdu) -> None:
        self.__dict__["pdu"] = pdu


@dataclass(frozen=True, init=False)
class ResponseReceived:
    """The peer answered one of our requests (``pdu`` may be a generic_nack)."""

    pdu: Pdu
    request: Pdu

    def __init__(self, pdu: Pdu, request: Pdu) -> None:
        fields = self.__dict__
        fields["pdu"] = pdu
        fields["request"] = request


@dataclass(frozen=True)
class ResponseTimedOut:
    """No response came for ``request`` within the response timer."""

    request: Pdu


@dataclass(frozen=True)
class Unbound:
    """The session left the bound state: the peer's unbind was answered, or ours was."""

    by_peer: bool


@dataclass(frozen=True)
class InactivityTimeout:
    """Nothing came from the peer for the inactivity timer's length."""

    idle: float


@dataclass(frozen=True)
class PduRejected:
    """A received PDU could not be decoded; it has been answered with ``error.status``."""

    error: RemoteProtocolError


@dataclass(frozen=True)
class ConnectionClosed:
    """The connection ended; ``unanswered`` are our requests that never got a response."""

    unanswered: tuple[Pdu, ...]


Event = Union[
    RequestReceived,
    ResponseReceived,
    ResponseTimedOut,
    Unbound,
    InactivityTimeout,
    PduRejected,
    ConnectionClosed,
]
