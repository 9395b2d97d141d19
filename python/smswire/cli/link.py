"""``smswire simulate link`` and ``smswire receive-reports``: LINK Mobility offline.

``simulate link`` serves :class:`~smswire.link.LinkSimulator` under uvicorn;
``receive-reports`` serves :class:`~smswire.link.DeliveryReportReceiver` and
prints each report as one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import socket
import sys
import threading
from collections.abc import Iterable
from typing import Callable

from smswire.cli import command_group
from smswire.cli.checks import check_simulator_options
from smswire.errors import ConfigurationError
from smswire.link import DeliveryReport, ReportFormat
from smswire.link.reports import format_rfc3339

__all__ = ["register"]

_PASSWORD_ENV = "SMSWIRE_LINK_PASSWORD"
_LINK_PRESET = "link"
# RFC 9293 §3.1: a TCP port is 16 bits; 0 asks for any free one.
PORT_MAX = 65_535


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = command_group(commands, "simulate", help="run a provider simulator offline")
    sim = simulate.add_parser(
        "link",
        help="a LINK Mobility SMSC Simple HTTP endpoint",
        description="Serve a LINK Mobility SMSC Simple HTTP simulator; "
        f"its password comes from ${_PASSWORD_ENV} (default 'secret').",
    )
    _serving(sim, default_port=8080)
    sim.add_argument("--service-id", type=int, default=1)
    sim.add_argument("--username", default="user")
    sim.add_argument("--callback-url", help="where delivery reports are posted")
    sim.add_argument(
        "--report-format", choices=[f.value for f in ReportFormat], default=ReportFormat.JSON.value
    )
    sim.add_argument("--report-delay", type=float, default=1.0, metavar="SECONDS")
    sim.add_argument("--report-ack-body", help="the body a receiver must answer with")
    sim.add_argument("--not-delivered-share", type=float, default=0.0, metavar="SHARE")
    sim.add_argument("--unknown-subscriber-share", type=float, default=0.0, metavar="SHARE")
    sim.add_argument("--seed", type=int, help="seed for the injected failures")
    sim.set_defaults(handler=_simulate)

    receive = commands.add_parser(
        "receive-reports",
        help="receive LINK Mobility delivery reports, one JSON line each",
        description="Serve a LINK delivery-report receiver; print each report as JSON.",
    )
    _serving(receive, default_port=8081)
    receive.add_argument("--response-body", default="", help="answer each report with this")
    receive.add_argument(
        "--allow",
        action="append",
        metavar="ADDRESS",
        help=f"allowed source address or network, repeatable; '{_LINK_PRESET}' "
        "adds the guide's Appendix 1 list",
    )
    receive.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a proxy whose X-Forwarded-For is believed, repeatable",
    )
    receive.add_argument("--path", help="serve only this path")
    receive.set_defaults(handler=_receive)


def _serving(parser: argparse.ArgumentParser, *, default_port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=default_port, help="0 picks a free port")
    parser.add_argument("--certfile", help="TLS certificate chain (PEM); serves HTTPS")
    parser.add_argument("--keyfile", help="TLS private key (PEM)")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port: {text!r}") from None
    if not 0 <= port <= PORT_MAX:
        raise argparse.ArgumentTypeError(f"a port is 0 to {PORT_MAX}, not {port}")
    return port


def _serve(app: object, args: argparse.Namespace, announce: Callable[[str], str]) -> int:
    """Serve ``app`` under uvicorn on ``--host``/``--port``. ``announce(url)``
    is printed once the TLS files are loaded and the port is bound: never for
    a server that could not start."""
    try:
        import uvicorn
    except ImportError as exc:
        raise ConfigurationError("serving needs uvicorn: pip install 'smswire[cli]'") from exc
    if bool(args.certfile) != bool(args.keyfile):
        raise ConfigurationError("--certfile and --keyfile go together")
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        log_level="warning",
        # uvicorn would believe 127.0.0.1's X-Forwarded-For on its own; the
        # receiver's trusted_proxies decide instead.
        proxy_headers=False,
    )
    try:
        config.load()  # reads the TLS files
    except OSError as exc:
        raise ConfigurationError(
            f"cannot load --certfile {args.certfile} with --keyfile {args.keyfile}: "
            f"{exc.strerror or exc}"
        ) from None
    # Bound here, not by uvicorn, which reports a port in use in its own log
    # format after the announcement was printed.
    listener = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((args.host.strip("[]"), args.port))
    except OSError as exc:
        listener.close()
        raise ConfigurationError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    scheme = "https" if args.certfile else "http"
    url = f"{scheme}://{args.host}:{listener.getsockname()[1]}"
    print(announce(url), file=sys.stderr, flush=True)
    # Ctrl-C: uvicorn shuts down, then raises it again; that is the way to stop.
    with listener, contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[listener])
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from smswire.link import LinkSimulator

    check_simulator_options(args)
    simulator = LinkSimulator(
        service_id=args.service_id,
        username=args.username,
        password=os.environ.get(_PASSWORD_ENV, "secret"),
        callback_url=args.callback_url,
        report_format=ReportFormat(args.report_format),
        report_delay=args.report_delay,
        report_ack_body=args.report_ack_body,
        not_delivered_share=args.not_delivered_share,
        unknown_subscriber_share=args.unknown_subscriber_share,
        seed=args.seed,
    )
    return _serve(simulator, args, lambda url: f"LINK simulator on {url}/smscsimplehttp")


def report_json(report: DeliveryReport) -> str:
    """One report as a JSON line."""
    return json.dumps(
        {
            "message_id": report.message_id,
            "part": report.part,
            "result_code": int(report.result_code),
            "result": report.result_code.description,
            "final": report.result_code.is_final,
            "delivered": report.result_code.delivered,
            "ref_id": report.ref_id,
            "operator": report.operator,
            "sent_at": format_rfc3339(report.sent_at) if report.sent_at else None,
            "timestamp": format_rfc3339(report.timestamp) if report.timestamp else None,
            "operator_result_code": report.operator_result_code,
            "segments": report.segments,
            "gate_custom_parameters": dict(report.gate_custom_parameters),
            "custom_parameters": dict(report.custom_parameters),
        },
        ensure_ascii=False,
    )


def _check_networks(flag: str, values: Iterable[str]) -> None:
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ConfigurationError(f"{flag}: {exc}") from None


def _receive(args: argparse.Namespace) -> int:
    from smswire.link import LINK_REPORT_SOURCES, DeliveryReportReceiver

    # In the flags' words, before the receiver says it in its arguments' names.
    if args.path is not None and not args.path.startswith("/"):
        raise ConfigurationError(f"--path must start with '/', not {args.path!r}")
    allowed = None
    if args.allow:
        allowed = [a for a in args.allow if a != _LINK_PRESET]
        _check_networks("--allow", allowed)
        if _LINK_PRESET in args.allow:
            allowed += LINK_REPORT_SOURCES
    _check_networks("--trusted-proxy", args.trusted_proxy)
    lock = threading.Lock()

    def handler(report: DeliveryReport) -> None:
        with lock:
            print(report_json(report), flush=True)

    receiver = DeliveryReportReceiver(
        handler,
        response_body=args.response_body,
        allowed_sources=allowed,
        trusted_proxies=args.trusted_proxy,
        path=args.path,
    )
    where = args.path or "/ (any path)"
    return _serve(
        receiver,
        args,
        lambda url: (
            f"LINK report receiver on {url}, path {where}; one JSON line per report on stdout"
        ),
    )
