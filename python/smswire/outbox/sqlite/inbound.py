"""Receipts, reports and handset messages in the SQLite outbox, and how receipts
find their parts.

A receipt is matched through ``parts_by_id`` (each accepted part's id, in the
form :func:`~smswire.outbox.receipts.part_key` writes, per route) to the
part it names, by every form its own id may take, and stored with that match.
When an SMSC reuses an id, the newest part under it wins. One whose id is
not recorded yet is stored unmatched and waits under its keys in ``waiting``;
recording the id later (:func:`match_waiting`, called as parts are recorded)
matches it then. Each match moves the part's state and, once every part of an
accepted message is final, the message's delivery state, with an event.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from smswire.outbox.receipts import (
    combine_part,
    message_billed,
    message_state,
    receipt_billed,
    receipt_keys,
    receipt_message_id,
    receipt_state,
)
from smswire.outbox.records import DeliveryState, EventKind, Inbound, Receipt
from smswire.outbox.serial import decode_receipt, encode_inbound, fingerprint
from smswire.outbox.sqlite.events import add_events, event_row
from smswire.smpp.message import MobileOriginated

__all__ = ["any_waiting", "match_waiting", "record_inbound", "refresh_delivery"]


class _Part(NamedTuple):
    message: int
    attempt: int
    idx: int


class _Trigger(NamedTuple):
    """The receipt that moved a part, for the event it may cause."""

    idx: int
    message_id: str
    receipt: int


def _billed(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _find_part(
    connection: sqlite3.Connection, route: str, keys: tuple[str, ...], oldest: float
) -> _Part | None:
    marks = ",".join("?" * len(keys))
    rows = connection.execute(
        "SELECT id_key, accepted_at, message, attempt, idx FROM parts"
        f" WHERE route = ? AND id_key IN ({marks}) AND accepted_at >= ?",
        (route, *keys, oldest),
    ).fetchall()
    if not rows:
        return None
    # The receipt's most exact form first (a decimal id that is also another
    # id's hex form must match its own), then the newest part.
    order = {key: position for position, key in enumerate(keys)}
    best = min(rows, key=lambda row: (order[row[0]], -row[1]))
    return _Part(best[2], best[3], best[4])


def refresh_delivery(
    connection: sqlite3.Connection,
    now: float,
    message: int,
    attempt: int,
    trigger: _Trigger | None = None,
    known: tuple[int, str, int | None] | None = None,
) -> str | None:
    """Recompute an accepted message's delivery state from the parts of the
    attempt that settled it (``known``: the (index, state, billed) of the part
    just moved); when it becomes final, say so in an event. Returns the
    message's key."""
    row = connection.execute(
        "SELECT key, route, outcome, settled_attempt, part_count, delivery"
        " FROM messages WHERE id = ?",
        (message,),
    ).fetchone()
    if row is None:
        return None
    key, route, outcome, settled_attempt, part_count, delivery = row
    if outcome != "accepted" or settled_attempt != attempt:
        return str(key)
    if part_count == 1 and known is not None and known[0] == 0:
        # A one-part message (most are): the part just moved is all of it.
        parts = [known]
    else:
        parts = connection.execute(
            "SELECT idx, state, billed FROM parts WHERE message = ? AND attempt = ?",
            (message, attempt),
        ).fetchall()
    count = max([part_count, *(index + 1 for index, _, _ in parts)])
    by_index = {index: DeliveryState(state) for index, state, _ in parts}
    state = message_state([by_index.get(i, DeliveryState.PENDING) for i in range(count)])
    if not state.final or state.value == delivery:
        return str(key)
    connection.execute(
        "UPDATE messages SET delivery = ?, delivered_at = ? WHERE id = ?",
        (state.value, now, message),
    )
    event = event_row(
        now,
        EventKind.DELIVERY,
        route,
        key,
        state,
        part=None if trigger is None else trigger.idx,
        message_id=None if trigger is None else trigger.message_id,
        billed=message_billed(_billed(billed) for _, _, billed in parts),
        receipt=None if trigger is None else trigger.receipt,
    )
    add_events(connection, [event])
    return str(key)


def _apply(
    connection: sqlite3.Connection, now: float, receipt_id: int, receipt: Receipt, part: _Part
) -> str | None:
    """Move ``part`` by a stored receipt matched to it; return the message's key."""
    row = connection.execute(
        "SELECT state, billed FROM parts WHERE message = ? AND attempt = ? AND idx = ?", part
    ).fetchone()
    if row is not None:
        old = (DeliveryState(row[0]), _billed(row[1]))
        new = combine_part(old, (receipt_state(receipt), receipt_billed(receipt)))
        if new != old:
            connection.execute(
                "UPDATE parts SET state = ?, billed = ?"
                " WHERE message = ? AND attempt = ? AND idx = ?",
                (new[0].value, new[1], *part),
            )
            if new[0].final:
                trigger = _Trigger(part.idx, receipt_message_id(receipt), receipt_id)
                known = (part.idx, new[0].value, None if new[1] is None else int(new[1]))
                return refresh_delivery(connection, now, part.message, part.attempt, trigger, known)
    key = connection.execute("SELECT key FROM messages WHERE id = ?", (part.message,)).fetchone()
    return None if key is None else str(key[0])


def _duplicate(connection: sqlite3.Connection, route: str, digest: str) -> str | None:
    row = connection.execute(
        "SELECT m.key FROM receipts r JOIN messages m ON m.id = r.message"
        " WHERE r.route = ? AND r.fingerprint = ?",
        (route, digest),
    ).fetchone()
    return None if row is None else str(row[0])


def record_inbound(
    connection: sqlite3.Connection, now: float, ttl: float, route: str, items: Sequence[Inbound]
) -> list[str | None]:
    """Store and match ``items`` (one transaction, the caller's)."""
    oldest = now - ttl
    matched: list[str | None] = []
    for item in items:
        payload = encode_inbound(item)
        if isinstance(item, MobileOriginated):
            add_events(
                connection, [event_row(now, EventKind.MOBILE_ORIGINATED, route, payload=payload)]
            )
            matched.append(None)
            continue
        digest = fingerprint(payload)
        keys = receipt_keys(item)
        part = _find_part(connection, route, keys, oldest)
        cursor = connection.execute(
            "INSERT OR IGNORE INTO receipts (route, fingerprint, payload, received_at, state,"
            " billed, message, attempt, idx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                route,
                digest,
                payload,
                now,
                receipt_state(item).value,
                receipt_billed(item),
                *(part or (None, None, None)),
            ),
        )
        if cursor.rowcount == 0:
            # The same receipt again (an acknowledgement the SMSC never got): stored once.
            matched.append(_duplicate(connection, route, digest))
        elif part is not None:
            matched.append(_apply(connection, now, int(cursor.lastrowid or 0), item, part))
        else:
            connection.executemany(
                "INSERT OR IGNORE INTO waiting (route, id_key, receipt) VALUES (?, ?, ?)",
                [(route, key, cursor.lastrowid) for key in keys],
            )
            matched.append(None)
    return matched


def match_waiting(
    connection: sqlite3.Connection,
    now: float,
    oldest: float,
    route: str,
    key: str,
    part: tuple[int, int, int],
) -> None:
    """Match the receipts waiting under ``key`` to the part just recorded, in
    the order they arrived."""
    found = dict(
        connection.execute(
            "SELECT r.id, r.payload FROM waiting w JOIN receipts r ON r.id = w.receipt"
            " WHERE w.route = ? AND w.id_key = ? AND r.received_at >= ?",
            (route, key, oldest),
        ).fetchall()
    )
    for receipt_id in sorted(found):
        connection.execute("DELETE FROM waiting WHERE receipt = ?", (receipt_id,))
        connection.execute(
            "UPDATE receipts SET message = ?, attempt = ?, idx = ? WHERE id = ?",
            (*part, receipt_id),
        )
        _apply(connection, now, receipt_id, decode_receipt(found[receipt_id]), _Part(*part))


def any_waiting(connection: sqlite3.Connection) -> bool:
    """Whether any receipt waits for its id (most of the time none does)."""
    return connection.execute("SELECT 1 FROM waiting LIMIT 1").fetchone() is not None
