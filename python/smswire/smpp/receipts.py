"""Delivery receipts: the SMPP 3.4 Appendix B text and the receipt TLVs.

A receipt arrives as a deliver_sm whose esm_class marks it as an SMSC
delivery receipt (SMPP 3.4 §5.2.12). Its short_message carries the de facto
text of Appendix B::

    id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm
    stat:DDDDDDD err:E text: . . . . . . . . .

SMSCs differ in the details, so parsing is tolerant: keys in any case, fields
missing or reordered, dates of 10 or 12 digits, ids in decimal, hex or UUID
form (inMobile's). When the receipted_message_id, message_state or
network_error_code TLVs (SMPP 3.4 §5.3.2.12, §5.3.2.35, §5.3.2.31) are present
they win over the text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

from smswire.message import Message
from smswire.pdu import TlvTag

__all__ = [
    "DeliveryReceipt",
    "ReceiptState",
    "is_receipt",
    "message_id_keys",
    "parse_receipt",
]

# SMPP 3.4 §5.2.12: esm_class bits 5-2 give the message type; 0b0001 is a receipt.
ESM_CLASS_TYPE_MASK = 0x3C
ESM_CLASS_DELIVERY_RECEIPT = 0x04


class ReceiptState(enum.Enum):
    """The final (or intermediate) state of a message, SMPP 3.4 §5.2.28 and Appendix B."""

    ENROUTE = "ENROUTE"
    DELIVERED = "DELIVRD"
    EXPIRED = "EXPIRED"
    DELETED = "DELETED"
    UNDELIVERABLE = "UNDELIV"
    ACCEPTED = "ACCEPTD"
    UNKNOWN = "UNKNOWN"
    REJECTED = "REJECTD"

    @property
    def final(self) -> bool:
        return self not in (ReceiptState.ENROUTE, ReceiptState.ACCEPTED)


# SMPP 3.4 §5.2.28: the message_state TLV's values.
_STATE_BY_TLV = {
    1: ReceiptState.ENROUTE,
    2: ReceiptState.DELIVERED,
    3: ReceiptState.EXPIRED,
    4: ReceiptState.DELETED,
    5: ReceiptState.UNDELIVERABLE,
    6: ReceiptState.ACCEPTED,
    7: ReceiptState.UNKNOWN,
    8: ReceiptState.REJECTED,
}
# Spellings seen in the field besides Appendix B's seven-letter codes.
_STATE_ALIASES = {
    "DELIVERED": ReceiptState.DELIVERED,
    "UNDELIVERABLE": ReceiptState.UNDELIVERABLE,
    "ACCEPTED": ReceiptState.ACCEPTED,
    "REJECTED": ReceiptState.REJECTED,
    "DELETED": ReceiptState.DELETED,
    "EXPIRED": ReceiptState.EXPIRED,
    "FAILED": ReceiptState.UNDELIVERABLE,
}

# The keys of Appendix B; "text" runs to the end of the message.
_FIELD = re.compile(
    r"\b(?P<key>id|sub|dlvrd|submit[\s_]?date|done[\s_]?date|stat|err|text)\s*:\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DeliveryReceipt:
    """One delivery receipt.

    ``error`` follows inMobile's rule: the absolute value of the status code
    (``err:005`` is status -5). ``network_error`` is the (network type, error
    code) pair of the network_error_code TLV when one came. ``message`` is the
    message the receipt belongs to when the client could correlate it.
    """

    message_id: str
    state: ReceiptState
    error: int | None = None
    submit_date: datetime | None = None
    done_date: datetime | None = None
    submitted: int | None = None
    delivered: int | None = None
    text: str = ""
    raw: bytes = b""
    source: str = ""
    destination: str = ""
    network_error: tuple[int, int] | None = None
    message: Message | None = None

    @property
    def delivered_ok(self) -> bool:
        return self.state is ReceiptState.DELIVERED


def is_receipt(esm_class: int) -> bool:
    """True when a deliver_sm's esm_class marks an SMSC delivery receipt (SMPP 3.4 §5.2.12)."""
    return esm_class & ESM_CLASS_TYPE_MASK == ESM_CLASS_DELIVERY_RECEIPT


def _fields(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    matches = list(_FIELD.finditer(text))
    for i, match in enumerate(matches):
        key = re.sub(r"[\s_]", "", match.group("key").lower())
        if key == "text":
            found[key] = text[match.end() :]
            break
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        # A value is one token; what follows it is not part of it.
        found.setdefault(key, value.split()[0] if value else "")
    return found


def _date(value: str | None, tz: tzinfo) -> datetime | None:
    # Appendix B: YYMMDDhhmm; many SMSCs add seconds (YYMMDDhhmmss).
    if not value or not value.isdigit() or len(value) not in (10, 12):
        return None
    try:
        return datetime(
            2000 + int(value[0:2]),
            int(value[2:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[8:10]),
            int(value[10:12]) if len(value) == 12 else 0,
            tzinfo=tz,
        )
    except ValueError:
        return None


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _error(value: str | None) -> int | None:
    if not value:
        return None
    try:
        # inMobile: err is the absolute value of its (negative) status code.
        return abs(int(value, 16 if value.lower().startswith(("0x", "-0x")) else 10))
    except ValueError:
        return None


def _state(value: str | None) -> ReceiptState:
    if not value:
        return ReceiptState.UNKNOWN
    upper = value.upper()
    try:
        return ReceiptState(upper)
    except ValueError:
        return _STATE_ALIASES.get(upper, ReceiptState.UNKNOWN)


def parse_receipt(
    short_message: bytes,
    tlvs: Iterable[tuple[int, bytes]] = (),
    *,
    source: str = "",
    destination: str = "",
    tz: tzinfo = timezone.utc,
) -> DeliveryReceipt:
    """Parse a receipt from a deliver_sm's short_message (or message_payload) and TLVs.

    ``tlvs`` are (tag, value) pairs. Dates carry ``tz`` (Appendix B leaves the
    zone to the SMSC; UTC unless told).
    """
    text = short_message.decode("latin-1")
    fields = _fields(text)
    message_id = fields.get("id", "")
    state = _state(fields.get("stat"))
    network_error: tuple[int, int] | None = None
    for tag, value in tlvs:
        if tag == TlvTag.RECEIPTED_MESSAGE_ID and value:
            # SMPP 3.4 §5.3.2.12: a C-Octet string.
            message_id = value.rstrip(b"\x00").decode("latin-1")
        elif tag == TlvTag.MESSAGE_STATE and len(value) == 1:
            state = _STATE_BY_TLV.get(value[0], ReceiptState.UNKNOWN)
        elif tag == TlvTag.NETWORK_ERROR_CODE and len(value) == 3:
            # SMPP 3.4 §5.3.2.31: network type (1 octet), error code (2 octets).
            network_error = (value[0], int.from_bytes(value[1:3], "big"))
    return DeliveryReceipt(
        message_id=message_id,
        state=state,
        error=_error(fields.get("err")),
        submit_date=_date(fields.get("submitdate"), tz),
        done_date=_date(fields.get("donedate"), tz),
        submitted=_count(fields.get("sub")),
        delivered=_count(fields.get("dlvrd")),
        text=fields.get("text", ""),
        raw=short_message,
        source=source,
        destination=destination,
        network_error=network_error,
    )


_HEX = re.compile(r"[0-9a-fA-F]+")


def message_id_keys(message_id: str) -> tuple[str, ...]:
    """The forms under which a message id may come back in a receipt.

    SMPP 3.4 leaves the id's format to the SMSC, and some answer submit_sm with
    a hex id but quote it in decimal in the receipt text (or the reverse), or
    pad it with zeros; correlating tries every form.
    """
    norm = message_id.strip().lower()
    keys = [norm]
    stripped = norm.lstrip("0") or "0"
    if stripped != norm:
        keys.append(stripped)
    if norm.isdigit() and len(norm) <= 20:
        keys.append(format(int(norm), "x"))
    elif _HEX.fullmatch(norm) and len(norm) <= 16:
        keys.append(str(int(norm, 16)))
    return tuple(keys)
