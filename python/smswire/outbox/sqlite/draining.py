"""Draining the SQLite outbox: claims and leases, the write-ahead mark, parts and outcomes.

A message is claimable while its ``due_at`` has passed and it has no outcome:
queued messages are due from their put (or release) time, claimed ones at
their lease's end. Claiming bumps ``attempt``, and every later report of the
worker names that attempt, so a worker whose lease was taken over can no
longer move the message (fencing); what it learnt of the provider's ids is
still kept, since receipts need it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from smswire.errors import ClaimError
from smswire.message import Outcome
from smswire.outbox.receipts import part_keys
from smswire.outbox.records import AcceptedPart, Claim, DeliveryState, EventKind, Settled, Via
from smswire.outbox.serial import decode_message, encode_status
from smswire.outbox.sqlite.events import add_event
from smswire.outbox.sqlite.inbound import any_waiting, match_waiting, refresh_delivery

__all__ = ["claim", "extend", "mark_writing", "record", "release"]

_HELD = "key = ? AND owner = ? AND attempt = ? AND due_at IS NOT NULL"


def claim(
    connection: sqlite3.Connection, now: float, route: str, worker: str, limit: int, lease: float
) -> list[Claim]:
    rows = connection.execute(
        "SELECT id, key, payload, attempt, marked_attempt, possibly_written FROM messages"
        " WHERE route = ? AND due_at <= ? ORDER BY due_at LIMIT ?",
        (route, now, limit),
    ).fetchall()
    claims = []
    updates = []
    for message, key, payload, attempt, marked_attempt, flagged in rows:
        # Marked by an earlier claim that left no outcome: it may have gone out.
        possibly = bool(flagged) or marked_attempt is not None
        earlier: tuple[str, ...] = ()
        if possibly:
            earlier = tuple(
                message_id
                for (message_id,) in connection.execute(
                    "SELECT message_id FROM parts WHERE message = ? ORDER BY attempt, idx",
                    (message,),
                )
            )
            if not flagged:
                add_event(connection, now, EventKind.POSSIBLY_WRITTEN, route, key)
        updates.append((worker, attempt + 1, now + lease, now, int(possibly), message))
        claims.append(
            Claim(key, route, decode_message(payload), worker, attempt + 1, possibly, earlier)
        )
    connection.executemany(
        "UPDATE messages SET owner = ?, attempt = ?, due_at = ?, claimed_at = ?,"
        " possibly_written = ? WHERE id = ?",
        updates,
    )
    return claims


def _fenced(
    connection: sqlite3.Connection,
    sql: str,
    claims: Sequence[Claim],
    values: tuple[object, ...],
) -> frozenset[str]:
    """Run ``sql`` (an UPDATE ending in the claim's fence, ``_HELD``) for each
    claim; return the keys whose claim it no longer held."""
    lost = set()
    for c in claims:
        if connection.execute(sql, (*values, c.key, c.worker, c.attempt)).rowcount == 0:
            lost.add(c.key)
    return frozenset(lost)


def extend(
    connection: sqlite3.Connection, now: float, claims: Sequence[Claim], lease: float
) -> frozenset[str]:
    sql = f"UPDATE messages SET due_at = ? WHERE {_HELD}"
    return _fenced(connection, sql, claims, (now + lease,))


def release(
    connection: sqlite3.Connection, now: float, claims: Sequence[Claim], delay: float
) -> frozenset[str]:
    for c in claims:
        written = connection.execute(
            "SELECT p.idx FROM parts p JOIN messages m ON m.id = p.message"
            " WHERE m.key = ? AND p.attempt = ? LIMIT 1",
            (c.key, c.attempt),
        ).fetchone()
        if written is not None:
            raise ClaimError(
                f"key {c.key!r}: claim {c.attempt} has part {written[0]} accepted by the "
                "provider, so it was written; record its outcome instead of releasing it"
            )
    sql = (
        "UPDATE messages SET owner = NULL, due_at = ?, marked_attempt ="
        " CASE WHEN marked_attempt = attempt THEN NULL ELSE marked_attempt END,"
        f" marked_at = NULL WHERE {_HELD}"
    )
    return _fenced(connection, sql, claims, (now + delay,))


def mark_writing(
    connection: sqlite3.Connection, now: float, claims: Sequence[Claim]
) -> frozenset[str]:
    # A lease that ran out may be taken over at any moment: writing under it
    # could send the message twice, so it is refused until extended.
    sql = (
        f"UPDATE messages SET marked_attempt = attempt, marked_at = ? WHERE due_at >= ? AND {_HELD}"
    )
    return _fenced(connection, sql, claims, (now, now))


def _record_part(
    connection: sqlite3.Connection,
    now: float,
    oldest: float,
    via: Via,
    part: AcceptedPart,
    waiting: bool,
) -> None:
    row = connection.execute(
        "SELECT id, route FROM messages WHERE key = ?", (part.claim.key,)
    ).fetchone()
    if row is None:
        raise ClaimError(f"key {part.claim.key!r} is not in this outbox; it was never claimed")
    message, route = row
    attempt = part.claim.attempt
    inserted = connection.execute(
        "INSERT OR IGNORE INTO parts (message, attempt, idx, message_id, accepted_at, state)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (message, attempt, part.index, part.message_id, now, DeliveryState.PENDING.value),
    ).rowcount
    if not inserted:
        return
    keys = part_keys(via, part.message_id, part.index)
    # A newer part under the same id (an SMSC reusing ids) takes the key over.
    connection.executemany(
        "INSERT OR REPLACE INTO correlation (route, id_key, message, attempt, idx, rank,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(route, key, message, attempt, part.index, rank, now) for rank, key in enumerate(keys)],
    )
    if waiting:
        match_waiting(connection, now, oldest, route, keys, (message, attempt, part.index))


def _settle(connection: sqlite3.Connection, now: float, settled: Settled) -> bool:
    claim = settled.claim
    row = connection.execute("SELECT id FROM messages WHERE key = ?", (claim.key,)).fetchone()
    if row is None:
        return False
    accepted = settled.outcome is Outcome.ACCEPTED
    updated = connection.execute(
        "UPDATE messages SET outcome = ?, status = ?, error = ?, part_count = ?,"
        " settled_attempt = attempt, settled_at = ?, due_at = NULL, owner = NULL, delivery = ?"
        " WHERE id = ? AND owner = ? AND attempt = ? AND due_at IS NOT NULL",
        (
            settled.outcome.value,
            encode_status(settled.status),
            settled.error,
            settled.parts,
            now,
            DeliveryState.PENDING.value if accepted else None,
            row[0],
            claim.worker,
            claim.attempt,
        ),
    ).rowcount
    if not updated:
        # Recorded already by this very claim (a repeated call) is not a lost claim.
        again = connection.execute(
            "SELECT 1 FROM messages WHERE id = ? AND settled_attempt = ? AND outcome = ?",
            (row[0], claim.attempt, settled.outcome.value),
        ).fetchone()
        return again is not None
    add_event(
        connection,
        now,
        EventKind.OUTCOME,
        claim.route,
        claim.key,
        settled.outcome,
        status=settled.status,
        error=settled.error,
    )
    if accepted:
        # Receipts may have come before the outcome: they may settle it already.
        refresh_delivery(connection, now, row[0], claim.attempt)
    return True


def record(
    connection: sqlite3.Connection,
    now: float,
    ttl: float,
    via: Via,
    parts: Sequence[AcceptedPart],
    settled: Sequence[Settled],
) -> frozenset[str]:
    oldest = now - ttl
    waiting = bool(parts) and any_waiting(connection)
    for part in parts:
        _record_part(connection, now, oldest, via, part, waiting)
    return frozenset(s.claim.key for s in settled if not _settle(connection, now, s))
