"""``python -m smswire.smpp.simulator``: the SMSC simulator in a process of its own.

For tests and benchmarks that need the SMSC apart from the client: kill the
client, restart its store, measure the client's CPU alone, then read what the
SMSC saw from its record (``--record``, read with ``SimulatorRecord.open``).

When it listens it prints one JSON line on stdout: ``host``, ``port``,
``tls``, ``ca_file`` (the CA to trust, when it minted one), ``record`` and
``pid``. It serves until SIGTERM or SIGINT, then closes its connections and
its record. Passwords come from a JSON file (``--accounts``: system_id to
password), never from the command line, where any user could read them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from smswire.pdu import CommandStatus
from smswire.smpp.session import DEFAULT_WINDOW
from smswire.smpp.simulator.deliveries import DEFAULT_REDELIVERY_DELAY
from smswire.smpp.simulator.link import (
    DEFAULT_BIND_TIMEOUT,
    DEFAULT_DELIVER_TIMEOUT,
    DEFAULT_IDLE_TIMEOUT,
)
from smswire.smpp.simulator.smsc import SmscSimulator
from smswire.smpp.simulator.throttle import FailedBindLimit


def _seconds_or_off(value: str) -> float | None:
    return None if value == "off" else float(value)


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m smswire.smpp.simulator",
        description="An SMPP 3.4 SMSC that behaves like inMobile's, in its own process.",
    )
    cli.add_argument("--host", default="127.0.0.1")
    cli.add_argument("--port", type=int, default=0, help="0 (the default) picks a free port")
    cli.add_argument("--no-tls", action="store_true", help="plain TCP instead of TLS")
    cli.add_argument("--ca-dir", type=Path, help="where the minted CA's files go")
    cli.add_argument("--record", type=Path, help="the record file (appended to if it exists)")
    cli.add_argument("--accounts", type=Path, help="JSON file: system_id to password")
    cli.add_argument("--receipt-delay", type=_seconds_or_off, default=0.0, metavar="SECONDS|off")
    cli.add_argument("--receipt-state", default="DELIVRD", metavar="STAT")
    cli.add_argument("--tps-limit", type=int, metavar="N", help="submit_sm per account per second")
    cli.add_argument(
        "--bind-tps-limit", type=int, metavar="N", help="submit_sm per bind per second"
    )
    cli.add_argument("--failure-rate", type=float, default=0.0, metavar="SHARE")
    cli.add_argument(
        "--failure-status",
        default="ESME_RSYSERR",
        choices=[s.name for s in CommandStatus if s != CommandStatus.ESME_ROK],
        metavar="STATUS",
    )
    cli.add_argument("--seed", type=int)
    cli.add_argument("--window", type=int, default=DEFAULT_WINDOW)
    for name, default in (
        ("idle-timeout", DEFAULT_IDLE_TIMEOUT),
        ("bind-timeout", DEFAULT_BIND_TIMEOUT),
        ("deliver-timeout", DEFAULT_DELIVER_TIMEOUT),
    ):
        cli.add_argument(f"--{name}", type=_seconds_or_off, default=default, metavar="SECONDS|off")
    cli.add_argument(
        "--redelivery-delay", type=float, default=DEFAULT_REDELIVERY_DELAY, metavar="SECONDS"
    )
    limits = FailedBindLimit()
    cli.add_argument("--failed-binds-per-connection", type=int, default=limits.per_connection)
    cli.add_argument("--failed-binds-per-address", type=int, default=limits.per_address)
    return cli


def simulator(args: argparse.Namespace) -> SmscSimulator:
    accounts = None
    if args.accounts is not None:
        accounts = json.loads(args.accounts.read_text(encoding="utf-8"))
    return SmscSimulator(
        args.host,
        args.port,
        accounts=accounts,
        tls=not args.no_tls,
        ca_dir=args.ca_dir,
        record=args.record,
        receipt_delay=args.receipt_delay,
        receipt_state=args.receipt_state,
        tps_limit=args.tps_limit,
        bind_tps_limit=args.bind_tps_limit,
        failure_rate=args.failure_rate,
        failure_status=CommandStatus[args.failure_status],
        window=args.window,
        seed=args.seed,
        idle_timeout=args.idle_timeout,
        bind_timeout=args.bind_timeout,
        deliver_timeout=args.deliver_timeout,
        redelivery_delay=args.redelivery_delay,
        failed_binds=FailedBindLimit(
            per_connection=args.failed_binds_per_connection,
            per_address=args.failed_binds_per_address,
        ),
    )


async def serve(sim: SmscSimulator) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    async with sim:
        ready = {
            "host": sim.host,
            "port": sim.port,
            "tls": sim.tls,
            "ca_file": str(sim.ca_file) if sim.ca_file else None,
            "record": str(sim.record_path) if sim.record_path else None,
            "pid": os.getpid(),
        }
        print(json.dumps(ready), flush=True)
        await stopping.wait()


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    try:
        sim = simulator(args)
    except (OSError, ValueError) as exc:
        # An unreadable accounts file, bad JSON, a setting out of range
        # (ConfigurationError is a ValueError): one line, no traceback.
        cli.error(str(exc))
    asyncio.run(serve(sim))
    return 0


if __name__ == "__main__":
    sys.exit(main())
