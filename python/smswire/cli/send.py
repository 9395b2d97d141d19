"""``smswire send``: one real send through SMPP or LINK (campaigns: ``send-csv``).

Connection settings come from flags, ``SMSWIRE_SMPP_*`` / ``SMSWIRE_LINK_*``
environment variables or a TOML file (see :mod:`smswire.cli.settings`);
passwords never from the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from smswire.campaign import (
    DRY_RUN,
    CampaignRow,
    CampaignSender,
)
from smswire.cli.checks import check_send_options
from smswire.cli.senders import PRICES, ClientSender
from smswire.cli.settings import link_settings, load_config, smpp_settings
from smswire.cli.terminal import Terminal
from smswire.message import Delivery, Outcome
from smswire.options import Limits
from smswire.smpp import AsyncSmppClient
from smswire.tls import verifying_context

if TYPE_CHECKING:
    from smswire.link import AsyncLinkMobilityClient

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    send = commands.add_parser(
        "send",
        help="send one SMS through SMPP or LINK",
        description="Send one text to one destination; prints its outcome and message ids.",
    )
    send.add_argument("destination")
    send.add_argument("text")
    _common(send)
    send.add_argument("--flash", action="store_true", help="class 0 (SMPP only)")
    send.set_defaults(handler=_send_one)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--via", choices=("smpp", "link"), required=True)
    parser.add_argument("--source", help="sender: number, short code or alphanumeric")
    parser.add_argument("--config", metavar="TOML", help="settings file ([smpp] and [link])")
    parser.add_argument("--url", help="smpps://system_id@host:port, or the LINK base URL")
    parser.add_argument("--ca-file", help="PEM CA certificate to trust (e.g. a simulator's)")
    parser.add_argument("--rate", type=float, help="at most this many messages a second")
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="permit LINK's legacy http:// URL (the password then crosses the network readable)",
    )
    parser.add_argument(
        "--bind",
        choices=("transmitter", "transceiver"),
        default="transmitter",
        help="SMPP bind (default transmitter: receipts stay with the SMSC for "
        "`smswire receive` or your receiver)",
    )
    parser.add_argument("--dry-run", action="store_true", help="validate and price, send nothing")
    parser.add_argument("--json", action="store_true", help="plain JSON output")


@contextlib.asynccontextmanager
async def open_sender(args: argparse.Namespace) -> AsyncIterator[CampaignSender]:
    """The sender ``--via`` names, connected unless this is a dry run."""
    # `send` has --flash and `send-csv` has --concurrency; each lacks the other.
    options = {"flash": True} if getattr(args, "flash", False) else {}
    price = PRICES[args.via]
    if args.dry_run:
        # Pricing needs no connection, and no settings either.
        yield ClientSender(None, price, args.source, options)
        return
    config = load_config(args.config)
    client: AsyncSmppClient | AsyncLinkMobilityClient
    if args.via == "smpp":
        smpp = smpp_settings(config, url=args.url, ca_file=args.ca_file)
        client = AsyncSmppClient(
            smpp.host,
            smpp.port,
            system_id=smpp.system_id,
            password=smpp.password,
            # Sending only: a transceiver would be handed receipts nobody here reads.
            bind=args.bind,
            tls=(smpp.ca_file or True) if smpp.tls else False,
            limits=Limits(rate=args.rate),
            # A submit whose response was lost is UNKNOWN, never resubmitted:
            # one message sent by hand is not worth a possible duplicate.
            delivery=Delivery.AT_MOST_ONCE,
        )
    else:
        from smswire.link import AsyncLinkMobilityClient  # aiohttp and httpx: LINK only

        link = link_settings(config, url=args.url, ca_file=args.ca_file)
        client = AsyncLinkMobilityClient(
            link.url,
            service_id=link.service_id,
            username=link.username,
            password=link.password,
            ssl_context=verifying_context(ca_file=link.ca_file) if link.ca_file else None,
            allow_insecure_http=args.allow_insecure_http,
            limits=Limits(window=getattr(args, "concurrency", Limits().window), rate=args.rate),
        )
    if isinstance(client, AsyncSmppClient):
        await client.connect()
    try:
        yield ClientSender(client, price, args.source, options)
    finally:
        await client.close()


def _send_one(args: argparse.Namespace) -> int:
    check_send_options(args)
    row = CampaignRow(0, args.destination, args.text, args.source)

    async def go() -> dict[str, Any]:
        async with open_sender(args) as sender:
            price = sender.price(row)
            report: dict[str, Any] = {
                "destination": row.destination,
                "encoding": price.encoding,
                "parts": price.parts,
            }
            if args.dry_run:
                return {
                    **report,
                    "outcome": Outcome.NOT_SENT.value,
                    "message_ids": [],
                    "status": "",
                    "error": DRY_RUN,
                }
            (result,) = await sender.send([row])
            return {
                **report,
                "parts": result.parts or price.parts,
                "outcome": result.outcome.value,
                "message_ids": list(result.message_ids),
                "status": "" if result.status is None else result.status.name,
                "error": result.error or "",
            }

    report = asyncio.run(go())
    terminal = Terminal(json_output=args.json)
    terminal.record(report)
    return 0 if report["outcome"] == Outcome.ACCEPTED.value or args.dry_run else 1
