"""``smswire worker --via link`` SIGKILLed mid-campaign and started again,
against the LINK simulator in a process of its own, its delivery reports
posted to the worker's report receiver (``--listen``), which dies with it:
the simulator's own record, read against the store, proves that nothing was
lost, every duplicate is accounted for and every report it got a 200 for is
in the store, on its message.

The campaign mixes one-part GSM, UCS2 and long multi-part texts (a report per
part). ``SMSWIRE_LINK_CRASH_MESSAGES`` and ``SMSWIRE_LINK_CRASH_KILLS`` scale
it; the default is smaller than the SMPP test's, since every LINK message is
an HTTP request and every part's report another.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from ports import steady_port

from smswire.link.reports import DeliveryReport
from smswire.link.simulator import LinkSimulatorRecord
from smswire.message import Delivery, Message, Outcome
from smswire.outbox import DeliveryState, MessageStatus, Outbox
from smswire.outbox.serial import decode_receipt

from .processes import START_PATIENCE, Processes, link_smsc

SERVICE_ID, USERNAME, PASSWORD = 7, "crash", "link pass&word=1"
MESSAGES = int(os.environ.get("SMSWIRE_LINK_CRASH_MESSAGES", "240"))
KILLS = int(os.environ.get("SMSWIRE_LINK_CRASH_KILLS", "3"))
# Bounds on every wait: a broken run fails, it never hangs.
RUN_PATIENCE = 60.0 + MESSAGES / 20
LONG = "Your parcel is waiting at the pick-up point until Friday; bring ID. " * 3
UCS2 = "Ваш код {i}: не сообщайте его никому ✓"
# Reports posted while no receiver listens (a worker killed, the next one
# starting) are retried this often, this many times: longer than a restart.
REPORT_RETRY_INTERVAL = 0.1
REPORT_ATTEMPTS = int(RUN_PATIENCE / REPORT_RETRY_INTERVAL)


def campaign() -> list[tuple[str, Message]]:
    items = []
    for i in range(MESSAGES):
        text = (f"Your code is {i}", UCS2.format(i=i), f"{i} {LONG}")[i % 3]
        items.append((f"order-{i}", Message(f"+4790{i:06d}", text, source="Shop")))
    return items


async def start_worker(
    processes: Processes,
    store: Path,
    smsc: dict[str, Any],
    listen: int,
    delivery: Delivery,
    *extra: str,
) -> asyncio.subprocess.Process:
    return await processes.start(
        "-m", "smswire", "worker", "--store", store, "--via", "link",
        "--url", f"{smsc['url']}/smscsimplehttp", "--ca-file", smsc["ca_file"],
        "--listen", f"127.0.0.1:{listen}",
        "--delivery", delivery.value.replace("_", "-"),
        "--batch", "20",
        # Short leases: a killed worker's claims come back soon.
        "--lease", "2",
        "--json", *extra,
        env={
            "SMSWIRE_LINK_SERVICE_ID": str(SERVICE_ID),
            "SMSWIRE_LINK_USERNAME": USERNAME,
            "SMSWIRE_LINK_PASSWORD": PASSWORD,
        },
    )  # fmt: skip


async def accepted_grows(
    record_path: Path, beyond: int, worker: asyncio.subprocess.Process, store: Path
) -> int:
    """Wait (bounded) until the simulator accepted more than ``beyond`` sends;
    -1 if the campaign ended first (under at-most-once, what killed workers
    may have sent is never sent again, so fewer sends than messages may come)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RUN_PATIENCE
    async with Outbox.open(store) as outbox:
        while loop.time() < deadline:
            count = len(LinkSimulatorRecord.open(record_path).accepted)
            if count > beyond:
                return count
            pending = await outbox.pending("default")
            if worker.returncode is not None or pending.queued + pending.claimed == 0:
                return -1
            await asyncio.sleep(0.02)
    raise AssertionError(f"the simulator accepted no more than {beyond} sends in time")


async def all_reports_taken(record_path: Path) -> None:
    """Wait (bounded) until every report the simulator owes is acknowledged."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RUN_PATIENCE
    record = LinkSimulatorRecord.open(record_path)
    while record.unacknowledged():
        assert loop.time() < deadline, f"{len(record.unacknowledged())} reports never taken"
        await asyncio.sleep(0.2)
        record.refresh()


async def statuses(store: Path) -> dict[str, MessageStatus]:
    found: dict[str, MessageStatus] = {}
    async with Outbox.open(store) as outbox:
        for key, _ in campaign():
            status = await outbox.status(key)
            assert status is not None, key
            found[key] = status
    return found


@pytest.mark.timeout(300 + MESSAGES // 5)
@pytest.mark.parametrize("delivery", list(Delivery))
async def test_a_link_worker_killed_again_and_again_loses_nothing(
    tmp_path: Path, delivery: Delivery, processes: Processes
) -> None:
    store = tmp_path / "outbox.db"
    async with Outbox.open(store) as outbox:
        await outbox.put_many(campaign())
    rng = random.Random(MESSAGES * 7 + KILLS)
    # The receiver port every worker binds again after the last was killed.
    listen = steady_port()
    smsc = link_smsc(
        processes, tmp_path,
        {"service_id": SERVICE_ID, "username": USERNAME, "password": PASSWORD},
        "--callback-url", f"http://127.0.0.1:{listen}/",
        "--report-delay", "0.2",
        "--report-attempts", str(REPORT_ATTEMPTS),
        "--report-retry-interval", str(REPORT_RETRY_INTERVAL),
    )  # fmt: skip
    async with smsc as (ready, record_path):
        seen = 0
        for _ in range(KILLS):
            worker = await start_worker(processes, store, ready, listen, delivery)
            step = rng.randrange(1, max(2, MESSAGES * 2 // (KILLS + 1)))
            seen = await accepted_grows(record_path, seen + step, worker, store)
            worker.send_signal(signal.SIGKILL)
            await asyncio.wait_for(worker.wait(), START_PATIENCE)
            if seen < 0:
                break
        # The last worker drains what is left; then one takes the reports still owed.
        last = await start_worker(processes, store, ready, listen, delivery, "--until-empty")
        _, err = await asyncio.wait_for(last.communicate(), RUN_PATIENCE)
        assert last.returncode == 0, err.decode()
        receiver = await start_worker(processes, store, ready, listen, delivery)
        try:
            assert receiver.stderr is not None  # it says so once its receiver listens
            started = await asyncio.wait_for(receiver.stderr.readline(), START_PATIENCE)
            assert b"draining" in started, started
            await all_reports_taken(record_path)
        finally:
            receiver.send_signal(signal.SIGTERM)
            await asyncio.wait_for(receiver.communicate(), RUN_PATIENCE)
        assert receiver.returncode == 0
        record = LinkSimulatorRecord.open(record_path)
    found = await statuses(store)

    messages = dict(campaign())
    key_of = {message.destination: key for key, message in messages.items()}
    # Every message has exactly one final outcome.
    assert all(s.outcome is not None for s in found.values())
    # Nothing the simulator accepted is missing or anything but ACCEPTED or UNKNOWN.
    assert not record.refused
    for send in record.accepted:
        status = found[key_of[send.destination]]
        assert status.outcome in (Outcome.ACCEPTED, Outcome.UNKNOWN), status
    taken = {key_of[send.destination] for send in record.accepted}
    for key, status in found.items():
        if status.outcome is Outcome.ACCEPTED:
            assert key in taken, f"{key} recorded ACCEPTED, never reached the simulator"
    # Counted by destination: a resend gets a new message id.
    times = record.times_accepted()
    duplicates = sorted(key_of[d] for d, n in times.items() if n > 1)
    possibly_written = sorted(k for k, s in found.items() if s.possibly_written)
    unknown = sorted(k for k, s in found.items() if s.outcome is Outcome.UNKNOWN)
    if delivery is Delivery.AT_MOST_ONCE:
        assert duplicates == []
        # Only a message a killed worker may have written can be unknown.
        assert set(unknown) <= set(possibly_written)
    else:
        assert set(duplicates) <= set(possibly_written)
        assert unknown == []
    # Every report the simulator got a 200 for is in the store, on its
    # message's part when the store learnt the message's id: a killed worker
    # never committed the id of what it sent last, so a report for such a
    # copy is stored unmatched, and its message must be one the store flagged
    # as possibly written.
    by_id = {part.message_id: key for key, s in found.items() for part in s.parts}
    with contextlib.closing(sqlite3.connect(store)) as db:
        stored: dict[str, int | None] = {}
        for payload, matched in db.execute("SELECT payload, message FROM receipts"):
            report = decode_receipt(payload)
            assert isinstance(report, DeliveryReport)
            stored[report.id] = matched
    acknowledged = [r for r in record.reports if r.acknowledged]
    assert len(acknowledged) == len(record.reports)
    assert len(record.reports) == sum(send.segments for send in record.accepted)
    destination_of = {send.message_id: send.destination for send in record.accepted}
    unmatched = []
    for owed in acknowledged:
        assert owed.id in stored, owed.id
        key = by_id.get(owed.message_id)
        if key is None:
            assert stored[owed.id] is None
            unmatched.append(key_of[destination_of[owed.message_id]])
            continue
        on_message = {
            (r.receipt.id, r.index)  # type: ignore[union-attr]
            for r in found[key].receipts
        }
        assert (owed.id, owed.part or 0) in on_message, (key, owed.id)
    assert set(unmatched) <= set(possibly_written)
    delivered = [s for s in found.values() if s.delivery is DeliveryState.DELIVERED]
    assert len(delivered) == sum(s.outcome is Outcome.ACCEPTED for s in found.values())
    print(
        f"{delivery.value}: {len(record.accepted)} sends accepted, "
        f"{len(duplicates)} messages twice (all flagged), {len(unknown)} unknown, "
        f"{len(possibly_written)} possibly written, {len(acknowledged)} reports stored "
        f"({len(unmatched)} for copies whose id a killed worker never committed)"
    )
