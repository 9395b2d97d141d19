"""The SQLite outbox's event feed: appending events, reading them, consumers' positions.

Events are appended in the transaction that makes the change they report, so
a change and its event are committed together or not at all. SQLite has one
writer at a time and numbers rows in commit order, so a reader that has seen
event N has seen every event below N: a position (the last acknowledged
``seq``) is all a consumer needs to miss nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from smswire.errors import ConfigurationError
from smswire.message import Outcome
from smswire.outbox.records import DeliveryState, Event, EventKind, ProviderStatus, Receipt
from smswire.outbox.serial import decode_inbound, decode_status, encode_status
from smswire.outbox.sqlite.batches import insert_rows
from smswire.smpp.userdata import MobileOriginated

__all__ = ["EventRow", "ack_events", "add_events", "event_row", "expire_events", "read_events"]


EventRow = dict[str, object]


def event_row(
    now: float,
    kind: EventKind,
    route: str,
    key: str | None = None,
    state: Outcome | DeliveryState | None = None,
    *,
    status: ProviderStatus | None = None,
    error: str | None = None,
    part: int | None = None,
    message_id: str | None = None,
    billed: bool | None = None,
    receipt: int | None = None,
    payload: str | None = None,
) -> EventRow:
    """One event as a row of ``events`` (the columns it has). ``receipt`` is the
    stored receipt it carries (by its row id); ``payload`` the stored text of
    a handset message."""
    # One per message: built plainly (an enum's _value_ is its plain
    # attribute; .value goes through a descriptor six times as slow).
    row: EventRow = {"at": now, "kind": kind._value_, "route": route}
    if key is not None:
        row["key"] = key
    if state is not None:
        row["state"] = state._value_
    if status is not None:
        row["status"] = encode_status(status)
    if error is not None:
        row["error"] = error
    if part is not None:
        row["part"] = part
    if message_id is not None:
        row["message_id"] = message_id
    if billed is not None:
        row["billed"] = int(billed)
    if receipt is not None:
        row["receipt"] = receipt
    if payload is not None:
        row["payload"] = payload
    return row


def add_events(connection: sqlite3.Connection, rows: Sequence[EventRow]) -> None:
    """Append events (inside the caller's transaction), in order."""
    insert_rows(connection, "events", rows)


def _event(row: tuple[Any, ...]) -> Event:
    seq, at, kind_text, route, key, state, status, error, part, message_id, billed = row[:11]
    receipt_text, payload = row[11:]
    kind = EventKind(kind_text)
    text = receipt_text if receipt_text is not None else payload
    carried = None if text is None else decode_inbound(text)
    receipt: Receipt | None = None
    mobile: MobileOriginated | None = None
    if isinstance(carried, MobileOriginated):
        mobile = carried
    else:
        receipt = carried
    return Event(
        id=str(seq),
        kind=kind,
        at=at,
        route=route,
        key=key,
        outcome=Outcome(state) if kind is EventKind.OUTCOME else None,
        delivery=DeliveryState(state) if kind is EventKind.DELIVERY else None,
        status=decode_status(status),
        error=error,
        part=part,
        message_id=message_id,
        billed=None if billed is None else bool(billed),
        receipt=receipt,
        mobile_originated=mobile,
    )


def _position(event_id: str) -> int:
    if not isinstance(event_id, str) or not event_id.isascii() or not event_id.isdigit():
        raise ConfigurationError(f"event id {event_id!r} is not an id this store gave")
    return int(event_id)


def read_events(
    connection: sqlite3.Connection, consumer: str, after: str | None, limit: int
) -> list[Event]:
    """Up to ``limit`` events after ``after``, or after ``consumer``'s
    acknowledged position when ``after`` is None."""
    if after is None:
        row = connection.execute(
            "SELECT acked FROM consumers WHERE name = ?", (consumer,)
        ).fetchone()
        position = 0 if row is None else int(row[0])
    else:
        position = _position(after)
    rows = connection.execute(
        "SELECT e.seq, e.at, e.kind, e.route, e.key, e.state, e.status, e.error, e.part,"
        " e.message_id, e.billed, r.payload, e.payload"
        " FROM events e LEFT JOIN receipts r ON r.id = e.receipt"
        " WHERE e.seq > ? ORDER BY e.seq LIMIT ?",
        (position, limit),
    ).fetchall()
    return [_event(row) for row in rows]


def ack_events(connection: sqlite3.Connection, now: float, consumer: str, event_id: str) -> None:
    """Move ``consumer``'s acknowledged position forward to ``event_id``."""
    position = _position(event_id)
    (last,) = connection.execute("SELECT max(seq) FROM events").fetchone()
    if last is None or position > int(last):
        raise ConfigurationError(
            f"event id {event_id!r} is past the last event; acknowledge only events read"
        )
    connection.execute(
        "INSERT OR IGNORE INTO consumers (name, acked, acked_at) VALUES (?, 0, ?)", (consumer, now)
    )
    connection.execute(
        "UPDATE consumers SET acked = ?, acked_at = ? WHERE name = ? AND acked < ?",
        (position, now, consumer, position),
    )


def expire_events(connection: sqlite3.Connection, cutoff: float, batch: int) -> int:
    """Delete up to ``batch`` of the oldest events, those from before ``cutoff``,
    always keeping the newest event: the next is numbered after the highest
    left, so keeping one keeps every consumer's position meaningful.

    Events are numbered in time order, so the expired ones are a prefix: read
    the first ``batch`` and stop at the first one still young, rather than
    search the whole feed for old ones.
    """
    (newest,) = connection.execute("SELECT max(seq) FROM events").fetchone()
    rows = connection.execute(
        "SELECT seq, at FROM events WHERE seq < ? ORDER BY seq LIMIT ?", (newest, batch)
    ).fetchall()
    last = None
    for seq, at in rows:
        if at >= cutoff:
            break
        last = seq
    if last is None:
        return 0
    return connection.execute("DELETE FROM events WHERE seq <= ?", (last,)).rowcount
