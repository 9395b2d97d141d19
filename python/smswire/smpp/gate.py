"""A gate every submit_sm passes, shared by several binds: the account-wide cap.

A client's own ``Limits.rate`` spaces its own submits. A gate is held by
several clients at once (the binds of a pool, or one client and a limiter in
Redis shared by other processes): before a part goes on the wire the pump
awaits :meth:`SubmitGate.admit`, and it reports each admitted part's end, so
a gate may count what is in flight as well as what was sent.

:class:`GatedWriter` is the pump's side of it: one task per client that takes
a slot, writes one part, and takes the next while there is work and room.
Retries and resubmissions after a rebind pass the gate like first tries do, so
the cap covers everything that reaches the SMSC.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from smswire.ratelimit import RateLimit

__all__ = ["ChainedGate", "GatedPump", "GatedWriter", "LimiterGate", "SubmitGate"]


class SubmitGate(Protocol):
    """Admits submit_sm one at a time, and hears how each ended."""

    async def admit(self) -> None:
        """Return once one more submit_sm may go; it counts as in flight."""

    def try_admit(self) -> bool:
        """Admit one more at once if that needs no wait; False otherwise (a
        writer that holds one slot fills a window in one write this way)."""

    def unused(self) -> None:
        """An admitted submit_sm was not written after all (its bind went down)."""

    def settled(self) -> None:
        """A written submit_sm was answered, or its connection was lost."""


class LimiterGate:
    """A gate over any :class:`~smswire.ratelimit.RateLimit` (a local GCRA, one in
    Redis): one slot per submit_sm, taken one at a time so they go evenly spaced."""

    def __init__(self, limiter: RateLimit) -> None:
        self.limiter = limiter

    async def admit(self) -> None:
        await self.limiter.acquire(1)

    def try_admit(self) -> bool:
        """A limiter held elsewhere is only ever awaited."""
        return False

    def unused(self) -> None:
        """A slot once taken is spent: a limiter shared with others cannot lend it back."""

    def settled(self) -> None:
        """A limiter counts submits as they go, not as they end."""


class ChainedGate:
    """Passes each gate in turn (a bind's own cap, then the account's)."""

    def __init__(self, *gates: SubmitGate) -> None:
        self.gates = gates

    async def admit(self) -> None:
        admitted: list[SubmitGate] = []
        try:
            for gate in self.gates:
                await gate.admit()
                admitted.append(gate)
        except BaseException:
            for gate in admitted:
                gate.unused()
            raise

    def try_admit(self) -> bool:
        for taken, gate in enumerate(self.gates):
            if not gate.try_admit():
                for earlier in self.gates[:taken]:
                    earlier.unused()
                return False
        return True

    def unused(self) -> None:
        for gate in self.gates:
            gate.unused()

    def settled(self) -> None:
        for gate in self.gates:
            gate.settled()


class GatedPump(Protocol):
    """What the writer needs of the send pump."""

    def gated_ready(self) -> bool:
        """Whether a part is waiting and the bind, its window and its own rate have room."""

    def gated_room(self) -> int:
        """How many parts could go in one write now, gate aside."""

    def write_gated(self, count: int) -> int:
        """Write up to ``count`` parts in one write; how many went."""


class GatedWriter:
    """Takes a gate slot per part and writes, while the pump has work and room:
    one part after a wait, as many as the gate admits at once otherwise."""

    def __init__(self, gate: SubmitGate, pump: GatedPump) -> None:
        self.gate = gate
        self._pump = pump
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Start writing, unless already under way."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        pump = self._pump
        gate = self.gate
        while pump.gated_ready():
            await gate.admit()
            admitted, room = 1, pump.gated_room()
            while admitted < room and gate.try_admit():
                admitted += 1
            written = pump.write_gated(admitted)
            for _ in range(admitted - written):
                gate.unused()
            if not written:
                return

    def close(self) -> None:
        # Cancelled while waiting for its slot, the task has taken none.
        if self._task is not None:
            self._task.cancel()
            self._task = None
