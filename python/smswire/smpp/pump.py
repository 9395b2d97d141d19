"""The send pump: submit_sm parts queued, written through the window within the
rate, retried when the SMSC did not take them, and settled into results.

The pump owns every part from the moment a message is accepted for sending
until its caller has a :class:`~smswire.message.SendResult`: the queue, the
parts in flight (by sequence_number), the parts waiting out a retry, the rate
limiter and the throttling pause; with a shared
:class:`~smswire.smpp.gate.SubmitGate` (an account-wide cap) each part waits
for its slot there too. It writes through a :class:`Wire` (the bound
session and its transport, which connection supervision owns) and learns of
answers from the receive side; it imports neither.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
from collections.abc import Iterable
from typing import Protocol

from smswire.errors import LocalProtocolError
from smswire.message import Delivery, Message, Outcome, SendResult
from smswire.options import Backoff, Limits
from smswire.pdu import CommandStatus, Pdu
from smswire.ratelimit import RateLimiter
from smswire.smpp.batch import Batch, Progress
from smswire.smpp.gate import GatedWriter, SubmitGate
from smswire.smpp.jobs import Part
from smswire.smpp.part_queue import PartQueue, Pending
from smswire.smpp.session import Session
from smswire.smpp.throttling import THROTTLE_PAUSE_INITIAL, Throttling

__all__ = ["RETRY_STATUSES", "SendPump", "Wire", "command_status"]

_log = logging.getLogger("smswire.smpp")

# The SMSC did not take the submit and asks to be tried again (SMPP 3.4 §5.1.3;
# inMobile answers ESME_RSUBMITFAIL while it restarts). ESME_RINVBNDSTS means
# the SMSC considers the session unbound, so it did not take it either.
RETRY_STATUSES = frozenset(
    (
        CommandStatus.ESME_RSUBMITFAIL,
        CommandStatus.ESME_RMSGQFUL,
        CommandStatus.ESME_RTHROTTLED,
        CommandStatus.ESME_RINVBNDSTS,
    )
)
# The window is refilled once an eighth of it is free (or nothing is in flight):
# responses trickling in one per read would otherwise cost one write each.
WINDOW_REFILL_SHARE = 8


class Wire(Protocol):
    """Where the pump writes: connection supervision's bound session and transport."""

    @property
    def session(self) -> Session | None:
        """The session, while it is bound; None otherwise."""

    def write(self, data: bytes) -> None:
        """Put bytes on the connection (and arm the session's timers)."""


class SendPump:
    """Queues parts, fills the window in one write, retries and settles them.

    ``limits``: the window (from the session), ``rate``/``burst`` (a
    :class:`RateLimiter` over submit_sm) and ``retries`` of a part the SMSC
    did not take. ``delivery`` decides what a part whose response was lost
    becomes: sent again (AT_LEAST_ONCE) or UNKNOWN (AT_MOST_ONCE). ``gate``:
    a cap shared with other clients, which every part passes one at a time.
    """

    def __init__(
        self,
        wire: Wire,
        *,
        limits: Limits,
        backoff: Backoff,
        delivery: Delivery,
        rng: random.Random,
        gate: SubmitGate | None = None,
    ) -> None:
        self._wire = wire
        self._gated = None if gate is None else GatedWriter(gate, self)
        self._retries = limits.retries
        self._backoff = backoff
        self.delivery = delivery
        self._rng = rng
        self._refill = max(1, limits.window // WINDOW_REFILL_SHARE)
        self._limiter = None if limits.rate is None else RateLimiter(limits.rate, limits.burst)
        self._queue = PartQueue()
        self._in_flight: dict[int, Part] = {}
        # Parts waiting out a retry back-off: (due, tie-breaker, part).
        self._delayed: list[tuple[float, int, Part]] = []
        self._ticket = itertools.count()
        self._batches: set[Batch] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._throttling = Throttling()
        # ESME_RTHROTTLED answers so far.
        self.throttles = 0

    # -- taking messages -------------------------------------------------------

    def batch(self, size: int, on_progress: Progress | None = None) -> Batch:
        """A batch for ``size`` messages; fill it with :meth:`add` and :meth:`settle_now`."""
        batch = Batch(size, on_progress)
        if size:
            self._batches.add(batch)
            batch.future.add_done_callback(lambda _: self._forget(batch))
        else:
            batch.future.set_result([])
        return batch

    def _forget(self, batch: Batch) -> None:
        self._batches.discard(batch)
        future = batch.future
        if future.cancelled() or future.exception() is not None:
            # Its caller is gone (cancelled, or its progress callback raised):
            # what of it was never written is not written now, nor again.
            withdrawn = self._queue.withdraw(batch)
            withdrawn += [entry[2] for entry in self._delayed if entry[2].job.batch is batch]
            if withdrawn:
                self._delayed = [e for e in self._delayed if e[2].job.batch is not batch]
                heapq.heapify(self._delayed)
                _log.info(
                    "a send was given up: %d submit_sm never written are withdrawn "
                    "(NOT_SENT: safe to send again)",
                    sum(not part.ambiguous for part in withdrawn),
                )
            for part in withdrawn:
                self._settle_withdrawn(part)

    def add(self, batch: Batch, messages: Iterable[Pending], parts: int) -> None:
        """Queue messages of ``batch``: each its index in the call, the message
        and its parts' encoded submit_sm (a sequence_number is stamped as each
        goes out); ``parts`` in all. Read as the window comes to them."""
        self._queue.add(batch, messages, parts)

    @staticmethod
    def settle_now(batch: Batch, index: int, result: SendResult) -> None:
        """Settle a message that never reaches the queue (it was refused before)."""
        batch.settle(index, result)

    @property
    def backlog(self) -> int:
        """Parts not yet settled: queued, waiting out a retry, or in flight."""
        return len(self._queue) + len(self._delayed) + len(self._in_flight)

    @property
    def in_flight(self) -> int:
        """Parts written and awaiting their response: the window in use."""
        return len(self._in_flight)

    def pending(self) -> list[asyncio.Future[list[SendResult]]]:
        """The futures of batches still unsettled."""
        return [batch.future for batch in self._batches]

    # -- writing -----------------------------------------------------------------

    @property
    def refill(self) -> int:
        """How many free window slots are worth a write of their own."""
        return self._refill

    def pump(self, most: int | None = None) -> None:
        """Fill the window from the queue in one write, within the rate limit;
        ``most``: write no more than that many parts."""
        session = self._wire.session
        if session is None:
            return
        if (self._delayed or self._throttling.paused_until) and not self._release_due():
            return
        queue = self._queue
        if not queue:
            return
        if self._gated is not None:
            self._gated.wake()
            return
        free = session.window_free
        if free < self._refill and self._in_flight:
            # Responses that trickle in one per read would otherwise send one
            # submit_sm per write; refill the window in batches instead.
            return
        count = min(free, len(queue)) if most is None else min(free, len(queue), most)
        limiter = self._limiter
        if limiter is not None:
            now = asyncio.get_running_loop().time()
            count = min(count, limiter.available(now))
            if count <= 0:
                self._schedule(limiter.next_free(now))
                return
            limiter.reserve(now, count)
        if count > 0:
            self._write(queue.take(count), session)

    def gated_ready(self) -> bool:
        """Whether a part may take a gate slot: one is queued and the bind, its
        window, its throttling pause and its own rate all have room."""
        session = self._wire.session
        if session is None or not self._queue or session.window_free < 1:
            return False
        if (self._delayed or self._throttling.paused_until) and not self._release_due():
            return False
        limiter = self._limiter
        if limiter is not None:
            now = asyncio.get_running_loop().time()
            if limiter.available(now) < 1:
                self._schedule(limiter.next_free(now))
                return False
        return bool(self._queue)

    def gated_room(self) -> int:
        """How many parts could go in one write now, the gate aside."""
        session = self._wire.session
        if session is None:
            return 0
        room = min(len(self._queue), session.window_free)
        if self._limiter is not None:
            room = min(room, self._limiter.available(asyncio.get_running_loop().time()))
        return room

    def write_gated(self, count: int) -> int:
        """Write up to ``count`` parts, their gate slots taken; how many went
        (fewer when the bind went down)."""
        count = min(count, self.gated_room())
        if count < 1:
            return 0
        session = self._wire.session
        assert session is not None
        if self._limiter is not None:
            self._limiter.reserve(asyncio.get_running_loop().time(), count)
        return self._write(self._queue.take(count), session)

    def _write(self, parts: list[Part], session: Session) -> int:
        """The one place a batch of parts goes on the wire; how many went.
        Every part was encoded when its message was taken and the pump
        writes only within a bound session's window, so the session refuses
        none; if it did, they were never written and wait in the queue."""
        try:
            sequences, data = session.send_encoded_submits([part.pdu for part in parts])
        except LocalProtocolError as exc:
            _log.warning("%d submit_sm stay queued: %s", len(parts), exc)
            self._queue.put_back(parts)
            return 0
        in_flight = self._in_flight
        for part, sequence in zip(parts, sequences):
            in_flight[sequence] = part
        self._wire.write(data)
        return len(parts)

    def _release_due(self) -> bool:
        """Requeue the retries now due; False while a throttling pause lasts."""
        now = asyncio.get_running_loop().time()
        delayed = self._delayed
        while delayed and delayed[0][0] <= now:
            self._queue.put_back((heapq.heappop(delayed)[2],))
        if delayed:
            self._schedule(delayed[0][0] - now)
        paused_until = self._throttling.paused_until
        if now < paused_until:
            self._schedule(paused_until - now)
            return False
        self._throttling.paused_until = 0.0
        return True

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(max(delay, 0.0), self.pump)

    # -- what became of the parts ----------------------------------------------------

    def on_response(self, sequence_number: int, status: int, message_id: str) -> Message | None:
        """A submit_sm's answer: the message its part belongs to when the SMSC
        took it (for correlating receipts), else None."""
        part = self._in_flight.pop(sequence_number, None)
        if part is None:
            return None
        if self._gated is not None:
            self._gated.gate.settled()
        if status == 0:
            throttling = self._throttling
            if throttling.pause > THROTTLE_PAUSE_INITIAL:
                throttling.accepted()
            job = part.job
            job.ids[part.index] = message_id
            job.accepted += 1
            job.left -= 1
            if job.left == 0:
                job.finish()
            return job.message
        code = command_status(status)
        if code in RETRY_STATUSES:
            self._retry(part, code)
        else:
            self._settle(part, Outcome.REJECTED, code, f"the SMSC refused it: {code.name}")
        return None

    def _retry(self, part: Part, status: CommandStatus) -> None:
        loop = asyncio.get_running_loop()
        if status == CommandStatus.ESME_RTHROTTLED:
            self.throttles += 1
            # The SMSC asks for less: everything pauses, and the part itself
            # is retried as any other, with back-off and within its budget.
            self._throttling.throttled(loop.time())
        if part.job.batch.future.done():
            self._settle_withdrawn(part)
            return
        part.retries += 1
        if part.retries > self._retries:
            self._settle(
                part,
                Outcome.UNKNOWN if part.ambiguous else Outcome.REJECTED,
                status,
                f"the SMSC refused it {part.retries} times: {status.name}",
            )
            return
        due = loop.time() + self._backoff.delay(part.retries - 1, self._rng)
        heapq.heappush(self._delayed, (due, next(self._ticket), part))
        self._schedule(self._delayed[0][0] - loop.time())

    def on_unanswered(self, requests: Iterable[Pdu], *, resubmit: bool) -> None:
        """Submits whose response was lost (connection lost, response timed out):
        queued again under AT_LEAST_ONCE when ``resubmit`` is possible and the
        part's retry budget allows, else UNKNOWN."""
        lost = []
        for request in requests:
            part = self._in_flight.pop(request.sequence_number, None)
            if part is not None:
                part.ambiguous = True
                lost.append(part)
                if self._gated is not None:
                    self._gated.gate.settled()
        if not lost:
            return
        if not (resubmit and self.delivery is Delivery.AT_LEAST_ONCE):
            for part in lost:
                self._settle(
                    part, Outcome.UNKNOWN, None, "the connection closed before the SMSC answered"
                )
            return
        again = []
        for part in lost:
            part.retries += 1
            if part.job.batch.future.done():
                self._settle_withdrawn(part)
            elif part.retries > self._retries:
                self._settle(
                    part,
                    Outcome.UNKNOWN,
                    None,
                    f"its response was lost {part.retries} times; resubmitted "
                    f"{self._retries} times, the retry budget",
                )
            else:
                again.append(part)
        if again:
            _log.info("%d submit_sm lost their response; resubmitting them", len(again))
            self._queue.put_back(again)

    def on_bound(self) -> None:
        """A new bind: throttling starts afresh, and the queue goes out."""
        self._throttling.restart()
        self.pump()

    def give_up(self, reason: str, status: CommandStatus | None = None) -> None:
        """Settle every part still waiting to be (re)sent, telling each caller the truth:
        never written is NOT_SENT, once written and unanswered is UNKNOWN."""
        parts = self._queue.clear() + [part for _, _, part in self._delayed]
        self._delayed.clear()
        for part in parts:
            if part.ambiguous:
                self._settle(
                    part,
                    Outcome.UNKNOWN,
                    status,
                    f"a response was lost and it cannot be resubmitted: {reason}",
                )
            else:
                self._settle(part, Outcome.NOT_SENT, status, f"never sent: {reason}")

    def abandon_in_flight(self, reason: str) -> None:
        """Settle every part awaiting its response as UNKNOWN (the client is closing)."""
        parts = list(self._in_flight.values())
        self._in_flight.clear()
        for part in parts:
            if self._gated is not None:
                self._gated.gate.settled()
            self._settle(part, Outcome.UNKNOWN, None, reason)

    def close(self) -> None:
        if self._gated is not None:
            self._gated.close()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- settling ------------------------------------------------------------------

    def _settle_withdrawn(self, part: Part) -> None:
        """A part whose caller has gone (cancelled, or its callback raised): not
        written again; never written is NOT_SENT, once written UNKNOWN."""
        outcome = Outcome.UNKNOWN if part.ambiguous else Outcome.NOT_SENT
        self._settle(part, outcome, None, "withdrawn: the send was cancelled")

    @staticmethod
    def _settle(part: Part, outcome: Outcome, status: CommandStatus | None, error: str) -> None:
        part.job.part_failed(outcome, status, error)


def command_status(value: int) -> CommandStatus:
    """A command_status as a :class:`CommandStatus`; one SMPP 3.4 does not
    list is ESME_RUNKNOWNERR."""
    try:
        return CommandStatus(value)
    except ValueError:
        return CommandStatus.ESME_RUNKNOWNERR
