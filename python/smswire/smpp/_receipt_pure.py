"""The pure-Python twin of the native receipt parser (rust/receipt/).

It reads every input exactly as the Rust core does (the differential tests
hold both to it), and never raises on what an SMSC sent: whatever cannot be
read is simply absent. Only ASCII digits are digits: ``str.isdigit()`` and
``int()`` accept other scripts' digits, so neither meets wire text before
``isascii()`` has. The rules themselves are told in ``smswire.smpp.receipts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import NamedTuple

from smswire.pdu import TlvTag

__all__ = ["Reading", "is_ucs2", "message_id_keys", "read_receipt"]

# White space between tokens: ASCII's, and NUL (SMSCs end C strings with one).
_SPACE = " \t\n\r\x0b\x0c\x00"
_S = "[ \\t\\n\\r\\x0b\\x0c\\x00]"
# Appendix B's keys at a word boundary, in any ASCII case, then the colon. The
# group that matched names the key; the alternatives are tried in the order
# the Rust scanner tries them.
_KEY = re.compile(
    rf"(?<![0-9A-Za-z_])(?:(id)|(sub)|(dlvrd)|submit[ \t\n\r\x0b\x0c\x00_]*(date)"
    rf"|done[ \t\n\r\x0b\x0c\x00_]*(date)|(stat)|(err)|(text)){_S}*:{_S}*",
    re.IGNORECASE | re.ASCII,
)
_ID, _SUB, _DLVRD, _SUBMIT_DATE, _DONE_DATE, _STAT, _ERR, _TEXT = range(1, 9)
_TOKEN = re.compile(r"[^ \t\n\r\x0b\x0c\x00]*")
_HEX_DIGITS = re.compile("[0-9A-Fa-f]+", re.ASCII)

# Numbers in a receipt fit 64 bits or are no numbers.
_MAX_NUMBER = 2**64 - 1
_MAX_SIGNIFICANT = {10: 20, 16: 16}
# POSIX strptime %y: 69-99 are 19xx, 00-68 are 20xx.
_PIVOT_YEAR = 69
# SMPP 3.4 §7.1.1 gives 00-48 quarter hours; zones reach +14:00 (56), and
# anything under a day is a valid timezone.
_MAX_OFFSET_QUARTERS = 95
_DATE_LENGTHS = (10, 12, 14, 16)

# SMPP 3.4 §5.2.28 and Appendix B: stat codes, and spellings seen in the field.
_STATES = {
    "DELIVRD": "DELIVRD",
    "UNDELIV": "UNDELIV",
    "ENROUTE": "ENROUTE",
    "EXPIRED": "EXPIRED",
    "DELETED": "DELETED",
    "ACCEPTD": "ACCEPTD",
    "REJECTD": "REJECTD",
    "UNKNOWN": "UNKNOWN",
    "DELIVERED": "DELIVRD",
    "UNDELIVERABLE": "UNDELIV",
    "ACCEPTED": "ACCEPTD",
    "REJECTED": "REJECTD",
    "FAILED": "UNDELIV",
}
# SMPP 3.4 §5.2.28: the message_state TLV's numbers.
_TLV_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
# message_id_keys: the most digits converted to the other base (64-bit ids).
_MAX_DECIMAL_ID = 20
_MAX_HEX_ID = 16
_HEX_ID = re.compile("[0-9a-f]+", re.ASCII)
_ASCII_LOWER = {upper: upper + 32 for upper in range(ord("A"), ord("Z") + 1)}


class Reading(NamedTuple):
    """What a receipt says; ``state`` is an Appendix B code ("DELIVRD")."""

    message_id: str
    state: str
    raw_stat: str
    raw_err: str
    error: int | None
    submit_date: datetime | None
    done_date: datetime | None
    submitted: int | None
    delivered: int | None
    text: str
    network_error: tuple[int, int] | None


def is_ucs2(data_coding: int) -> bool:
    """Whether data_coding says UCS2 (SMPP 3.4 §5.2.19, 3GPP TS 23.038 §4)."""
    return (
        data_coding == 0x08
        # General data coding and automatic deletion groups: bits 3-2 = 10,
        # bit 5 (compressed) clear.
        or (0x10 <= data_coding <= 0x7F and data_coding & 0x2C == 0x08)
        # Message waiting indication group, store message, UCS2.
        or 0xE0 <= data_coding <= 0xEF
    )


def _decode(octets: bytes, data_coding: int) -> str:
    if not isinstance(data_coding, int):
        raise TypeError(f"data_coding must be an int, not {type(data_coding).__name__}")
    # Some SMSCs copy a UCS2 data_coding yet write ASCII (node-smpp issue #68):
    # without one UCS2 colon (00 3A, which ends every key) the octets are ASCII.
    if is_ucs2(data_coding) and _has_ucs2_colon(octets):
        return octets.decode("utf-16-be", "replace")
    # Every other coding as Latin-1: keys and digits are ASCII in all of them.
    return octets.decode("latin-1")


def _has_ucs2_colon(octets: bytes) -> bool:
    at = octets.find(b"\x00:")
    while at >= 0:
        if at % 2 == 0:
            return True
        at = octets.find(b"\x00:", at + 1)
    return False


def _fields(text: str) -> dict[int, str]:
    """The token of each key (by group number), Appendix B text and after."""
    text = text.rstrip("\x00")
    found: dict[int, str] = {}
    keys = list(_KEY.finditer(text))
    at = 0
    # Before text:, every key starts a field and ends the one before.
    while at < len(keys) and keys[at].lastindex != _TEXT:
        key = keys[at]
        end = keys[at + 1].start() if at + 1 < len(keys) else len(text)
        if key.lastindex not in found:
            found[key.lastindex or 0] = _token(text, key.end(), end)
        at += 1
    if at == len(keys):
        return found
    # After it, only a known key not yet seen starts a field; the rest is text.
    body = keys[at].end()
    following = _next_unseen(keys, at, found)
    if following is None:
        found[_TEXT] = text[body:]
        return found
    found[_TEXT] = text[body : keys[following].start()].rstrip(_SPACE)
    while following is not None:
        key = keys[following]
        found[key.lastindex or 0] = ""  # seen, so that the same key cannot follow
        following = _next_unseen(keys, following, found)
        end = keys[following].start() if following is not None else len(text)
        found[key.lastindex or 0] = _token(text, key.end(), end)
    return found


def _next_unseen(keys: list[re.Match[str]], after: int, found: dict[int, str]) -> int | None:
    for at in range(after + 1, len(keys)):
        if keys[at].lastindex != _TEXT and keys[at].lastindex not in found:
            return at
    return None


def _token(text: str, start: int, end: int) -> str:
    match = _TOKEN.match(text, start, end)
    return match.group() if match else ""


def _number(digits: str, base: int) -> int | None:
    if not digits or not digits.isascii():
        return None
    if not (digits.isdigit() if base == 10 else _HEX_DIGITS.fullmatch(digits)):
        return None
    significant = digits.lstrip("0")
    if len(significant) > _MAX_SIGNIFICANT[base]:
        return None
    value = int(significant or "0", base)
    return value if value <= _MAX_NUMBER else None


def _error_code(token: str) -> int | None:
    unsigned = token[1:] if token[:1] in ("-", "+") else token
    if unsigned[:2] in ("0x", "0X"):
        return _number(unsigned[2:], 16)
    return _number(unsigned, 10)


def _state(stat: str) -> str:
    return _STATES.get(stat.upper(), "UNKNOWN") if stat.isascii() else "UNKNOWN"


def _timestamp(token: str, tz: tzinfo | None) -> datetime | None:
    if len(token) not in _DATE_LENGTHS or not token.isascii():
        return None
    if len(token) == 16:
        # SMPP 3.4 §7.1.1 absolute time YYMMDDhhmmsstnnp; 'R' (relative) is no moment.
        sign = {"+": 1, "-": -1}.get(token[15])
        quarters = token[13:15]
        if sign is None or not token[:15].isdigit() or int(quarters) > _MAX_OFFSET_QUARTERS:
            return None
        zone = timezone(timedelta(minutes=15 * sign * int(quarters)))
        return _moment(_pivot(token[:2]), token[2:12], zone, tenths=int(token[12]))
    if not token.isdigit():
        return None
    if len(token) == 10:
        return _moment(_pivot(token[:2]), token[2:], tz)
    if len(token) == 12:
        # YYYYMMDDhhmm only where YYMMDDhhmmss is no date.
        first = _moment(_pivot(token[:2]), token[2:], tz)
        return first if first is not None else _moment(int(token[:4]), token[4:], tz)
    return _moment(int(token[:4]), token[4:], tz)


def _pivot(year: str) -> int:
    return int(year) + (1900 if int(year) >= _PIVOT_YEAR else 2000)


def _moment(year: int, rest: str, tz: tzinfo | None, tenths: int = 0) -> datetime | None:
    """MMDDhhmm[ss] of year, if that moment exists."""
    try:
        return datetime(
            year,
            int(rest[0:2]),
            int(rest[2:4]),
            int(rest[4:6]),
            int(rest[6:8]),
            int(rest[8:10]) if len(rest) == 10 else 0,
            tenths * 100_000,
            tz,
        )
    except ValueError:
        return None


def read_receipt(
    short_message: bytes,
    tlvs: Iterable[tuple[int, bytes]],
    tz: tzinfo | None,
    data_coding: int,
) -> Reading:
    """What a receipt's text and TLVs say."""
    found = _fields(_decode(short_message, data_coding))
    message_id = found.get(_ID, "")
    raw_stat = found.get(_STAT, "")
    raw_err = found.get(_ERR, "")
    state = _state(raw_stat)
    network_error: tuple[int, int] | None = None
    # The receipt TLVs win over the text; a malformed one is ignored.
    for tag, value in tlvs:
        if tag == TlvTag.RECEIPTED_MESSAGE_ID:
            # SMPP 3.4 §5.3.2.12: a C-Octet string.
            head = value.split(b"\x00", 1)[0]
            if head:
                message_id = head.decode("latin-1")
        elif tag == TlvTag.MESSAGE_STATE:
            # SMPP 3.4 §5.3.2.35: one octet, a §5.2.28 state.
            if len(value) == 1:
                state = _TLV_STATES.get(value[0], state)
        elif tag == TlvTag.NETWORK_ERROR_CODE and len(value) == 3:
            # SMPP 3.4 §5.3.2.31: network type (1 octet), error code (2 octets).
            network_error = (value[0], int.from_bytes(value[1:3], "big"))
    submit_date = _timestamp(found.get(_SUBMIT_DATE, ""), tz)
    done_token = found.get(_DONE_DATE, "")
    return Reading(
        message_id=message_id,
        state=state,
        raw_stat=raw_stat,
        raw_err=raw_err,
        error=_error_code(raw_err),
        submit_date=submit_date,
        done_date=(
            submit_date if done_token == found.get(_SUBMIT_DATE, "") else _timestamp(done_token, tz)
        ),
        submitted=_number(found.get(_SUB, ""), 10),
        delivered=_number(found.get(_DLVRD, ""), 10),
        text=found.get(_TEXT, ""),
        network_error=network_error,
    )


def message_id_keys(message_id: str) -> tuple[str, ...]:
    """The forms under which a message id may come back in a receipt.

    SMPP 3.4 leaves the id's format to the SMSC, and some answer submit_sm with
    a hex id but quote it in decimal in the receipt text (or the reverse), or
    pad it with zeros; correlating tries every form: the id trimmed and lowered
    (ASCII only), then, each once, without its leading zeros and in the other
    base (decimal of up to 20 digits to hex, else hex of up to 16 to decimal).
    An empty id is only itself.
    """
    normal = message_id.strip(_SPACE)
    normal = normal.lower() if normal.isascii() else normal.translate(_ASCII_LOWER)
    if not normal:
        return (normal,)
    keys = [normal]
    unpadded = normal.lstrip("0") or "0"
    if unpadded != normal:
        keys.append(unpadded)
    converted = None
    if normal.isascii() and normal.isdigit() and len(normal) <= _MAX_DECIMAL_ID:
        converted = format(int(normal), "x")
    elif _HEX_ID.fullmatch(normal) and len(normal) <= _MAX_HEX_ID:
        converted = str(int(normal, 16))
    if converted is not None and converted not in keys:
        keys.append(converted)
    return tuple(keys)
