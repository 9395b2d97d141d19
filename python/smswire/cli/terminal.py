"""What the command line shows: rich progress bars and tables for people,
plain JSON (``--json``) for programs. Progress goes to stderr, results to
stdout, so ``--json`` output stays parseable."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Callable

from smswire.campaign import CampaignSummary

__all__ = ["Terminal", "summary_json"]

Advance = Callable[[int], None]


def summary_json(summary: CampaignSummary) -> dict[str, Any]:
    """A campaign summary as plain data."""
    return {
        "rows": summary.rows,
        "parts": summary.parts,
        "outcomes": dict(summary.outcomes),
        "encodings": dict(summary.encodings),
        "skipped_already_sent": summary.skipped,
        "unknown_not_resent": summary.unknown_not_resent,
        "problems": [
            {"line": r.line, "outcome": r.outcome, "status": r.status, "error": r.error}
            for r in summary.invalid + summary.failed
        ],
        "all_accounted_for": summary.all_accounted_for,
        "interrupted": summary.interrupted,
    }


class Terminal:
    """Output for one command run."""

    def __init__(self, *, json_output: bool) -> None:
        self.json_output = json_output

    def print_json(self, data: object) -> None:
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        sys.stdout.flush()

    @contextlib.contextmanager
    def progress(self, description: str, total: int) -> Iterator[Advance]:
        """A progress bar on stderr (none with --json); yields ``advance(n)``."""
        if self.json_output:
            yield lambda n: None
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
            task = bar.add_task(description, total=total)
            yield lambda n: bar.advance(task, n)

    def record(self, record: Mapping[str, Any]) -> None:
        """One result as a table of fields (or a JSON object)."""
        if self.json_output:
            self.print_json(dict(record))
            return
        self.table("", ("field", "value"), [(k, _text(v)) for k, v in record.items()])

    def table(self, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title or None, show_header=bool(header))
        for name in header:
            table.add_column(name)
        for row in rows:
            table.add_row(*(_text(cell) for cell in row))
        Console(soft_wrap=True).print(table)

    def campaign_summary(self, summary: CampaignSummary, *, out: Path | None) -> None:
        """``out`` is the results file, None when none was written (a dry run)."""
        data = summary_json(summary)
        if self.json_output:
            self.print_json({**data, "results": None if out is None else str(out)})
            return
        rows: list[tuple[str, Any]] = [
            ("rows", summary.rows),
            ("parts", summary.parts),
            *((f"outcome: {outcome}", n) for outcome, n in sorted(summary.outcomes.items())),
            *((f"encoding: {enc}", n) for enc, n in sorted(summary.encodings.items())),
            ("skipped (sent in an earlier run)", summary.skipped),
            ("unknown, not resent", len(summary.unknown_not_resent)),
            ("results file", "none (a dry run writes none)" if out is None else out),
        ]
        if summary.interrupted:
            rows.append(("interrupted (Ctrl-C): rows not sent are not_sent", "yes"))
        self.table("campaign", ("", "count"), rows)
        problems = data["problems"]
        if problems:
            self.table(
                "rows that need attention",
                ("line", "outcome", "status", "reason"),
                [(p["line"], p["outcome"], p["status"], p["error"]) for p in problems],
            )


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)
