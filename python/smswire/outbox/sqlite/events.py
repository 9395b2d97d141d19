"""The SQLite outbox's event feed: appending events, reading them, consumers' positions.

Events are appended in the transaction that makes the change they report, so
a change and its event are committed together or not at all. SQLite has one
writer at a time and numbers rows in commit order, so a reader that has seen
event N has seen every event below N: a position (the last acknowledged
``seq``) is all a consumer needs to miss nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from smswire.errors import ConfigurationError
from smswire.message import Outcome
from smswire.outbox.records import DeliveryState, Event, EventKind, ProviderStatus, Receipt
from smswire.outbox.serial import decode_inbound, decode_status, encode_status
from smswire.smpp.message import MobileOriginated

__all__ = ["ack_events", "add_events", "event_row", "expire_events", "read_events"]

_encode = json.JSONEncoder(separators=(",", ":")).encode
_decode = json.JSONDecoder().decode


_INSERT = (
    "INSERT INTO events (at, kind, route, key, state, receipt, detail) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


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
) -> tuple[object, ...]:
    """One event as a row of ``events``. ``receipt`` is the stored receipt it
    carries (by its row id); ``payload`` the stored text of a handset message."""
    detail: dict[str, Any] = {}
    if status is not None:
        detail["status"] = encode_status(status)
    if error is not None:
        detail["error"] = error
    if part is not None:
        detail["part"] = part
    if message_id is not None:
        detail["message_id"] = message_id
    if billed is not None:
        detail["billed"] = billed
    if payload is not None:
        detail["payload"] = payload
    return (
        now,
        kind.value,
        route,
        key,
        None if state is None else state.value,
        receipt,
        _encode(detail) if detail else None,
    )


def add_events(connection: sqlite3.Connection, rows: Sequence[tuple[object, ...]]) -> None:
    """Append events (inside the caller's transaction), in order."""
    connection.executemany(_INSERT, rows)


def _event(row: tuple[Any, ...]) -> Event:
    seq, at, kind_text, route, key, state, detail_text, receipt_text = row
    kind = EventKind(kind_text)
    detail: dict[str, Any] = _decode(detail_text) if detail_text else {}
    text = receipt_text if receipt_text is not None else detail.get("payload")
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
        status=decode_status(detail.get("status")),
        error=detail.get("error"),
        part=detail.get("part"),
        message_id=detail.get("message_id"),
        billed=detail.get("billed"),
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
        "SELECT e.seq, e.at, e.kind, e.route, e.key, e.state, e.detail, r.payload"
        " FROM events e LEFT JOIN receipts r ON r.id = e.receipt"
        " WHERE e.seq > ? ORDER BY e.seq LIMIT ?",
        (position, limit),
    ).fetchall()
    return [_event(row) for row in rows]


def ack_events(connection: sqlite3.Connection, now: float, consumer: str, event_id: str) -> None:
    """Move ``consumer``'s acknowledged position forward to ``event_id``."""
    position = _position(event_id)
    row = connection.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    if row is None or position > int(row[0]):
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
    """Delete up to ``batch`` of the oldest events, those from before ``cutoff``.

    Events are numbered in time order, so the expired ones are a prefix: read
    the first ``batch`` and stop at the first one still young, rather than
    search the whole feed for old ones.
    """
    rows = connection.execute(
        "SELECT seq, at FROM events ORDER BY seq LIMIT ?", (batch,)
    ).fetchall()
    last = None
    for seq, at in rows:
        if at >= cutoff:
            break
        last = seq
    if last is None:
        return 0
    return connection.execute("DELETE FROM events WHERE seq <= ?", (last,)).rowcount
