"""Reading many rows by key in a few statements rather than one statement a key."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["KEYS_PER_QUERY", "by_keys"]

# SQLite's default limit of bound parameters was 999 before 3.32: stay below it.
KEYS_PER_QUERY = 500


def by_keys(
    connection: sqlite3.Connection,
    select: str,
    keys: Iterable[object],
    *params: object,
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``select`` (a query ending in ``IN ({})``, after ``params``)
    for ``keys``, asked in chunks of :data:`KEYS_PER_QUERY`."""
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), KEYS_PER_QUERY):
        chunk = unique[start : start + KEYS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        yield from connection.execute(select.format(marks), (*params, *chunk)).fetchall()
