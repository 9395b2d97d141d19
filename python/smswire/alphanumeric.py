"""Alphanumeric senders: what a name may hold and how long it may be, on both ways out.

A sender that is not a number is a name the handset shows ("Acme", "Bløk",
"Café"). LINK's Source and SMPP's source_addr follow the one rule here, so a
name refused by one is refused by the other, for the same reason.
"""

from __future__ import annotations

from smswire.encoding import encode_gsm7
from smswire.errors import ConfigurationError, EncodingError

__all__ = ["ALPHANUMERIC_SOURCE_MAX", "alphanumeric_problem", "check_alphanumeric_max"]

# 3GPP TS 23.040 §9.1.2.5: an alphanumeric originating address holds at most
# 11 GSM7 characters (10 octets of packed septets). The default; a route that
# takes longer names can be given its own limit.
ALPHANUMERIC_SOURCE_MAX = 11
# 3GPP TS 23.038 §6.2.1: septets of the default alphabet a sender name cannot
# hold: LF and CR break the line a handset shows, ESC (0x1B) opens the
# extension table, whose characters take two septets and which many networks
# do not show in an address. "+" (0x2B) is left to numbers, so an alphanumeric
# source never looks like one.
_NOT_IN_A_NAME = {0x0A: "a line feed", 0x0D: "a carriage return", 0x1B: "an extension character"}
_PLUS = 0x2B


def check_alphanumeric_max(value: int, *, ceiling: int | None = None) -> int:
    """``value`` when it is a usable limit on a name's length: an int of at
    least 1, and at most ``ceiling`` (what the provider keeps) when given."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(f"alphanumeric_max must be an int, got {type(value).__name__}")
    if value < 1:
        raise ConfigurationError(f"alphanumeric_max must be 1 or more, got {value}")
    if ceiling is not None and value > ceiling:
        raise ConfigurationError(
            f"alphanumeric_max {value} is over the {ceiling} characters the SMSC keeps"
        )
    return value


def alphanumeric_problem(name: str, limit: int) -> str | None:
    """Why ``name`` cannot be an alphanumeric sender of at most ``limit``
    characters, or None when it can: any characters of the GSM 7-bit default
    alphabet (3GPP TS 23.038 §6.2.1) but line breaks, "+" and the extension table."""
    if not name.strip():
        return "it has no character to show"
    if len(name) > limit:
        return f"{len(name)} characters, over the limit of {limit}"
    try:
        septets = encode_gsm7(name)
    except EncodingError as exc:
        return f"{exc.character!r} is not in the GSM 7-bit default alphabet"
    for septet, what in _NOT_IN_A_NAME.items():
        if septet in septets:
            return f"it holds {what}"
    if _PLUS in septets:
        return "'+' belongs to numbers"
    return None
