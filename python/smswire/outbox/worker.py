"""A worker that drains the outbox through a way out (SMPP, LINK, or a pool of binds).

::

    async with Outbox.open("outbox.db") as outbox:
        inbound = InboundRecorder(outbox, "default")
        async with AsyncSmppClient(..., on_inbound=inbound) as client:
            worker = OutboxWorker(outbox, client, inbound=inbound)
            await worker.run()              # until worker.stop()

Each of a few *lanes* repeats: claim a batch under a lease, write-ahead mark
it (one commit for the batch), hand it to the client's ``send_many``, then
record every part's message id and every outcome (one commit). While one
lane waits on the provider another commits, so the store's fsyncs overlap
the wire. A background task renews the leases of everything held.

What a result becomes in the store:

- ACCEPTED, REJECTED and UNKNOWN are recorded as the message's outcome, with
  the parts the provider accepted.
- NOT_SENT means the message provably never left. If the message itself is
  invalid (it fails the way out's own checks) that is its outcome; otherwise
  the way out could not take it now (a lost connection, the client closing)
  and the claim is released, due again after ``retry_delay`` (at once when
  the worker is stopping), with its write-ahead mark withdrawn.

After a crash, the store hands back messages a dead worker had marked and
left without an outcome, flagged ``possibly_written``; the :class:`Drain`
records them UNKNOWN under ``Delivery.AT_MOST_ONCE`` and resends them,
flagged, under ``AT_LEAST_ONCE``.

A :class:`~smswire.errors.StoreError` from any commit stops the worker from
claiming: what it could not commit is never acknowledged (a receipt's
deliver_sm is answered with an error, so the SMSC delivers it again) and
never forgotten (a marked message without an outcome is the next worker's
``possibly_written``). :meth:`OutboxWorker.run` then raises it.

The worker needs of its way out only ``send_many(messages)`` returning one
:class:`~smswire.message.SendResult` per message in order, and ``close()``:
an :class:`~smswire.smpp.AsyncSmppClient`, an
:class:`~smswire.link.AsyncLinkMobilityClient`, or a pool of binds with the
same API (:class:`Sender`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable, Protocol

from smswire.errors import ConfigurationError, EncodingError, SmswireError, StoreError
from smswire.message import Delivery, Message, Outcome, SendResult
from smswire.outbox.drain import DEFAULT_LEASE, Drain, new_worker_id
from smswire.outbox.facade import Outbox
from smswire.outbox.inbound import InboundRecorder
from smswire.outbox.records import Claim, Via
from smswire.outbox.store import DEFAULT_ROUTE, check_claim, check_seconds

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_LANES",
    "OutboxWorker",
    "Sender",
    "WorkerStats",
    "check_for",
]

_log = logging.getLogger("smswire.outbox.worker")

# Messages one lane claims at once: a few SMPP windows' worth, so the pump is
# never starved between two batches; a crash leaves at most this many marked.
DEFAULT_BATCH = 256
# Lanes at once: one sends while another commits and a third claims.
DEFAULT_LANES = 3
# How long a lane rests when there is nothing to claim.
IDLE_POLL = 0.1
# A message the way out could not take now (connection down) is due again after this.
DEFAULT_RETRY_DELAY = 5.0
# How long a stopping worker waits for responses still outstanding before it
# closes the way out, which settles the rest (never written: NOT_SENT, released;
# written, unanswered: UNKNOWN, recorded).
DEFAULT_GRACE = 10.0


class Sender(Protocol):
    """What the worker needs of a way out (a client, or a pool of binds)."""

    async def send_many(self, messages: Iterable[Message]) -> list[SendResult]: ...

    async def close(self) -> None: ...


# Raises ConfigurationError or EncodingError for a message the way out can never send.
MessageCheck = Callable[[Message], None]


def check_for(via: Via, sender: object) -> MessageCheck:
    """The checks ``via`` makes before anything leaves, with ``sender``'s defaults."""
    if via is Via.LINK:
        from smswire.link.protocol import prepare

        # As the client prepares it: its default source, its sender name length.
        options = {
            name: getattr(sender, name) for name in ("alphanumeric_max",) if hasattr(sender, name)
        }
        source = getattr(sender, "source", None)

        def check_link(message: Message) -> None:
            prepare(message, default_source=source, **options)

        return check_link

    from smswire.smpp.submit import build_submits

    # As the client builds its submits: its source, its addressing rules.
    smpp_options = {
        name: getattr(sender, name)
        for name in (
            "profile",
            "source_limit",
            "truncate_source",
            "alphanumeric_max",
            "alphanumeric_destination",
        )
        if hasattr(sender, name)
    }
    default_source = getattr(sender, "source", None)

    def check_smpp(message: Message) -> None:
        build_submits(message, default_source=default_source, **smpp_options)

    return check_smpp


@dataclass
class WorkerStats:
    """What a worker did: messages by what the store recorded of them."""

    claimed: int = 0
    accepted: int = 0
    rejected: int = 0
    unknown: int = 0
    not_sent: int = 0
    released: int = 0
    lost: int = 0
    batches: int = 0

    def count(self, outcome: Outcome) -> None:
        # Once per message: the member's plain _value_, not .value's descriptor.
        name = outcome._value_
        setattr(self, name, getattr(self, name) + 1)


class OutboxWorker:
    """Drains ``route`` of ``outbox`` through ``sender``.

    ``via`` names the id scheme of the sender's receipts (inferred for the two
    clients; give it for anything else). ``delivery``: what becomes of a
    message a dead worker may have written (see the module text). ``batch``
    and ``lanes``: messages per claim, claims in flight. ``inbound``: the
    :class:`InboundRecorder` the sender hands receipts to; the worker stops
    when it cannot commit. ``check``: the way out's own message checks
    (default: :func:`check_for`).
    """

    def __init__(
        self,
        outbox: Outbox,
        sender: Sender,
        *,
        via: Via | None = None,
        route: str = DEFAULT_ROUTE,
        delivery: Delivery = Delivery.AT_LEAST_ONCE,
        batch: int = DEFAULT_BATCH,
        lanes: int = DEFAULT_LANES,
        lease: float = DEFAULT_LEASE,
        retry_delay: float = DEFAULT_RETRY_DELAY,
        grace: float = DEFAULT_GRACE,
        worker_id: str | None = None,
        inbound: InboundRecorder | None = None,
        check: MessageCheck | None = None,
    ) -> None:
        if not isinstance(delivery, Delivery):
            raise ConfigurationError(f"delivery must be a Delivery, not {delivery!r}")
        self.via = _via_of(sender) if via is None else via
        self._outbox = outbox
        self._sender = sender
        self.drain: Drain = outbox.drain(
            route,
            worker=new_worker_id() if worker_id is None else worker_id,
            via=self.via,
            delivery=delivery,
            lease=lease,
        )
        self.batch = check_claim(batch)
        if isinstance(lanes, bool) or not isinstance(lanes, int) or lanes < 1:
            raise ConfigurationError(f"lanes must be a positive integer, not {lanes!r}")
        self.lanes = lanes
        self.retry_delay = check_seconds("retry_delay", retry_delay, allow_zero=True)
        self.grace = check_seconds("grace", grace, allow_zero=True)
        self._inbound = inbound
        if inbound is not None:
            inbound.on_failure = self._fail
        self._check = check_for(self.via, sender) if check is None else check
        self.stats = WorkerStats()
        self._stopping = asyncio.Event()
        self._failure: BaseException | None = None
        self._busy = 0

    @property
    def worker_id(self) -> str:
        return self.drain.worker

    @property
    def failure(self) -> BaseException | None:
        """Why the worker stopped on its own (a store that cannot commit, a
        way out that is gone); None while it runs or after :meth:`stop`."""
        return self._failure

    @property
    def stopping(self) -> bool:
        """True once the worker stopped claiming (asked to, or on its own)."""
        return self._stopping.is_set()

    def stop(self) -> None:
        """Stop claiming; :meth:`run` returns once what is in flight is recorded."""
        self._stopping.set()

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc
            _log.error("worker %s stops claiming: %s", self.worker_id, exc)
        self._stopping.set()

    async def run(self, *, until_empty: bool = False) -> WorkerStats:
        """Drain until :meth:`stop` (or, with ``until_empty``, until the route
        has nothing queued or claimed). Raises what made it stop on its own.

        Once stopping, it waits up to ``grace`` seconds for the batches in
        flight, then closes the way out, which settles what is left."""
        lanes = [asyncio.ensure_future(self._lane(until_empty)) for _ in range(self.lanes)]
        renewer = asyncio.ensure_future(self._renew())
        try:
            await self._stopping.wait()
            _, late = await asyncio.wait(lanes, timeout=self.grace)
            if late:
                _log.warning("%d batches outstanding after %.0f s: closing", len(late), self.grace)
                await self._sender.close()
                await asyncio.wait(late, timeout=self.grace)
        finally:
            renewer.cancel()
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(renewer, *lanes, return_exceptions=True)
        with contextlib.suppress(StoreError):
            await self.drain.flush()  # anything a failed flush left behind
        if self._failure is not None:
            raise self._failure
        return self.stats

    async def _lane(self, until_empty: bool) -> None:
        try:
            while not self._stopping.is_set():
                claims = await self.drain.claim(self.batch)
                if not claims:
                    if until_empty and await self._empty():
                        self._stopping.set()
                        return
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), IDLE_POLL)
                    continue
                self.stats.claimed += len(claims)
                self._busy += 1
                try:
                    await self._send(claims)
                finally:
                    self._busy -= 1
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a StoreError, or a bug: either way, stop
            self._fail(exc)

    async def _empty(self) -> bool:
        if self._busy:
            return False
        pending = await self._outbox.pending(self.drain.route)
        return pending.queued == 0 and pending.claimed == 0 and not self._busy

    async def _send(self, claims: list[Claim]) -> None:
        writable = await self.drain.mark_writing(claims)
        self.stats.lost += len(claims) - len(writable)
        if not writable:
            return
        self.stats.batches += 1
        try:
            results = await self._sender.send_many([c.message for c in writable])
        except SmswireError as exc:
            # send_many raises only before anything is queued: nothing was written.
            await self._release(writable)
            if not self._stopping.is_set():
                self._fail(exc)
            return
        again: list[Claim] = []
        for claim, result in zip(writable, results):
            self._report(claim, result, again)
        self.stats.lost += len(await self._flush())
        if again:
            await self._release(again)

    def _report(self, claim: Claim, result: SendResult, again: list[Claim]) -> None:
        drain = self.drain
        # Never written and the message itself fine: the way out could not take
        # it now, so it goes back to the queue instead of being given up.
        if (
            result.outcome is Outcome.NOT_SENT
            and not result.message_ids
            and (self._stopping.is_set() or self._invalid(result.message) is None)
        ):
            again.append(claim)
            return
        if self.via is Via.LINK:
            # LINK gives a message one id; its reports name the parts {id}${n}.
            if result.message_ids:
                for index in range(max(result.parts, 1)):
                    drain.accepted(claim, index, result.message_ids[0])
        else:
            for index, message_id in enumerate(result.message_ids):
                drain.accepted(claim, index, message_id)
        drain.settled(claim, result)
        self.stats.count(result.outcome)

    def _invalid(self, message: Message) -> str | None:
        try:
            self._check(message)
        except (ConfigurationError, EncodingError) as exc:
            return str(exc)
        return None

    async def _flush(self) -> frozenset[str]:
        try:
            return await self.drain.flush()
        except StoreError as exc:
            # The reports stay in the drain; the messages stay marked in the
            # store, so a worker taking over sees them as possibly written.
            self._fail(exc)
            return frozenset()

    async def _release(self, claims: list[Claim]) -> None:
        delay = 0.0 if self._stopping.is_set() else self.retry_delay
        try:
            self.stats.lost += len(await self.drain.release(claims, delay))
        except StoreError as exc:
            self._fail(exc)
            return
        self.stats.released += len(claims)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.drain.lease / 3)
            try:
                self.stats.lost += len(await self.drain.extend())
            except StoreError as exc:
                self._fail(exc)
                return


def _via_of(sender: object) -> Via:
    from smswire.link.client import AsyncLinkMobilityClient
    from smswire.smpp.client import AsyncSmppClient
    from smswire.smpp.pool import AsyncSmppPool

    if isinstance(sender, (AsyncSmppClient, AsyncSmppPool)):
        return Via.SMPP
    if isinstance(sender, AsyncLinkMobilityClient):
        return Via.LINK
    via: Via | None = getattr(sender, "via", None)
    if isinstance(via, Via):
        return via
    raise ConfigurationError(
        f"cannot tell how {type(sender).__name__} names its parts: pass via=Via.SMPP or Via.LINK"
    )
