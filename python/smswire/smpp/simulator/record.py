"""Reading the simulator's record: what it accepted, refused and delivered, and when.

A test opens the record (:meth:`SimulatorRecord.open`) from any process,
during the run or after the simulator stopped, and asks it the questions a
no-message-lost proof needs: which messages were accepted and how often
(:meth:`~SimulatorRecord.messages`, :meth:`~SimulatorRecord.duplicates`),
what was refused and why, how many submit_sm each account sent in every
second (:meth:`~SimulatorRecord.per_second`,
:meth:`~SimulatorRecord.busiest_second`), and which receipts and
mobile-originated messages went out and were acknowledged
(:attr:`~SimulatorRecord.deliveries`). :meth:`~SimulatorRecord.refresh`
reads what was appended since. A torn last record (a writer killed mid-write)
is left unread.
"""

from __future__ import annotations

import bisect
import collections
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from smswire.pdu import CommandId, DeliverSm, SubmitSm, decode
from smswire.sim.journal import RecordReader, file_reader
from smswire.smpp.simulator.inmobile import kept_source
from smswire.smpp.simulator.journal import (
    MAGIC,
    MOBILE_ORIGINATED,
    QUEUED_HEAD,
    SUBMIT_ENTRY,
    Kind,
)
from smswire.smpp.simulator.reassembly import ReceivedMessage, reassemble
from smswire.smpp.userdata import UserData, message_body, split_user_data

__all__ = [
    "Attempt",
    "Connection",
    "Delivery",
    "ReceivedMessage",
    "RefusedPdu",
    "RejectedSubmit",
    "SimulatorRecord",
    "Submit",
]

# SMPP 3.4 §3.2: a PDU's first four octets are its command_length.
_COMMAND_LENGTH = struct.Struct(">I")
_BIND_KINDS = {
    CommandId.BIND_TRANSMITTER: "transmitter",
    CommandId.BIND_RECEIVER: "receiver",
    CommandId.BIND_TRANSCEIVER: "transceiver",
}


@dataclass
class Connection:
    """One ESME connection; ``system_id`` and ``bind`` once a bind succeeded."""

    number: int
    peer: str
    opened_at: float
    system_id: str | None = None
    bind: str | None = None
    bind_attempts: list[tuple[str, int]] = field(default_factory=list)
    closed_at: float | None = None


@dataclass(frozen=True)
class Submit:
    """One submit_sm the simulator answered (or, in a restart, accepted unanswered).

    ``time`` is the wall clock, ``clock`` the simulator's monotonic clock
    (comparable across processes on one machine); ``connection`` numbers the
    ESME connection within the record. ``status`` is the command_status it
    decided; ``answered`` is false when the response was withheld on purpose.
    """

    time: float
    clock: float
    connection: int
    system_id: str
    status: int
    answered: bool
    message_id: str
    pdu: SubmitSm

    @property
    def accepted(self) -> bool:
        return self.status == 0

    @property
    def source(self) -> str:
        """The source_addr as the SMSC kept it (inMobile: 15 characters)."""
        return kept_source(self.pdu.source_addr)

    @property
    def destination(self) -> str:
        return self.pdu.destination_addr

    @property
    def body(self) -> bytes:
        """The user data: short_message, or the message_payload TLV; any UDH included."""
        return message_body(self.pdu.short_message, ((t.tag, t.value) for t in self.pdu.tlvs))

    def part(self) -> UserData | None:
        """Where this submit fits in a concatenated message; None if its UDH is unreadable."""
        tlvs = [(t.tag, t.value) for t in self.pdu.tlvs]
        try:
            return split_user_data(self.body, self.pdu.esm_class, tlvs)
        except (ValueError, IndexError):
            return None


@dataclass
class Attempt:
    """One deliver_sm written to a connection; ``status`` None: no response came."""

    connection: int
    sequence_number: int
    sent_at: float
    answered_at: float | None = None
    status: int | None = None
    ended: str | None = None  # "answered", "timed out" or "connection lost"


@dataclass
class Delivery:
    """A receipt or mobile-originated message the SMSC owed an account, and its attempts."""

    id: int
    kind: str  # "receipt" or "mobile-originated"
    system_id: str
    message_id: str  # the message a receipt reports on; "" for mobile-originated
    pdu: DeliverSm
    queued_at: float
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return any(a.status == 0 for a in self.attempts)

    @property
    def acknowledged_at(self) -> float | None:
        return next((a.answered_at for a in self.attempts if a.status == 0), None)


@dataclass(frozen=True)
class RefusedPdu:
    """A PDU refused before it was handled (undecodable, unknown, or unframeable)."""

    connection: int
    command_id: int  # 0 when the header itself could not be read
    status: int
    reason: str


@dataclass(frozen=True)
class RejectedSubmit:
    """A submit_sm the simulator answered with an error status."""

    source: str
    destination: str
    short_message: bytes
    status: int


class SimulatorRecord:
    """The simulator's record, read from its file or from the running simulator."""

    def __init__(self, read_from: Callable[[int], bytes]) -> None:
        self._records = RecordReader(read_from, MAGIC)
        self._wall_offset = 0.0
        self._run = 0
        self._numbers: dict[tuple[int, int], int] = {}
        self.connections: list[Connection] = []
        self.submits: list[Submit] = []
        self.deliveries: list[Delivery] = []
        self.refused_pdus: list[RefusedPdu] = []
        self.settings: list[dict[str, object]] = []
        self._deliveries_by_id: dict[tuple[int, int], Delivery] = {}
        self._in_flight: dict[tuple[int, int], Attempt] = {}
        self.refresh()

    @classmethod
    def open(cls, path: str | Path) -> SimulatorRecord:
        """Read the record file a simulator wrote (or is writing) at ``path``."""
        return cls(file_reader(path))

    # -- reading -----------------------------------------------------------------

    def refresh(self) -> SimulatorRecord:
        """Read whatever was appended since the last read; returns self."""
        for kind, clock, link, payload in self._records.read():
            self._apply(kind, clock, link, payload)
        return self

    def _wall(self, clock: float) -> float:
        return clock + self._wall_offset

    def _connection(self, link: int) -> Connection:
        return self.connections[self._numbers[(self._run, link)] - 1]

    def _apply(self, kind: int, clock: float, link: int, payload: bytes) -> None:
        if kind == Kind.SUBMITS:
            connection = self._connection(link)
            at = 0
            while at < len(payload):
                answered, status, id_length = SUBMIT_ENTRY.unpack_from(payload, at)
                at += SUBMIT_ENTRY.size
                message_id = payload[at : at + id_length].decode()
                at += id_length
                (length,) = _COMMAND_LENGTH.unpack_from(payload, at)
                pdu = decode(payload[at : at + length])
                at += length
                assert isinstance(pdu, SubmitSm)
                self.submits.append(
                    Submit(
                        self._wall(clock),
                        clock,
                        connection.number,
                        connection.system_id or "",
                        status,
                        bool(answered),
                        message_id,
                        pdu,
                    )
                )
        elif kind == Kind.RUN:
            settings = json.loads(payload)
            self._run += 1
            self._wall_offset = float(settings["wall"]) - clock
            self.settings.append(settings)
        elif kind == Kind.OPEN:
            number = len(self.connections) + 1
            self._numbers[(self._run, link)] = number
            self.connections.append(Connection(number, payload.decode(), self._wall(clock)))
        elif kind == Kind.BIND:
            command_id, status = struct.unpack_from(">II", payload)
            connection = self._connection(link)
            system_id = payload[8:].decode()
            connection.bind_attempts.append((system_id, status))
            if status == 0:
                connection.system_id = system_id
                connection.bind = _BIND_KINDS.get(command_id, hex(command_id))
        elif kind == Kind.QUEUED:
            self._queued(clock, payload)
        elif kind == Kind.DELIVER:
            number = self._connection(link).number
            for delivery_id, seq in _pairs(payload):
                attempt = Attempt(number, seq, self._wall(clock))
                self._deliveries_by_id[(self._run, delivery_id)].attempts.append(attempt)
                self._in_flight[(number, seq)] = attempt
        elif kind == Kind.ANSWERED:
            number = self._connection(link).number
            for seq, status in _pairs(payload):
                found = self._in_flight.pop((number, seq), None)
                if found is not None:
                    found.answered_at, found.status = self._wall(clock), status
                    found.ended = "answered"
        elif kind == Kind.TIMED_OUT:
            (seq,) = struct.unpack(">I", payload)
            found = self._in_flight.pop((self._connection(link).number, seq), None)
            if found is not None:
                found.ended = "timed out"
        elif kind == Kind.REFUSED_PDU:
            command_id, status = struct.unpack_from(">II", payload)
            number = self._connection(link).number
            self.refused_pdus.append(RefusedPdu(number, command_id, status, payload[8:].decode()))
        elif kind == Kind.CLOSE:
            connection = self._connection(link)
            connection.closed_at = self._wall(clock)
            for key in [k for k in self._in_flight if k[0] == connection.number]:
                self._in_flight.pop(key).ended = "connection lost"

    def _queued(self, clock: float, payload: bytes) -> None:
        delivery_id, what, id_length, message_id_length = QUEUED_HEAD.unpack_from(payload)
        at = QUEUED_HEAD.size
        system_id = payload[at : at + id_length].decode()
        at += id_length
        message_id = payload[at : at + message_id_length].decode()
        pdu = decode(payload[at + message_id_length :])
        assert isinstance(pdu, DeliverSm)
        kind = "mobile-originated" if what == MOBILE_ORIGINATED else "receipt"
        delivery = Delivery(delivery_id, kind, system_id, message_id, pdu, self._wall(clock))
        self._deliveries_by_id[(self._run, delivery_id)] = delivery
        self.deliveries.append(delivery)

    # -- questions ---------------------------------------------------------------

    @property
    def accepted(self) -> list[Submit]:
        """Every submit_sm accepted, resubmissions included, in order."""
        return [s for s in self.submits if s.status == 0]

    @property
    def refused(self) -> list[Submit]:
        """Every submit_sm answered with an error status (throttled, failed, ...)."""
        return [s for s in self.submits if s.status != 0]

    @property
    def receipts(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.kind == "receipt"]

    def unacknowledged(self) -> list[Delivery]:
        """Receipts and mobile-originated messages no ESME has acknowledged (yet)."""
        return [d for d in self.deliveries if not d.acknowledged]

    def messages(self) -> list[ReceivedMessage]:
        """Every accepted message, parts reassembled, in order of first acceptance."""
        return reassemble(s for s in self.submits if s.status == 0)

    def incomplete(self) -> list[ReceivedMessage]:
        """Concatenated messages some part of which never arrived (or was refused)."""
        return [m for m in self.messages() if not m.complete]

    def duplicates(self) -> list[ReceivedMessage]:
        """Messages a part of which was accepted more than once."""
        return [m for m in self.messages() if m.times_accepted > 1]

    def per_second(
        self, system_id: str | None = None, *, accepted_only: bool = False
    ) -> dict[int, int]:
        """submit_sm that arrived in each second of the wall clock (``int(time)``),
        for one account or all; refused ones too unless ``accepted_only``."""
        counts = collections.Counter(
            int(s.time) for s in self._chosen(system_id, accepted_only=accepted_only)
        )
        return dict(sorted(counts.items()))

    def busiest_second(self, system_id: str | None = None, *, accepted_only: bool = True) -> int:
        """The most submit_sm in any one-second interval, wherever it starts: the
        figure a per-second cap bounds (see ``SmscSimulator(tps_limit=...)``)."""
        clocks = sorted(s.clock for s in self._chosen(system_id, accepted_only=accepted_only))
        busiest = 0
        for i, start in enumerate(clocks):
            # Submits in [start, start + 1): the cap's window, half open.
            busiest = max(busiest, bisect.bisect_left(clocks, start + 1.0, i) - i)
        return busiest

    def _chosen(self, system_id: str | None, *, accepted_only: bool) -> Iterator[Submit]:
        for submit in self.submits:
            if system_id is not None and submit.system_id != system_id:
                continue
            if accepted_only and submit.status != 0:
                continue
            yield submit


def _pairs(payload: bytes) -> Iterator[tuple[int, int]]:
    numbers = struct.unpack(f">{len(payload) // 4}I", payload)
    return zip(numbers[::2], numbers[1::2])
