"""``python -m smswire.link.simulator``: the LINK simulator in a process of its own.

For tests and benchmarks that need the provider apart from the sender: kill
the sender (and its report receiver), restart it, then read what the
simulator accepted and which reports it delivered from its record
(``--record``, read with ``LinkSimulatorRecord.open``).

When it listens it prints one JSON line on stdout: ``url`` (the endpoint),
``host``, ``port``, ``tls``, ``ca_file`` (the CA to trust, when it minted
one), ``record`` and ``pid``. It serves (uvicorn, the ``sim`` extra) until
SIGTERM or SIGINT, then stops its pending reports and closes its record. The
credentials come from a JSON file (``--accounts``: ``service_id``,
``username``, ``password``), never from the command line, where any user
could read them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from smswire.errors import ConfigurationError
from smswire.link.codes import ResultCode
from smswire.link.reports import ReportFormat
from smswire.link.simulator.endpoint import LINK_TLS12_CIPHERS, LinkSimulator
from smswire.link.simulator.reports import DEFAULT_REPORT_ATTEMPTS, DEFAULT_REPORT_RETRY_INTERVAL


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m smswire.link.simulator",
        description="LINK Mobility's SMSC Simple HTTP endpoint, in its own process.",
    )
    cli.add_argument("--host", default="127.0.0.1")
    cli.add_argument("--port", type=int, default=0, help="0 (the default) picks a free port")
    cli.add_argument("--no-tls", action="store_true", help="plain HTTP instead of HTTPS")
    cli.add_argument("--ca-dir", type=Path, help="where the minted CA's files go")
    cli.add_argument("--record", type=Path, help="the record file (appended to if it exists)")
    cli.add_argument(
        "--accounts", type=Path, help="JSON file: service_id, username and password to accept"
    )
    cli.add_argument("--callback-url", help="where delivery reports are posted")
    cli.add_argument(
        "--report-format", choices=[f.value for f in ReportFormat], default=ReportFormat.JSON.value
    )
    cli.add_argument("--report-delay", type=float, default=0.0, metavar="SECONDS")
    cli.add_argument("--report-attempts", type=int, default=DEFAULT_REPORT_ATTEMPTS, metavar="N")
    cli.add_argument(
        "--report-retry-interval",
        type=float,
        default=DEFAULT_REPORT_RETRY_INTERVAL,
        metavar="SECONDS",
    )
    for share in ("not-delivered", "unknown-subscriber", "refused", "lost"):
        cli.add_argument(f"--{share}-share", type=float, default=0.0, metavar="SHARE")
    cli.add_argument("--seed", type=int)
    return cli


def simulator(args: argparse.Namespace) -> LinkSimulator:
    credentials: dict[str, Any] = {}
    if args.accounts is not None:
        credentials = json.loads(args.accounts.read_text(encoding="utf-8"))
        unknown = set(credentials) - {"service_id", "username", "password"}
        if unknown:
            raise ConfigurationError(f"--accounts: unknown keys {sorted(unknown)}")
    return LinkSimulator(
        **credentials,
        callback_url=args.callback_url,
        report_format=ReportFormat(args.report_format),
        report_delay=args.report_delay,
        report_attempts=args.report_attempts,
        report_retry_interval=args.report_retry_interval,
        not_delivered_share=args.not_delivered_share,
        unknown_subscriber_share=args.unknown_subscriber_share,
        refused_share=args.refused_share,
        refusal_code=ResultCode.QUOTA_EXCEEDED,
        lost_share=args.lost_share,
        seed=args.seed,
        record=args.record,
    )


async def serve(app: LinkSimulator, args: argparse.Namespace, ca_dir: Path) -> None:
    try:
        import uvicorn
    except ImportError as exc:
        raise ConfigurationError("the simulator needs uvicorn: pip install 'smswire[sim]'") from exc
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    tls: dict[str, Any] = {}
    ca_file = None
    if not args.no_tls:
        from smswire.sim.authority import LocalAuthority

        authority = LocalAuthority(ca_dir)
        ca_file = authority.ca_file
        # Exactly what LINK offers, so a client is tested against it.
        tls = {
            "ssl_certfile": str(authority.certfile),
            "ssl_keyfile": str(authority.keyfile),
            "ssl_ciphers": LINK_TLS12_CIPHERS,
        }
    config = uvicorn.Config(
        app, log_level="warning", proxy_headers=False, timeout_graceful_shutdown=1, **tls
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[listener]))
    while not server.started:
        if task.done():
            task.result()
            return
        await asyncio.sleep(0.01)
    host, port = listener.getsockname()[:2]
    scheme = "http" if args.no_tls else "https"
    ready = {
        "url": f"{scheme}://{host}:{port}",
        "host": host,
        "port": port,
        "tls": not args.no_tls,
        "ca_file": str(ca_file) if ca_file else None,
        "record": str(app.record_path) if app.record_path else None,
        "pid": os.getpid(),
    }
    print(json.dumps(ready), flush=True)
    await task  # until SIGTERM or SIGINT; the lifespan's shutdown closes the simulator


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    try:
        app = simulator(args)
    except (OSError, ValueError) as exc:
        # An unreadable accounts file, bad JSON, a setting out of range
        # (ConfigurationError is a ValueError): one line, no traceback.
        cli.error(str(exc))
    # uvicorn takes SIGTERM and SIGINT while it serves and raises the signal
    # again once it has shut down; these take it then, so the process ends
    # with status 0 after its record is closed.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)
    with tempfile.TemporaryDirectory() as scratch:
        asyncio.run(serve(app, args, args.ca_dir or Path(scratch)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
