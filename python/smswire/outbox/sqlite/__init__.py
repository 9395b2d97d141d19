"""The embedded outbox store: SQLite, one file, WAL mode, shared by processes on one machine."""

from smswire.outbox.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
