"""The LINK simulator's own record: what it accepted, refused and reported.

One stream of records (:mod:`smswire.sim.journal`, as the SMPP simulator's):
every send it accepted, with its message id, parameters (never the
credentials) and the code its delivery reports will carry, is written
*before* the reply leaves, so the record never holds less than a sender was
told; every send it refused; every attempt to post a delivery report and what
the receiver answered, written once the answer came.
:class:`~smswire.link.simulator.record.LinkSimulatorRecord` reads it back.
Payloads are JSON objects (LINK's parameters are strings).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smswire.sim.journal import RecordFile, frame, run_record

__all__ = ["MAGIC", "Kind", "LinkJournal"]

MAGIC = b"smswire-link-record 1\n"


class Kind:
    """Record kinds and their JSON payloads."""

    # The wall clock at this monotonic instant, pid, the simulator's settings.
    RUN = ord("R")
    # An accepted send: "id", "segments", "reply" ("sent", "queued", or "lost":
    # cut off on purpose), "parameters", "report" (the result code its reports
    # carry; null when no reports are posted).
    ACCEPTED = ord("S")
    # A refused send: "code", "parameters" (none when the credentials failed).
    REFUSED = ord("N")
    # One attempt to post a report: "report" (its id, {id}${n} for a part),
    # "attempt" (from 1), "status" (HTTP status, null when no answer came),
    # "acknowledged" (200, with the configured body), "error".
    POSTED = ord("P")


def _json(kind: int, clock: float, payload: Mapping[str, Any]) -> bytes:
    return frame(kind, clock, 0, json.dumps(payload, separators=(",", ":")).encode())


class LinkJournal(RecordFile):
    """The LINK simulator's record file (or memory); builds its records as bytes."""

    def __init__(self, path: str | Path | None) -> None:
        super().__init__(path, MAGIC)

    @staticmethod
    def run(clock: float, settings: dict[str, Any]) -> bytes:
        return run_record(Kind.RUN, clock, settings)

    @staticmethod
    def accepted(
        clock: float,
        message_id: str,
        segments: int,
        reply: str,
        parameters: Mapping[str, str],
        report: int | None,
    ) -> bytes:
        return _json(
            Kind.ACCEPTED,
            clock,
            {
                "id": message_id,
                "segments": segments,
                "reply": reply,
                "parameters": dict(parameters),
                "report": report,
            },
        )

    @staticmethod
    def refused(clock: float, code: int, parameters: Mapping[str, str] | None) -> bytes:
        kept = None if parameters is None else dict(parameters)
        return _json(Kind.REFUSED, clock, {"code": code, "parameters": kept})

    @staticmethod
    def posted(
        clock: float,
        report: str,
        attempt: int,
        status: int | None,
        acknowledged: bool,
        error: str | None = None,
    ) -> bytes:
        return _json(
            Kind.POSTED,
            clock,
            {
                "report": report,
                "attempt": attempt,
                "status": status,
                "acknowledged": acknowledged,
                "error": error,
            },
        )
