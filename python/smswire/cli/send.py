"""``smswire send`` and ``smswire send-csv``: real sends through SMPP or LINK.

Connection settings come from flags, ``SMSWIRE_SMPP_*`` / ``SMSWIRE_LINK_*``
environment variables or a TOML file (see :mod:`smswire.cli.settings`);
passwords never from the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from smswire.campaign import (
    ACCEPTED,
    BATCH_SIZE,
    PRICED,
    CampaignRow,
    CampaignSender,
    CampaignSummary,
    ResultsJournal,
    read_campaign,
    run_campaign,
)
from smswire.cli.senders import LinkSender, SmppSender
from smswire.cli.settings import link_settings, load_config, smpp_settings
from smswire.cli.terminal import Terminal
from smswire.errors import ConfigurationError
from smswire.link import AsyncLinkMobilityClient
from smswire.smpp import SmppClient

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    send = commands.add_parser(
        "send",
        help="send one SMS through SMPP or LINK",
        description="Send one text to one destination; prints its state and message ids.",
    )
    send.add_argument("destination")
    send.add_argument("text")
    _common(send)
    send.add_argument("--flash", action="store_true", help="class 0 (SMPP only)")
    send.set_defaults(handler=_send_one)

    csv = commands.add_parser(
        "send-csv",
        help="send every row of a CSV file (destination,text[,source])",
        description="Send a campaign from a CSV with a header naming destination, text and "
        "optionally source. Every outcome is written to --out as it happens; --resume "
        "continues a stopped run without sending a row twice.",
    )
    csv.add_argument("file", type=Path)
    _common(csv)
    csv.add_argument("--out", type=Path, required=True, help="the results CSV (append-only)")
    csv.add_argument("--resume", action="store_true", help="continue the run --out records")
    csv.add_argument(
        "--resend-unknown",
        action="store_true",
        help="with --resume, send again rows whose fate is unknown (risking duplicates)",
    )
    csv.add_argument("--concurrency", type=int, default=64, help="LINK requests at once")
    csv.add_argument(
        "--batch-size",
        type=int,
        default=BATCH_SIZE,
        help="rows handed to the connection at once; a crash leaves at most this many unknown",
    )
    csv.set_defaults(handler=_send_csv)


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
    parser.add_argument("--dry-run", action="store_true", help="validate and price, send nothing")
    parser.add_argument("--json", action="store_true", help="plain JSON output")


@contextlib.asynccontextmanager
async def open_sender(args: argparse.Namespace) -> AsyncIterator[CampaignSender]:
    """The sender ``--via`` names, connected unless this is a dry run."""
    config = load_config(args.config)
    # `send` has --flash and `send-csv` has --concurrency; each lacks the other.
    concurrency = getattr(args, "concurrency", 64)
    flash = getattr(args, "flash", False)
    if args.dry_run:
        # Pricing needs no connection, and no settings either.
        if args.via == "smpp":
            yield SmppSender(None, args.source, flash)
        else:
            yield LinkSender(None, args.source, concurrency, args.rate)
        return
    if args.via == "smpp":
        smpp = smpp_settings(config, url=args.url, ca_file=args.ca_file)
        tls: bool | str = smpp.ca_file if smpp.tls and smpp.ca_file else smpp.tls
        client = SmppClient(
            smpp.host,
            smpp.port,
            system_id=smpp.system_id,
            password=smpp.password,
            tls=tls,
            rate_limit=args.rate,
        )
        async with client:
            yield SmppSender(client, args.source, flash)
        return
    link = link_settings(config, url=args.url, ca_file=args.ca_file)
    context = ssl.create_default_context(cafile=link.ca_file) if link.ca_file else None
    async with AsyncLinkMobilityClient(
        link.url,
        service_id=link.service_id,
        username=link.username,
        password=link.password,
        ssl_context=context,
        allow_insecure_http=args.allow_insecure_http,
    ) as http:
        yield LinkSender(http, args.source, concurrency, args.rate)


def _send_one(args: argparse.Namespace) -> int:
    if args.flash and args.via != "smpp":
        raise ConfigurationError("--flash is an SMPP option (data_coding class 0)")
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
                return {**report, "state": PRICED, "message_ids": [], "error": ""}
            (outcome,) = await sender.send([row])
            return {
                **report,
                "state": outcome.state,
                "message_ids": list(outcome.message_ids),
                "error": outcome.error,
            }

    report = asyncio.run(go())
    terminal = Terminal(json_output=args.json)
    terminal.record(report)
    return 0 if report["state"] in (ACCEPTED, PRICED) else 1


def _send_csv(args: argparse.Namespace) -> int:
    if args.resend_unknown and not args.resume:
        raise ConfigurationError("--resend-unknown goes with --resume")
    try:
        stream = args.file.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigurationError(f"cannot read {args.file}: {exc.strerror}") from None
    terminal = Terminal(json_output=args.json)
    with stream:
        rows = list(read_campaign(stream))
    with ResultsJournal(args.out, resume=args.resume) as journal:

        async def go() -> CampaignSummary:
            async with open_sender(args) as sender:
                with terminal.progress(
                    "sending" if not args.dry_run else "pricing", len(rows)
                ) as advance:
                    return await run_campaign(
                        rows,
                        sender,
                        journal,
                        dry_run=args.dry_run,
                        resend_unknown=args.resend_unknown,
                        batch_size=args.batch_size,
                        on_progress=advance,
                    )

        summary = asyncio.run(go())
    terminal.campaign_summary(summary, out=args.out)
    return 0 if summary.all_accounted_for else 1
