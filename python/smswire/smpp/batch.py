"""What the caller of one send or send_many awaits: a future for its results,
filled in as each message settles, and its progress callback.

A batch is done when every message has its result, or when its caller gave up
(cancelled it, or its progress callback raised): the send pump then withdraws
whatever of it was not yet written.
"""

from __future__ import annotations

import asyncio
from typing import Callable

from smswire.message import SendResult

__all__ = ["Batch", "Progress"]

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
