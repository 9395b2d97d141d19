"""How the Redis outbox writes its records as hash fields and stream entries, and reads them back.

Everything is text: times are Unix seconds, states their enum values, parts
and receipts small JSON arrays, messages and receipts the shared payload
encoding of :mod:`smswire.outbox.serial` (the SQLite store writes the same).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import NamedTuple

from smswire.errors import ConfigurationError
from smswire.message import Outcome
from smswire.outbox.receipts import message_billed
from smswire.outbox.records import (
    DeliveryState,
    Event,
    EventKind,
    MessageStatus,
    PartStatus,
    ProviderStatus,
    Receipt,
    ReceiptRecord,
)
from smswire.outbox.serial import decode_inbound, decode_message, decode_receipt, decode_status
from smswire.smpp.userdata import MobileOriginated

__all__ = [
    "Part",
    "StoredReceipt",
    "check_event_id",
    "event_fields",
    "message_status",
    "parse_event",
    "parse_parts",
]

# Redis stream ids: milliseconds, a dash, a sequence number.
_STREAM_ID = re.compile(r"\A[0-9]{1,20}-[0-9]{1,20}\Z")


class Part(NamedTuple):
    """An accepted part as the parts hash keeps it (under ``attempt:number``);
    ``number`` is its index in the message, from 0."""

    attempt: int
    number: int
    message_id: str
    accepted_at: float
    state: DeliveryState
    billed: bool | None

    def dump(self) -> str:
        return json.dumps([self.message_id, self.accepted_at, self.state.value, self.billed])

    @property
    def field(self) -> str:
        return f"{self.attempt}:{self.number}"


class StoredReceipt(NamedTuple):
    """A receipt matched to a message, as its receipts list keeps it."""

    payload: str
    attempt: int
    number: int
    state: DeliveryState
    billed: bool | None
    received_at: float

    def dump(self) -> str:
        return json.dumps(
            [
                self.payload,
                self.attempt,
                self.number,
                self.state.value,
                self.billed,
                self.received_at,
            ]
        )

    @classmethod
    def load(cls, text: str) -> StoredReceipt:
        payload, attempt, index, state, billed, received_at = json.loads(text)
        return cls(payload, attempt, index, DeliveryState(state), billed, received_at)


def parse_parts(fields: Mapping[str, str]) -> list[Part]:
    """The parts hash, in (attempt, index) order."""
    parts = []
    for field, text in fields.items():
        attempt, _, index = field.partition(":")
        message_id, accepted_at, state, billed = json.loads(text)
        parts.append(
            Part(int(attempt), int(index), message_id, accepted_at, DeliveryState(state), billed)
        )
    parts.sort(key=lambda part: (part.attempt, part.number))
    return parts


def _float(value: str | None) -> float | None:
    return None if value is None else float(value)


def message_status(
    key: str, row: Mapping[str, str], parts: list[Part], receipts: list[str]
) -> MessageStatus:
    """``Outbox.status`` from the message hash, its parts and its receipts list."""
    attempts = int(row["attempt"])
    settled_attempt = None if "settled_attempt" not in row else int(row["settled_attempt"])
    marked = row.get("marked_attempt")
    settled_parts = [part for part in parts if part.attempt == settled_attempt]
    outcome = row.get("outcome")
    delivery = row.get("delivery")
    return MessageStatus(
        key=key,
        route=row["route"],
        message=decode_message(row["payload"]),
        put_at=float(row["put_at"]),
        attempts=attempts,
        claimed_by=row.get("owner"),
        claimed_at=_float(row.get("claimed_at")),
        # The mark of the current claim; an earlier claim's shows as possibly_written.
        marked_at=_float(row.get("marked_at")) if marked == str(attempts) else None,
        possibly_written=row.get("pw") == "1",
        outcome=None if outcome is None else Outcome(outcome),
        status=decode_status(row.get("status")),
        error=row.get("error"),
        part_count=int(row.get("part_count", 0)),
        settled_attempt=settled_attempt,
        settled_at=_float(row.get("settled_at")),
        delivery=None if delivery is None else DeliveryState(delivery),
        delivered_at=_float(row.get("delivered_at")),
        billed=message_billed(part.billed for part in settled_parts) if settled_parts else None,
        parts=tuple(PartStatus(*part) for part in parts),
        receipts=tuple(
            ReceiptRecord(decode_receipt(r.payload), *r[1:])
            for r in (StoredReceipt.load(text) for text in receipts)
        ),
    )


def event_fields(
    now: float,
    kind: EventKind,
    route: str,
    key: str | None = None,
    state: Outcome | DeliveryState | None = None,
    *,
    status: str | None = None,
    error: str | None = None,
    part: int | None = None,
    message_id: str | None = None,
    billed: bool | None = None,
    payload: str | None = None,
) -> dict[str, str]:
    """One event as the fields of its stream entry (``status`` already encoded;
    ``payload`` the receipt or handset message it carries, encoded)."""
    fields = {"at": repr(now), "kind": kind.value, "route": route}
    optional = {
        "key": key,
        "state": None if state is None else state.value,
        "status": status,
        "error": error,
        "part": None if part is None else str(part),
        "message_id": message_id,
        "billed": None if billed is None else str(int(billed)),
        "payload": payload,
    }
    fields.update({name: value for name, value in optional.items() if value is not None})
    return fields


def parse_event(entry_id: str, fields: Mapping[str, str]) -> Event:
    kind = EventKind(fields["kind"])
    text = fields.get("payload")
    carried = None if text is None else decode_inbound(text)
    receipt: Receipt | None = None
    mobile: MobileOriginated | None = None
    if isinstance(carried, MobileOriginated):
        mobile = carried
    else:
        receipt = carried
    state = fields.get("state")
    status: ProviderStatus | None = decode_status(fields.get("status"))
    billed = fields.get("billed")
    part = fields.get("part")
    return Event(
        id=entry_id,
        kind=kind,
        at=float(fields["at"]),
        route=fields["route"],
        key=fields.get("key"),
        outcome=Outcome(state) if kind is EventKind.OUTCOME and state else None,
        delivery=DeliveryState(state) if kind is EventKind.DELIVERY and state else None,
        status=status,
        error=fields.get("error"),
        part=None if part is None else int(part),
        message_id=fields.get("message_id"),
        billed=None if billed is None else billed == "1",
        receipt=receipt,
        mobile_originated=mobile,
    )


def check_event_id(event_id: object) -> str:
    """An event id this store could have given (a stream id), else ConfigurationError."""
    if not isinstance(event_id, str) or not _STREAM_ID.match(event_id):
        raise ConfigurationError(f"event id {event_id!r} is not an id this store gave")
    return event_id
