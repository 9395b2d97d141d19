"""``smswire worker --metrics-port N``: the worker's numbers for Prometheus.

Served at ``http://HOST:N/metrics`` (``--metrics-host``, 127.0.0.1 unless
told otherwise) from a thread of prometheus-client's own: over SMPP the
pool's (:mod:`smswire.smpp.pool.metrics`: messages by outcome, send latency,
receipts by state, binds up, window in use, throttles, binds) and, for any
way out, the outbox's depth and oldest-message age
(:mod:`smswire.outbox.metrics`). Needs the ``metrics`` extra.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from smswire.errors import ConfigurationError
from smswire.outbox import Outbox

if TYPE_CHECKING:
    from smswire.smpp.pool.metrics import PoolMetrics

__all__ = ["add_metrics", "serve_metrics"]

# How long stopping waits for the metrics thread to end.
STOP_PATIENCE = 5.0
_HIGHEST_PORT = 65535


def add_metrics(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metrics-port",
        type=int,
        metavar="N",
        help="serve Prometheus metrics on this port (needs smswire[metrics])",
    )
    parser.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        metavar="HOST",
        help="where --metrics-port listens (0.0.0.0: every interface)",
    )


@contextlib.contextmanager
def serve_metrics(args: argparse.Namespace, outbox: Outbox) -> Iterator[PoolMetrics | None]:
    """Serve the metrics while the block runs; yields the pool's metrics to
    count into (None without ``--metrics-port``)."""
    port = getattr(args, "metrics_port", None)
    if port is None:
        yield None
        return
    if not 0 <= port <= _HIGHEST_PORT:
        raise ConfigurationError(f"--metrics-port must be 0 to {_HIGHEST_PORT}, not {port}")
    try:
        import prometheus_client

        from smswire.outbox.metrics import OutboxMetrics
        from smswire.smpp.pool.metrics import PoolMetrics
    except ImportError as exc:
        raise ConfigurationError(
            "--metrics-port needs prometheus-client: pip install 'smswire[metrics]'"
        ) from exc
    registry = prometheus_client.CollectorRegistry()
    pool_metrics = PoolMetrics(registry=registry)
    OutboxMetrics(outbox, args.route, registry=registry, loop=asyncio.get_running_loop())
    try:
        server, thread = prometheus_client.start_http_server(
            port, addr=args.metrics_host, registry=registry
        )
    except OSError as exc:
        raise ConfigurationError(
            f"--metrics-port {port}: cannot listen on {args.metrics_host}: {exc.strerror}"
        ) from exc
    try:
        yield pool_metrics
    finally:
        server.shutdown()
        server.server_close()
        thread.join(STOP_PATIENCE)
