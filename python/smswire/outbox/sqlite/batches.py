"""Statements over many rows: reading by key in chunks, writing rows of varying shape.

A window's worth of messages goes through a handful of statements, not a
handful per message. Rows are written with NULLs spelled in the SQL rather
than bound: Python's sqlite3 looks every bound ``None`` (and ``bool``) up in
its adapter registry, a cost per value that shows in instruction counts.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = ["KEYS_PER_QUERY", "by_keys", "insert_rows", "update_rows"]

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


@functools.lru_cache(maxsize=64)
def _insert(table: str, columns: tuple[str, ...]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def insert_rows(
    connection: sqlite3.Connection, table: str, rows: Iterable[Mapping[str, object]]
) -> None:
    """Insert ``rows`` (column to value; a column left out is NULL), in order,
    one ``executemany`` per run of rows of the same columns."""
    for columns, run in itertools.groupby(rows, key=_columns):
        connection.executemany(_insert(table, columns), [tuple(row.values()) for row in run])


def _columns(row: Mapping[str, object]) -> tuple[str, ...]:
    return tuple(row)


@functools.lru_cache(maxsize=64)
def _update(table: str, shape: tuple[tuple[str, bool], ...], fixed: str) -> str:
    sets = [f"{column} = {'NULL' if null else '?'}" for column, null in shape]
    return f"UPDATE {table} SET {', '.join([*sets, *filter(None, [fixed])])} WHERE id = ?"


def update_rows(
    connection: sqlite3.Connection,
    table: str,
    rows: Iterable[tuple[Mapping[str, object], int]],
    fixed: str = "",
) -> None:
    """Update rows by id: each ``(values, id)`` sets ``values`` (a None as NULL)
    and the ``fixed`` assignments; one ``executemany`` per run of one shape."""
    shaped = (
        (tuple((column, value is None) for column, value in values.items()), values, row_id)
        for values, row_id in rows
    )
    for shape, run in itertools.groupby(shaped, key=lambda row: row[0]):
        connection.executemany(
            _update(table, shape, fixed),
            [(*(v for v in values.values() if v is not None), row_id) for _, values, row_id in run],
        )
