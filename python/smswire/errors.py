"""The exceptions smswire raises, one tree a caller can catch at the level it cares about.

::

    SmswireError                     anything smswire raises on purpose
    ├── ConfigurationError           an argument or setting is invalid (also a ValueError)
    ├── EncodingError                a text cannot be encoded, or octets decoded (also a ValueError)
    │   └── MessageTooLong           more units than the profile allows in one message
    ├── ProtocolError                bytes or fields that are not valid SMPP (the codecs raise it)
    │   ├── LocalProtocolError       we asked for something the protocol forbids now
    │   │   └── ClientClosed         a send on a client that is closing or closed
    │   └── RemoteProtocolError      the peer sent something the protocol forbids
    ├── SmscError                    the provider refused a request, with its status
    ├── TransportError               the connection failed; nothing is known to be sent
    │   └── RequestNotSent           provably never reached the provider: safe to send again
    ├── OutcomeUnknown               may have reached the provider: never resend blindly
    │   └── LinkResponseError        LINK answered, but not in the guide's shape (smswire.link)
    └── OutboxError                  the durable outbox refused or failed a request
        ├── KeyConflict              a key put again with other content (also a ConfigurationError)
        ├── ClaimError               a worker broke the draining contract (released a sent claim)
        └── StoreError               the store did not do it; nothing of that call was committed
            ├── StoreBusy            other processes held the store longer than the busy timeout
            └── StoreUnavailable     the store cannot commit now (read-only, full, I/O, closed)

A :class:`StoreError` from a write means that write is not durable, and a
worker acts on it: it stops acknowledging receipts and stops claiming until
the store commits again (``StoreBusy`` is worth retrying soon,
``StoreUnavailable`` needs someone to free the disk or fix the file).

``OutcomeUnknown`` is deliberately *not* a :class:`TransportError`: code that
retries on transport errors (the httpx habit) must never resend a message the
provider may already hold, because an SMS cannot be recalled.

Messages name the field, the problem and the limit; they never contain a
secret (passwords, or URLs whose query carries one).

Both backends raise these very classes: the native extension looks them up
here, so ``except EncodingError`` catches the same thing whichever is active.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ClaimError",
    "ClientClosed",
    "ConfigurationError",
    "EncodingError",
    "KeyConflict",
    "LocalProtocolError",
    "MessageTooLong",
    "OutboxError",
    "OutcomeUnknown",
    "ProtocolError",
    "RemoteProtocolError",
    "RequestNotSent",
    "SmscError",
    "SmswireError",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
    "TransportError",
]

# SMPP 3.4 §5.1.3: ESME_RINVBNDSTS, "incorrect BIND status for given command":
# what an SMSC answers a request on a session that is not bound.
_ESME_RINVBNDSTS = 0x00000004


class SmswireError(Exception):
    """Base class of every error smswire raises on purpose."""


class ConfigurationError(SmswireError, ValueError):
    """A setting or argument is invalid; the message names it and the limit."""


class EncodingError(SmswireError, ValueError):
    """A text cannot be encoded, or bytes cannot be decoded, as SMS user data.

    ``character`` and ``index`` point at the offending character (or octet
    offset, when decoding) where there is one.
    """

    def __init__(
        self, message: str, *, character: str | None = None, index: int | None = None
    ) -> None:
        super().__init__(message)
        self.character = character
        self.index = index


class MessageTooLong(EncodingError):
    """A text needs more units than a profile allows in one message.

    ``units`` is what the text needs (septets or UCS2 units), ``limit`` what
    ``profile`` allows, in the same unit.
    """

    def __init__(self, message: str, *, limit: int, units: int, profile: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.units = units
        self.profile = profile


class ProtocolError(SmswireError):
    """Bytes are not a valid PDU, or a PDU's fields break SMPP 3.4.

    The codecs raise this class itself; a session or client raises one of its
    two subclasses, which say whose fault it is.

    ``status`` is the SMPP command_status a server answers such input with
    (for example ESME_RINVCMDLEN, 0x00000002); ``field`` names the PDU field
    at fault, where there is one. ``command_id`` and ``sequence_number`` come
    from the header of the offending PDU when it could be read, so a session
    can answer it (generic_nack or the matching response) and carry on.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        field: str | None = None,
        command_id: int | None = None,
        sequence_number: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.command_id = command_id
        self.sequence_number = sequence_number


class LocalProtocolError(ProtocolError):
    """This side asked for something the protocol does not allow now: a request
    the session state forbids, a full window, a PDU that cannot be encoded.
    Nothing was sent."""


class ClientClosed(LocalProtocolError):
    """A send on a client that is closing or closed. Nothing was sent."""

    def __init__(self, message: str = "the client is closed") -> None:
        super().__init__(message, status=_ESME_RINVBNDSTS)


class RemoteProtocolError(ProtocolError):
    """The peer broke the protocol: a PDU that cannot be decoded, a response of
    the wrong type, a reply of the wrong shape. Only the exchange it belongs to
    fails; the connection's other work goes on."""


class SmscError(SmswireError):
    """The provider refused a request; ``status`` is its answer (an SMPP
    command_status, or a LINK result code)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class TransportError(SmswireError):
    """The connection to the provider failed: refused, reset, timed out, TLS."""


class RequestNotSent(TransportError):
    """The request provably never reached the provider (connection refused, TLS
    handshake failure, connect timeout), even after the retries: the message was
    not sent and may safely be sent again.

    ``result`` is the message's :class:`~smswire.message.SendResult`
    (``Outcome.NOT_SENT``) where a client had built one.
    """

    def __init__(self, message: str, *, result: Any = None) -> None:
        super().__init__(message)
        # A SendResult; typed loosely so this module, the root of the package,
        # imports nothing of it.
        self.result = result


class OutcomeUnknown(SmswireError):
    """The request may have reached the provider (a read timeout, a connection
    lost after the request was written): the message may have been sent. An SMS
    cannot be recalled, so it was not retried; reconcile it through its delivery
    report or the provider's support before sending it again.

    ``result`` is the message's :class:`~smswire.message.SendResult`
    (``Outcome.UNKNOWN``, with the ids of any parts the provider did accept)
    where a client had built one.
    """

    def __init__(self, message: str, *, result: Any = None) -> None:
        super().__init__(message)
        # A SendResult; typed loosely so this module, the root of the package,
        # imports nothing of it.
        self.result = result


class OutboxError(SmswireError):
    """The durable outbox refused a request, or its store failed one."""


class KeyConflict(OutboxError, ConfigurationError):
    """A key was put again with other content (another message, or another route).

    A key names one message for good: putting the same message under it again
    is harmless and sends nothing twice; putting a different one is a mistake
    the caller must see. ``key`` is the application's key.
    """

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class ClaimError(OutboxError):
    """A worker asked for something the draining contract forbids, such as
    releasing as never written a claim that has a part accepted. Nothing of
    the call was committed."""


class StoreError(OutboxError):
    """The outbox store did not do what was asked; nothing of that call was
    committed. ``operation`` names the call (``"put"``, ``"claim"``, ...)."""

    def __init__(self, message: str, *, operation: str) -> None:
        super().__init__(message)
        self.operation = operation


class StoreBusy(StoreError):
    """Other processes held the store's write lock longer than the busy
    timeout. Nothing was committed; the same call may succeed a moment later."""


class StoreUnavailable(StoreError):
    """The store cannot commit: its file is read-only, the disk is full, an I/O
    error, a corrupt or unknown file, a lost connection, or the store is
    closed. Nothing was committed; stop taking work that needs the store until
    it is repaired."""
