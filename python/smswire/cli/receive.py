"""``smswire receive``: delivery receipts and mobile-originated messages over SMPP.

Binds as a receiver (``--bind transceiver`` where the SMSC delivers only to
transceivers), prints each receipt and message (one JSON line each with
``--json``) or appends them as JSON lines to ``--output``, and acknowledges
each to the SMSC only once it is written and flushed (with ``--output``,
synced to disk): stopped at any moment, it loses nothing, and the SMSC
delivers again what it had not acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import json
import os
import sys
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from smswire.cli.settings import load_config, smpp_settings
from smswire.errors import ConfigurationError
from smswire.smpp import AsyncSmppClient, DeliveryReceipt
from smswire.smpp.receiving import Inbound

__all__ = ["inbound_record", "register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    receive = commands.add_parser(
        "receive",
        help="receive SMPP delivery receipts and mobile-originated messages",
        description="Bind to an SMPP SMSC and print each delivery receipt and incoming "
        "message as it comes; each is acknowledged only after it is written. Settings as "
        "for `smswire send --via smpp` (--url, SMSWIRE_SMPP_*, --config).",
    )
    receive.add_argument("--config", metavar="TOML", help="settings file ([smpp])")
    receive.add_argument("--url", help="smpps://system_id@host:port")
    receive.add_argument("--ca-file", help="PEM CA certificate to trust (e.g. a simulator's)")
    receive.add_argument(
        "--bind",
        choices=("receiver", "transceiver"),
        default="receiver",
        help="how to bind (default: receiver)",
    )
    receive.add_argument("--json", action="store_true", help="one JSON object per line")
    receive.add_argument(
        "--output", type=Path, metavar="FILE", help="append JSON lines to FILE instead"
    )
    receive.add_argument(
        "--count",
        type=int,
        metavar="N",
        help="stop once N have been written (all of the last read's are)",
    )
    receive.set_defaults(handler=_receive)


def inbound_record(item: Inbound) -> dict[str, Any]:
    """A receipt or message as plain JSON values: every field, octets in hex."""
    kind = "receipt" if isinstance(item, DeliveryReceipt) else "message"
    record: dict[str, Any] = {"type": kind}
    for field in fields(item):
        if field.name == "message":
            continue  # a receiver never sent it; correlating is the sender's
        value = getattr(item, field.name)
        if isinstance(value, bytes):
            value = value.hex()
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        record[field.name] = value
    return record


def _line(item: Inbound) -> str:
    if isinstance(item, DeliveryReceipt):
        error = "" if item.error is None else f" err {item.error}"
        return f"receipt {item.message_id} {item.state.value}{error} for {item.source}"
    problem = f" (unreadable: {item.error})" if item.error else ""
    return f"message from {item.source} to {item.destination}: {item.text}{problem}"


class _Writer:
    """Writes each batch, flushed (and synced, to a file), before it is acknowledged."""

    def __init__(self, stream: IO[str], *, as_json: bool, sync: bool, count: int | None) -> None:
        self._stream = stream
        self._json = as_json
        self._sync = sync
        self._left = count
        self.done = asyncio.Event()

    async def __call__(self, batch: list[Inbound]) -> None:
        for item in batch:
            if self._json:
                line = json.dumps(inbound_record(item), ensure_ascii=False)
            else:
                line = _line(item)
            self._stream.write(line + "\n")
        self._stream.flush()
        if self._sync:
            os.fsync(self._stream.fileno())
        if self._left is not None:
            self._left -= len(batch)
            if self._left <= 0:
                self.done.set()


def _receive(args: argparse.Namespace) -> int:
    if args.count is not None and args.count < 1:
        raise ConfigurationError(f"--count must be at least 1, not {args.count}")
    smpp = smpp_settings(load_config(args.config), url=args.url, ca_file=args.ca_file)
    stream: IO[str] = sys.stdout
    if args.output is not None:
        stream = args.output.open("a", encoding="utf-8")

    async def go() -> None:
        writer = _Writer(
            stream,
            as_json=args.json or args.output is not None,
            sync=args.output is not None,
            count=args.count,
        )
        async with AsyncSmppClient(
            smpp.host,
            smpp.port,
            system_id=smpp.system_id,
            password=smpp.password,
            bind=args.bind,
            tls=(smpp.ca_file or True) if smpp.tls else False,
            on_inbound=writer,
        ):
            print(f"receiving as {smpp.system_id} ({args.bind})", file=sys.stderr, flush=True)
            await writer.done.wait()

    try:
        asyncio.run(go())
    finally:
        if stream is not sys.stdout:
            stream.close()
    return 0
