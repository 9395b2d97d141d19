"""Spreading messages across a pool's sending binds, and sending again what a
dying bind never wrote.

Messages go in chunks of up to a window (or an even share of a few) to the
bound bind with the fewest
messages outstanding; no bind holds more than :data:`QUEUED_WINDOWS` windows
of them, so when a bind dies little waits on it. A bind whose connection
drops binds again and resubmits what lost its answer itself; one whose client
gives up for good hands back what it never wrote (NOT_SENT), which goes out
on another bind, and what lost its answer (UNKNOWN), which goes out on
another too under ``Delivery.AT_LEAST_ONCE`` (and stays UNKNOWN under
``AT_MOST_ONCE``).
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable

from smswire.errors import ClientClosed, OutcomeUnknown, RequestNotSent, SmswireError
from smswire.message import Delivery, Message, Outcome, SendResult
from smswire.smpp.client import AsyncSmppClient
from smswire.smpp.pool.binds import BindSlot

if TYPE_CHECKING:
    from smswire.smpp.pool.hooks import PoolHooks

__all__ = ["QUEUED_WINDOWS", "Dispatcher"]

# Messages a bind may hold at once, in windows: one in flight, one queued
# behind it, so its window refills without waiting for the pool.
QUEUED_WINDOWS = 2


class Dispatcher:
    """Hands messages to the binds in ``slots`` and collects their results."""

    def __init__(
        self,
        slots: Sequence[BindSlot],
        *,
        window: int,
        delivery: Delivery,
        metrics: PoolHooks | None,
    ) -> None:
        self.slots = list(slots)
        self.size = len(self.slots)
        self._chunk = window
        self._room = QUEUED_WINDOWS * window
        self._outstanding = collections.Counter[int]()
        self._metrics = metrics
        # What a failed bind hands back that goes out again on another.
        self._again = {Outcome.NOT_SENT}
        if delivery is Delivery.AT_LEAST_ONCE:
            self._again.add(Outcome.UNKNOWN)
        self._waiters: list[asyncio.Future[None]] = []
        self._closed = False
        self.outcomes = collections.Counter[Outcome]()

    def wake(self) -> None:
        """A bind came or went, or finished a chunk: senders waiting for one look again."""
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def close(self) -> None:
        self._closed = True
        self.wake()

    async def _pick(self) -> tuple[BindSlot, AsyncSmppClient, int]:
        """The sending bind with the fewest messages outstanding and room for
        more, preferring bound ones (a bind rebinding queues what it gets);
        with how many more it may take."""
        while True:
            if self._closed:
                raise ClientClosed()
            best: tuple[int, int, int, BindSlot, AsyncSmppClient] | None = None
            for slot in self.slots:
                client = slot.client
                if client is None or client.failure is not None:
                    continue
                taken = self._outstanding[slot.number]
                if taken >= self._room:
                    continue
                key = (0 if client.bound else 1, taken, slot.number, slot, client)
                if best is None or key[:3] < best[:3]:
                    best = key
            if best is not None:
                _, taken, _, slot, client = best
                return slot, client, self._room - taken
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter

    async def send(
        self,
        items: Sequence[Message],
        *,
        strict: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[SendResult]:
        """One result per message, in order. ``strict``: as ``send_message``, a
        message that cannot be built raises instead of ending NOT_SENT."""
        results: list[SendResult | None] = [None] * len(items)
        pending = collections.deque(range(len(items)))
        tasks: set[asyncio.Task[list[int]]] = set()
        done_count = 0
        try:
            while pending or tasks:
                while pending:
                    try:
                        slot, client, room = await self._pick()
                    except ClientClosed as exc:
                        # The pool closes: what no bind took is settled, never sent.
                        for index in pending:
                            self._settle(
                                results,
                                index,
                                SendResult(
                                    items[index], Outcome.NOT_SENT, error=f"never sent: {exc}"
                                ),
                            )
                        pending.clear()
                        break
                    # A few messages are shared out too, not all given to one bind.
                    share = -(-len(pending) // self.size)
                    take = [pending.popleft() for _ in range(min(room, self._chunk, share))]
                    self._outstanding[slot.number] += len(take)
                    task = asyncio.get_running_loop().create_task(
                        self._chunk_on(slot, client, take, items, results, strict)
                    )
                    tasks.add(task)
                if not tasks:
                    break
                finished, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    again = task.result()  # raises what a strict send raised
                    pending.extend(again)
                    if on_progress is not None:
                        settled = sum(result is not None for result in results)
                        if settled != done_count:
                            done_count = settled
                            on_progress(done_count, len(items))
        finally:
            for task in tasks:
                task.cancel()
        return results  # type: ignore[return-value]

    async def _chunk_on(
        self,
        slot: BindSlot,
        client: AsyncSmppClient,
        indices: list[int],
        items: Sequence[Message],
        results: list[SendResult | None],
        strict: bool,
    ) -> list[int]:
        """Send ``indices`` on one bind; returns those to send again elsewhere."""
        messages = [items[i] for i in indices]
        loop = asyncio.get_running_loop()
        started = loop.time()
        metrics = self._metrics

        def settled(done: int, total: int) -> None:
            if metrics is not None:
                metrics.latency(loop.time() - started)

        try:
            if strict:
                (message,) = messages
                try:
                    outcome = [await client.send_message(message)]
                except (RequestNotSent, OutcomeUnknown) as exc:
                    if exc.result is None:
                        raise
                    outcome = [exc.result]
                settled(1, 1)
            else:
                outcome = await client.send_many(messages, on_progress=settled)
        except ClientClosed as exc:
            # Its client closed under it: replaced (another bind takes them) or
            # the pool is closing (nothing will).
            if not self._closed:
                return indices
            outcome = [
                SendResult(m, Outcome.NOT_SENT, error=f"never sent: {exc}") for m in messages
            ]
        except SmswireError:
            if client.failure is not None and not self._closed:
                return indices  # the bind had failed before taking them: another will
            raise  # the message itself cannot be sent (send_message's errors)
        finally:
            self._outstanding[slot.number] -= len(indices)
            self.wake()
        again: list[int] = []
        failed = client.failure is not None and not self._closed
        for index, result in zip(indices, outcome):
            if failed and result.outcome in self._again:
                again.append(index)
                continue
            self._settle(results, index, result)
        return again

    def _settle(self, results: list[SendResult | None], index: int, result: SendResult) -> None:
        results[index] = result
        self.outcomes[result.outcome] += 1
        if self._metrics is not None:
            self._metrics.result(result)
