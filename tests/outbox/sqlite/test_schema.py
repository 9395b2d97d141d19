"""The SQLite schema: versioned from the first release, migrated in one transaction."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from smswire.errors import StoreUnavailable
from smswire.outbox import AcceptedPart, DeliveryState, SqliteStore, Via
from smswire.outbox.sqlite.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Migration

from ..support import LEASE, ROUTE, accepted, message, smpp_receipt

# What each version creates, as sqlite_master records it. A change here without
# a new Migration would leave every existing file on the old layout.
VERSION_1_OBJECTS = {
    ("table", "messages"),
    ("index", "messages_due"),
    ("table", "parts"),
    ("index", "parts_by_id"),
    ("table", "receipts"),
    ("index", "receipts_by_message"),
    ("index", "receipts_unmatched"),
    ("table", "waiting"),
    ("index", "waiting_by_receipt"),
    ("table", "events"),
    ("table", "consumers"),
    ("table", "schema_version"),
}
# Receipts told from their copies per message (and per route while they wait).
VERSION_2_OBJECTS = (VERSION_1_OBJECTS - {("index", "receipts_by_message")}) | {
    ("index", "receipts_matched"),
    ("index", "receipts_waiting"),
}
CURRENT_OBJECTS = VERSION_2_OBJECTS

# A later release's migration, as a test stands it in: a column and an index.
LATER = Migration(
    SCHEMA_VERSION + 1,
    "a priority per message",
    (
        "ALTER TABLE messages ADD COLUMN priority INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX messages_by_priority ON messages (priority)",
    ),
)


def objects(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%'"
        ).fetchall()
    connection.close()
    return {(kind, name) for kind, name in rows}


def version(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT version FROM schema_version").fetchone()[0])
    finally:
        connection.close()


async def test_a_new_file_gets_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    store = await SqliteStore.open(path)
    await store.close()
    assert SCHEMA_VERSION == 2 == len(MIGRATIONS)
    assert version(path) == 2
    assert objects(path) == CURRENT_OBJECTS
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


async def test_an_older_file_is_migrated_and_keeps_its_messages(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    old = await SqliteStore.open(path)
    await old.put(ROUTE, [("kept", message(1))])
    await old.close()

    newer = await SqliteStore.open(path, migrations=(*MIGRATIONS, LATER))
    status = await newer.status("kept")
    await newer.close()
    assert status is not None and status.message == message(1)
    assert version(path) == LATER.version
    assert ("index", "messages_by_priority") in objects(path)


async def test_version_1_receipts_keep_matching_and_are_still_told_from_copies(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.db"
    old = await SqliteStore.open(path, migrations=MIGRATIONS[:1])
    await old.put(ROUTE, [("matched", message(1)), ("later", message(2))])
    [claim] = await old.claim(ROUTE, "w", 1, LEASE)
    await old.mark_writing([claim])
    await old.record(Via.SMPP, [AcceptedPart(claim, 0, "11")], [accepted(claim)])
    assert await old.record_inbound(ROUTE, [smpp_receipt("11"), smpp_receipt("22")]) == [
        "matched",
        None,
    ]
    await old.close()
    assert version(path) == 1

    store = await SqliteStore.open(path)
    assert version(path) == SCHEMA_VERSION
    assert objects(path) == CURRENT_OBJECTS
    kept = await store.status("matched")
    assert kept is not None and [r.receipt for r in kept.receipts] == [smpp_receipt("11")]
    # Copies of both, the matched one and the one waiting for its id.
    assert await store.record_inbound(ROUTE, [smpp_receipt("11"), smpp_receipt("22")]) == [
        "matched",
        None,
    ]
    [claim] = await store.claim(ROUTE, "w", 1, LEASE)
    await store.mark_writing([claim])
    await store.record(Via.SMPP, [AcceptedPart(claim, 0, "22")], [accepted(claim)])
    statuses = [await store.status(key) for key in ("matched", "later")]
    await store.close()
    for status in statuses:
        assert status is not None and len(status.receipts) == 1
        assert status.delivery is DeliveryState.DELIVERED
    assert statuses[0] is not None and statuses[0].receipts == kept.receipts


async def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    await (await SqliteStore.open(path)).close()
    broken = Migration(
        LATER.version, "half of it fails", (*LATER.statements, "CREATE TABLE messages (x)")
    )
    with pytest.raises(StoreUnavailable, match="already exists"):
        await SqliteStore.open(path, migrations=(*MIGRATIONS, broken))
    assert version(path) == SCHEMA_VERSION
    assert objects(path) == CURRENT_OBJECTS


async def test_a_file_from_a_newer_smswire_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    await (await SqliteStore.open(path, migrations=(*MIGRATIONS, LATER))).close()
    with pytest.raises(
        StoreUnavailable, match=f"schema version {LATER.version}; this smswire knows versions up"
    ):
        await SqliteStore.open(path)


async def test_a_sqlite_file_that_is_not_an_outbox_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreUnavailable, match="not an smswire outbox"):
        await SqliteStore.open(path)
    assert objects(path) == {("table", "customers")}


async def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are not the pages you are looking for" * 100)
    with pytest.raises(StoreUnavailable, match="cannot commit"):
        await SqliteStore.open(path)


async def test_a_read_only_open_does_not_migrate(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    await (await SqliteStore.open(path)).close()
    with pytest.raises(StoreUnavailable, match="open it once for writing"):
        await SqliteStore.open(path, read_only=True, migrations=(*MIGRATIONS, LATER))
    assert version(path) == SCHEMA_VERSION


async def test_stores_opening_a_new_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    # Each store has a connection on a thread of its own: they race for real.
    # The switch to WAL could deadlock between them (about one open in a
    # thousand failed with StoreBusy before it was retried).
    for round_ in range(10):
        path = tmp_path / f"outbox-{round_}.db"
        stores = await asyncio.gather(*(SqliteStore.open(path) for _ in range(6)))
        for store in stores:
            await store.close()
        assert version(path) == SCHEMA_VERSION
