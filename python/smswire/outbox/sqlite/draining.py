"""Draining the SQLite outbox: claims and leases, the write-ahead mark, parts and outcomes.

A message is claimable while its ``due_at`` has passed and it has no outcome:
queued messages are due from their put (or release) time, claimed ones at
their lease's end. Claiming bumps ``attempt``, and every later report of the
worker names that attempt, so a worker whose lease was taken over can no
longer move the message (fencing); what it learnt of the provider's ids is
still kept, since receipts need it.

Each call reads the rows of all its claims in a few statements, decides which
claims still hold, and writes with one ``executemany`` per table: a window's
worth of messages costs a handful of statements, not a handful per message.
The write lock is held throughout, so what was read cannot change before the
write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from smswire.errors import ClaimError
from smswire.message import Outcome
from smswire.outbox.receipts import part_key
from smswire.outbox.records import AcceptedPart, Claim, DeliveryState, EventKind, Settled, Via
from smswire.outbox.serial import decode_message, encode_status
from smswire.outbox.sqlite.batches import by_keys, update_rows
from smswire.outbox.sqlite.delivery import MessageRow, Moved, message_parts, settle_deliveries
from smswire.outbox.sqlite.events import EventRow, add_events, event_row
from smswire.outbox.sqlite.inbound import any_waiting, match_waiting

__all__ = ["CLAIMABLE", "claim", "extend", "mark_writing", "record", "release"]

# The claimable messages of a route, oldest due first, read from the
# messages_due index (a partial index: settled messages are not in it).
CLAIMABLE = (
    "SELECT id, key, payload, attempt, marked_attempt, possibly_written FROM messages"
    " WHERE route = ? AND due_at <= ? ORDER BY due_at LIMIT ?"
)
_PENDING = DeliveryState.PENDING.value
_ACCEPTED = Outcome.ACCEPTED.value
_OUTCOME = EventKind.OUTCOME.value
# What settling does to a message row besides its outcome.
_SETTLED = "settled_attempt = attempt, due_at = NULL, owner = NULL"


class _Row(NamedTuple):
    """What decides whether a claim still holds, and whether it was settled."""

    id: int
    route: str
    owner: str | None
    attempt: int
    due_at: float | None
    settled_attempt: int | None
    outcome: str | None


def _rows(connection: sqlite3.Connection, claims: Iterable[Claim]) -> dict[str, _Row]:
    """The rows of ``claims``' messages, by key: found by the row id the claim
    carries (by key for a claim from elsewhere), and only under their key."""
    by_id: list[object] = []
    by_key: list[object] = []
    for c in claims:
        if isinstance(c.ref, int):
            by_id.append(c.ref)
        else:
            by_key.append(c.key)
    columns = "key, id, route, owner, attempt, due_at, settled_attempt, outcome"
    found = {}
    for where, values in (("id", by_id), ("key", by_key)):
        select = f"SELECT {columns} FROM messages WHERE {where} IN ({{}})"
        for row in by_keys(connection, select, values):
            found[row[0]] = _Row(*row[1:])
    return found


def _holds(row: _Row | None, claim: Claim) -> bool:
    """The claim is the message's current one (no outcome, not taken over)."""
    return (
        row is not None
        and row.due_at is not None
        and row.owner == claim.worker
        and row.attempt == claim.attempt
    )


def claim(
    connection: sqlite3.Connection, now: float, route: str, worker: str, limit: int, lease: float
) -> list[Claim]:
    rows = connection.execute(CLAIMABLE, (route, now, limit)).fetchall()
    claims = []
    updates = []
    events = []
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
                events.append(event_row(now, EventKind.POSSIBLY_WRITTEN, route, key))
        updates.append((worker, attempt + 1, now + lease, now, int(possibly), message))
        claims.append(
            Claim(
                key, route, decode_message(payload), worker, attempt + 1, possibly, earlier, message
            )
        )
    connection.executemany(
        "UPDATE messages SET owner = ?, attempt = ?, due_at = ?, claimed_at = ?,"
        " possibly_written = ? WHERE id = ?",
        updates,
    )
    add_events(connection, events)
    return claims


def _split(
    connection: sqlite3.Connection, claims: Sequence[Claim]
) -> tuple[list[tuple[Claim, _Row]], set[str]]:
    """The claims that still hold, with their rows, and the keys of the rest."""
    rows = _rows(connection, claims)
    held = []
    lost = set()
    for c in claims:
        row = rows.get(c.key)
        if row is not None and _holds(row, c):
            held.append((c, row))
        else:
            lost.add(c.key)
    return held, lost


def extend(
    connection: sqlite3.Connection, now: float, claims: Sequence[Claim], lease: float
) -> frozenset[str]:
    held, lost = _split(connection, claims)
    connection.executemany(
        "UPDATE messages SET due_at = ? WHERE id = ?", [(now + lease, row.id) for _, row in held]
    )
    return frozenset(lost)


def release(
    connection: sqlite3.Connection, now: float, claims: Sequence[Claim], delay: float
) -> frozenset[str]:
    held, lost = _split(connection, claims)
    attempts = {row.id: c for c, row in held}
    select = "SELECT message, attempt, idx FROM parts WHERE message IN ({})"
    for message, attempt, index in by_keys(connection, select, attempts):
        c = attempts[message]
        if attempt == c.attempt:
            raise ClaimError(
                f"key {c.key!r}: claim {c.attempt} has part {index} accepted by the "
                "provider, so it was written; record its outcome instead of releasing it"
            )
    # The worker says none of it was written: its own mark goes with the claim.
    connection.executemany(
        "UPDATE messages SET owner = NULL, due_at = ?, marked_at = NULL, marked_attempt ="
        " CASE WHEN marked_attempt = attempt THEN NULL ELSE marked_attempt END WHERE id = ?",
        [(now + delay, row.id) for _, row in held],
    )
    return frozenset(lost)


def mark_writing(
    connection: sqlite3.Connection, now: float, claims: Sequence[Claim]
) -> frozenset[str]:
    # Nearly always every claim still holds: the fence goes into the update
    # itself, and only if it did not mark them all are the rows read to tell
    # which (marking again the ones that hold changes nothing).
    if all(isinstance(c.ref, int) for c in claims):
        changes = connection.total_changes
        connection.executemany(
            "UPDATE messages SET marked_attempt = attempt, marked_at = ? WHERE id = ?"
            " AND key = ? AND owner = ? AND attempt = ? AND due_at >= ?",
            [(now, c.ref, c.key, c.worker, c.attempt, now) for c in claims],
        )
        if connection.total_changes - changes == len(claims):
            return frozenset()
    held, lost = _split(connection, claims)
    # A lease that ran out may be taken over at any moment: writing under it
    # could send the message twice, so it is refused until extended.
    writable = []
    for c, row in held:
        if row.due_at is not None and row.due_at >= now:
            writable.append((now, row.id))
        else:
            lost.add(c.key)
    connection.executemany(
        "UPDATE messages SET marked_attempt = attempt, marked_at = ? WHERE id = ?", writable
    )
    return frozenset(lost)


def _record_parts(
    connection: sqlite3.Connection,
    now: float,
    oldest: float,
    via: Via,
    parts: Sequence[AcceptedPart],
    rows: dict[str, _Row],
    unsettled: set[int],
) -> None:
    part_rows = []
    for part in parts:
        row = rows.get(part.claim.key)
        if row is None:
            raise ClaimError(f"key {part.claim.key!r} is not in this outbox; it was never claimed")
        key = part_key(via, part.message_id, part.index)
        part_rows.append(
            (row.id, part.claim.attempt, part.index, part.message_id, row.route, key, now, _PENDING)
        )
    connection.executemany(
        "INSERT OR IGNORE INTO parts (message, attempt, idx, message_id, route, id_key,"
        " accepted_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        part_rows,
    )
    if any_waiting(connection):
        recorded = [
            (route, key, (message, attempt, index))
            for message, attempt, index, _, route, key, _, _ in part_rows
        ]
        match_waiting(connection, now, oldest, recorded, unsettled)


def _settle(
    connection: sqlite3.Connection, now: float, settled: Sequence[Settled], rows: dict[str, _Row]
) -> tuple[set[str], list[EventRow], dict[int, MessageRow]]:
    updates: list[tuple[dict[str, object], int]] = []
    # Most outcomes: accepted, with the provider's status and no error.
    plain: list[tuple[str | None, int, float, str, int]] = []
    events: list[EventRow] = []
    accepted: dict[int, MessageRow] = {}
    lost = set()
    done = set()
    for s in settled:
        c = s.claim
        row = rows.get(c.key)
        if row is None or not _holds(row, c) or c.key in done:
            # Recorded already by this very claim (a repeated call) is not lost.
            if c.key in done or (
                row is not None
                and row.settled_attempt == c.attempt
                and row.outcome == s.outcome.value
            ):
                continue
            lost.add(c.key)
            continue
        done.add(c.key)
        if s.outcome is Outcome.ACCEPTED and s.status is not None and s.error is None:
            # Written without a shape to work out: the row and event this outcome always gives.
            status = encode_status(s.status)
            plain.append((status, s.parts, now, _PENDING, row.id))
            events.append(
                {
                    "at": now,
                    "kind": _OUTCOME,
                    "route": c.route,
                    "key": c.key,
                    "state": _ACCEPTED,
                    "status": status,
                }
            )
            accepted[row.id] = MessageRow(c.key, row.route, _ACCEPTED, c.attempt, s.parts, _PENDING)
            continue
        is_accepted = s.outcome is Outcome.ACCEPTED
        values: dict[str, object] = {
            "outcome": s.outcome.value,
            "status": encode_status(s.status),
            "error": s.error,
            "part_count": s.parts,
            "settled_at": now,
            "delivery": _PENDING if is_accepted else None,
        }
        updates.append((values, row.id))
        events.append(
            event_row(
                now, EventKind.OUTCOME, c.route, c.key, s.outcome, status=s.status, error=s.error
            )
        )
        if is_accepted:
            accepted[row.id] = MessageRow(
                c.key, row.route, s.outcome.value, c.attempt, s.parts, _PENDING
            )
    connection.executemany(
        f"UPDATE messages SET outcome = '{_ACCEPTED}', status = ?, error = NULL, part_count = ?,"
        f" settled_at = ?, delivery = ?, {_SETTLED} WHERE id = ?",
        plain,
    )
    update_rows(connection, "messages", updates, _SETTLED)
    return lost, events, accepted


def _deliveries(
    connection: sqlite3.Connection, now: float, accepted: dict[int, MessageRow]
) -> list[EventRow]:
    # Receipts that came before the outcome may settle the delivery already;
    # only messages with a part past pending can have any. What the rows say
    # now is known (the outcome was just written), so only the parts are read.
    parts = message_parts(connection, accepted)
    moved = [
        Moved(message, row.settled_attempt)
        for message, row in accepted.items()
        if row.settled_attempt is not None
        and any(state != _PENDING for _, state, _ in parts.get((message, row.settled_attempt), ()))
    ]
    return [event for _, event in settle_deliveries(connection, now, moved, accepted, parts)]


def record(
    connection: sqlite3.Connection,
    now: float,
    ttl: float,
    via: Via,
    parts: Sequence[AcceptedPart],
    settled: Sequence[Settled],
) -> frozenset[str]:
    rows = _rows(connection, [p.claim for p in parts] + [s.claim for s in settled])
    if parts:
        # Messages without an outcome before this call: no delivery state to move yet.
        unsettled = {row.id for row in rows.values() if row.outcome is None}
        _record_parts(connection, now, now - ttl, via, parts, rows, unsettled)
    lost, events, accepted = _settle(connection, now, settled, rows)
    add_events(connection, events + _deliveries(connection, now, accepted))
    return frozenset(lost)
