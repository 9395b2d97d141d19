"""``smswire simulate smpp``: an inMobile-like SMSC on this machine.

It serves TLS unless ``--no-tls`` asks for plain TCP, as inMobile accepts
nothing else. With no certificate of your own, a throw-away certificate
authority is minted (:class:`smswire.sim.LocalAuthority`, the ``sim`` extra)
and its certificate written where ``--ca-out`` says, so a client can trust it
exactly as inMobile asks customers to trust theirs. Passwords come from the
environment, never the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import ssl
import sys
import tempfile
from pathlib import Path

from smswire.cli import command_group
from smswire.cli.checks import check_simulator_options
from smswire.errors import ConfigurationError
from smswire.pdu import CommandStatus
from smswire.sim import LocalAuthority
from smswire.smpp import SmscSimulator

__all__ = ["register"]

_PASSWORD_ENV = "SMSWIRE_SMPP_PASSWORD"
# inMobile: "port 2775 (ssl is required for all connections)".
_DEFAULT_PORT = 2775


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = command_group(commands, "simulate", help="run a provider simulator offline")
    sim = simulate.add_parser(
        "smpp",
        help="an SMPP 3.4 SMSC that behaves like inMobile's",
        description="Serve an SMPP 3.4 SMSC simulator until interrupted. With --account, "
        f"binds must use that system_id and the password in ${_PASSWORD_ENV}; without it, "
        "any credentials bind.",
    )
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=_DEFAULT_PORT, help="0 picks a free port")
    sim.add_argument(
        "--tls",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="serve TLS as inMobile does, or plain TCP with --no-tls",
    )
    sim.add_argument("--certfile", help="PEM certificate chain (default: minted for --host)")
    sim.add_argument("--keyfile", help="PEM private key of --certfile")
    sim.add_argument(
        "--ca-out",
        default="smswire-smpp-ca.pem",
        metavar="PATH",
        help="where to write the minted CA certificate for clients to trust",
    )
    sim.add_argument("--account", metavar="SYSTEM_ID", help="the one system_id that may bind")
    sim.add_argument("--receipt-delay", type=float, default=1.0, metavar="SECONDS")
    sim.add_argument("--tps-limit", type=int, metavar="N", help="ESME_RTHROTTLED above N/s")
    sim.add_argument("--failure-rate", type=float, default=0.0, metavar="SHARE")
    sim.add_argument(
        "--failure-status",
        default="ESME_RSYSERR",
        choices=[s.name for s in CommandStatus if s != CommandStatus.ESME_ROK],
        metavar="STATUS",
        help="the status failed submits get (default ESME_RSYSERR)",
    )
    sim.add_argument("--seed", type=int, help="seed for the injected failures")
    sim.set_defaults(handler=_simulate)


def _tls(args: argparse.Namespace) -> ssl.SSLContext | None:
    if not args.tls:
        return None
    if args.certfile:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.certfile, args.keyfile)
        return context
    with tempfile.TemporaryDirectory(prefix="smswire-smpp-ca-") as directory:
        authority = LocalAuthority(Path(directory), hosts=(args.host, "localhost", "127.0.0.1"))
        shutil.copyfile(authority.ca_file, args.ca_out)
    return authority.server_context()


def _simulate(args: argparse.Namespace) -> int:
    check_simulator_options(args)
    if args.keyfile and not args.certfile:
        raise ConfigurationError("--keyfile needs --certfile")
    accounts = None
    if args.account:
        password = os.environ.get(_PASSWORD_ENV)
        if not password:
            raise ConfigurationError(f"--account needs the password in ${_PASSWORD_ENV}")
        accounts = {args.account: password}
    simulator = SmscSimulator(
        args.host,
        args.port,
        accounts=accounts,
        tls=_tls(args) or False,
        receipt_delay=args.receipt_delay,
        tps_limit=args.tps_limit,
        failure_rate=args.failure_rate,
        failure_status=CommandStatus[args.failure_status],
        seed=args.seed,
    )
    asyncio.run(_serve(simulator, args))
    return 0


async def _serve(simulator: SmscSimulator, args: argparse.Namespace) -> None:
    async with simulator:
        scheme = "smpps" if args.tls else "smpp"
        line = f"SMPP simulator on {scheme}://{args.host}:{simulator.port}"
        if args.tls and not args.certfile:
            line += f" (trust {Path(args.ca_out).resolve()})"
        print(line, file=sys.stderr, flush=True)
        await asyncio.Event().wait()
