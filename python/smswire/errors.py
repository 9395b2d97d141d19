"""The exceptions smswire raises.

One base class, :class:`SmswireError`, with a subclass for each kind of
failure a caller can act on. Messages name the field, the problem and the
limit; they never contain a secret (passwords, or URLs whose query carries one).

Both backends raise these very classes: the native extension looks them up
here, so ``except EncodingError`` catches the same thing whichever is active.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "EncodingError",
    "MessageTooLong",
    "ProtocolError",
    "SmscError",
    "SmswireError",
    "TransportError",
]


class SmswireError(Exception):
    """Base class of every error smswire raises on purpose."""


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
    """A peer broke the SMPP protocol, or bytes are not a valid PDU.

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


class SmscError(SmswireError):
    """The SMSC refused a request; ``status`` is its answer (an SMPP
    command_status, or a provider's result code)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class TransportError(SmswireError):
    """The connection to the SMSC failed: refused, reset, timed out, TLS."""


class ConfigurationError(SmswireError, ValueError):
    """A setting or argument is invalid; the message names it and the limit."""
