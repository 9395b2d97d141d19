"""``smswire demo``: the whole stack, offline, in one command.

Mints a throw-away certificate authority, starts the SMPP simulator (TLS) and
the LINK simulator with a delivery-report receiver (HTTPS, under uvicorn) in
this process, sends the sample batch through both ways out, waits for every
delivery receipt, and prints what happened. It exits 0 only when every
message was accepted and every part's receipt came back.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from smswire.cli.terminal import Advance, Terminal
from smswire.encoding import analyze
from smswire.errors import ConfigurationError
from smswire.link import (
    AsyncLinkMobilityClient,
    DeliveryReport,
    DeliveryReportReceiver,
    LinkSimulator,
)
from smswire.message import Message, SendResult
from smswire.options import Limits
from smswire.sample import SampleMessage, sample_batch
from smswire.sim import LocalAuthority, serve_https
from smswire.smpp import AsyncSmppClient, SmscSimulator

__all__ = ["DemoRoute", "register", "run_demo"]

SOURCE = "smswire"
# How long the demo waits for receipts after the last send: the simulators
# answer within a fraction of a second, so this bounds only a broken run.
RECEIPT_PATIENCE = 30.0
RECEIPT_DELAY = 0.05
# LINK requests at once: enough to keep the simulator busy.
LINK_WINDOW = 32


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser(
        "demo",
        help="send a sample batch through the embedded SMPP and LINK simulators",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    demo.add_argument("--count", type=int, default=300, help="messages per way out")
    demo.add_argument("--json", action="store_true", help="plain JSON output")
    demo.set_defaults(handler=_demo)


@dataclass
class DemoRoute:
    """What one way out did with the batch."""

    name: str
    messages: int = 0
    parts: int = 0
    accepted: int = 0
    seconds: float = 0.0
    encodings: Counter[str] = field(default_factory=Counter)
    receipts: Counter[str] = field(default_factory=Counter)
    receipts_expected: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def receipts_received(self) -> int:
        return sum(self.receipts.values())

    @property
    def accounted_for(self) -> bool:
        return (
            self.accepted == self.messages
            and not self.failures
            and self.receipts_received == self.receipts_expected
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "route": self.name,
            "messages": self.messages,
            "parts": self.parts,
            "accepted": self.accepted,
            "seconds": round(self.seconds, 3),
            "messages_per_second": round(self.messages / self.seconds, 1) if self.seconds else None,
            "encodings": dict(self.encodings),
            "receipts": dict(self.receipts),
            "receipts_expected": self.receipts_expected,
            "failures": [{"destination": d, "reason": r} for d, r in self.failures],
            "accounted_for": self.accounted_for,
        }


def _demo(args: argparse.Namespace) -> int:
    if args.count < 1:
        raise ConfigurationError(f"--count must be at least 1, got {args.count}")
    terminal = Terminal(json_output=args.json)
    routes = asyncio.run(run_demo(sample_batch(args.count), terminal))
    ok = all(route.accounted_for for route in routes)
    if terminal.json_output:
        terminal.print_json({"routes": [r.as_json() for r in routes], "accounted_for": ok})
    else:
        _print_summary(terminal, routes)
    return 0 if ok else 1


async def run_demo(batch: Sequence[SampleMessage], terminal: Terminal) -> list[DemoRoute]:
    """Send ``batch`` through both simulators; what each way out did."""
    with tempfile.TemporaryDirectory(prefix="smswire-demo-") as directory:
        authority = LocalAuthority(Path(directory))
        smpp = await _smpp_route(batch, authority, terminal)
        link = await _link_route(batch, authority, terminal)
    return [smpp, link]


def _route(name: str, batch: Sequence[SampleMessage]) -> DemoRoute:
    route = DemoRoute(name, messages=len(batch))
    for message in batch:
        analysis = analyze(message.text)
        route.encodings[analysis.encoding] += 1
    return route


async def _smpp_route(
    batch: Sequence[SampleMessage], authority: LocalAuthority, terminal: Terminal
) -> DemoRoute:
    route = _route("smpp (TLS)", batch)
    password = secrets.token_hex(4)  # SMPP 3.4 §4.1.1: at most 8 octets
    smsc = SmscSimulator(
        accounts={"demo": password}, tls=authority.server_context(), receipt_delay=RECEIPT_DELAY
    )
    async with smsc:
        client = AsyncSmppClient(
            "127.0.0.1",
            smsc.port,
            system_id="demo",
            password=password,
            tls=authority.client_context(),
            source=SOURCE,
        )
        async with client:
            await _smpp_send(batch, client, route, terminal)
    return route


async def _smpp_send(
    batch: Sequence[SampleMessage], client: AsyncSmppClient, route: DemoRoute, terminal: Terminal
) -> None:
    messages = [Message(m.destination, m.text, flash=m.flash) for m in batch]
    started = time.perf_counter()
    with terminal.progress("SMPP: sending", len(messages)) as advance:
        results = await client.send_many(messages, on_progress=_stepper(advance))
    route.seconds = time.perf_counter() - started
    _count(route, results)
    with terminal.progress("SMPP: receipts", route.receipts_expected) as advance:
        await _collect(route, _smpp_receipts(client), advance)


def _count(route: DemoRoute, results: Sequence[SendResult]) -> None:
    """Parts sent, messages accepted and the receipts they are owed (one a part)."""
    for result in results:
        route.parts += max(result.parts, 1)
        if result.ok:
            route.accepted += 1
            route.receipts_expected += result.parts
        else:
            reason = result.error or result.outcome.value
            route.failures.append((result.message.destination, reason))


async def _smpp_receipts(client: AsyncSmppClient) -> AsyncIterator[str]:
    async for receipt in client.receipts():
        yield receipt.state.value


async def _link_route(
    batch: Sequence[SampleMessage], authority: LocalAuthority, terminal: Terminal
) -> DemoRoute:
    route = _route("link (HTTPS)", batch)
    reports: asyncio.Queue[DeliveryReport] = asyncio.Queue()
    receiver = DeliveryReportReceiver(reports.put)
    password = secrets.token_urlsafe(12)
    async with serve_https(receiver, authority) as receiver_url:
        simulator = LinkSimulator(
            service_id=1,
            username="demo",
            password=password,
            callback_url=receiver_url,
            callback_ssl_context=authority.client_context(),
            report_delay=RECEIPT_DELAY,
        )
        async with serve_https(simulator, authority) as link_url:
            client = AsyncLinkMobilityClient(
                f"{link_url}/smscsimplehttp",
                service_id=1,
                username="demo",
                password=password,
                source=SOURCE,
                ssl_context=authority.client_context(),
                limits=Limits(window=LINK_WINDOW),
            )
            async with client:
                await _link_send(batch, client, reports, route, terminal)
    return route


async def _link_send(
    batch: Sequence[SampleMessage],
    client: AsyncLinkMobilityClient,
    reports: asyncio.Queue[DeliveryReport],
    route: DemoRoute,
    terminal: Terminal,
) -> None:
    messages = [Message(m.destination, m.text) for m in batch]
    started = time.perf_counter()
    with terminal.progress("LINK: sending", len(messages)) as advance:
        results = await client.send_many(messages, on_progress=_stepper(advance))
    route.seconds = time.perf_counter() - started
    _count(route, results)

    async def states() -> AsyncIterator[str]:
        while True:
            report = await reports.get()
            yield report.result_code.description

    with terminal.progress("LINK: reports", route.receipts_expected) as advance:
        await _collect(route, states(), advance)


def _stepper(advance: Advance) -> Callable[[int, int], None]:
    last = 0

    def on_progress(done: int, total: int) -> None:
        nonlocal last
        advance(done - last)
        last = done

    return on_progress


async def _collect(route: DemoRoute, states: AsyncIterator[str], advance: Advance) -> None:
    """Count receipts by state until every expected one came, or patience ran out."""

    async def count() -> None:
        async for state in states:
            route.receipts[state] += 1
            advance(1)
            if route.receipts_received >= route.receipts_expected:
                return

    if route.receipts_expected == 0:
        return
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(count(), RECEIPT_PATIENCE)


def _print_summary(terminal: Terminal, routes: Sequence[DemoRoute]) -> None:
    header = ("", *(route.name for route in routes))

    def row(label: str, values: Sequence[object]) -> tuple[object, ...]:
        return (label, *values)

    encodings = sorted({enc for route in routes for enc in route.encodings})
    states = sorted({state for route in routes for state in route.receipts})
    rows = [
        row("messages", [r.messages for r in routes]),
        row("parts", [r.parts for r in routes]),
        *(row(f"encoding {e}", [r.encodings[e] for r in routes]) for e in encodings),
        row("accepted", [r.accepted for r in routes]),
        row("messages/s", [f"{r.messages / r.seconds:,.0f}" if r.seconds else "-" for r in routes]),
        row("receipts expected", [r.receipts_expected for r in routes]),
        *(row(f"receipts: {s}", [r.receipts[s] for r in routes]) for s in states),
        row("all accounted for", ["yes" if r.accounted_for else "NO" for r in routes]),
    ]
    terminal.table("smswire demo", header, rows)
    failures = [(r.name, d, reason) for r in routes for d, reason in r.failures]
    if failures:
        terminal.table("failures", ("route", "destination", "reason"), failures)
