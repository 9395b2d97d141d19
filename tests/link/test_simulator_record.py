"""The LINK simulator's record: every send it accepted (before its reply) or
refused and every report it posted, with the receiver's answer, read back in
memory or, from another process, from its file."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smswire.link import DeliveryReport, DeliveryReportReceiver, LinkSimulator
from smswire.link.simulator import LinkSimulatorRecord

from .conftest import PASSWORD, PATIENCE, SERVICE_ID, USERNAME, Server, wait_until

_GOOD = {
    "ServiceId": str(SERVICE_ID),
    "Username": USERNAME,
    "Password": PASSWORD,
    "Source": "LINK",
    "Destination": "+4746910822",
    "Userdata": "Hello",
}
LONG = "A text long enough to need more than one part on its way. " * 4


def _send(url: str, **changes: str) -> list[str]:
    response = httpx.post(url, params={**_GOOD, **changes})
    assert response.status_code == 200
    return response.text.split(";")


@pytest.fixture
def simulator_process(tmp_path: Path) -> Iterator[tuple[str, Path, list[DeliveryReport]]]:
    """The simulator in its own process, its reports going to a receiver that
    refuses each report's first post (500), so each is posted twice."""
    taken: list[DeliveryReport] = []
    seen: set[str] = set()

    def first_refused(report: DeliveryReport) -> None:
        if report.id not in seen:
            seen.add(report.id)
            raise RuntimeError("not yet")
        taken.append(report)

    accounts = tmp_path / "accounts.json"
    accounts.write_text(
        json.dumps({"service_id": SERVICE_ID, "username": USERNAME, "password": PASSWORD})
    )
    record = tmp_path / "link.record"
    with Server(DeliveryReportReceiver(first_refused)) as receiver:
        child = subprocess.Popen(
            [
                sys.executable, "-m", "smswire.link.simulator", "--no-tls",
                "--record", str(record), "--accounts", str(accounts),
                "--callback-url", f"http://127.0.0.1:{receiver.port}/",
                "--report-retry-interval", "0.01",
            ],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert child.stdout is not None
            ready = json.loads(child.stdout.readline())
            yield ready["url"], record, taken
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                assert child.wait(PATIENCE) == 0
            finally:
                child.kill()


def test_the_record_holds_each_send_before_its_reply_and_each_report_with_its_answers(
    simulator_process: tuple[str, Path, list[DeliveryReport]],
) -> None:
    url, path, taken = simulator_process
    replies = []
    for userdata in ("one part", LONG):
        code, _, message_id = _send(url, Userdata=userdata)
        assert code == "1000"
        # Read at once, by another reader: the record was written before the reply.
        ids = [s.message_id for s in LinkSimulatorRecord.open(path).accepted]
        assert ids[-1] == message_id
        replies.append(message_id)
    assert _send(url, Destination="not a number")[0] != "1000"
    assert _send(url, Password="wrong")[0] != "1000"
    wait_until(lambda: len(taken) == 1 + 2, what="three reports (one, and two parts)")

    record = LinkSimulatorRecord.open(path)
    assert [(s.message_id, s.segments, s.reply) for s in record.accepted] == [
        (replies[0], 1, "sent"),
        (replies[1], 2, "sent"),
    ]
    assert record.accepted[1].parameters["Userdata"] == LONG
    assert record.times_accepted() == {"+4746910822": 2}
    # Refusals: the parameters kept, unless the credentials failed.
    bad_destination, bad_password = record.refused
    assert bad_destination.parameters is not None
    assert bad_destination.parameters["Destination"] == "not a number"
    assert bad_password.parameters is None
    # One report per part ({id}${n} for a multipart message), each refused
    # once (500), then acknowledged.
    assert [r.id for r in record.reports] == [replies[0], f"{replies[1]}$0", f"{replies[1]}$1"]
    wait_until(lambda: not LinkSimulatorRecord.open(path).unacknowledged(), what="200s recorded")
    record.refresh()
    for report in record.reports:
        assert [(a.number, a.status, a.acknowledged) for a in report.attempts] == [
            (1, 500, False),
            (2, 200, True),
        ]
    assert {r.id for r in taken} == {r.id for r in record.reports}
    # The record holds messages, never the credentials, and is the owner's alone.
    assert PASSWORD.encode() not in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reports_no_receiver_takes_stay_unacknowledged_with_every_attempt(
    tmp_path: Path,
) -> None:
    simulator = LinkSimulator(
        service_id=SERVICE_ID,
        username=USERNAME,
        password=PASSWORD,
        callback_url="http://127.0.0.1:9/",  # discard: nobody answers there
        report_attempts=2,
        report_retry_interval=0.01,
    )
    with Server(simulator) as server:
        _send(server.url)
        wait_until(
            lambda: sum(len(r.attempts) for r in simulator.record.reports) == 2,
            what="two attempts",
        )
    [report] = simulator.record.unacknowledged()
    assert [(a.status, a.acknowledged) for a in report.attempts] == [(None, False)] * 2
    assert all(a.error for a in report.attempts)


def test_a_lost_reply_is_recorded_as_lost_and_its_message_as_accepted() -> None:
    simulator = LinkSimulator(
        service_id=SERVICE_ID, username=USERNAME, password=PASSWORD, lost_share=1.0
    )
    with Server(simulator) as server, pytest.raises(httpx.HTTPError):
        _send(server.url)
    [lost] = simulator.record.accepted
    assert lost.reply == "lost" and lost.message_id == simulator.lost[0].message_id
