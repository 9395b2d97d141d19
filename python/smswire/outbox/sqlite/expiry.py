"""Forgetting what is too old to matter: unmatched receipts and events.

Messages, their parts and the receipts matched to them stay (they are the
answer to ``status``); a part's id simply stops matching receipts once it is
older than the correlation TTL. What goes is what only waited to correlate,
and the feed. One call deletes at most ``batch`` rows of each kind, so the
write lock is held briefly and other processes' commits go in between.
"""

from __future__ import annotations

import sqlite3

from smswire.outbox.sqlite.events import expire_events

__all__ = ["expire"]


def expire(
    connection: sqlite3.Connection,
    now: float,
    correlation_ttl: float,
    event_ttl: float,
    batch: int,
) -> int:
    """Delete one batch of each kind of expired record; return how many went."""
    cutoff = now - correlation_ttl
    unmatched = [
        (receipt,)
        for (receipt,) in connection.execute(
            "SELECT id FROM receipts WHERE message IS NULL AND received_at < ? LIMIT ?",
            (cutoff, batch),
        ).fetchall()
    ]
    connection.executemany("DELETE FROM waiting WHERE receipt = ?", unmatched)
    connection.executemany("DELETE FROM receipts WHERE id = ?", unmatched)
    return len(unmatched) + expire_events(connection, now - event_ttl, batch)
