"""A pool's numbers for Prometheus (the ``metrics`` extra: ``pip install smswire[metrics]``).

Nothing imports this module unless a :class:`PoolMetrics` is made, so a pool
without one costs a ``None`` test per message and needs no prometheus-client.

What is counted as it happens, through the pool's
:class:`~smswire.smpp.pool.hooks.PoolHooks`: messages and parts by outcome, send
latency (handed to a bind until settled), receipts by state. What is read
when scraped, from each pool's :meth:`state`: binds up, the window in use
per bind, ESME_RTHROTTLED answers and successful binds (rebinds and
replacements included).
"""

from __future__ import annotations

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
from smswire.smpp.receipts import DeliveryReceipt

if TYPE_CHECKING:
    from smswire.smpp.pool.pool import AsyncSmppPool

__all__ = ["SEND_SECONDS_BUCKETS", "PoolMetrics", "RouteMetrics"]

# From a local simulator's millisecond to an SMSC throttling a window for seconds.
SEND_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


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
        self._route = route

    def result(self, result: SendResult) -> None:
        self._outcomes[result.outcome].inc()
        self._parts[result.outcome].inc(result.parts)

    def latency(self, seconds: float) -> None:
        self._latency.observe(seconds)

    def receipt(self, receipt: DeliveryReceipt) -> None:
        self._receipts.labels(self._route, receipt.state.name).inc()


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
