"""What the send pump tracks of one message: a :class:`Job`, the message of
a caller's :class:`~smswire.smpp.batch.Batch`, and its :class:`Part` s, one
encoded submit_sm each with how often it was tried. A job settles its message in its
batch once every part has an outcome: the worst part's outcome is the message's.
"""

from __future__ import annotations

from smswire.message import Message, Outcome, SendResult
from smswire.pdu import CommandStatus
from smswire.smpp.batch import Batch

__all__ = ["Job", "Part"]

# The worse outcome of a message's parts is the message's.
_RANK = {Outcome.NOT_SENT: 1, Outcome.UNKNOWN: 2, Outcome.REJECTED: 3}
# Bound once: every message that goes out settles with them.
_ACCEPTED, _OK = Outcome.ACCEPTED, CommandStatus.ESME_ROK


class Job:
    """One message: its parts' ids, and the worst thing that happened to a part."""

    __slots__ = (
        "accepted",
        "batch",
        "error",
        "ids",
        "index",
        "left",
        "message",
        "outcome",
        "status",
    )

    def __init__(self, message: Message, parts: int, batch: Batch, index: int) -> None:
        self.message = message
        self.batch = batch
        self.index = index
        self.ids = [""] * parts
        self.left = parts
        self.accepted = 0
        self.outcome: Outcome | None = None
        self.status: CommandStatus | None = None
        self.error: str | None = None

    def part_failed(self, outcome: Outcome, status: CommandStatus | None, error: str) -> None:
        """A part ended other than accepted; the message's outcome is the worst."""
        if self.outcome is None or _RANK[outcome] > _RANK[self.outcome]:
            self.outcome, self.status, self.error = outcome, status, error
        self.left -= 1
        if self.left == 0:
            self.finish()

    def finish(self) -> None:
        """Every part has its outcome: the message's result goes to its batch."""
        outcome = self.outcome
        parts = len(self.ids)
        if outcome is None:
            result = SendResult(self.message, _ACCEPTED, tuple(self.ids), _OK, None, parts)
        else:
            error = self.error
            if outcome is Outcome.NOT_SENT and self.accepted:
                # Some parts left: sending the message again would repeat them.
                outcome = Outcome.UNKNOWN
                error = f"{self.accepted} of {parts} parts accepted, the rest {error}"
            ids = tuple(i for i in self.ids if i)
            result = SendResult(self.message, outcome, ids, self.status, error, parts)
        self.batch.settle(self.index, result)


class Part:
    """One submit_sm, encoded (the session stamps its sequence_number each
    time it goes out), and how often it has been tried."""

    __slots__ = ("ambiguous", "index", "job", "pdu", "retries")

    def __init__(self, job: Job, index: int, pdu: bytes) -> None:
        self.job = job
        self.index = index
        self.pdu = pdu
        self.retries = 0
        # A submit of this part went out and its response was lost: the SMSC
        # may hold it, so giving up on it later is UNKNOWN, not REJECTED.
        self.ambiguous = False
