"""What a pool tells an application as it works, and what it can be asked.

:class:`PoolHooks` is called as things happen: a message settled, how long it
took, a receipt the application took. Subclass it and override what you need
(each does nothing by default), and pass it as ``AsyncSmppPool(hooks=...)``;
:class:`~smswire.smpp.pool.metrics.PoolMetrics` (the ``metrics`` extra) is
one, counting for Prometheus. :meth:`AsyncSmppPool.state
<smswire.smpp.pool.AsyncSmppPool.state>` is read whenever wanted: the binds
up, each bind's window in use, the throttles and binds so far. Hooks run on
the event loop, inside the pool's work: keep them quick and let them not raise.
"""

from __future__ import annotations

from dataclasses import dataclass

from smswire.message import SendResult
from smswire.smpp.receipts import DeliveryReceipt

__all__ = ["BindState", "PoolHooks", "PoolState"]


class PoolHooks:
    """Called by a pool as things happen; every method does nothing unless overridden."""

    def result(self, result: SendResult) -> None:
        """A message settled, whatever its outcome."""

    def latency(self, seconds: float) -> None:
        """A message was handed to a bind this long before every part was answered."""

    def receipt(self, receipt: DeliveryReceipt) -> None:
        """The application took a delivery receipt (from ``receipts()`` or its
        ``on_inbound`` handler, which returned)."""


@dataclass(frozen=True)
class BindState:
    """One bind of the pool: its ``number``, whether it is ``up``, and its
    submit_sm awaiting a response (``in_flight``, its window in use)."""

    number: int
    up: bool
    in_flight: int


@dataclass(frozen=True)
class PoolState:
    """A pool's numbers now: its binds, ESME_RTHROTTLED answers so far, and
    successful binds so far (the first of each bind, every rebind and replacement)."""

    binds: tuple[BindState, ...]
    throttles: int
    times_bound: int

    @property
    def binds_up(self) -> int:
        return sum(bind.up for bind in self.binds)
