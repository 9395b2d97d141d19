"""The simulator's own record: an append-only journal of everything it decided.

Every connection, bind, submit_sm (accepted or refused, with the PDU as
received), deliver_sm queued, delivery attempt and its deliver_sm_resp goes
into one binary stream. With a path, the stream is a file written with one
``os.write`` per batch of records, *before* the responses they describe are
written to the ESME, so the record survives the simulator being stopped or
killed (the data is in the kernel once ``write`` returns) and never claims
less than a client was told. Without a path it is kept in memory. Either way
:class:`~smswire.smpp.simulator.record.SimulatorRecord` reads it back.

Format: a magic line, then records. Each record is a header
``>IBdI`` (record length including the header, kind, the simulator's
monotonic clock, connection number) and a payload whose layout the kind
gives, below. Strings are UTF-8. A writer appending to an existing file
begins with a RUN record, so connection numbers are scoped by run. What
happens many times a read (submits, deliveries, their answers) is one record
per read, not one per PDU.
"""

from __future__ import annotations

import json
import os
import struct
import time
from pathlib import Path
from typing import Any

__all__ = [
    "HEADER",
    "MAGIC",
    "MOBILE_ORIGINATED",
    "QUEUED_HEAD",
    "RECEIPT",
    "SUBMIT_ENTRY",
    "Journal",
    "Kind",
]

MAGIC = b"smswire-smsc-record 1\n"

HEADER = struct.Struct(">IBdI")


class Kind:
    """Record kinds and their payloads (after the header)."""

    # JSON: the wall clock at this monotonic instant, pid, the simulator's limits.
    RUN = ord("R")
    # The peer's address, "host:port".
    OPEN = ord("O")
    # >II command_id, command_status; the system_id (never the password).
    BIND = ord("B")
    # One read's submit_sm, each an entry: >BIB answered (0: response withheld),
    # command_status, message_id length; message_id; the submit_sm PDU as
    # received (its command_length says how long).
    SUBMITS = ord("S")
    # >IBHH delivery id, what (0 receipt, 1 mobile-originated), the lengths of
    # the system_id and of the receipted message_id ("" for mobile-originated);
    # those two; the deliver_sm.
    QUEUED = ord("Q")
    # Pairs of >II delivery id, sequence_number: deliver_sm that went out together.
    DELIVER = ord("D")
    # Pairs of >II sequence_number, command_status: one read's responses from the ESME.
    ANSWERED = ord("A")
    # >I sequence_number: no response within the response timer.
    TIMED_OUT = ord("T")
    # >II command_id, command_status; the reason: a PDU refused before it was handled.
    REFUSED_PDU = ord("N")
    # The connection ended.
    CLOSE = ord("C")


# What a queued deliver_sm carries.
RECEIPT, MOBILE_ORIGINATED = 0, 1
# The head of a SUBMITS entry and of a QUEUED payload (see Kind).
SUBMIT_ENTRY = struct.Struct(">BIB")
QUEUED_HEAD = struct.Struct(">IBHH")
_ONE = struct.Struct(">IBdII")


def _plain(kind: int, clock: float, link: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(HEADER.size + len(payload), kind, clock, link) + payload


class Journal:
    """Builds records as bytes (so a batch joins into one write) and appends them."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self.memory = bytearray()
        self._fd: int | None = None
        if self.path is None:
            self.memory += MAGIC

    def open(self) -> None:
        """Open the file for appending (a no-op in memory); each run of a simulator opens it."""
        if self.path is None or self._fd is not None:
            return
        # Owner-only: the record holds message contents.
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size == 0:
            self.write(MAGIC)

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

    # -- records ---------------------------------------------------------------

    @staticmethod
    def run(clock: float, settings: dict[str, Any]) -> bytes:
        anchor = {"wall": time.time(), "pid": os.getpid(), **settings}
        return _plain(Kind.RUN, clock, 0, json.dumps(anchor).encode())

    @staticmethod
    def opened(clock: float, link: int, peer: str) -> bytes:
        return _plain(Kind.OPEN, clock, link, peer.encode())

    @staticmethod
    def bind(clock: float, link: int, command_id: int, status: int, system_id: str) -> bytes:
        payload = struct.pack(">II", command_id, status) + system_id.encode()
        return _plain(Kind.BIND, clock, link, payload)

    @staticmethod
    def submits(clock: float, link: int, entries: list[bytes]) -> bytes:
        """One read's submit_sm entries (see :data:`SUBMIT_ENTRY`) as one record."""
        body = b"".join(entries)
        return HEADER.pack(HEADER.size + len(body), Kind.SUBMITS, clock, link) + body

    @staticmethod
    def queued(
        clock: float, delivery: int, what: int, system_id: bytes, message_id: bytes, pdu: bytes
    ) -> bytes:
        head = QUEUED_HEAD.pack(delivery, what, len(system_id), len(message_id))
        payload = b"".join((head, system_id, message_id, pdu))
        return _plain(Kind.QUEUED, clock, 0, payload)

    @staticmethod
    def pairs(kind: int, clock: float, link: int, numbers: list[int]) -> bytes:
        """A DELIVER or ANSWERED record: ``numbers`` flat, two per entry."""
        return _plain(kind, clock, link, struct.pack(f">{len(numbers)}I", *numbers))

    @staticmethod
    def timed_out(clock: float, link: int, sequence_number: int) -> bytes:
        return _ONE.pack(_ONE.size, Kind.TIMED_OUT, clock, link, sequence_number)

    @staticmethod
    def refused_pdu(clock: float, link: int, command_id: int, status: int, reason: str) -> bytes:
        payload = struct.pack(">II", command_id, status) + reason.encode()
        return _plain(Kind.REFUSED_PDU, clock, link, payload)

    @staticmethod
    def closed(clock: float, link: int) -> bytes:
        return _plain(Kind.CLOSE, clock, link)
