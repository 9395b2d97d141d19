"""Accepted submit_sm back into the messages they were parts of.

A part is known by everything it carries (account, kept source, destination,
data_coding, user data, and where it fits), so the same part accepted again
is a resubmission, not a new message; the parts of a concatenated message
(UDH or SAR TLVs) join in order of their index, their octets joined before
decoding (a UCS2 pair or a GSM escape may straddle two parts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smswire.smpp.userdata import decode_text

if TYPE_CHECKING:
    from smswire.smpp.simulator.record import Submit

__all__ = ["ReceivedMessage", "reassemble"]


@dataclass(frozen=True)
class ReceivedMessage:
    """A message the simulator accepted, its parts reassembled.

    ``times_accepted`` is how often its most-submitted part was accepted: 1
    unless the sender resubmitted a part (a lost response, at-least-once
    delivery) or sent the very same text from the same source to the same
    destination again.
    """

    source: str
    destination: str
    text: str
    message_ids: tuple[str, ...]
    times_accepted: int
    parts: int
    data_coding: int
    complete: bool = True
    system_id: str = ""
    accepted_at: float = 0.0


class _Message:
    __slots__ = (
        "counts",
        "data_coding",
        "destination",
        "first",
        "ids",
        "payloads",
        "source",
        "system_id",
        "total",
        "udh",
    )

    def __init__(self, submit: Submit, total: int, udh: bytes) -> None:
        self.source = submit.source
        self.destination = submit.destination
        self.data_coding = submit.pdu.data_coding
        self.system_id = submit.system_id
        self.first = submit.time
        self.total = total
        # Any part's UDH: each names the same national shift tables.
        self.udh = udh
        self.payloads: dict[int, bytes] = {}
        self.ids: dict[int, str] = {}
        self.counts: dict[int, int] = {}

    def snapshot(self) -> ReceivedMessage:
        joined = b"".join(self.payloads[i] for i in sorted(self.payloads))
        try:
            text = decode_text(joined, self.data_coding, self.udh)
        except ValueError:
            text = joined.decode("latin-1")
        return ReceivedMessage(
            self.source,
            self.destination,
            text,
            tuple(self.ids[i] for i in sorted(self.ids)),
            max(self.counts.values()),
            self.total,
            self.data_coding,
            len(self.payloads) == self.total,
            self.system_id,
            self.first,
        )


def reassemble(accepted: Iterable[Submit]) -> list[ReceivedMessage]:
    """The messages ``accepted`` make up, in order of first acceptance."""
    messages: list[_Message] = []
    # A part is known by everything it carries; the same part again is a resubmission.
    by_part: dict[tuple[object, ...], tuple[_Message, int]] = {}
    # Concatenated messages still missing parts, by what their parts share.
    open_groups: dict[tuple[object, ...], _Message] = {}
    for submit in accepted:
        part = submit.part()
        body = submit.body
        where = (part.reference, part.total, part.index) if part is not None else None
        key = (
            submit.system_id,
            submit.source,
            submit.destination,
            submit.pdu.data_coding,
            body,
            where,
        )
        known = by_part.get(key)
        if known is not None:
            message, index = known
            message.counts[index] += 1
            message.ids[index] = submit.message_id
            continue
        if (
            part is None
            or part.reference is None
            or not 1 <= part.index <= part.total
            or (part.total == 1)
        ):
            message = _Message(submit, 1, part.udh if part is not None else b"")
            index, payload = 1, part.payload if part is not None else body
            messages.append(message)
        else:
            group = (
                submit.system_id,
                submit.source,
                submit.destination,
                part.reference,
                part.total,
            )
            open_group = open_groups.get(group)
            if open_group is None or part.index in open_group.payloads:
                open_group = open_groups[group] = _Message(submit, part.total, part.udh)
                messages.append(open_group)
            message, index, payload = open_group, part.index, part.payload
            if len(message.payloads) + 1 == message.total:
                del open_groups[group]
        message.payloads[index] = payload
        message.ids[index] = submit.message_id
        message.counts[index] = 1
        by_part[key] = (message, index)
    return [m.snapshot() for m in messages]
