"""Answers from the SQLite outbox: one message's whole story, and what waits."""

from __future__ import annotations

import sqlite3

from smswire.message import Outcome
from smswire.outbox.receipts import message_billed
from smswire.outbox.records import (
    DeliveryState,
    MessageStatus,
    PartStatus,
    Pending,
    ReceiptRecord,
)
from smswire.outbox.serial import decode_message, decode_receipt, decode_status

__all__ = ["pending", "status"]


def _billed(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def status(connection: sqlite3.Connection, key: str) -> MessageStatus | None:
    row = connection.execute(
        "SELECT id, route, payload, put_at, attempt, owner, claimed_at, marked_at,"
        " marked_attempt, possibly_written, outcome, status, error, part_count,"
        " settled_attempt, settled_at, delivery, delivered_at FROM messages WHERE key = ?",
        (key,),
    ).fetchone()
    if row is None:
        return None
    (
        message,
        route,
        payload,
        put_at,
        attempt,
        owner,
        claimed_at,
        marked_at,
        marked_attempt,
        possibly_written,
        outcome,
        provider_status,
        error,
        part_count,
        settled_attempt,
        settled_at,
        delivery,
        delivered_at,
    ) = row
    parts = tuple(
        PartStatus(part_attempt, index, message_id, accepted_at, DeliveryState(state), _billed(b))
        for part_attempt, index, message_id, accepted_at, state, b in connection.execute(
            "SELECT attempt, idx, message_id, accepted_at, state, billed FROM parts"
            " WHERE message = ? ORDER BY attempt, idx",
            (message,),
        )
    )
    receipts = tuple(
        ReceiptRecord(decode_receipt(text), at, index, DeliveryState(state), _billed(b), received)
        for text, at, index, state, b, received in connection.execute(
            "SELECT payload, attempt, idx, state, billed, received_at FROM receipts"
            " WHERE message = ? ORDER BY id",
            (message,),
        )
    )
    settled_parts = [part for part in parts if part.attempt == settled_attempt]
    return MessageStatus(
        key=key,
        route=route,
        message=decode_message(payload),
        put_at=put_at,
        attempts=attempt,
        claimed_by=owner,
        claimed_at=claimed_at,
        # The mark of the current claim; an earlier claim's shows as possibly_written.
        marked_at=marked_at if marked_attempt == attempt else None,
        possibly_written=bool(possibly_written),
        outcome=None if outcome is None else Outcome(outcome),
        status=decode_status(provider_status),
        error=error,
        part_count=part_count,
        settled_attempt=settled_attempt,
        settled_at=settled_at,
        delivery=None if delivery is None else DeliveryState(delivery),
        delivered_at=delivered_at,
        billed=message_billed(part.billed for part in settled_parts) if settled_parts else None,
        parts=parts,
        receipts=receipts,
    )


def pending(connection: sqlite3.Connection, route: str) -> Pending:
    queued, claimed, oldest = connection.execute(
        "SELECT count(*) - count(owner), count(owner), min(put_at) FROM messages"
        " WHERE route = ? AND due_at IS NOT NULL",
        (route,),
    ).fetchone()
    return Pending(int(queued), int(claimed), oldest)
