"""Receipts, reports and handset messages in the SQLite outbox, and how receipts
find their parts.

A receipt is matched through ``parts_by_id`` (each accepted part's id, in the
form :func:`~smswire.outbox.receipts.part_key` writes, per route) to the
part it names, by every form its own id may take, and stored with that match;
when an SMSC reuses an id, the newest part under it wins. One whose id is not
recorded yet is stored unmatched and waits under its keys in ``waiting``;
recording the id later (:func:`match_waiting`, called as parts are recorded)
matches it then. Each match moves the part's state and, once every part of an
accepted message is final, the message's delivery state, with an event.

A read's worth of receipts is handled together: one look-up of the parts
their ids name, one of the receipts already stored, then one write per table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from typing import NamedTuple

from smswire.message import Outcome
from smswire.outbox.receipts import (
    combine_part,
    receipt_billed,
    receipt_keys,
    receipt_message_id,
    receipt_state,
)
from smswire.outbox.records import DeliveryState, EventKind, Inbound, Receipt
from smswire.outbox.serial import decode_receipt, encode_inbound, fingerprint
from smswire.outbox.sqlite.batches import by_keys, insert_rows
from smswire.outbox.sqlite.delivery import (
    STATES,
    MessageRow,
    Moved,
    Trigger,
    message_rows,
    settle_deliveries,
)
from smswire.outbox.sqlite.events import EventRow, add_events, event_row
from smswire.smpp.userdata import MobileOriginated

__all__ = ["any_waiting", "match_waiting", "record_inbound"]

# (message, attempt, idx): a part.
PartId = tuple[int, int, int]


class _Candidate(NamedTuple):
    accepted_at: float
    part: PartId


def _billed(value: int | None) -> bool | None:
    return None if value is None else bool(value)


class _Parts:
    """The parts a batch's receipts may name, and their state as the batch moves them."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[_Candidate]] = {}
        self.state: dict[PartId, tuple[DeliveryState, bool | None]] = {}
        self.changed: set[PartId] = set()
        # The rows of the parts' messages, read with them (see named).
        self.messages: dict[int, MessageRow] = {}

    @classmethod
    def named(
        cls, connection: sqlite3.Connection, route: str, keys: set[str], oldest: float
    ) -> _Parts:
        """The parts recorded on ``route`` since ``oldest`` under any of ``keys``,
        and their messages' rows (one query for both: a receipt needs both)."""
        parts = cls()
        select = (
            "SELECT p.id_key, p.accepted_at, p.message, p.attempt, p.idx, p.state, p.billed,"
            " m.key, m.route, m.outcome, m.settled_attempt, m.part_count, m.delivery"
            " FROM parts p LEFT JOIN messages m ON m.id = p.message"
            " WHERE p.route = ? AND p.accepted_at >= ? AND p.id_key IN ({})"
        )
        messages = parts.messages
        for key, at, message, attempt, index, state, billed, *row in by_keys(
            connection, select, keys, route, oldest
        ):
            part = (message, attempt, index)
            parts.by_key.setdefault(key, []).append(_Candidate(at, part))
            parts.state[part] = (STATES[state], _billed(billed))
            if row[0] is not None:
                messages[message] = MessageRow(*row)
        return parts

    def find(self, keys: tuple[str, ...]) -> PartId | None:
        """The part ``keys`` name: the receipt's most exact form first (a
        decimal id that is also another id's hex form must match its own),
        then the newest part under it."""
        for key in keys:
            candidates = self.by_key.get(key)
            if candidates:
                return max(candidates).part
        return None

    def move(self, part: PartId, receipt: Receipt) -> bool:
        """Apply one more receipt to ``part``; True when that made it final."""
        return self.move_to(part, (receipt_state(receipt), receipt_billed(receipt)))

    def move_to(self, part: PartId, said: tuple[DeliveryState, bool | None]) -> bool:
        """Apply what one more receipt says (its state, its billing) to ``part``;
        True when that made it final."""
        old = self.state[part]
        new = combine_part(old, said)
        if new == old:
            return False
        self.state[part] = new
        self.changed.add(part)
        return new[0].final and not old[0].final

    def write(self, connection: sqlite3.Connection) -> None:
        # Parts whose billing nobody spoke of yet (SMPP's) keep it NULL unbound.
        changed = [(*self.known(part)[1:], *part) for part in self.changed]
        connection.executemany(
            "UPDATE parts SET state = ? WHERE message = ? AND attempt = ? AND idx = ?",
            [(state, *part) for state, billed, *part in changed if billed is None],
        )
        connection.executemany(
            "UPDATE parts SET state = ?, billed = ? WHERE message = ? AND attempt = ? AND idx = ?",
            [row for row in changed if row[1] is not None],
        )

    def known(self, part: PartId) -> tuple[int, str, int | None]:
        """(index, state, billed) of ``part``, as the delivery state reads them."""
        state, billed = self.state[part]
        return part[2], state.value, None if billed is None else int(billed)


def _stored(
    connection: sqlite3.Connection,
    route: str,
    parts: _Parts,
    receipts: list[tuple[tuple[str, ...], str]],
) -> set[tuple[int | None, str]]:
    """``(message, fingerprint)`` of the stored receipts that a batch's
    receipts (their id's forms, their fingerprint) may be copies of: those of
    the messages their ids name, and, for a receipt whose id names no part,
    those still waiting for an id (message None). Both are read from an index
    in the order it is kept (see schema version 2). A receipt whose id names a
    part has no waiting copy: recording the part matched its copies."""
    stored: set[tuple[int | None, str]] = set(
        by_keys(
            connection,
            "SELECT message, fingerprint FROM receipts WHERE message IN ({})",
            {part[0] for part in parts.state},
        )
    )
    unnamed = [digest for keys, digest in receipts if parts.find(keys) is None]
    stored.update(
        (None, digest)
        for (digest,) in by_keys(
            connection,
            "SELECT fingerprint FROM receipts WHERE route = ? AND message IS NULL"
            " AND fingerprint IN ({})",
            unnamed,
            route,
        )
    )
    return stored


def _copy_of(
    stored: set[tuple[int | None, str]], parts: _Parts, keys: tuple[str, ...], digest: str
) -> int | bool | None:
    """The message a stored receipt with ``digest`` matched (None: it waits),
    or False when none is stored: a copy is looked for under every message
    the receipt's ids name, since its first may have matched any of them."""
    if (None, digest) in stored:
        return None
    for key in keys:
        for candidate in parts.by_key.get(key, ()):
            if (candidate.part[0], digest) in stored:
                return candidate.part[0]
    return False


def record_inbound(
    connection: sqlite3.Connection, now: float, ttl: float, route: str, items: Sequence[Inbound]
) -> list[str | None]:
    """Store and match ``items`` (one transaction, the caller's)."""
    payloads = [encode_inbound(item) for item in items]
    receipts = [
        (position, item, receipt_keys(item), fingerprint(payloads[position]))
        for position, item in enumerate(items)
        if not isinstance(item, MobileOriginated)
    ]
    wanted = {key for _, _, forms, _ in receipts for key in forms}
    parts = _Parts.named(connection, route, wanted, now - ttl)
    stored = _stored(connection, route, parts, [(keys, digest) for _, _, keys, digest in receipts])
    (last_id,) = connection.execute("SELECT max(id) FROM receipts").fetchone()
    next_id = int(last_id or 0)

    matched: list[int | None] = [None] * len(items)  # the message row each item matched
    events: list[tuple[int, EventRow]] = [
        (position, event_row(now, EventKind.MOBILE_ORIGINATED, route, payload=payloads[position]))
        for position, item in enumerate(items)
        if isinstance(item, MobileOriginated)
    ]
    receipt_rows: list[dict[str, object]] = []
    matched_rows: list[tuple[int, str, str, str, float, str, int, int, int]] = []
    waiting_rows: list[tuple[str, str, int]] = []
    moved: dict[PartId, Trigger] = {}
    for position, receipt, keys, digest in receipts:
        copy = _copy_of(stored, parts, keys, digest)
        if copy is not False:
            # The same receipt again (an acknowledgement the SMSC never got): stored once.
            matched[position] = copy
            continue
        part = parts.find(keys)
        next_id += 1
        matched[position] = None if part is None else part[0]
        stored.add((matched[position], digest))
        state = receipt_state(receipt)._value_
        billed = receipt_billed(receipt)
        if billed is None and part is not None:
            # SMPP's receipts, matched: one shape, written without working it out.
            matched_rows.append((next_id, route, digest, payloads[position], now, state, *part))
        else:
            row: dict[str, object] = {
                "id": next_id,
                "route": route,
                "fingerprint": digest,
                "payload": payloads[position],
                "received_at": now,
                "state": state,
            }
            if billed is not None:
                row["billed"] = int(billed)
            if part is not None:
                row["message"], row["attempt"], row["idx"] = part
            receipt_rows.append(row)
        if part is None:
            waiting_rows.extend((route, key, next_id) for key in keys)
        elif parts.move(part, receipt):
            moved[part] = Trigger(position, part[2], receipt_message_id(receipt), next_id)

    connection.executemany(
        "INSERT INTO receipts (id, route, fingerprint, payload, received_at, state, message,"
        " attempt, idx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        matched_rows,
    )
    insert_rows(connection, "receipts", receipt_rows)
    connection.executemany(
        "INSERT OR IGNORE INTO waiting (route, id_key, receipt) VALUES (?, ?, ?)", waiting_rows
    )
    parts.write(connection)
    # The messages of parts just matched were read with the parts; only a
    # receipt stored before (matched then) may name another.
    rows = parts.messages
    others = [m for m in matched if m is not None and m not in rows]
    if others:
        rows.update(message_rows(connection, others))
    events += settle_deliveries(
        connection,
        now,
        [Moved(p[0], p[1], parts.known(p), trigger) for p, trigger in moved.items()],
        rows,
    )
    events.sort(key=lambda event: event[0])
    add_events(connection, [event for _, event in events])
    return [None if m is None or m not in rows else rows[m].key for m in matched]


def match_waiting(
    connection: sqlite3.Connection,
    now: float,
    oldest: float,
    recorded: Sequence[tuple[str, str, PartId]],
    unsettled: Collection[int] = (),
) -> None:
    """Match the receipts waiting under the keys of parts just recorded
    (``(route, key, part)``, in the order recorded): each receipt goes to the
    first of them it names, a part takes its receipts in the order they
    arrived. One look-up and one write per table for all of them. ``unsettled``:
    messages the caller knows have no outcome yet."""
    waiting: dict[tuple[str, str], list[tuple[int, str, int | None, str]]] = {}
    select = (
        "SELECT w.id_key, r.id, r.state, r.billed, r.payload FROM waiting w"
        " JOIN receipts r ON r.id = w.receipt"
        " WHERE w.route = ? AND r.received_at >= ? AND w.id_key IN ({})"
    )
    routes: dict[str, list[str]] = {}
    for route, key, _ in recorded:
        routes.setdefault(route, []).append(key)
    for route, keys in routes.items():
        for key, *receipt in by_keys(connection, select, keys, route, oldest):
            receipt_id, state, billed, payload = receipt
            waiting.setdefault((route, key), []).append((receipt_id, state, billed, payload))
    if not waiting:
        return
    parts = _Parts()
    named = {part for route, key, part in recorded if (route, key) in waiting}
    select = "SELECT message, attempt, idx, state, billed FROM parts WHERE message IN ({})"
    for message, attempt, index, state, billed in by_keys(
        connection, select, (message for message, _, _ in named)
    ):
        if (message, attempt, index) in named:
            parts.state[(message, attempt, index)] = (STATES[state], _billed(billed))
    taken: set[int] = set()
    matches = []
    # The last part of each message that a receipt made final, in the order that happened.
    finals: dict[int, tuple[PartId, int, str]] = {}
    for route, key, part in recorded:
        for receipt_id, state, billed, payload in sorted(waiting.get((route, key), ())):
            if receipt_id in taken:
                continue  # matched already, to a part recorded before this one
            taken.add(receipt_id)
            matches.append((*part, receipt_id))
            if parts.move_to(part, (STATES[state], _billed(billed))):
                finals.pop(part[0], None)
                finals[part[0]] = (part, receipt_id, payload)
    connection.executemany(
        "DELETE FROM waiting WHERE receipt = ?", [(receipt_id,) for receipt_id in taken]
    )
    connection.executemany(
        "UPDATE receipts SET message = ?, attempt = ?, idx = ? WHERE id = ?", matches
    )
    parts.write(connection)
    # A message known to have no outcome yet has no delivery state to move.
    finals = {m: final for m, final in finals.items() if m not in unsettled}
    if not finals:
        return
    rows = message_rows(connection, finals)
    moved = []
    for message, (part, receipt_id, payload) in finals.items():
        row = rows.get(message)
        if row is None or row.outcome != Outcome.ACCEPTED.value or row.settled_attempt != part[1]:
            continue  # no delivery state before the outcome; the id is read only when it counts
        message_id = receipt_message_id(decode_receipt(payload))
        trigger = Trigger(-1, part[2], message_id, receipt_id)
        moved.append(Moved(part[0], part[1], parts.known(part), trigger))
    if moved:
        events = settle_deliveries(connection, now, moved, rows)
        add_events(connection, [event for _, event in events])


def any_waiting(connection: sqlite3.Connection) -> bool:
    """Whether any receipt waits for its id (most of the time none does)."""
    return connection.execute("SELECT 1 FROM waiting LIMIT 1").fetchone() is not None
