"""Receipts and mobile-originated messages on their way to an account's receivers.

As a real SMSC does, the simulator keeps what it owes an account until an
ESME of that account acknowledges it with a deliver_sm_resp of status 0:
while no receiver or transceiver of the account is bound it waits, and goes
out on the next such bind; a deliver_sm whose connection is lost before the
response, or whose response timer runs out, or that is answered with an
error status, is delivered again later. SMPP 3.4 §5.1.3 ESME_RX_P_APPN (a
permanent error of the receiving application) is the one answer that ends
the attempts. The account's bound receivers take turns (round robin), so
any of its binds may get any receipt.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import logging
from typing import TYPE_CHECKING

from smswire.pdu import CommandId, CommandStatus, DeliverSm, Pdu, encode
from smswire.smpp.simulator.journal import RECEIPT, Journal

if TYPE_CHECKING:
    from smswire.smpp.simulator.link import SmscLink

__all__ = ["DEFAULT_REDELIVERY_DELAY", "Deliveries", "Owed"]

_log = logging.getLogger("smswire.smpp.simulator")

# Seconds before a deliver_sm that was refused or timed out is tried again.
DEFAULT_REDELIVERY_DELAY = 1.0


class Owed:
    """One deliver_sm the SMSC owes an account, kept until it is acknowledged."""

    __slots__ = ("id", "message_id", "pdu", "system_id", "what")

    def __init__(self, id: int, system_id: str, pdu: DeliverSm, what: int, message_id: str) -> None:
        self.id = id
        self.system_id = system_id
        self.pdu = pdu
        self.what = what
        self.message_id = message_id


class Deliveries:
    """What the SMSC owes each account, and the account's receivers that take it."""

    def __init__(self, journal: Journal, *, redelivery_delay: float) -> None:
        self._journal = journal
        self.redelivery_delay = redelivery_delay
        self._ready: dict[str, collections.deque[Owed]] = collections.defaultdict(collections.deque)
        # Not yet due: (due, order, owed), earliest first.
        self._later: list[tuple[float, int, Owed]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._receivers: dict[str, list[SmscLink]] = collections.defaultdict(list)
        # Every connection that may hold deliver_sm in flight, bound or unbinding.
        self._carriers: set[SmscLink] = set()
        self._turn: dict[str, int] = collections.defaultdict(int)
        self._ids = 0
        self._dirty: set[str] = set()
        # While the SMSC restarts nothing goes out.
        self.paused = False
        self.acknowledged_receipts = 0
        self.acknowledged_messages = 0

    @property
    def pending(self) -> int:
        """Owed and not yet acknowledged: waiting, due later, or on the wire."""
        in_flight = sum(len(link.in_flight) for link in self._carriers)
        return len(self._later) + sum(len(q) for q in self._ready.values()) + in_flight

    # -- what is owed ------------------------------------------------------------

    def owe(
        self,
        system_id: str,
        pdu: DeliverSm,
        what: int,
        message_id: str,
        clock: float,
        delay: float,
        records: list[bytes],
    ) -> None:
        """Owe ``system_id`` a deliver_sm from ``delay`` seconds on; its record joins
        ``records``, for the caller to journal before anything it describes is sent."""
        self._ids += 1
        owed = Owed(self._ids, system_id, pdu, what, message_id)
        sid, mid = system_id.encode(), message_id.encode()
        records.append(Journal.queued(clock, owed.id, what, sid, mid, encode(pdu)))
        if delay > 0:
            self._defer(owed, clock + delay)
        else:
            self._ready[system_id].append(owed)
            self._dirty.add(system_id)

    def _defer(self, owed: Owed, due: float) -> None:
        heapq.heappush(self._later, (due, owed.id, owed))
        loop = asyncio.get_running_loop()
        if self._timer is None or self._timer.when() > due:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = loop.call_at(due, self._release)

    def _release(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._later and self._later[0][0] <= now:
            owed = heapq.heappop(self._later)[2]
            self._ready[owed.system_id].append(owed)
            self._dirty.add(owed.system_id)
        if self._later:
            self._timer = loop.call_at(self._later[0][0], self._release)
        self.flush()

    # -- receivers ---------------------------------------------------------------

    def attach(self, link: SmscLink) -> None:
        """A receiver or transceiver of ``link.system_id`` is bound: it takes its turns."""
        assert link.system_id is not None
        self._receivers[link.system_id].append(link)
        self._dirty.add(link.system_id)

    def detach(self, link: SmscLink) -> None:
        """``link`` unbinds: it takes nothing more, but may still answer what it has."""
        receivers = self._receivers.get(link.system_id or "")
        if receivers and link in receivers:
            receivers.remove(link)

    def lost(self, link: SmscLink) -> None:
        """``link``'s connection ended: what it had not acknowledged is owed again now."""
        self.detach(link)
        self._carriers.discard(link)
        if link.in_flight:
            assert link.system_id is not None
            queue = self._ready[link.system_id]
            queue.extendleft(reversed(list(link.in_flight.values())))
            link.in_flight.clear()
            self._dirty.add(link.system_id)

    def answered(self, link: SmscLink, response: Pdu, clock: float) -> None:
        owed = link.in_flight.pop(response.sequence_number, None)
        if owed is None:
            return
        # The link's window has room again for whatever waits.
        if self._ready.get(owed.system_id):
            self._dirty.add(owed.system_id)
        status = response.command_status
        if status == 0 and response.command_id == CommandId.DELIVER_SM_RESP:
            if owed.what == RECEIPT:
                self.acknowledged_receipts += 1
            else:
                self.acknowledged_messages += 1
        elif status == CommandStatus.ESME_RX_P_APPN:
            # SMPP 3.4 §5.1.3: a permanent error of the receiving application.
            _log.warning("delivery %d refused for good by the ESME (ESME_RX_P_APPN)", owed.id)
        else:
            # A generic_nack, even of status 0, is no acknowledgement.
            self._defer(owed, clock + self.redelivery_delay)

    def timed_out(self, link: SmscLink, sequence_number: int, clock: float) -> None:
        owed = link.in_flight.pop(sequence_number, None)
        if owed is not None:
            self._defer(owed, clock + self.redelivery_delay)

    # -- sending -----------------------------------------------------------------

    def flush(self) -> None:
        """Send what is ready to the receivers that have room, taking turns."""
        if self.paused or not self._dirty:
            return
        accounts, self._dirty = self._dirty, set()
        clock = asyncio.get_running_loop().time()
        records: list[bytes] = []
        batches: dict[SmscLink, list[Owed]] = {}
        for system_id in accounts:
            self._share(system_id, batches)
        writes = [
            (link, link.prepare_deliveries(owed, clock, records)) for link, owed in batches.items()
        ]
        # The record first: it must never hold less than the ESME was sent.
        self._journal.write(b"".join(records))
        for link, data in writes:
            self._carriers.add(link)
            link.write(data)
            link.arm()

    def _share(self, system_id: str, batches: dict[SmscLink, list[Owed]]) -> None:
        queue = self._ready.get(system_id)
        links = [link for link in self._receivers.get(system_id, ()) if link.writable]
        if not queue or not links:
            return
        free = [link.session.window_free for link in links]
        turn = self._turn[system_id]
        full = 0
        while queue and full < len(links):
            i = turn % len(links)
            turn += 1
            if free[i] <= 0:
                full += 1
                continue
            full = 0
            free[i] -= 1
            batches.setdefault(links[i], []).append(queue.popleft())
        self._turn[system_id] = turn % len(links)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
