"""A worker's side of a route: claims under leases, reports committed in groups.

::

    drain = outbox.drain("smpp", worker=new_worker_id(), via=Via.SMPP)
    claims = await drain.claim(256)
    for claim in await drain.mark_writing(claims):    # one commit, before writing
        ...send claim.message; as each part is accepted:
        drain.accepted(claim, index, message_id)
        ...and when the message is done:
        drain.settled(claim, result)
    await drain.flush()                                 # one commit for all of it

Reports wait in memory until :meth:`Drain.flush` commits them together: a
window's worth in one transaction, never a transaction per message. A drain
keeps only the claims it holds; a settled claim is forgotten at the flush
that records it, so memory follows the window, not the run.

``delivery`` decides what becomes of a message an earlier worker may have
written (marked, no outcome): ``AT_MOST_ONCE`` records it UNKNOWN at once and
never hands it out; ``AT_LEAST_ONCE`` hands it out again, flagged
``possibly_written``, so a duplicate is one the store can name.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence

from smswire.message import Delivery, Outcome, SendResult
from smswire.outbox.records import AcceptedPart, Claim, Settled, Via
from smswire.outbox.store import OutboxStore, check_name, check_seconds

__all__ = ["DEFAULT_LEASE", "POSSIBLY_WRITTEN_ERROR", "Drain", "new_worker_id"]

# Long enough for a window to drain through a slow SMSC (SMPP 3.4 §7.2 leaves
# response timers to implementations; 30 s is the common response timeout).
DEFAULT_LEASE = 60.0
POSSIBLY_WRITTEN_ERROR = (
    "a worker stopped after marking it as about to be written: it may have been sent"
)


def new_worker_id() -> str:
    """A worker id unique on this machine and across machines: host, pid, random."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Drain:
    """Claims messages of ``route`` for ``worker`` and records what becomes of them."""

    def __init__(
        self,
        store: OutboxStore,
        route: str,
        *,
        worker: str,
        via: Via,
        delivery: Delivery = Delivery.AT_LEAST_ONCE,
        lease: float = DEFAULT_LEASE,
    ) -> None:
        self._store = store
        self.route = check_name("route", route)
        self.worker = check_name("worker", worker)
        self.via = via
        self.delivery = delivery
        self.lease = check_seconds("lease", lease)
        self._held: dict[str, Claim] = {}
        self._parts: list[AcceptedPart] = []
        self._settled: list[Settled] = []

    @property
    def held(self) -> int:
        """How many claims this drain holds (claimed, not yet settled or released)."""
        return len(self._held)

    async def claim(self, limit: int) -> list[Claim]:
        """Claim up to ``limit`` messages to send (see the module text on
        ``delivery``)."""
        claims = await self._store.claim(self.route, self.worker, limit, self.lease)
        if self.delivery is Delivery.AT_MOST_ONCE:
            unknown = [
                Settled(c, Outcome.UNKNOWN, error=POSSIBLY_WRITTEN_ERROR)
                for c in claims
                if c.possibly_written
            ]
            if unknown:
                await self._store.record(self.via, settled=unknown)
                claims = [c for c in claims if not c.possibly_written]
        for c in claims:
            self._held[c.key] = c
        return claims

    async def mark_writing(self, claims: Sequence[Claim]) -> list[Claim]:
        """The write-ahead mark, one commit for ``claims``; return those that
        may now be written (a lost claim, or one whose lease ran out, may not)."""
        refused = await self._store.mark_writing(claims)
        for key in refused:
            self._held.pop(key, None)
        return [c for c in claims if c.key not in refused]

    def accepted(self, claim: Claim, index: int, message_id: str) -> None:
        """The provider accepted part ``index`` as ``message_id`` (kept until the flush)."""
        self._parts.append(AcceptedPart(claim, index, message_id))

    def settled(self, claim: Claim, result: SendResult) -> None:
        """The message's outcome (kept until the flush)."""
        self._settled.append(Settled.of(claim, result))

    async def flush(self) -> frozenset[str]:
        """Commit every part and outcome reported since the last flush, in one
        transaction; return the keys whose claim was lost (their outcome was
        not recorded). If it raises, the reports stay and the next flush
        commits them."""
        if not self._parts and not self._settled:
            return frozenset()
        # Taken before the commit, so reports made while it runs (another
        # lane of the same worker) wait for the next flush instead of being
        # dropped with these; put back in front if the commit fails.
        parts, settled = self._parts, self._settled
        self._parts, self._settled = [], []
        try:
            lost = await self._store.record(self.via, parts, settled)
        except BaseException:
            self._parts, self._settled = parts + self._parts, settled + self._settled
            raise
        for s in settled:
            self._held.pop(s.claim.key, None)
        return lost

    async def extend(self) -> frozenset[str]:
        """Renew the lease of every claim held; forget and return the lost ones."""
        lost = await self._store.extend(list(self._held.values()), self.lease)
        for key in lost:
            self._held.pop(key, None)
        return lost

    async def release(self, claims: Sequence[Claim], delay: float = 0.0) -> frozenset[str]:
        """Give back claims none of whose parts was written (stopping, or a
        transient failure to retry after ``delay`` seconds)."""
        lost = await self._store.release(claims, delay)
        for c in claims:
            self._held.pop(c.key, None)
        return lost
