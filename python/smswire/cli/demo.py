"""``smswire demo``: the whole stack, offline, in one command.

Mints a throw-away certificate authority, starts the SMPP simulator (TLS) and
the LINK simulator with a delivery-report receiver (HTTPS, under uvicorn) in
this process, and sends the sample batch through both ways out the way an
application does: put in a durable outbox (a SQLite file), drained by an
:class:`~smswire.outbox.OutboxWorker`, every receipt committed to the store
before it is acknowledged. It follows the store's events until every message
has its final delivery state, then prints the receipts by state from each
message's ``status``. It exits 0 only when every message was accepted and
every part's receipt came back.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smswire.cli.terminal import Advance, Terminal
from smswire.encoding import analyze
from smswire.errors import ConfigurationError
from smswire.message import Message, Outcome
from smswire.options import Limits
from smswire.outbox import EventKind, InboundRecorder, MessageStatus, Outbox, OutboxWorker, Sender
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
# How often the sending progress bar looks at the worker.
PROGRESS_TICK = 0.1


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
    """Send ``batch`` through both simulators, by way of an outbox; what each way out did."""
    with tempfile.TemporaryDirectory(prefix="smswire-demo-") as directory:
        authority = LocalAuthority(Path(directory))
        async with Outbox.open(Path(directory) / "outbox.db") as outbox:
            smpp = await _smpp_route(batch, authority, outbox, terminal)
            link = await _link_route(batch, authority, outbox, terminal)
    return [smpp, link]


def _route(name: str, batch: Sequence[SampleMessage]) -> DemoRoute:
    route = DemoRoute(name, messages=len(batch))
    for message in batch:
        analysis = analyze(message.text)
        route.encodings[analysis.encoding] += 1
    return route


async def _smpp_route(
    batch: Sequence[SampleMessage], authority: LocalAuthority, outbox: Outbox, terminal: Terminal
) -> DemoRoute:
    route = _route("smpp (TLS)", batch)
    password = secrets.token_hex(4)  # SMPP 3.4 §4.1.1: at most 8 octets
    smsc = SmscSimulator(
        accounts={"demo": password}, tls=authority.server_context(), receipt_delay=RECEIPT_DELAY
    )
    inbound = InboundRecorder(outbox, "smpp")
    async with smsc:
        client = AsyncSmppClient(
            "127.0.0.1",
            smsc.port,
            system_id="demo",
            password=password,
            tls=authority.client_context(),
            source=SOURCE,
            on_inbound=inbound,
        )
        async with client:
            messages = [Message(m.destination, m.text, flash=m.flash) for m in batch]
            await _through_outbox("SMPP", outbox, client, inbound, messages, route, terminal)
    return route


async def _link_route(
    batch: Sequence[SampleMessage], authority: LocalAuthority, outbox: Outbox, terminal: Terminal
) -> DemoRoute:
    from smswire.link import AsyncLinkMobilityClient, DeliveryReportReceiver, LinkSimulator

    route = _route("link (HTTPS)", batch)
    inbound = InboundRecorder(outbox, "link")
    # LINK guide: Delivery Reports: the 200 goes back only once the report is stored.
    receiver = DeliveryReportReceiver(inbound.report)
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
                messages = [Message(m.destination, m.text) for m in batch]
                await _through_outbox("LINK", outbox, client, inbound, messages, route, terminal)
    return route


async def _through_outbox(
    label: str,
    outbox: Outbox,
    sender: Sender,
    inbound: InboundRecorder,
    messages: Sequence[Message],
    route: DemoRoute,
    terminal: Terminal,
) -> None:
    """Put ``messages`` in the outbox, drain them, follow the events to the receipts."""
    name = inbound.route
    keys = [f"{name}-{i}" for i in range(len(messages))]
    await outbox.put_many(zip(keys, messages), route=name)
    worker = OutboxWorker(outbox, sender, route=name, inbound=inbound)
    started = time.perf_counter()
    with terminal.progress(f"{label}: sending", len(messages)) as advance:
        running = asyncio.ensure_future(worker.run(until_empty=True))
        shown = 0
        while not running.done():
            await asyncio.wait([running], timeout=PROGRESS_TICK)
            stats = worker.stats
            settled = stats.accepted + stats.rejected + stats.unknown + stats.not_sent
            advance(settled - shown)
            shown = settled
        await running
    route.seconds = time.perf_counter() - started
    statuses = [await outbox.status(key) for key in keys]
    accepted = {s.key for s in statuses if s is not None and s.outcome is Outcome.ACCEPTED}
    for status in statuses:
        _count(route, status)
    with terminal.progress(f"{label}: receipts", len(accepted)) as advance:
        await _follow(outbox, name, accepted, advance)
    for status in statuses:
        if status is not None:
            found = await outbox.status(status.key)
            for record in found.receipts if found is not None else ():
                route.receipts[record.state.value] += 1


def _count(route: DemoRoute, status: MessageStatus | None) -> None:
    """Parts sent, messages accepted and the receipts they are owed (one a part)."""
    if status is None:
        route.failures.append(("?", "a message put in the outbox is missing"))
        return
    route.parts += max(status.part_count, 1)
    if status.outcome is Outcome.ACCEPTED:
        route.accepted += 1
        route.receipts_expected += status.part_count
    else:
        reason = status.error or status.state
        route.failures.append((status.message.destination, reason))


async def _follow(outbox: Outbox, name: str, accepted: set[str], advance: Advance) -> None:
    """Follow the outbox's events until every accepted message has its final
    delivery state, or patience ran out."""
    waiting = set(accepted)
    feed = outbox.events(f"demo-{name}", idle_timeout=RECEIPT_PATIENCE)

    async def follow() -> None:
        async for event in feed:
            await feed.ack(event)
            delivery = event.delivery
            final = event.kind is EventKind.DELIVERY and delivery is not None and delivery.final
            if final and event.key in waiting:
                waiting.discard(event.key)
                advance(1)
                if not waiting:
                    return

    if not waiting:
        return
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(follow(), RECEIPT_PATIENCE)


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
