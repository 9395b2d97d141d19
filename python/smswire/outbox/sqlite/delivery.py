"""A message's delivery state in the SQLite outbox, from the parts of the attempt that settled it.

When parts move to a final state (receipts came) or an accepted outcome is
recorded for parts that already have receipts, the message's state is
recomputed; once it is final and new, the message row says so and a
DELIVERY event goes out with the receipt that made it. Many messages are
done together: one read of their rows, one of their parts where needed, one
write of each kind.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple, Optional

from smswire.outbox.receipts import message_billed, message_state
from smswire.outbox.records import DeliveryState, EventKind
from smswire.outbox.sqlite.batches import by_keys
from smswire.outbox.sqlite.events import EventRow, event_row

__all__ = [
    "STATES",
    "MessageRow",
    "Moved",
    "Parts",
    "Trigger",
    "message_parts",
    "message_rows",
    "settle_deliveries",
]

_ACCEPTED = "accepted"
# A stored state's member by its text: a dict look-up, not the enum's call.
STATES = {state.value: state for state in DeliveryState}
_PENDING = DeliveryState.PENDING


class MessageRow(NamedTuple):
    key: str
    route: str
    outcome: str | None
    settled_attempt: int | None
    part_count: int
    delivery: str | None


class Trigger(NamedTuple):
    """The receipt that moved a part: its place in the batch (events keep the
    batch's order), the part, the id it named, its stored row."""

    position: int
    idx: int
    message_id: str
    receipt: int


class Moved(NamedTuple):
    """A message to look at again: ``attempt``'s parts changed. ``known`` is
    the (index, state, billed) of the part that moved, when that is all a
    one-part message needs."""

    message: int
    attempt: int
    known: tuple[int, str, int | None] | None = None
    trigger: Trigger | None = None


def message_rows(connection: sqlite3.Connection, ids: Iterable[int]) -> dict[int, MessageRow]:
    select = (
        "SELECT id, key, route, outcome, settled_attempt, part_count, delivery"
        " FROM messages WHERE id IN ({})"
    )
    return {row[0]: MessageRow(*row[1:]) for row in by_keys(connection, select, ids)}


# (message, attempt): the (index, state, billed) of each of its parts.
Parts = dict[tuple[int, int], list[tuple[int, str, Optional[int]]]]


def message_parts(connection: sqlite3.Connection, messages: Iterable[int]) -> Parts:
    """The parts of ``messages``, every attempt's."""
    found: Parts = {}
    select = "SELECT message, attempt, idx, state, billed FROM parts WHERE message IN ({})"
    for message, attempt, index, state, billed in by_keys(connection, select, messages):
        found.setdefault((message, attempt), []).append((index, state, billed))
    return found


def settle_deliveries(
    connection: sqlite3.Connection,
    now: float,
    moved: Sequence[Moved],
    rows: Mapping[int, MessageRow] | None = None,
    parts: Parts | None = None,
) -> list[tuple[int, EventRow]]:
    """Recompute the delivery state of each moved message that is accepted by
    the attempt whose parts moved; write the new final states. Returns the
    DELIVERY events, each with the batch position of the receipt behind it
    (or -1), for the caller to append in order."""
    # The last move of a message names the receipt that completed it.
    latest = {m.message: m for m in moved}
    rows = message_rows(connection, latest) if rows is None else rows
    settled = {
        message: m
        for message, m in latest.items()
        if message in rows
        and rows[message].outcome == _ACCEPTED
        and rows[message].settled_attempt == m.attempt
    }
    one_part = {
        message
        for message, m in settled.items()
        if rows[message].part_count == 1 and m.known is not None and m.known[0] == 0
    }
    if parts is None:
        parts = message_parts(connection, [m for m in settled if m not in one_part])
    updates = []
    events = []
    for message, m in settled.items():
        row = rows[message]
        billed: bool | None
        if message in one_part and m.known is not None:
            # One part: the message is in its part's state, billed as it is.
            _, value, part_billed = m.known
            state = STATES[value]
            billed = None if part_billed is None else bool(part_billed)
        else:
            known = parts.get((message, m.attempt), [])
            states = [_PENDING] * max([row.part_count, *(index + 1 for index, _, _ in known)])
            for index, value, _ in known:
                states[index] = STATES[value]
            state = message_state(states)
            billed = message_billed(None if b is None else bool(b) for _, _, b in known)
        if not state.final or state._value_ == row.delivery:
            continue
        updates.append((state._value_, now, message))
        trigger = m.trigger
        event = event_row(
            now,
            EventKind.DELIVERY,
            row.route,
            row.key,
            state,
            part=None if trigger is None else trigger.idx,
            message_id=None if trigger is None else trigger.message_id,
            billed=billed,
            receipt=None if trigger is None else trigger.receipt,
        )
        events.append((-1 if trigger is None else trigger.position, event))
    connection.executemany(
        "UPDATE messages SET delivery = ?, delivered_at = ? WHERE id = ?", updates
    )
    return events
