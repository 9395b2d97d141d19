"""The outbox's depth for Prometheus (the ``metrics`` extra: ``pip install smswire[metrics]``).

How many messages of a route wait (queued, or claimed by a worker) and how
long the oldest of them has waited, read from the store when scraped, so
there is nothing to keep in step while the worker runs. Without Prometheus
the same numbers are :meth:`~smswire.outbox.Outbox.pending`.

Prometheus scrapes from a thread of its own; the store is asyncio's, so the
read is handed to the worker's event loop and waited for at most
:data:`SCRAPE_TIMEOUT` seconds. A store that does not answer in time (or
fails) leaves these samples out of that scrape, and says so in the log,
rather than hold up the scrape or report a stale depth as current.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Callable

try:
    from prometheus_client import CollectorRegistry
    from prometheus_client.core import GaugeMetricFamily, Metric
    from prometheus_client.registry import Collector
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "smswire's outbox metrics need prometheus-client: pip install 'smswire[metrics]'"
    ) from exc

from smswire.outbox.facade import Outbox
from smswire.outbox.records import Pending

__all__ = ["SCRAPE_TIMEOUT", "OutboxMetrics"]

_log = logging.getLogger("smswire.outbox")

# How long a scrape waits for the store to count what waits.
SCRAPE_TIMEOUT = 5.0


class OutboxMetrics(Collector):
    """Registers, in ``registry``, the depth of ``route`` in ``outbox`` as
    ``loop`` (the outbox's event loop) reads it. ``clock``: wall time, as the
    store's put times are."""

    def __init__(
        self,
        outbox: Outbox,
        route: str,
        *,
        registry: CollectorRegistry,
        loop: asyncio.AbstractEventLoop,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._outbox = outbox
        self._route = route
        self._loop = loop
        self._clock = clock
        registry.register(self)

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "smswire_outbox_messages",
            "Messages waiting in the outbox: queued, or claimed by a worker.",
            labels=["route", "state"],
        )
        age = GaugeMetricFamily(
            "smswire_outbox_oldest_age_seconds",
            "How long the oldest waiting message has been in the outbox (0: none waits).",
            labels=["route"],
        )
        pending = self._pending()
        if pending is None:
            return
        depth.add_metric([self._route, "queued"], pending.queued)
        depth.add_metric([self._route, "claimed"], pending.claimed)
        oldest = pending.oldest_put_at
        age.add_metric([self._route], 0.0 if oldest is None else max(0.0, self._clock() - oldest))
        yield from (depth, age)

    def describe(self) -> Iterator[Metric]:
        # Registering must not read the store (it may be called on the loop itself).
        return iter(())

    def _pending(self) -> Pending | None:
        future = asyncio.run_coroutine_threadsafe(self._outbox.pending(self._route), self._loop)
        try:
            return future.result(SCRAPE_TIMEOUT)
        except Exception as exc:  # the store's trouble is the worker's to report
            future.cancel()
            _log.warning("the outbox depth is left out of this scrape: %r", exc)
            return None
