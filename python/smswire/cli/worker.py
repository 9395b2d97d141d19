"""``smswire worker``: drain the outbox through SMPP or LINK until stopped.

The worker claims what ``smswire send-csv`` or an application put in the
outbox (``--store``), sends it, and stores every outcome and every receipt:
SMPP receipts arrive on the worker's bind, LINK reports on the receiver it
serves with ``--listen``. ``--binds N`` sends over N SMPP binds to the
account at once (a pool), ``--rate`` then capping them all together (and,
with a ``redis://`` outbox, every worker of the account together); a
receipt is stored whichever bind it comes on, before it is acknowledged
there. ``--metrics-port`` serves the worker's numbers to Prometheus
(:mod:`smswire.cli.metrics`). SIGTERM or the first Ctrl-C stops it
claiming, waits ``--grace`` seconds for outstanding responses, releases
what was never written and records the rest, then exits within
:data:`CLOSE_AFTER_GRACE` more (and the store's last commits), even when the
SMSC is gone; a second signal quits at once (the leases it held expire, and
the next worker takes over). It exits 1 when it stopped on its own: a store
that cannot commit, a way out that is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from smswire.cli.checks import check_worker_options
from smswire.cli.metrics import add_metrics, serve_metrics
from smswire.cli.settings import link_settings, load_config, smpp_settings
from smswire.cli.terminal import Terminal
from smswire.errors import ConfigurationError
from smswire.message import Delivery
from smswire.options import Limits, Timeouts
from smswire.outbox import DEFAULT_LEASE, DEFAULT_ROUTE, Outbox, shown_location
from smswire.outbox.inbound import STORE_RECEIPT_HOLD, InboundRecorder
from smswire.outbox.worker import (
    DEFAULT_BATCH,
    DEFAULT_GRACE,
    DEFAULT_LANES,
    OutboxWorker,
    Sender,
)
from smswire.ratelimit import RateLimit
from smswire.tls import verifying_context

if TYPE_CHECKING:
    from smswire.smpp import AsyncSmppClient, AsyncSmppPool
    from smswire.smpp.pool.metrics import PoolMetrics

__all__ = ["DEFAULT_STORE", "add_store", "open_way_out", "register", "serve_receiver"]

DEFAULT_STORE = "smswire-outbox.db"
# Exit status of a worker quit by a second signal (128 + SIGINT, as shells do).
QUIT_AT_ONCE = 130
# How long closing the way out may still wait once --grace has run out: the
# grace was the wait for responses; this is for the unbind's answer. (The
# clients' own default, 10 s, would double a stop's time for nothing.)
CLOSE_AFTER_GRACE = 1.0


def add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=DEFAULT_STORE,
        metavar="PATH|URL",
        help=f"the outbox: a SQLite file (default ./{DEFAULT_STORE}) or a "
        "redis://HOST:PORT/DB[?prefix=NAME] URL shared by workers on many machines",
    )


def add_connection(parser: argparse.ArgumentParser) -> None:
    """The way-out flags ``worker`` and ``send-csv`` share."""
    parser.add_argument("--via", choices=("smpp", "link"), required=True)
    parser.add_argument("--source", help="sender: number, short code or alphanumeric")
    parser.add_argument("--config", metavar="TOML", help="settings file ([smpp] and [link])")
    parser.add_argument("--url", help="smpps://system_id@host:port, or the LINK base URL")
    parser.add_argument("--ca-file", help="PEM CA certificate to trust (e.g. a simulator's)")
    parser.add_argument(
        "--rate",
        "--tps",
        type=float,
        help="at most this many submits a second (across all binds; with a redis:// "
        "store, across every SMPP worker of the account)",
    )
    parser.add_argument(
        "--binds",
        type=int,
        default=1,
        metavar="N",
        help="SMPP: send over N binds to the account at once, each with its own window",
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="permit LINK's legacy http:// URL (the password then crosses the network readable)",
    )
    parser.add_argument(
        "--delivery",
        choices=[d.value.replace("_", "-") for d in Delivery],
        default="at-least-once",
        help="a message a killed worker may have sent: resent (flagged) or recorded unknown",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=Limits().window,
        help="submit_sm awaiting a response (SMPP) or requests at once (LINK)",
    )
    parser.add_argument("--route", default=DEFAULT_ROUTE, help="the outbox route to drain")
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="messages per claim")
    parser.add_argument("--lanes", type=int, default=DEFAULT_LANES, help="claims in flight")
    parser.add_argument("--lease", type=float, default=DEFAULT_LEASE, metavar="SECONDS")
    parser.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="LINK: serve the delivery-report receiver here; reports go to the store first",
    )
    parser.add_argument("--certfile", help="the receiver's TLS certificate chain (PEM)")
    parser.add_argument("--keyfile", help="the receiver's TLS private key (PEM)")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = commands.add_parser(
        "worker",
        help="drain the outbox through SMPP or LINK until stopped",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    add_store(worker)
    add_connection(worker)
    worker.add_argument(
        "--grace",
        type=float,
        default=DEFAULT_GRACE,
        metavar="SECONDS",
        help="when stopping, how long to wait for outstanding responses",
    )
    worker.add_argument(
        "--until-empty", action="store_true", help="exit once nothing is queued or claimed"
    )
    worker.add_argument("--json", action="store_true", help="plain JSON output")
    add_metrics(worker)
    worker.set_defaults(handler=_worker)


def delivery_of(args: argparse.Namespace) -> Delivery:
    return Delivery(args.delivery.replace("-", "_"))


@contextlib.asynccontextmanager
async def open_way_out(
    args: argparse.Namespace, inbound: InboundRecorder, metrics: PoolMetrics | None = None
) -> AsyncIterator[Sender]:
    """The way out ``--via`` names, connected, its receipts going to ``inbound``.

    ``--binds`` above 1 makes it a pool of SMPP binds, used as one client; so
    does ``metrics`` (the pool's numbers are counted there), of one bind or more.
    """
    from smswire.link import AsyncLinkMobilityClient
    from smswire.smpp import AsyncSmppClient, AsyncSmppPool

    config = load_config(args.config)
    delivery = delivery_of(args)
    binds = getattr(args, "binds", 1)
    if isinstance(binds, bool) or not isinstance(binds, int) or binds < 1:
        raise ConfigurationError(f"--binds must be 1 or more, not {binds!r}")
    if binds > 1 and args.via != "smpp":
        raise ConfigurationError("--binds is for --via smpp: LINK has no binds")
    if args.via == "smpp":
        smpp = smpp_settings(config, url=args.url, ca_file=args.ca_file)
        options: dict[str, Any] = {
            "system_id": smpp.system_id,
            "password": smpp.password,
            "tls": (smpp.ca_file or True) if smpp.tls else False,
            "source": args.source,
            "delivery": delivery,
            "timeouts": Timeouts(receipt_hold=STORE_RECEIPT_HOLD, close=CLOSE_AFTER_GRACE),
            "receipt_correlation": 0,  # the store correlates receipts
            "on_inbound": inbound,  # every bind's receipts, stored before acknowledged
        }
        # send-csv binds as a transmitter unless told otherwise: the account's
        # receipts, other processes' too, stay with the SMSC for their receiver.
        send_only = getattr(args, "bind", "transceiver") == "transmitter"
        client: AsyncSmppClient | AsyncSmppPool
        account = f"{smpp.system_id}@{smpp.host}:{smpp.port}"
        limiter = account_limiter(args.store, account, args.rate)
        if binds == 1 and limiter is None and metrics is None:
            limits = Limits(window=args.concurrency, rate=args.rate)
            bind = "transmitter" if send_only else "transceiver"
            client = AsyncSmppClient(smpp.host, smpp.port, bind=bind, limits=limits, **options)
        else:
            # The account's cap holds across the binds, not per bind, and with
            # a Redis outbox across every worker of the account.
            client = AsyncSmppPool(
                smpp.host,
                smpp.port,
                binds=binds,
                send_only=send_only,
                rate=args.rate,
                limiter=limiter,
                limits=Limits(window=args.concurrency),
                metrics=metrics,
                route=args.route,
                **options,
            )
        await client.connect()
        try:
            yield client
        finally:
            await client.close()
        return
    link = link_settings(config, url=args.url, ca_file=args.ca_file)
    async with (
        AsyncLinkMobilityClient(
            link.url,
            service_id=link.service_id,
            username=link.username,
            password=link.password,
            source=args.source,
            ssl_context=verifying_context(ca_file=link.ca_file) if link.ca_file else None,
            allow_insecure_http=args.allow_insecure_http,
            timeouts=Timeouts(close=CLOSE_AFTER_GRACE),
            limits=Limits(window=args.concurrency, rate=args.rate),
        ) as sender,
        serve_receiver(args, inbound),
    ):
        yield sender


def account_limiter(store: str, account: str, rate: float | None) -> RateLimit | None:
    """With a ``redis://`` outbox and a cap, the SMPP account's cap held in that
    Redis (a :class:`~smswire.outbox.redis.RedisRateLimiter` named after the
    account), so every worker of the account, on any machine, shares it."""
    if rate is None or not store.startswith(("redis://", "rediss://")):
        return None
    from smswire.outbox.redis import RedisRateLimiter

    return RedisRateLimiter.beside_outbox(store, account, rate)


@contextlib.asynccontextmanager
async def serve_receiver(args: argparse.Namespace, inbound: InboundRecorder) -> AsyncIterator[None]:
    """LINK's report receiver on ``--listen``, storing each report before its 200."""
    if args.listen is None:
        yield
        return
    from smswire.link import DeliveryReportReceiver

    try:
        import uvicorn
    except ImportError as exc:
        raise ConfigurationError("--listen needs uvicorn: pip install 'smswire[cli]'") from exc
    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigurationError(f"--listen must be HOST:PORT, not {args.listen!r}")
    if bool(args.certfile) != bool(args.keyfile):
        raise ConfigurationError("--certfile and --keyfile go together")
    config = uvicorn.Config(
        DeliveryReportReceiver(inbound.report),
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        log_level="warning",
        proxy_headers=False,
        timeout_graceful_shutdown=1,
    )
    # Bound here, not by uvicorn, which exits the whole process (SystemExit,
    # a traceback) when it cannot bind: a port in use is one line of error.
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    # A worker restarted at once takes its port back despite its
    # predecessor's connections in TIME_WAIT.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host.strip("[]"), int(port)))
    except OSError as exc:
        listener.close()
        raise ConfigurationError(
            f"the report receiver cannot listen on {args.listen}: {exc}"
        ) from None
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise ConfigurationError(f"the report receiver could not listen on {args.listen}")
            await asyncio.sleep(0.01)
        yield
    finally:
        server.should_exit = True
        await asyncio.wait([task], timeout=5.0)
        listener.close()


def _worker(args: argparse.Namespace) -> int:
    check_worker_options(args)
    terminal = Terminal(json_output=args.json)
    stats = asyncio.run(_run(args))
    report = {"store": shown_location(args.store), "route": args.route, **vars(stats)}
    terminal.record(report)
    return 0


async def _run(args: argparse.Namespace) -> object:
    async with Outbox.open(args.store) as outbox:
        inbound = InboundRecorder(outbox, args.route)
        with serve_metrics(args, outbox) as metrics:
            async with open_way_out(args, inbound, metrics) as sender:
                worker = worker_for(args, outbox, sender, inbound)
                with stop_on_signals(worker):
                    where = shown_location(args.store)
                    print(f"smswire worker {worker.worker_id} draining {where}", file=sys.stderr)
                    return await worker.run(until_empty=args.until_empty)


def worker_for(
    args: argparse.Namespace, outbox: Outbox, sender: Sender, inbound: InboundRecorder
) -> OutboxWorker:
    """The worker the command line's options describe (``send-csv`` has no ``--grace``)."""
    return OutboxWorker(
        outbox,
        sender,
        route=args.route,
        delivery=delivery_of(args),
        batch=args.batch,
        lanes=args.lanes,
        lease=args.lease,
        grace=getattr(args, "grace", DEFAULT_GRACE),
        inbound=inbound,
    )


@contextlib.contextmanager
def stop_on_signals(worker: OutboxWorker) -> Iterator[list[int]]:
    """SIGTERM / Ctrl-C: the first stops claiming, the second quits at once.
    Yields the list of signals received, for a caller that reports them."""
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    received: list[int] = []

    def on_signal() -> None:
        received.append(1)
        if worker.stopping:
            print("smswire worker: quitting at once", file=sys.stderr, flush=True)
            os._exit(QUIT_AT_ONCE)
        print("smswire worker: stopping (again to quit at once)", file=sys.stderr, flush=True)
        worker.stop()

    for signum in signals:
        loop.add_signal_handler(signum, on_signal)
    try:
        yield received
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
