"""The rules of an SMPP 3.4 session that are tables, not behaviour: its states
(§2.3), which requests each side may issue in each state (§2.3 and the
"Session state" column of §4), the response class of every request, and
so the response that refuses one.
:class:`~smswire.smpp.session.Session` applies them."""

from __future__ import annotations

import enum

from smswire import pdu as _pdu
from smswire.pdu import CommandId, Pdu

__all__ = [
    "BIND_REQUESTS",
    "BOUND_BY_RESPONSE",
    "CONTROL_REQUESTS",
    "ESME_REQUESTS",
    "PLAIN_RESPONSE_BODIES",
    "RESPONSE_BIT",
    "RESPONSE_CLASSES",
    "SMSC_REQUESTS",
    "Role",
    "SessionState",
    "refusal",
]

# SMPP 3.4 §5.1.2: a response's command_id is its request's with bit 31 set.
RESPONSE_BIT = 0x80000000


class Role(enum.Enum):
    ESME = "esme"
    SMSC = "smsc"


class SessionState(enum.Enum):
    """The session states of SMPP 3.4 §2.3."""

    # Members are singletons: hash them by identity. Enum's own __hash__ runs
    # Python code on every lookup of the per-state tables, once per PDU.
    __hash__ = object.__hash__

    OPEN = "open"  # connected, not bound
    BOUND_TX = "bound_tx"
    BOUND_RX = "bound_rx"
    BOUND_TRX = "bound_trx"
    UNBOUND = "unbound"  # an unbind was sent or received
    CLOSED = "closed"


BOUND_BY_RESPONSE: dict[int, SessionState] = {
    CommandId.BIND_TRANSMITTER_RESP: SessionState.BOUND_TX,
    CommandId.BIND_RECEIVER_RESP: SessionState.BOUND_RX,
    CommandId.BIND_TRANSCEIVER_RESP: SessionState.BOUND_TRX,
}
BIND_REQUESTS = frozenset(
    (CommandId.BIND_TRANSMITTER, CommandId.BIND_RECEIVER, CommandId.BIND_TRANSCEIVER)
)
# Requests that steer the session itself; the window counts only the others.
CONTROL_REQUESTS = frozenset((CommandId.ENQUIRE_LINK, CommandId.UNBIND))

# SMPP 3.4 §2.3 and the "Session state" column of §4: which requests an ESME
# may issue in which state, and which an SMSC may.
_ESME_TX = frozenset(
    (
        CommandId.SUBMIT_SM,
        CommandId.SUBMIT_MULTI,
        CommandId.DATA_SM,
        CommandId.QUERY_SM,
        CommandId.CANCEL_SM,
        CommandId.REPLACE_SM,
        CommandId.ENQUIRE_LINK,
        CommandId.UNBIND,
    )
)
ESME_REQUESTS = {
    SessionState.OPEN: BIND_REQUESTS | {CommandId.ENQUIRE_LINK},
    SessionState.BOUND_TX: _ESME_TX,
    SessionState.BOUND_RX: frozenset((CommandId.ENQUIRE_LINK, CommandId.UNBIND)),
    SessionState.BOUND_TRX: _ESME_TX,
}
_SMSC_RX = frozenset(
    (
        CommandId.DELIVER_SM,
        CommandId.DATA_SM,
        CommandId.ALERT_NOTIFICATION,
        CommandId.ENQUIRE_LINK,
        CommandId.UNBIND,
    )
)
SMSC_REQUESTS = {
    SessionState.OPEN: frozenset((CommandId.OUTBIND, CommandId.ENQUIRE_LINK)),
    SessionState.BOUND_TX: frozenset((CommandId.ENQUIRE_LINK, CommandId.UNBIND)),
    SessionState.BOUND_RX: _SMSC_RX,
    SessionState.BOUND_TRX: _SMSC_RX,
}


def _response_classes() -> dict[int, type[Pdu]]:
    classes: dict[int, type[Pdu]] = {}
    for name in dir(_pdu):
        cls = getattr(_pdu, name)
        command_id = getattr(cls, "command_id", None)
        if isinstance(cls, type) and isinstance(command_id, int) and command_id & RESPONSE_BIT:
            classes[command_id] = cls
    return classes


RESPONSE_CLASSES = _response_classes()

# The requests whose response, as a session sends it, has a body that never
# varies: deliver_sm_resp and data_sm_resp carry an empty message_id (SMPP 3.4
# §4.6.2, §4.7.2) when they accept. Encoded once by the codec; a session puts
# only the header's sequence_number in for each (a receipt's acknowledgement is the
# most frequent PDU a sender writes after submit_sm).
PLAIN_RESPONSE_BODIES = {
    int(request): _pdu.encode(RESPONSE_CLASSES[request | RESPONSE_BIT]())[_pdu.HEADER_LENGTH :]
    for request in (CommandId.DELIVER_SM, CommandId.DATA_SM)
}


def refusal(command_id: int | None, status: int, sequence_number: int) -> Pdu:
    """What answers a PDU of the peer's the session refuses with ``status``: a
    request's own response type, so the peer can match it; generic_nack for
    a PDU unrecognised, unknown or itself a response (SMPP 3.4 §4.3)."""
    if command_id is not None and not command_id & RESPONSE_BIT:
        response_class = RESPONSE_CLASSES.get(command_id | RESPONSE_BIT)
        if response_class is not None:
            return response_class(command_status=status, sequence_number=sequence_number)
    return _pdu.GenericNack(command_status=status, sequence_number=sequence_number)
