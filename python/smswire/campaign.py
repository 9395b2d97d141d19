"""Bulk sends from a CSV file: validated row by row, journaled, resumable.

A campaign reads rows of ``destination,text[,source]``, checks and prices each
one, and sends them through any :class:`CampaignSender` (SMPP or LINK). Every
row's :class:`~smswire.message.Outcome` is appended to a results file and
flushed to disk before the next batch goes out, and a ``sending`` line is
written *before* a batch leaves, so a run that stops half way (crash, Ctrl-C,
power) leaves a file that says which rows were sent, which were not, and which
may have been: ``--resume`` sends the first kind never again, the second kind
now, and the third only when asked (``resend_unknown``), because an SMS cannot
be recalled.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, TextIO, Union

from smswire.errors import ConfigurationError, SmswireError
from smswire.message import Outcome, SendResult

__all__ = [
    "BATCH_SIZE",
    "INTERRUPTED",
    "SENDING",
    "CampaignRow",
    "CampaignSender",
    "CampaignSummary",
    "InvalidRow",
    "Journal",
    "Price",
    "ResultsJournal",
    "RowResult",
    "UnwrittenJournal",
    "read_campaign",
    "run_campaign",
]

# Rows handed to the sender at once: large enough to fill an SMPP window or an
# HTTP connection pool, small enough that a stop loses at most this many
# outcomes to the `unknown` state.
BATCH_SIZE = 256

REQUIRED_COLUMNS = ("destination", "text")
OPTIONAL_COLUMNS = ("source",)

# The journal's one marker of its own, written before a batch leaves and
# superseded by each row's outcome: a `sending` line with nothing after it
# means "maybe sent". Every other line holds one of the four Outcome words.
SENDING = "sending"
# Why a valid row of a dry run is NOT_SENT.
DRY_RUN = "dry run: validated and priced, not sent"
# Why a valid row is NOT_SENT after the run was asked to stop (Ctrl-C).
INTERRUPTED = "interrupted before it was sent"


@dataclass(frozen=True)
class CampaignRow:
    """One message of a campaign; ``line`` is where its record starts in the CSV."""

    line: int
    destination: str
    text: str
    source: str | None = None

    @property
    def fingerprint(self) -> str:
        """Identifies the row's content, so a resume can tell an edited file."""
        digest = hashlib.sha256(
            "\x00".join((self.destination, self.text, self.source or "")).encode("utf-8")
        )
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class InvalidRow:
    """A CSV record that is not a message (a required column is empty)."""

    line: int
    error: str


@dataclass(frozen=True)
class Price:
    """What a valid row will cost: its encoding and the parts it is billed as."""

    encoding: str
    parts: int


@dataclass(frozen=True)
class RowResult:
    """One line of the results file: ``outcome`` is an :class:`Outcome`'s
    value, or :data:`SENDING` while the row's batch is on its way; ``status``
    names the provider's answer (an SMPP command_status, a LINK result code)."""

    line: int
    fingerprint: str
    destination: str
    outcome: str
    parts: int = 0
    encoding: str = ""
    message_ids: tuple[str, ...] = ()
    status: str = ""
    error: str = ""


class CampaignSender(Protocol):
    """A way out (SMPP, LINK) as a campaign sees it."""

    def price(self, row: CampaignRow) -> Price:
        """Validate the row for this way out; raise a SmswireError naming the problem."""

    async def send(self, rows: Sequence[CampaignRow]) -> list[SendResult]:
        """Send the rows; one result per row, in the rows' order, failures included."""


@dataclass
class CampaignSummary:
    """Counts of a finished (or resumed) run: rows by outcome, and the rows
    that need attention (``invalid``: refused before sending; ``failed``:
    rejected, not sent or unknown)."""

    rows: int = 0
    parts: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    encodings: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    unknown_not_resent: list[int] = field(default_factory=list)
    invalid: list[RowResult] = field(default_factory=list)
    failed: list[RowResult] = field(default_factory=list)
    interrupted: bool = False

    @property
    def all_accounted_for(self) -> bool:
        """True when every row was accepted (or, in a dry run, priced)."""
        return not (self.invalid or self.failed or self.unknown_not_resent)


# How a CSV file is opened so that a byte that is not UTF-8 reaches
# read_campaign as a lone surrogate (PEP 383) and fails its row, not the run.
CSV_ENCODING = "utf-8-sig"
CSV_ERRORS = "surrogateescape"
_ESCAPED = re.compile("[\udc80-\udcff]")


def _undecodable(record: list[str], header: list[str]) -> str | None:
    """Why a record holds a byte that is not UTF-8, or None."""
    for index, cell in enumerate(record):
        found = _ESCAPED.search(cell)
        if found:
            column = header[index].strip() if index < len(header) else f"#{index + 1}"
            octet = ord(found.group()) - 0xDC00
            return f"byte 0x{octet:02X} in column {column!r} is not UTF-8 (save the file as UTF-8)"
    return None


def read_campaign(stream: TextIO) -> Iterator[CampaignRow | InvalidRow]:
    """Read campaign rows from CSV text with a header naming the columns.

    Columns are matched case-insensitively; ``destination`` and ``text`` are
    required, ``source`` is optional (the run's default source applies). Open
    the file with :data:`CSV_ENCODING` and :data:`CSV_ERRORS`: a record with a
    byte that is not UTF-8 is then an :class:`InvalidRow` naming it.
    """
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise ConfigurationError("the CSV file is empty: expected a header row") from None
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ConfigurationError(
            f"the CSV header lacks the column(s) {', '.join(missing)}; "
            f"expected {', '.join(REQUIRED_COLUMNS)} and optionally {', '.join(OPTIONAL_COLUMNS)}"
        )
    line = reader.line_num + 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue

        def cell(name: str, record: list[str] = record) -> str:
            index = columns.get(name)
            return record[index] if index is not None and index < len(record) else ""

        destination = cell("destination").strip()
        text = cell("text")
        undecodable = _undecodable(record, header)
        if undecodable:
            yield InvalidRow(start, undecodable)
        elif not destination:
            yield InvalidRow(start, "destination is empty")
        elif not text:
            yield InvalidRow(start, "text is empty")
        else:
            yield CampaignRow(start, destination, text, cell("source").strip() or None)


class ResultsJournal:
    """The results file: an append-only CSV, each line flushed to disk as written.

    A row may appear more than once (``sending`` and then its outcome); the
    last line for a row is its outcome.
    """

    FIELDS = (
        "line",
        "fingerprint",
        "destination",
        "outcome",
        "parts",
        "encoding",
        "message_ids",
        "status",
        "error",
    )

    def __init__(self, path: Path, *, resume: bool) -> None:
        self.path = path
        exists = path.exists() and path.stat().st_size > 0
        if exists and not resume:
            raise ConfigurationError(
                f"results file {path} already exists: pass --resume to continue that run, "
                "or choose another --out"
            )
        self.previous: dict[int, RowResult] = self._load(path) if exists else {}
        self._file = path.open("a", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        if not exists:
            self._writer.writerow(self.FIELDS)
            self._sync()

    @classmethod
    def _load(cls, path: Path) -> dict[int, RowResult]:
        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.DictReader(stream)
            if tuple(reader.fieldnames or ()) != cls.FIELDS:
                raise ConfigurationError(
                    f"{path} is not a smswire results file (its header is {reader.fieldnames})"
                )
            last: dict[int, RowResult] = {}
            for record in reader:
                try:
                    line = int(record["line"])
                    parts = int(record["parts"] or 0)
                except ValueError:
                    # A line torn by a crash mid-write: the row's earlier line stands.
                    continue
                last[line] = RowResult(
                    line=line,
                    fingerprint=record["fingerprint"],
                    destination=record["destination"],
                    outcome=record["outcome"],
                    parts=parts,
                    encoding=record["encoding"],
                    message_ids=tuple(filter(None, record["message_ids"].split(" "))),
                    status=record["status"],
                    error=record["error"],
                )
            return last

    def record(self, results: Iterable[RowResult]) -> None:
        """Append results and make them durable before returning."""
        for result in results:
            self._writer.writerow(
                (
                    result.line,
                    result.fingerprint,
                    result.destination,
                    result.outcome,
                    result.parts,
                    result.encoding,
                    " ".join(result.message_ids),
                    result.status,
                    result.error,
                )
            )
        self._sync()

    def _sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ResultsJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Journal(Protocol):
    """Where a campaign records outcomes: a :class:`ResultsJournal`, or a dry
    run's :class:`UnwrittenJournal`."""

    previous: dict[int, RowResult]

    def record(self, results: Iterable[RowResult]) -> None:
        """Append results and make them durable before returning."""


class UnwrittenJournal:
    """A dry run's journal: nothing earlier, nothing written, so the real run
    that follows starts on a clean results file."""

    def __init__(self) -> None:
        self.previous: dict[int, RowResult] = {}

    def record(self, results: Iterable[RowResult]) -> None:
        for _ in results:
            pass


Progress = Callable[[int], None]
_Pending = tuple[CampaignRow, Price]
_Item = Union[CampaignRow, InvalidRow]


async def run_campaign(
    items: Iterable[_Item],
    sender: CampaignSender,
    journal: Journal,
    *,
    dry_run: bool = False,
    resend_unknown: bool = False,
    batch_size: int = BATCH_SIZE,
    on_progress: Progress | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> CampaignSummary:
    """Check, price and (unless ``dry_run``) send every row, journaling each outcome.

    A row that fails validation is journaled as NOT_SENT with its reason and
    does not stop the others; so is every valid row of a dry run.
    ``on_progress(n)`` is called as ``n`` more rows are done. Once
    ``stopped()`` is true no batch is handed to the sender: every row not yet
    handed over is journaled NOT_SENT (:data:`INTERRUPTED`).
    """
    if batch_size < 1:
        raise ConfigurationError(f"batch_size must be at least 1, got {batch_size}")
    advance: Progress = on_progress or (lambda n: None)
    summary = CampaignSummary()
    batch: list[_Pending] = []
    unsent: list[RowResult] = []

    def done(results: Sequence[RowResult], *, invalid: bool = False) -> None:
        journal.record(results)
        for result in results:
            summary.outcomes[result.outcome] += 1
            summary.parts += result.parts
            if result.encoding:
                summary.encodings[result.encoding] += 1
            if invalid:
                summary.invalid.append(result)
            elif result.outcome != _ACCEPTED and result.error != DRY_RUN:
                summary.failed.append(result)
        advance(len(results))

    async def flush() -> None:
        if not batch:
            return
        rows = [row for row, _ in batch]
        journal.record(_row(row, price, SENDING) for row, price in batch)
        try:
            results = await sender.send(rows)
        except SmswireError as exc:
            # The batch's fate is not known row by row: say so, lose nothing.
            error = f"batch failed: {exc}"
            outcomes = [_row(row, price, _UNKNOWN, error=error) for row, price in batch]
        else:
            if len(results) != len(rows):
                raise RuntimeError(f"sender returned {len(results)} results for {len(rows)} rows")
            outcomes = [_sent(row, price, result) for (row, price), result in zip(batch, results)]
        done(outcomes)
        batch.clear()

    def hold_back(row: CampaignRow, price: Price) -> None:
        unsent.append(_row(row, price, _NOT_SENT, error=INTERRUPTED))
        if len(unsent) >= batch_size:
            done(unsent)
            unsent.clear()

    for item in items:
        summary.rows += 1
        if isinstance(item, InvalidRow):
            done([RowResult(item.line, "", "", _NOT_SENT, error=item.error)], invalid=True)
            continue
        earlier = journal.previous.get(item.line)
        if earlier is not None and earlier.fingerprint not in ("", item.fingerprint):
            raise ConfigurationError(
                f"line {item.line} of the CSV differs from the run being resumed; "
                "resume only with the same input file"
            )
        if earlier is not None and earlier.outcome == _ACCEPTED:
            summary.skipped += 1
            summary.outcomes[_ACCEPTED] += 1
            advance(1)
            continue
        if earlier is not None and earlier.outcome in (SENDING, _UNKNOWN) and not resend_unknown:
            summary.unknown_not_resent.append(item.line)
            advance(1)
            continue
        try:
            price = sender.price(item)
        except SmswireError as exc:
            refused = RowResult(
                item.line, item.fingerprint, item.destination, _NOT_SENT, error=str(exc)
            )
            done([refused], invalid=True)
            continue
        if dry_run:
            done([_row(item, price, _NOT_SENT, error=DRY_RUN)])
            continue
        if stopped():
            hold_back(item, price)
            continue
        batch.append((item, price))
        if len(batch) >= batch_size:
            await flush()
    if stopped():
        for row, price in batch:
            hold_back(row, price)
        batch.clear()
    await flush()
    if unsent:
        done(unsent)
    summary.interrupted = stopped()
    return summary


_ACCEPTED = Outcome.ACCEPTED.value
_NOT_SENT = Outcome.NOT_SENT.value
_UNKNOWN = Outcome.UNKNOWN.value


def _row(row: CampaignRow, price: Price, outcome: str, *, error: str = "") -> RowResult:
    return RowResult(
        line=row.line,
        fingerprint=row.fingerprint,
        destination=row.destination,
        outcome=outcome,
        parts=price.parts,
        encoding=price.encoding,
        error=error,
    )


def _sent(row: CampaignRow, price: Price, result: SendResult) -> RowResult:
    status = result.status
    return RowResult(
        line=row.line,
        fingerprint=row.fingerprint,
        destination=row.destination,
        outcome=result.outcome.value,
        parts=result.parts or price.parts,
        encoding=price.encoding,
        message_ids=result.message_ids,
        status="" if status is None else status.name,
        error=result.error or "",
    )
