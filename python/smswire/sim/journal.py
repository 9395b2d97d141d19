"""The simulators' records on disk: append-only streams of framed records.

A simulator (SMPP or LINK) keeps its own record of what it decided, so that a
test can prove from the provider's side that nothing was lost. The stream is a
magic line naming its format, then records, each a header ``>IBdI`` (record
length including the header, kind, the simulator's monotonic clock, a number
whose meaning the kind gives) and a payload whose layout the kind gives.

With a path, :class:`RecordFile` writes the stream with one ``os.write`` per
batch of records, *before* the replies they describe leave, so the record
survives the simulator being stopped or killed (the data is in the kernel
once ``write`` returns) and never holds less than a client was told. Without
a path it is kept in memory. :class:`RecordReader` reads it back from any
process, while it is written or after; a torn last record (a writer killed
mid-write) is left unread.
"""

from __future__ import annotations

import json
import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

__all__ = ["HEADER", "RecordFile", "RecordReader", "file_reader", "frame", "run_record"]

HEADER = struct.Struct(">IBdI")


def frame(kind: int, clock: float, number: int, payload: bytes = b"") -> bytes:
    """One record: the header, then ``payload``."""
    return HEADER.pack(HEADER.size + len(payload), kind, clock, number) + payload


def run_record(kind: int, clock: float, settings: dict[str, Any]) -> bytes:
    """The record a run of a simulator begins with: JSON of the wall clock at
    this monotonic instant (so a reader turns clocks into times), its pid and
    its settings."""
    anchor = {"wall": time.time(), "pid": os.getpid(), **settings}
    return frame(kind, clock, 0, json.dumps(anchor).encode())


class RecordFile:
    """Appends records to ``path`` (owner-only: records hold message contents),
    or to :attr:`memory` without one."""

    def __init__(self, path: str | Path | None, magic: bytes) -> None:
        self.path = Path(path) if path is not None else None
        self.magic = magic
        self.memory = bytearray()
        self._fd: int | None = None
        if self.path is None:
            self.memory += magic

    def open(self) -> None:
        """Open the file for appending (a no-op in memory); each run of a simulator opens it."""
        if self.path is None or self._fd is not None:
            return
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size == 0:
            self.write(self.magic)

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self._fd is None:
            if self.path is not None:
                raise RuntimeError("the simulator's record is not open: the simulator is stopped")
            self.memory += data
            return
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def reader(self) -> Callable[[int], bytes]:
        """Reads the stream from an offset: the file, or the memory."""
        if self.path is not None:
            return file_reader(self.path)
        return lambda offset: bytes(self.memory[offset:])


def file_reader(path: str | Path) -> Callable[[int], bytes]:
    """Reads the record file at ``path`` from an offset to its end."""
    location = Path(path)

    def read_from(offset: int) -> bytes:
        with location.open("rb") as stream:
            stream.seek(offset)
            return stream.read()

    return read_from


class RecordReader:
    """The records of a stream, a read at a time: each :meth:`read` yields
    those appended since the last, as ``(kind, clock, number, payload)``."""

    def __init__(self, read_from: Callable[[int], bytes], magic: bytes) -> None:
        self._read_from = read_from
        self._magic = magic
        self._offset = 0

    def read(self) -> Iterator[tuple[int, float, int, bytes]]:
        data = self._read_from(self._offset)
        at = 0
        if self._offset == 0:
            if not data.startswith(self._magic):
                if len(data) < len(self._magic) and self._magic.startswith(data):
                    return  # the writer has not finished the magic line yet
                raise ValueError(
                    f"not a smswire simulator record (the magic line {self._magic!r} is missing)"
                )
            at = self._offset = len(self._magic)
            data = data[at:]
            at = 0
        while len(data) - at >= HEADER.size:
            length, kind, clock, number = HEADER.unpack_from(data, at)
            if length < HEADER.size:
                raise ValueError(f"corrupt simulator record at offset {self._offset}")
            if len(data) - at < length:
                break  # torn or still being written
            payload = data[at + HEADER.size : at + length]
            at += length
            self._offset += length
            yield kind, clock, number, payload
