"""Putting messages into the SQLite outbox: all of a batch or none, each key once.

The batch goes in with one ``INSERT OR IGNORE`` per row inside the caller's
transaction; only when some rows were ignored (their key was there already,
or came twice in the batch) are the stored messages read back and compared,
so the common case (all new) costs no reads at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from smswire.errors import KeyConflict
from smswire.message import Message
from smswire.outbox.serial import decode_message, encode_message
from smswire.outbox.sqlite.batches import by_keys

__all__ = ["put"]


def put(
    connection: sqlite3.Connection, now: float, route: str, items: Sequence[tuple[str, Message]]
) -> int:
    """Insert ``items`` on ``route``; return how many keys were new. Raises
    :class:`~smswire.errors.KeyConflict` (and the caller rolls back) when a
    key is stored, or given in ``items``, with other content."""
    rows = [(key, route, encode_message(message), now, now) for key, message in items]
    before = connection.total_changes
    connection.executemany(
        "INSERT OR IGNORE INTO messages (key, route, payload, put_at, due_at)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    added = connection.total_changes - before
    if added != len(rows):
        _check_conflicts(connection, route, items, {row[0]: row[2] for row in rows})
    return added


def _check_conflicts(
    connection: sqlite3.Connection,
    route: str,
    items: Sequence[tuple[str, Message]],
    payloads: dict[str, str],
) -> None:
    wanted = dict(items)
    for key, message in items:
        # The same key twice in one batch: the first went in, the second must match it.
        if wanted[key] != message:
            raise KeyConflict(f"key {key!r} is given twice with different messages", key=key)
    select = "SELECT key, route, payload FROM messages WHERE key IN ({})"
    for key, stored_route, payload in by_keys(connection, select, wanted):
        if stored_route != route:
            raise KeyConflict(
                f"key {key!r} is in the outbox on route {stored_route!r}, not {route!r}",
                key=key,
            )
        # Text first (the usual case: the same message again), then as
        # messages, so one stored by an older layout still equals it.
        if payload != payloads[key] and decode_message(payload) != wanted[key]:
            raise KeyConflict(
                f"key {key!r} is in the outbox with a different message; "
                "a key names one message for good",
                key=key,
            )
