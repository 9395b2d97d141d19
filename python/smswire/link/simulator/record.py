"""Reading the LINK simulator's record: what it accepted and which reports it delivered.

A test opens the record (:meth:`LinkSimulatorRecord.open`) from any process,
during the run or after the simulator stopped, and asks it what a
no-message-lost proof needs: every send accepted, in order, with its message
id and parameters (:attr:`~LinkSimulatorRecord.accepted`; how often each
destination was, :meth:`~LinkSimulatorRecord.times_accepted`), every send
refused, and every delivery report owed with its attempts and whether the
receiver acknowledged it (:attr:`~LinkSimulatorRecord.reports`,
:meth:`~LinkSimulatorRecord.unacknowledged`).
:meth:`~LinkSimulatorRecord.refresh` reads what was appended since. A torn
last record (a writer killed mid-write) is left unread.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from smswire.link.simulator.journal import MAGIC, Kind
from smswire.sim.journal import RecordReader, file_reader

__all__ = ["AcceptedSend", "LinkSimulatorRecord", "OwedReport", "RefusedSend", "ReportAttempt"]


@dataclass(frozen=True)
class AcceptedSend:
    """A send the simulator accepted. ``reply`` is what the sender was told:
    "sent" (1000), "queued" (1005, Async) or "lost" (cut off on purpose)."""

    time: float
    message_id: str
    segments: int
    reply: str
    parameters: Mapping[str, str]

    @property
    def destination(self) -> str:
        return self.parameters.get("Destination", "")


@dataclass(frozen=True)
class RefusedSend:
    """A send answered with a result code other than success; ``parameters``
    is None when the credentials were refused."""

    time: float
    code: int
    parameters: Mapping[str, str] | None


@dataclass(frozen=True)
class ReportAttempt:
    """One post of a report: the HTTP status (None: no answer) and whether it
    acknowledged the report (200, with the configured body)."""

    time: float
    number: int
    status: int | None
    acknowledged: bool
    error: str | None


@dataclass
class OwedReport:
    """A delivery report the simulator owed a sender, and its attempts.

    ``id`` is the report's id as posted (# LINK guide: id, ``{id}${n}`` for a
    part of a multipart message); ``code`` the result code it carries."""

    id: str
    message_id: str
    part: int | None
    code: int
    queued_at: float
    attempts: list[ReportAttempt] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return any(a.acknowledged for a in self.attempts)


class LinkSimulatorRecord:
    """The LINK simulator's record, read from its file or from the running simulator."""

    def __init__(self, read_from: Callable[[int], bytes]) -> None:
        self._records = RecordReader(read_from, MAGIC)
        self._wall_offset = 0.0
        self.settings: list[dict[str, object]] = []
        self.accepted: list[AcceptedSend] = []
        self.refused: list[RefusedSend] = []
        self.reports: list[OwedReport] = []
        self._reports_by_id: dict[str, OwedReport] = {}
        self.refresh()

    @classmethod
    def open(cls, path: str | Path) -> LinkSimulatorRecord:
        """Read the record file a simulator wrote (or is writing) at ``path``."""
        return cls(file_reader(path))

    def refresh(self) -> LinkSimulatorRecord:
        """Read whatever was appended since the last read; returns self."""
        for kind, clock, _, payload in self._records.read():
            self._apply(kind, clock, json.loads(payload))
        return self

    def _apply(self, kind: int, clock: float, entry: dict[str, Any]) -> None:
        at = clock + self._wall_offset
        if kind == Kind.ACCEPTED:
            message_id, segments = str(entry["id"]), int(entry["segments"])
            self.accepted.append(
                AcceptedSend(at, message_id, segments, str(entry["reply"]), entry["parameters"])
            )
            if entry["report"] is not None:
                for part in range(segments) if segments > 1 else (None,):
                    report_id = message_id if part is None else f"{message_id}${part}"
                    report = OwedReport(report_id, message_id, part, int(entry["report"]), at)
                    self.reports.append(report)
                    self._reports_by_id[report_id] = report
        elif kind == Kind.POSTED:
            attempt = ReportAttempt(
                at,
                int(entry["attempt"]),
                entry["status"],
                bool(entry["acknowledged"]),
                entry["error"],
            )
            self._reports_by_id[str(entry["report"])].attempts.append(attempt)
        elif kind == Kind.REFUSED:
            self.refused.append(RefusedSend(at, int(entry["code"]), entry["parameters"]))
        elif kind == Kind.RUN:
            self._wall_offset = float(entry["wall"]) - clock
            self.settings.append(entry)

    # -- questions ---------------------------------------------------------------

    def times_accepted(self) -> collections.Counter[str]:
        """How many times each destination's sends were accepted (a resend
        gets a new message id, so duplicates are counted by destination)."""
        return collections.Counter(send.destination for send in self.accepted)

    def unacknowledged(self) -> list[OwedReport]:
        """Reports no receiver has acknowledged (yet)."""
        return [report for report in self.reports if not report.acknowledged]
