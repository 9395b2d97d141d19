"""A pool's numbers for Prometheus (the ``metrics`` extra: ``pip install smswire[metrics]``).

Nothing imports this module unless a :class:`PoolMetrics` is made, so a pool
without one costs a ``None`` test per message and needs no prometheus-client.

What is counted as it happens, through the pool's
:class:`~smswire.smpp.pool.hooks.PoolHooks`: messages and parts by outcome, send
latency (handed to a bind until settled), receipts by state, and receipt
latency (a part's submit_sm answered until its receipt came, for the last
:data:`RECEIPT_CLOCK_LIMIT` parts accepted; a receipt for an older one, or
one sent before a restart, is counted but not timed). What is read
when scraped, from each pool's :meth:`state`: binds up, the window in use
per bind, ESME_RTHROTTLED answers and successful binds (rebinds and
replacements included).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

try:
    from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
    from prometheus_client.registry import Collector
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "smswire's pool metrics need prometheus-client: pip install 'smswire[metrics]'"
    ) from exc

from smswire.message import Outcome, SendResult
from smswire.smpp.pool.hooks import PoolHooks
from smswire.smpp.receipts import DeliveryReceipt, message_id_keys

if TYPE_CHECKING:
    from smswire.smpp.pool.pool import AsyncSmppPool

__all__ = [
    "RECEIPT_CLOCK_LIMIT",
    "RECEIPT_SECONDS_BUCKETS",
    "SEND_SECONDS_BUCKETS",
    "PoolMetrics",
    "RouteMetrics",
]

# From a local simulator's millisecond to an SMSC throttling a window for seconds.
SEND_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# From a simulator's instant receipt to a handset off for a day (SMSCs retry for days).
RECEIPT_SECONDS_BUCKETS = (
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
    900.0,
    3600.0,
    21600.0,
    86400.0,
)
# Accepted parts whose answer time is kept for timing their receipts: about
# 10 MB at most, minutes of a busy account's traffic, where most receipts land.
RECEIPT_CLOCK_LIMIT = 100_000


class PoolMetrics:
    """Counts for the pools given it, labelled by each pool's ``route``.

    ``registry``: where the metrics are registered (the default registry when
    None; a test passes its own :class:`prometheus_client.CollectorRegistry`).
    """

    def __init__(self, *, registry: CollectorRegistry | None = None) -> None:
        registry = REGISTRY if registry is None else registry
        self.registry = registry
        self.messages = Counter(
            "smswire_pool_messages",
            "Messages settled, by outcome (ACCEPTED, REJECTED, NOT_SENT, UNKNOWN).",
            ["route", "outcome"],
            registry=registry,
        )
        self.parts = Counter(
            "smswire_pool_parts",
            "Parts (submit_sm) of the messages settled, by the message's outcome.",
            ["route", "outcome"],
            registry=registry,
        )
        self.send_seconds = Histogram(
            "smswire_pool_send_seconds",
            "From a message handed to a bind until every part of it is answered.",
            ["route"],
            buckets=SEND_SECONDS_BUCKETS,
            registry=registry,
        )
        self.receipts = Counter(
            "smswire_pool_receipts",
            "Delivery receipts received, by state.",
            ["route", "state"],
            registry=registry,
        )
        self.receipt_seconds = Histogram(
            "smswire_pool_receipt_seconds",
            "From a part's submit_sm answered until its delivery receipt came.",
            ["route"],
            buckets=RECEIPT_SECONDS_BUCKETS,
            registry=registry,
        )
        self._pools: weakref.WeakSet[AsyncSmppPool] = weakref.WeakSet()
        registry.register(_PoolState(self._pools))

    def attach(self, pool: AsyncSmppPool) -> RouteMetrics:
        """Count for ``pool``; what it calls as things happen."""
        self._pools.add(pool)
        return RouteMetrics(self, pool.route)


class RouteMetrics(PoolHooks):
    """The counting calls of one pool, its route label applied once."""

    def __init__(self, metrics: PoolMetrics, route: str) -> None:
        self._outcomes = {
            outcome: metrics.messages.labels(route, outcome.name) for outcome in Outcome
        }
        self._parts = {outcome: metrics.parts.labels(route, outcome.name) for outcome in Outcome}
        self._latency = metrics.send_seconds.labels(route)
        self._receipts = metrics.receipts
        self._receipt_latency = metrics.receipt_seconds.labels(route)
        self._route = route
        # Each accepted part's id (in every spelling a receipt may use) to
        # when its answer came; oldest first, so the oldest go first when full.
        self._answered: dict[str, float] = {}

    def result(self, result: SendResult) -> None:
        self._outcomes[result.outcome].inc()
        self._parts[result.outcome].inc(result.parts)
        if result.outcome is Outcome.ACCEPTED:
            now = time.monotonic()
            answered = self._answered
            for message_id in result.message_ids:
                for key in message_id_keys(message_id):
                    answered[key] = now
            while len(answered) > RECEIPT_CLOCK_LIMIT:
                del answered[next(iter(answered))]

    def latency(self, seconds: float) -> None:
        self._latency.observe(seconds)

    def receipt(self, receipt: DeliveryReceipt) -> None:
        self._receipts.labels(self._route, receipt.state.name).inc()
        answered = None
        for key in message_id_keys(receipt.message_id):
            at = self._answered.pop(key, None)
            answered = at if answered is None else answered
        if answered is not None:
            self._receipt_latency.observe(time.monotonic() - answered)


class _PoolState(Collector):
    """Read from the pools at scrape time: nothing to keep in step while they run."""

    def __init__(self, pools: weakref.WeakSet[AsyncSmppPool]) -> None:
        self._pools = pools

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "smswire_pool_binds_up", "Binds bound now.", labels=["route", "bind"]
        )
        window = GaugeMetricFamily(
            "smswire_pool_window_in_use",
            "submit_sm awaiting their response, per bind.",
            labels=["route", "bind"],
        )
        throttles = CounterMetricFamily(
            "smswire_pool_throttles",
            "ESME_RTHROTTLED answers (each submit retried after a pause).",
            labels=["route"],
        )
        binds = CounterMetricFamily(
            "smswire_pool_binds",
            "Successful binds: the first of each bind, every rebind and replacement.",
            labels=["route"],
        )
        for pool in list(self._pools):
            state = pool.state()
            for bind in state.binds:
                number = str(bind.number)
                up.add_metric([pool.route, number], 1.0 if bind.up else 0.0)
                window.add_metric([pool.route, number], bind.in_flight)
            throttles.add_metric([pool.route], state.throttles)
            binds.add_metric([pool.route], state.times_bound)
        yield from (up, window, throttles, binds)
