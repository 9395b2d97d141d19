"""Campaign rows, the results journal, and resuming without sending twice.

The senders here are scripted stand-ins for the Protocol a campaign drives;
the real ways out (SMPP, LINK) are exercised against their simulators in
tests/cli.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest

from smswire.campaign import (
    CSV_ENCODING,
    CSV_ERRORS,
    SENDING,
    CampaignRow,
    InvalidRow,
    Price,
    ResultsJournal,
    read_campaign,
    run_campaign,
)
from smswire.errors import ConfigurationError, SmswireError, TransportError
from smswire.message import Message, Outcome, SendResult
from smswire.pdu import CommandStatus


class ScriptedSender:
    """Accepts every row except those whose text says otherwise; counts sends."""

    def __init__(self, *, explode_on: str | None = None) -> None:
        self.sent: list[int] = []
        self.explode_on = explode_on

    def price(self, row: CampaignRow) -> Price:
        if row.destination.startswith("x"):
            raise ConfigurationError(f"destination {row.destination!r} is not a number")
        return Price("gsm7", 1 + len(row.text) // 160)

    async def send(self, rows: Sequence[CampaignRow]) -> list[SendResult]:
        if self.explode_on and any(row.text == self.explode_on for row in rows):
            raise KeyboardInterrupt  # the run stops mid-batch, as with Ctrl-C
        results = []
        for row in rows:
            self.sent.append(row.line)
            message = Message(row.destination, row.text, source=row.source)
            if row.text == "reject me":
                status = CommandStatus.ESME_RINVDSTADR
                results.append(SendResult(message, Outcome.REJECTED, (), status, "refused"))
            elif row.text == "lost":
                results.append(SendResult(message, Outcome.UNKNOWN, error="connection lost"))
            else:
                status = CommandStatus.ESME_ROK
                results.append(
                    SendResult(message, Outcome.ACCEPTED, (f"id-{row.line}",), status, parts=1)
                )
        return results


CSV = (
    "Destination,Text,Source\n"
    "+4746910822,hello,LINK\n"
    "\n"
    'x123,"two\nlines",\n'
    ",no destination,\n"
    "+4746910823,reject me,\n"
    "+4746910824,bye,\n"
)


def _rows(text: str = CSV) -> list[CampaignRow | InvalidRow]:
    return list(read_campaign(io.StringIO(text)))


def test_rows_carry_the_line_their_record_starts_on() -> None:
    rows = _rows()
    assert [row.line for row in rows] == [2, 4, 6, 7, 8]
    assert rows[0] == CampaignRow(2, "+4746910822", "hello", "LINK")
    assert rows[1] == CampaignRow(4, "x123", "two\nlines", None)
    assert rows[2] == InvalidRow(6, "destination is empty")


def test_header_must_name_destination_and_text() -> None:
    with pytest.raises(ConfigurationError, match="lacks the column\\(s\\) text"):
        _rows("destination,message\n1,2\n")
    with pytest.raises(ConfigurationError, match="empty"):
        _rows("")


async def test_bad_rows_are_reported_with_their_line_and_do_not_stop_the_others(
    tmp_path: Path,
) -> None:
    sender = ScriptedSender()
    with ResultsJournal(tmp_path / "out.csv", resume=False) as journal:
        summary = await run_campaign(_rows(), sender, journal)
    assert sender.sent == [2, 7, 8]
    # The journal and the summary speak the Outcome words and no others.
    assert summary.outcomes == {"accepted": 2, "rejected": 1, "not_sent": 2}
    assert [(r.line, r.error) for r in summary.invalid] == [
        (4, "destination 'x123' is not a number"),
        (6, "destination is empty"),
    ]
    assert not summary.all_accounted_for
    recorded = ResultsJournal._load(tmp_path / "out.csv")
    assert recorded[2].message_ids == ("id-2",)
    assert (recorded[7].outcome, recorded[7].status) == ("rejected", "ESME_RINVDSTADR")
    assert recorded[4].outcome == "not_sent" and "not a number" in recorded[4].error
    assert [r.line for r in summary.failed] == [7]


async def test_dry_run_prices_every_row_and_sends_none(tmp_path: Path) -> None:
    sender = ScriptedSender()
    with ResultsJournal(tmp_path / "out.csv", resume=False) as journal:
        summary = await run_campaign(_rows(), sender, journal, dry_run=True)
    assert sender.sent == []
    assert summary.outcomes == {"not_sent": 5}
    assert summary.parts == 3
    assert summary.failed == [] and len(summary.invalid) == 2
    recorded = ResultsJournal._load(tmp_path / "out.csv")
    assert {r.outcome for r in recorded.values()} == {"not_sent"}


async def test_an_existing_results_file_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with ResultsJournal(out, resume=False) as journal:
        await run_campaign(_rows(), ScriptedSender(), journal)
    with pytest.raises(ConfigurationError, match="--resume"):
        ResultsJournal(out, resume=False)


async def test_resume_after_an_interrupted_run_sends_each_row_once(tmp_path: Path) -> None:
    text = "destination,text\n" + "".join(f"+47{i:08d},msg {i}\n" for i in range(10))
    out = tmp_path / "out.csv"
    first = ScriptedSender(explode_on="msg 6")
    with ResultsJournal(out, resume=False) as journal, pytest.raises(KeyboardInterrupt):
        await run_campaign(_rows(text), first, journal, batch_size=3)
    # Batches [0-2] and [3-5] went out; [6-8] was journaled as sending and then stopped.
    assert first.sent == [2, 3, 4, 5, 6, 7]

    second = ScriptedSender()
    with ResultsJournal(out, resume=True) as journal:
        summary = await run_campaign(_rows(text), second, journal, batch_size=3)
    assert second.sent == [11]  # never sent before
    assert summary.skipped == 6
    assert summary.unknown_not_resent == [8, 9, 10]  # maybe sent: not resent unless asked

    third = ScriptedSender()
    with ResultsJournal(out, resume=True) as journal:
        summary = await run_campaign(_rows(text), third, journal, resend_unknown=True)
    assert third.sent == [8, 9, 10]
    assert summary.all_accounted_for


async def test_resume_refuses_an_edited_input_file(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with ResultsJournal(out, resume=False) as journal:
        await run_campaign(_rows(), ScriptedSender(), journal)
    edited = CSV.replace("hello", "hello again")
    with (
        ResultsJournal(out, resume=True) as journal,
        pytest.raises(ConfigurationError, match="line 2"),
    ):
        await run_campaign(_rows(edited), ScriptedSender(), journal)


async def test_a_batch_whose_fate_is_unknown_is_recorded_as_unknown(tmp_path: Path) -> None:
    class Broken(ScriptedSender):
        async def send(self, rows: Sequence[CampaignRow]) -> list[SendResult]:
            raise TransportError("connection reset")

    with ResultsJournal(tmp_path / "out.csv", resume=False) as journal:
        summary = await run_campaign(_rows(), Broken(), journal)
    assert summary.outcomes["unknown"] == 3
    assert all("connection reset" in r.error for r in summary.failed)
    assert issubclass(TransportError, SmswireError)


def test_a_file_that_is_not_a_results_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("a,b\n1,2\n")
    with pytest.raises(ConfigurationError, match="not a smswire results file"):
        ResultsJournal(out, resume=True)


async def test_only_the_outcome_words_and_the_sending_marker_reach_the_journal(
    tmp_path: Path,
) -> None:
    text = "destination,text\n+4700000001,fine\n+4700000002,lost\nx1,bad\n+4700000003,reject me\n"
    out = tmp_path / "out.csv"
    with ResultsJournal(out, resume=False) as journal:
        await run_campaign(_rows(text), ScriptedSender(), journal)
    with out.open(newline="", encoding="utf-8") as stream:
        written = {record["outcome"] for record in csv.DictReader(stream)}
    assert written == {SENDING} | {o.value for o in Outcome}


def test_a_byte_that_is_not_utf8_fails_its_row_by_line_and_column() -> None:
    raw = b"destination,text\n+4746910001,caf\xe9 ok\n+4746910002,fine\n+47469\xff,x\n"
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding=CSV_ENCODING, errors=CSV_ERRORS)
    rows = list(read_campaign(stream))
    assert rows == [
        InvalidRow(2, "byte 0xE9 in column 'text' is not UTF-8 (save the file as UTF-8)"),
        CampaignRow(3, "+4746910002", "fine", None),
        InvalidRow(4, "byte 0xFF in column 'destination' is not UTF-8 (save the file as UTF-8)"),
    ]
