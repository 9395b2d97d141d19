"""The simulator's own record: an append-only journal of everything it decided.

Every connection, bind, submit_sm (accepted or refused, with the PDU as
received), deliver_sm queued, delivery attempt and its deliver_sm_resp goes
into one stream of records (:mod:`smswire.sim.journal`: written before the
responses they describe, so it survives the simulator being killed and never
claims less than a client was told; a file, or memory).
:class:`~smswire.smpp.simulator.record.SimulatorRecord` reads it back.

Each record's number is its connection's. A writer appending to an existing
file begins with a RUN record, so connection numbers are scoped by run. What
happens many times a read (submits, deliveries, their answers) is one record
per read, not one per PDU.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from smswire.sim.journal import HEADER, RecordFile, frame, run_record

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


class Journal(RecordFile):
    """Builds records as bytes (so a batch joins into one write) and appends them."""

    def __init__(self, path: str | Path | None) -> None:
        super().__init__(path, MAGIC)

    # -- records ---------------------------------------------------------------

    @staticmethod
    def run(clock: float, settings: dict[str, Any]) -> bytes:
        return run_record(Kind.RUN, clock, settings)

    @staticmethod
    def opened(clock: float, link: int, peer: str) -> bytes:
        return frame(Kind.OPEN, clock, link, peer.encode())

    @staticmethod
    def bind(clock: float, link: int, command_id: int, status: int, system_id: str) -> bytes:
        payload = struct.pack(">II", command_id, status) + system_id.encode()
        return frame(Kind.BIND, clock, link, payload)

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
        return frame(Kind.QUEUED, clock, 0, payload)

    @staticmethod
    def pairs(kind: int, clock: float, link: int, numbers: list[int]) -> bytes:
        """A DELIVER or ANSWERED record: ``numbers`` flat, two per entry."""
        return frame(kind, clock, link, struct.pack(f">{len(numbers)}I", *numbers))

    @staticmethod
    def timed_out(clock: float, link: int, sequence_number: int) -> bytes:
        return _ONE.pack(_ONE.size, Kind.TIMED_OUT, clock, link, sequence_number)

    @staticmethod
    def refused_pdu(clock: float, link: int, command_id: int, status: int, reason: str) -> bytes:
        payload = struct.pack(">II", command_id, status) + reason.encode()
        return frame(Kind.REFUSED_PDU, clock, link, payload)

    @staticmethod
    def closed(clock: float, link: int) -> bytes:
        return frame(Kind.CLOSE, clock, link)
