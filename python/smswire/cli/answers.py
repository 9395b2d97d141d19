"""``smswire status KEY`` and ``smswire events``: what the outbox knows.

``status`` reads one message's story (parts, message ids, outcome, receipts)
from the store without writing to it, so it can run beside a worker.
``events`` follows every state change for a named consumer, one line (or
JSON object) each, and acknowledges each after printing it: stopped and
started again, it resumes after the last line it printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from typing import Any

from smswire.cli.terminal import Terminal
from smswire.cli.worker import add_store
from smswire.errors import ConfigurationError
from smswire.outbox import Event, MessageStatus, Outbox, shown_location
from smswire.outbox.receipts import receipt_message_id

__all__ = ["event_json", "register", "status_json"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = commands.add_parser(
        "status",
        help="what became of the message put in the outbox under KEY",
        description="Print a message's state, parts, message ids, outcome and receipts.",
    )
    status.add_argument("key")
    add_store(status)
    status.add_argument("--json", action="store_true", help="plain JSON output")
    status.set_defaults(handler=_status)

    events = commands.add_parser(
        "events",
        help="follow the outbox's state changes, resuming where this consumer left off",
        description="Print every state change (outcomes, receipts, mobile-originated "
        "messages) for the consumer NAME, acknowledging each after printing it.",
    )
    add_store(events)
    events.add_argument("--consumer", required=True, metavar="NAME")
    events.add_argument(
        "--idle-timeout",
        type=float,
        metavar="SECONDS",
        help="stop after this long without an event (default: follow until Ctrl-C)",
    )
    events.add_argument("--json", action="store_true", help="one JSON object per line")
    events.set_defaults(handler=_events)


def _time(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _name(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "name", value))


def status_json(status: MessageStatus) -> dict[str, Any]:
    """A message's story as plain JSON values."""
    message = status.message
    return {
        "key": status.key,
        "route": status.route,
        "state": status.state,
        "destination": message.destination,
        "source": message.source,
        "text": message.text,
        "outcome": None if status.outcome is None else status.outcome.value,
        "status": _name(status.status),
        "error": status.error,
        "delivery": None if status.delivery is None else status.delivery.value,
        "billed": status.billed,
        "possibly_written": status.possibly_written,
        "attempts": status.attempts,
        "part_count": status.part_count,
        "message_ids": list(status.message_ids),
        "put_at": _time(status.put_at),
        "settled_at": _time(status.settled_at),
        "delivered_at": _time(status.delivered_at),
        "parts": [
            {
                "attempt": part.attempt,
                "index": part.index,
                "message_id": part.message_id,
                "state": part.state.value,
                "billed": part.billed,
            }
            for part in status.parts
        ],
        "receipts": [
            {
                "attempt": record.attempt,
                "index": record.index,
                "message_id": receipt_message_id(record.receipt),
                "state": record.state.value,
                "billed": record.billed,
                "received_at": _time(record.received_at),
            }
            for record in status.receipts
        ],
    }


def event_json(event: Event) -> dict[str, Any]:
    """One event as plain JSON values."""
    data: dict[str, Any] = {
        "id": event.id,
        "event": event.name,
        "kind": event.kind.value,
        "at": _time(event.at),
        "route": event.route,
        "key": event.key,
    }
    if event.status is not None or event.error is not None:
        data.update(status=_name(event.status), error=event.error)
    if event.message_id is not None:
        data.update(part=event.part, message_id=event.message_id, billed=event.billed)
    mo = event.mobile_originated
    if mo is not None:
        data.update(source=mo.source, destination=mo.destination, text=mo.text)
    return data


def _status(args: argparse.Namespace) -> int:
    async def look() -> MessageStatus | None:
        async with Outbox.open(args.store, read_only=True) as outbox:
            return await outbox.status(args.key)

    _must_exist(args.store)
    found = asyncio.run(look())
    if found is None:
        raise ConfigurationError(
            f"no message under the key {args.key!r} in {shown_location(args.store)}"
        )
    terminal = Terminal(json_output=args.json)
    data = status_json(found)
    if terminal.json_output:
        terminal.print_json(data)
        return 0
    parts, receipts = data.pop("parts"), data.pop("receipts")
    terminal.record(data)
    if parts:
        terminal.table(
            "parts",
            ("attempt", "part", "message id", "state"),
            [(p["attempt"], p["index"], p["message_id"], p["state"]) for p in parts],
        )
    if receipts:
        terminal.table(
            "receipts",
            ("part", "message id", "state", "billed"),
            [(r["index"], r["message_id"], r["state"], r["billed"]) for r in receipts],
        )
    return 0


def _events(args: argparse.Namespace) -> int:
    _must_exist(args.store)
    return asyncio.run(_follow(args))


async def _follow(args: argparse.Namespace) -> int:
    async with Outbox.open(args.store) as outbox:
        feed = outbox.events(args.consumer, idle_timeout=args.idle_timeout)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, feed.close)
        with contextlib.suppress(BrokenPipeError):
            async for event in feed:
                data = event_json(event)
                if args.json:
                    Terminal(json_output=True).print_json(data)
                else:
                    print(_line(data), flush=True)
                await feed.ack(event)
    return 0


def _line(data: dict[str, Any]) -> str:
    words = [str(data["at"]), data["event"], data["key"] or "-"]
    for name in ("message_id", "status", "error", "source", "text"):
        if data.get(name):
            words.append(f"{name}={data[name]}")
    return " ".join(words)


def _must_exist(store: str) -> None:
    # Asking never creates a store (opening a missing file would); a Redis
    # outbox is a URL, and reading it creates nothing.
    if "://" not in store and not os.path.exists(store):
        raise ConfigurationError(f"no outbox store at {store}: give --store")
