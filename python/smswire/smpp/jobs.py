"""What the send pump tracks: a caller's batch, its messages and their parts.

A :class:`Batch` is one ``send`` or ``send_many`` call and the future its
caller awaits; a :class:`Job` is one message of it; a :class:`Part` one
submit_sm of that message, with how often it was tried.
"""

from __future__ import annotations

import asyncio
from typing import Callable

from smswire.message import Message, Outcome, SendResult
from smswire.pdu import CommandStatus, SubmitSm

__all__ = ["Batch", "Job", "Part", "Progress"]

Progress = Callable[[int, int], None]


class Batch:
    """The messages of one send or send_many call, and the future their caller awaits."""

    __slots__ = ("future", "left", "on_progress", "results")

    def __init__(self, size: int, on_progress: Progress | None) -> None:
        self.future: asyncio.Future[list[SendResult]] = asyncio.get_running_loop().create_future()
        self.results: list[SendResult | None] = [None] * size
        self.left = size
        self.on_progress = on_progress

    def settle(self, index: int, result: SendResult) -> None:
        self.results[index] = result
        self.left -= 1
        if self.on_progress is not None and not self.future.done():
            try:
                self.on_progress(len(self.results) - self.left, len(self.results))
            except Exception as exc:  # the caller's callback: its error is theirs
                self.future.set_exception(exc)
        if self.left == 0 and not self.future.done():
            self.future.set_result(self.results)  # type: ignore[arg-type]


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


class Part:
    """One submit_sm and how often it has been tried."""

    __slots__ = ("ambiguous", "index", "job", "pdu", "retries")

    def __init__(self, job: Job, index: int, pdu: SubmitSm) -> None:
        self.job = job
        self.index = index
        self.pdu = pdu
        self.retries = 0
        # A submit of this part went out and its response was lost: the SMSC
        # may hold it, so giving up on it later is UNKNOWN, not REJECTED.
        self.ambiguous = False
