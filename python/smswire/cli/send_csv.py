"""``smswire send-csv``: a campaign from CSV, through the durable outbox.

Each valid row is put in the outbox (``--store``) under its fingerprint (a
hash of destination, text and source), then a worker drains the route, and
the results file (``--out``) is exported from the store at the end, written
whole to a temporary file and renamed over the old one, so it is never torn.
Resuming a stopped run is running it again with the same store: rows whose
fingerprint is already there are never put twice, so never sent twice; a
row a killed run may have written is resent flagged (``--delivery
at-least-once``, the default) or recorded unknown (``at-most-once``).
Identical rows share a fingerprint, so they are one message.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from smswire.campaign import (
    CSV_ENCODING,
    CSV_ERRORS,
    DRY_RUN,
    RESULT_FIELDS,
    CampaignRow,
    CampaignSummary,
    InvalidRow,
    Price,
    RowResult,
    read_campaign,
)
from smswire.cli.checks import check_send_options
from smswire.cli.senders import PRICES, ClientSender
from smswire.cli.terminal import Terminal
from smswire.cli.worker import (
    QUIT_AT_ONCE,
    add_connection,
    add_store,
    open_way_out,
    stop_on_signals,
    worker_for,
)
from smswire.errors import ConfigurationError, SmswireError
from smswire.message import Message, Outcome
from smswire.outbox import InboundRecorder, MessageStatus, Outbox

__all__ = ["PUT_BATCH", "export_results", "register"]

# Rows put in one commit: large enough for put_many's speed, small enough that
# other processes sharing the store wait for one commit only briefly.
PUT_BATCH = 5_000
_ACCEPTED = Outcome.ACCEPTED.value
_NOT_SENT = Outcome.NOT_SENT.value


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "send-csv",
        help="send every row of a CSV file (destination,text[,source]) through the outbox",
        description="Put a campaign's rows in the outbox and send them; run it again with "
        "the same --store to resume: no row is sent twice. The results are exported to --out.",
    )
    parser.add_argument("file", type=Path)
    add_store(parser)
    add_connection(parser)
    parser.add_argument(
        "--out",
        type=Path,
        help="the results CSV, exported from the store (optional with --dry-run)",
    )
    parser.add_argument(
        "--bind",
        choices=("transmitter", "transceiver"),
        default="transmitter",
        help="SMPP bind (default transmitter: receipts stay with the SMSC for `smswire "
        "worker`, `smswire receive` or your receiver; a transceiver stores every receipt "
        "of the account that comes during the run)",
    )
    parser.add_argument("--dry-run", action="store_true", help="validate and price, send nothing")
    parser.add_argument("--json", action="store_true", help="plain JSON output")
    parser.set_defaults(handler=_send_csv)


def _send_csv(args: argparse.Namespace) -> int:
    check_send_options(args)
    try:
        # A byte that is not UTF-8 fails its row (read_campaign), not the run.
        stream = args.file.open(newline="", encoding=CSV_ENCODING, errors=CSV_ERRORS)
    except OSError as exc:
        raise ConfigurationError(f"cannot read {args.file}: {exc.strerror}") from None
    with stream:
        items = list(read_campaign(stream))
    pricer = ClientSender(None, PRICES[args.via], args.source)
    summary = CampaignSummary()
    results: list[RowResult] = []
    valid: list[tuple[CampaignRow, Price, Message]] = []
    for item in items:
        summary.rows += 1
        if isinstance(item, InvalidRow):
            results.append(RowResult(item.line, "", "", _NOT_SENT, error=item.error))
            continue
        try:
            price, message = pricer.price(item), pricer.message(item)
        except SmswireError as exc:
            refused = RowResult(
                item.line, item.fingerprint, item.destination, _NOT_SENT, error=str(exc)
            )
            results.append(refused)
            continue
        valid.append((item, price, message))
    invalid = {r.line for r in results}
    if args.dry_run:
        results += [_priced(row, price, _NOT_SENT, error=DRY_RUN) for row, price, _ in valid]
    else:
        results += asyncio.run(_campaign(args, valid, summary))
    results.sort(key=lambda r: r.line)
    if args.out is not None:
        export_results(args.out, results)
    for result in results:
        summary.outcomes[result.outcome] += 1
        summary.parts += result.parts
        if result.encoding:
            summary.encodings[result.encoding] += 1
        if result.line in invalid:
            summary.invalid.append(result)
        elif result.outcome != _ACCEPTED and result.error != DRY_RUN:
            summary.failed.append(result)
    Terminal(json_output=args.json).campaign_summary(summary, out=args.out)
    if summary.interrupted:
        return QUIT_AT_ONCE  # the shell's status for a run stopped by SIGINT
    return 0 if summary.all_accounted_for else 1


async def _campaign(
    args: argparse.Namespace,
    valid: Sequence[tuple[CampaignRow, Price, Message]],
    summary: CampaignSummary,
) -> list[RowResult]:
    async with Outbox.open(args.store) as outbox:
        new = 0
        for start in range(0, len(valid), PUT_BATCH):
            chunk = valid[start : start + PUT_BATCH]
            items = [(row.fingerprint, message) for row, _, message in chunk]
            new += await outbox.put_many(items, route=args.route)
        summary.skipped = len({row.fingerprint for row, _, _ in valid}) - new
        inbound = InboundRecorder(outbox, args.route)
        async with open_way_out(args, inbound) as sender:
            worker = worker_for(args, outbox, sender, inbound)
            with stop_on_signals(worker) as signalled:
                await worker.run(until_empty=True)
            summary.interrupted = bool(signalled)
        results = []
        for row, price, _ in valid:
            status = await outbox.status(row.fingerprint)
            results.append(_from_store(row, price, status))
        return results


def _from_store(row: CampaignRow, price: Price, status: MessageStatus | None) -> RowResult:
    if status is None or status.outcome is None:
        # Still in the outbox (the run was stopped): never sent, by this run.
        return _priced(row, price, _NOT_SENT, error="not sent yet: run again to resume")
    provider = status.status
    return RowResult(
        line=row.line,
        fingerprint=row.fingerprint,
        destination=row.destination,
        outcome=status.outcome.value,
        parts=status.part_count or price.parts,
        encoding=price.encoding,
        message_ids=status.message_ids,
        status="" if provider is None else provider.name,
        error=status.error or "",
    )


def _priced(row: CampaignRow, price: Price, outcome: str, *, error: str = "") -> RowResult:
    return RowResult(
        row.line,
        row.fingerprint,
        row.destination,
        outcome,
        price.parts,
        price.encoding,
        error=error,
    )


def export_results(path: Path, results: Sequence[RowResult]) -> None:
    """Write ``results`` to ``path`` whole or not at all: a temporary file in
    the same directory, flushed to disk, renamed over ``path``."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(RESULT_FIELDS)
            for r in results:
                writer.writerow(
                    (
                        r.line,
                        r.fingerprint,
                        r.destination,
                        r.outcome,
                        r.parts,
                        r.encoding,
                        " ".join(r.message_ids),
                        r.status,
                        r.error,
                    )
                )
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
