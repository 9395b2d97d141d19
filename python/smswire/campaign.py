"""A campaign's words: CSV rows, their prices, their results, and the summary.

A campaign reads rows of ``destination,text[,source]`` (:func:`read_campaign`),
checks and prices each one through a :class:`CampaignSender` (SMPP or LINK),
and ends as one :class:`RowResult` a row, written to the results file in the
columns of :data:`RESULT_FIELDS`. ``smswire send-csv`` puts the rows in the
durable outbox and writes that file from it (:mod:`smswire.cli.send_csv`):
what survives a crash is the outbox, so running again resumes.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from smswire.errors import ConfigurationError
from smswire.message import SendResult

__all__ = [
    "DRY_RUN",
    "RESULT_FIELDS",
    "CampaignRow",
    "CampaignSender",
    "CampaignSummary",
    "InvalidRow",
    "Price",
    "RowResult",
    "read_campaign",
]

REQUIRED_COLUMNS = ("destination", "text")
OPTIONAL_COLUMNS = ("source",)

# Why a valid row of a dry run is NOT_SENT.
DRY_RUN = "dry run: validated and priced, not sent"
# The results file's columns, one RowResult a line.
RESULT_FIELDS = (
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
    value; ``status`` names the provider's answer (an SMPP command_status, a LINK result code)."""

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
