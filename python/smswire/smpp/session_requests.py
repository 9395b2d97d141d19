"""Our requests awaiting their response, as a :class:`~smswire.smpp.session.Session`
keeps them: numbered, counted against the window, each with its deadline.

Sequence numbers run 1 to 0x7FFFFFFF and wrap to 1, skipping numbers still
awaited (SMPP 3.4 §5.1.4). Every request counts against the window but the
control ones (enquire_link, unbind), which must go out however full it is.
Deadlines grow with the order requests are added, so the first awaited is
the first due.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from smswire.errors import LocalProtocolError
from smswire.pdu import CommandId, CommandStatus, Pdu, SubmitSm
from smswire.smpp.session_rules import BIND_REQUESTS, CONTROL_REQUESTS

__all__ = ["MAX_SEQUENCE_NUMBER", "AwaitedRequests"]

MAX_SEQUENCE_NUMBER = 0x7FFFFFFF

_SUBMIT_SM_ID = int(CommandId.SUBMIT_SM).to_bytes(4, "big")
# SMPP 3.4 §3.2: sequence_number is the header's fourth field, at byte 12.
_stamp_sequence = struct.Struct(">I").pack_into
_length_of = struct.Struct(">I").unpack_from
_SEQUENCE_OFFSET = 12


class AwaitedRequests:
    """sequence_number -> (request, deadline) for our requests not yet answered."""

    __slots__ = ("_awaited", "last", "window", "windowed")

    def __init__(self, window: int) -> None:
        self.window = window
        # Requests counting against the window now.
        self.windowed = 0
        # The sequence_number given last (0 before the first).
        self.last = 0
        self._awaited: dict[int, tuple[Pdu, float]] = {}

    def __len__(self) -> int:
        return len(self._awaited)

    def oldest(self) -> int | None:
        """The sequence_number awaited longest."""
        return next(iter(self._awaited), None)

    def first_deadline(self) -> float | None:
        if not self._awaited:
            return None
        return next(iter(self._awaited.values()))[1]

    def bind_awaited(self) -> bool:
        return any(request.command_id in BIND_REQUESTS for request, _ in self._awaited.values())

    def check_room(self, count: int) -> None:
        """Raise, as the session refuses a batch, unless ``count`` more fit the window."""
        if self.windowed + count > self.window:
            raise LocalProtocolError(
                f"{count} requests do not fit the window ({self.window - self.windowed} of "
                f"{self.window} free)",
                status=CommandStatus.ESME_RTHROTTLED,
                field="window",
            )

    def next_sequence(self) -> int:
        seq = self.last
        while True:
            seq = 1 if seq >= MAX_SEQUENCE_NUMBER else seq + 1
            if seq not in self._awaited:
                self.last = seq
                return seq

    def add(self, request: Pdu, deadline: float) -> None:
        """Await ``request``, numbered already; its window place was counted."""
        self._awaited[request.sequence_number] = (request, deadline)

    def release(self, seq: int) -> Pdu | None:
        """The request numbered ``seq``, answered or withdrawn: no longer
        awaited, its window place free (None: none awaits that number)."""
        entry = self._awaited.pop(seq, None)
        if entry is None:
            return None
        request = entry[0]
        if request.command_id not in CONTROL_REQUESTS:
            self.windowed -= 1
        return request

    def expired(self, now: float) -> list[Pdu]:
        """The requests whose deadline has passed, no longer awaited."""
        awaited = self._awaited
        due = []
        while awaited:
            seq, (request, deadline) = next(iter(awaited.items()))
            if deadline > now:
                break
            del awaited[seq]
            if request.command_id not in CONTROL_REQUESTS:
                self.windowed -= 1
            due.append(request)
        return due

    def clear(self) -> tuple[Pdu, ...]:
        """Every request still awaited, none awaited any more."""
        unanswered = tuple(request for request, _ in self._awaited.values())
        self._awaited.clear()
        self.windowed = 0
        return unanswered

    def stamp_submits(self, pdus: Sequence[bytes], deadline: float) -> tuple[list[int], bytes]:
        """Number submit_sm PDUs encoded already, in one copy of their bytes, and
        await each as a :class:`SubmitSm` carrying its number. Raises
        :class:`LocalProtocolError`, with nothing counted, past the window or
        for anything but whole submit_sm PDUs."""
        self.check_room(len(pdus))
        for pdu in pdus:
            if not pdu.startswith(_SUBMIT_SM_ID, 4) or _length_of(pdu)[0] != len(pdu):
                raise LocalProtocolError(
                    "an encoded submit_sm must be one whole PDU, its command_length its size",
                    status=CommandStatus.ESME_RINVCMDLEN,
                    field="command_length",
                    command_id=int(CommandId.SUBMIT_SM),
                )
        data = bytearray().join(pdus)
        awaited = self._awaited
        first = self.last + 1
        end = first + len(pdus)
        if end - 1 <= MAX_SEQUENCE_NUMBER and awaited.keys().isdisjoint(range(first, end)):
            # The usual case: the numbers after the last are free, as
            # next_sequence would give them one by one.
            sequences = list(range(first, end))
            self.last = end - 1
        else:
            sequences = [self.next_sequence() for _ in pdus]
        offset = _SEQUENCE_OFFSET
        for pdu, seq in zip(pdus, sequences):
            _stamp_sequence(data, offset, seq)
            offset += len(pdu)
            awaited[seq] = (SubmitSm(sequence_number=seq), deadline)
        self.windowed += len(pdus)
        return sequences, bytes(data)
