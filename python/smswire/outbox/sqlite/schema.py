"""The SQLite outbox's schema, versioned, and the migrations that bring a file to it.

The ``schema_version`` table holds one row: the version the file is at. On
open, every migration above it runs in order inside one transaction with the
version's update, so a file is at one version or the next, never between. A
file from a newer smswire (a version above the last known here) is refused
rather than guessed at, as is a SQLite file that is not an outbox.

To change the schema, append a :class:`Migration`; never edit a released one
(``tests/outbox/test_sqlite_schema.py`` pins what each version creates).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from smswire.errors import StoreUnavailable

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Migration",
    "check_version",
    "migrate",
]

# https://www.sqlite.org/pragma.html#pragma_application_id: marks the file as
# an smswire outbox ("SMSO") so `file` and this code can tell it from others.
APPLICATION_ID = 0x534D534F


@dataclass(frozen=True)
class Migration:
    """The statements that take a file from ``version - 1`` to ``version``."""

    version: int
    purpose: str
    statements: tuple[str, ...]


_V1 = (
    # One row per key. due_at: when the message may next be claimed (its put or
    # release time, or its lease's end while claimed); NULL once it has an
    # outcome. attempt: claims so far (the current claim's number).
    # marked_attempt: the claim whose write-ahead mark stands.
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        route TEXT NOT NULL,
        payload TEXT NOT NULL,
        put_at REAL NOT NULL,
        due_at REAL,
        owner TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        claimed_at REAL,
        marked_attempt INTEGER,
        marked_at REAL,
        possibly_written INTEGER NOT NULL DEFAULT 0,
        outcome TEXT,
        status TEXT,
        error TEXT,
        part_count INTEGER NOT NULL DEFAULT 0,
        settled_attempt INTEGER,
        settled_at REAL,
        delivery TEXT,
        delivered_at REAL
    )""",
    "CREATE INDEX messages_due ON messages (route, due_at) WHERE due_at IS NOT NULL",
    # Each part the provider accepted, per claim (a resend is a new attempt).
    # id_key: the part's id in the one form receipts look it up by
    # (smswire.outbox.receipts.part_key); parts_by_id is the correlation.
    """CREATE TABLE parts (
        message INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        route TEXT NOT NULL,
        id_key TEXT NOT NULL,
        accepted_at REAL NOT NULL,
        state TEXT NOT NULL,
        billed INTEGER,
        PRIMARY KEY (message, attempt, idx)
    ) WITHOUT ROWID""",
    "CREATE INDEX parts_by_id ON parts (route, id_key)",
    # Every receipt and report; message is NULL while it waits for its id.
    """CREATE TABLE receipts (
        id INTEGER PRIMARY KEY,
        route TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        payload TEXT NOT NULL,
        received_at REAL NOT NULL,
        state TEXT NOT NULL,
        billed INTEGER,
        message INTEGER,
        attempt INTEGER,
        idx INTEGER,
        UNIQUE (route, fingerprint)
    )""",
    "CREATE INDEX receipts_by_message ON receipts (message) WHERE message IS NOT NULL",
    "CREATE INDEX receipts_unmatched ON receipts (received_at) WHERE message IS NULL",
    # The keys an unmatched receipt waits under.
    """CREATE TABLE waiting (
        route TEXT NOT NULL,
        id_key TEXT NOT NULL,
        receipt INTEGER NOT NULL,
        PRIMARY KEY (route, id_key, receipt)
    ) WITHOUT ROWID""",
    "CREATE INDEX waiting_by_receipt ON waiting (receipt)",
    # The feed, numbered in commit order. A number is never reused: expiry
    # always keeps the newest event, so the next is numbered after it.
    # receipt: the matched receipt a DELIVERY event carries (kept with its
    # message); payload: the handset message a MOBILE_ORIGINATED one carries.
    """CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        kind TEXT NOT NULL,
        route TEXT NOT NULL,
        key TEXT,
        state TEXT,
        status TEXT,
        error TEXT,
        part INTEGER,
        message_id TEXT,
        billed INTEGER,
        receipt INTEGER,
        payload TEXT
    )""",
    """CREATE TABLE consumers (
        name TEXT PRIMARY KEY,
        acked INTEGER NOT NULL,
        acked_at REAL NOT NULL
    )""",
)

# Version 2: a receipt is told from its copies within its message (or, while
# it waits for its id, within its route), not by one index over every
# receipt's digest. That index took each receipt at a random place: with many
# receipts stored, every one dirtied a page of its own, and committing them was
# a tenth of a worker's time. Matched receipts are now indexed in their
# messages' order, which is the order they are sent and answered in. The table
# is rebuilt to drop the old constraint; v1's rows meet both new ones (a
# digest unique per route is unique per message).
_V2 = (
    """CREATE TABLE receipts_v2 (
        id INTEGER PRIMARY KEY,
        route TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        payload TEXT NOT NULL,
        received_at REAL NOT NULL,
        state TEXT NOT NULL,
        billed INTEGER,
        message INTEGER,
        attempt INTEGER,
        idx INTEGER
    )""",
    "INSERT INTO receipts_v2 (id, route, fingerprint, payload, received_at, state, billed,"
    " message, attempt, idx) SELECT id, route, fingerprint, payload, received_at, state, billed,"
    " message, attempt, idx FROM receipts",
    "DROP TABLE receipts",
    "ALTER TABLE receipts_v2 RENAME TO receipts",
    # Also the look-up of a message's receipts (its leading column). Not
    # UNIQUE: a copy that waited past the correlation TTL (its first was
    # matched long ago) may meet its first again when its id is recorded once
    # more, and matching it must not fail the commit that records the part.
    "CREATE INDEX receipts_matched ON receipts (message, fingerprint) WHERE message IS NOT NULL",
    "CREATE UNIQUE INDEX receipts_waiting ON receipts (route, fingerprint) WHERE message IS NULL",
    "CREATE INDEX receipts_unmatched ON receipts (received_at) WHERE message IS NULL",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "messages, parts, receipts, events", _V1),
    Migration(2, "receipts told from their copies per message, not by a global index", _V2),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def _current_version(connection: sqlite3.Connection, path: str) -> int:
    (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    tables = {
        name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    if not tables and application_id == 0:
        return 0
    if application_id != APPLICATION_ID or "schema_version" not in tables:
        raise StoreUnavailable(
            f"{path} is a SQLite file but not an smswire outbox; give the outbox a file of its own",
            operation="open",
        )
    row = connection.execute("SELECT version FROM schema_version").fetchone()
    return 0 if row is None else int(row[0])


def migrate(
    connection: sqlite3.Connection, path: str, migrations: Sequence[Migration] = MIGRATIONS
) -> int:
    """Bring the file to the last of ``migrations`` in one transaction; return
    the version it was at. The connection must be in autocommit mode."""
    latest = migrations[-1].version if migrations else 0
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = _current_version(connection, path)
        if found > latest:
            raise StoreUnavailable(
                f"the outbox store {path} has schema version {found}; this smswire knows "
                f"versions up to {latest}: open it with the newer smswire that wrote it",
                operation="open",
            )
        if found == 0:
            connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
            connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            connection.execute("INSERT INTO schema_version (version) VALUES (0)")
        for migration in migrations:
            if migration.version > found:
                for statement in migration.statements:
                    connection.execute(statement)
                connection.execute("UPDATE schema_version SET version = ?", (migration.version,))
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return found


def check_version(
    connection: sqlite3.Connection, path: str, migrations: Sequence[Migration] = MIGRATIONS
) -> None:
    """For a read-only open: refuse a file not at the last version (it cannot
    be migrated without writing)."""
    latest = migrations[-1].version if migrations else 0
    found = _current_version(connection, path)
    if found != latest:
        raise StoreUnavailable(
            f"the outbox store {path} has schema version {found}, this smswire needs "
            f"{latest}; open it once for writing to migrate it"
            if found < latest
            else f"the outbox store {path} has schema version {found}; this smswire knows "
            f"versions up to {latest}",
            operation="open",
        )
