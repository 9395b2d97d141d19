"""``smswire worker`` SIGKILLed mid-campaign and started again, against the SMSC
simulator in a process of its own: the simulator's own record, read against
the store, proves that nothing was lost and every duplicate is accounted for.

The campaign mixes one-part GSM, UCS2 and long multi-part texts, with a
receipt asked for every part. ``SMSWIRE_CRASH_MESSAGES`` and
``SMSWIRE_CRASH_KILLS`` scale it (the issue's run: 20000 and 10).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from smswire.message import Delivery, Message, Outcome
from smswire.outbox import DeliveryState, MessageStatus, Outbox
from smswire.outbox.serial import decode_receipt
from smswire.smpp.simulator import SimulatorRecord

from .processes import START_PATIENCE, Processes, smpp_smsc

ACCOUNT, PASSWORD = "crash", "pw123456"
MESSAGES = int(os.environ.get("SMSWIRE_CRASH_MESSAGES", "900"))
KILLS = int(os.environ.get("SMSWIRE_CRASH_KILLS", "3"))
# Bounds on every wait: a broken run fails, it never hangs.
RUN_PATIENCE = 60.0 + MESSAGES / 50
LONG = "Your parcel is waiting at the pick-up point until Friday; bring ID. " * 3
UCS2 = "Ваш код {i}: не сообщайте его никому ✓"


def campaign() -> list[tuple[str, Message]]:
    items = []
    for i in range(MESSAGES):
        text = (f"Your code is {i}", UCS2.format(i=i), f"{i} {LONG}")[i % 3]
        items.append((f"order-{i}", Message(f"4790{i:06d}", text, source="Shop")))
    return items


async def start_worker(
    processes: Processes, store: Path, port: int, delivery: Delivery, *extra: str
) -> asyncio.subprocess.Process:
    return await processes.start(
        "-m", "smswire", "worker", "--store", store, "--via", "smpp",
        "--url", f"smpp://{ACCOUNT}@127.0.0.1:{port}",
        "--delivery", delivery.value.replace("_", "-"),
        "--batch", "40",
        # Short leases: a killed worker's claims come back soon.
        "--lease", "2",
        "--json", *extra,
        env={"SMSWIRE_SMPP_PASSWORD": PASSWORD},
    )  # fmt: skip


async def accepted_grows(record_path: Path, beyond: int, worker: Any) -> int:
    """Wait (bounded) until the SMSC accepted more than ``beyond`` submit_sm."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RUN_PATIENCE
    while loop.time() < deadline:
        if worker.returncode is not None:
            return -1  # it finished the campaign before the kill point
        if record_path.exists():
            count = len(SimulatorRecord.open(record_path).accepted)
            if count > beyond:
                return count
        await asyncio.sleep(0.02)
    raise AssertionError(f"the SMSC accepted no more than {beyond} submit_sm in time")


async def statuses(store: Path) -> dict[str, MessageStatus]:
    found: dict[str, MessageStatus] = {}
    async with Outbox.open(store) as outbox:
        for key, _ in campaign():
            status = await outbox.status(key)
            assert status is not None, key
            found[key] = status
    return found


async def all_receipts_taken(record_path: Path) -> None:
    """Wait (bounded) until the SMSC has every receipt it owes acknowledged."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RUN_PATIENCE
    record = SimulatorRecord.open(record_path)
    while record.unacknowledged() or len(record.receipts) < len(record.accepted):
        assert loop.time() < deadline, f"{len(record.unacknowledged())} receipts never taken"
        await asyncio.sleep(0.2)
        record.refresh()


@pytest.mark.timeout(300 + MESSAGES // 10)
@pytest.mark.parametrize("delivery", list(Delivery))
async def test_a_worker_killed_again_and_again_loses_nothing(
    tmp_path: Path, delivery: Delivery, processes: Processes
) -> None:
    store = tmp_path / "outbox.db"
    async with Outbox.open(store) as outbox:
        await outbox.put_many(campaign())
    rng = random.Random(MESSAGES * 7 + KILLS)
    smsc = smpp_smsc(processes, tmp_path, {ACCOUNT: PASSWORD}, "--receipt-delay", "0.2")
    async with smsc as (ready, record_path):
        port = ready["port"]
        seen = 0
        for _ in range(KILLS):
            worker = await start_worker(processes, store, port, delivery)
            step = rng.randrange(1, max(2, MESSAGES * 2 // (KILLS + 1)))
            seen = await accepted_grows(record_path, seen + step, worker)
            if seen < 0:
                break
            worker.send_signal(signal.SIGKILL)
            await asyncio.wait_for(worker.wait(), START_PATIENCE)
        # The last worker drains what is left, then takes the receipts still owed.
        last = await start_worker(processes, store, port, delivery, "--until-empty")
        _, err = await asyncio.wait_for(last.communicate(), RUN_PATIENCE)
        assert last.returncode == 0, err.decode()
        # Receipts owed to killed workers are taken by the next bind.
        receiver = await start_worker(processes, store, port, delivery)
        try:
            assert receiver.stderr is not None  # it says so once it handles signals
            started = await asyncio.wait_for(receiver.stderr.readline(), START_PATIENCE)
            assert b"draining" in started, started
            await all_receipts_taken(record_path)
        finally:
            receiver.send_signal(signal.SIGTERM)
            await asyncio.wait_for(receiver.communicate(), RUN_PATIENCE)
        assert receiver.returncode == 0
        record = SimulatorRecord.open(record_path)
    found = await statuses(store)

    messages = dict(campaign())
    key_of = {message.destination: key for key, message in messages.items()}
    # Every message has exactly one final outcome.
    assert all(s.outcome is not None for s in found.values())
    # Nothing the SMSC accepted is missing or anything but ACCEPTED or UNKNOWN.
    received = record.messages()
    assert not record.incomplete()
    for got in received:
        status = found[key_of[got.destination]]
        assert status.outcome in (Outcome.ACCEPTED, Outcome.UNKNOWN), status
    taken = {key_of[got.destination] for got in received}
    for key, status in found.items():
        if status.outcome is Outcome.ACCEPTED:
            assert key in taken, f"{key} recorded ACCEPTED, never reached the SMSC"
    # Counted by destination: a resent concatenated message has a new reference.
    times = Counter[str]()
    for got in received:
        times[got.destination] += got.times_accepted
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
    # Every receipt the SMSC delivered is in the store, on its message when
    # the store learnt the id: a killed worker never committed the ids of
    # what it sent last, so a receipt for such a copy is stored unmatched,
    # and its message must be one the store flagged as possibly written.
    by_id = {part.message_id: key for key, s in found.items() for part in s.parts}
    with contextlib.closing(sqlite3.connect(store)) as db:
        stored = {
            decode_receipt(payload).message_id: matched  # type: ignore[union-attr]
            for payload, matched in db.execute("SELECT payload, message FROM receipts")
        }
    acknowledged = [d for d in record.receipts if d.acknowledged]
    assert len(acknowledged) == len(record.receipts)
    unmatched = []
    for receipt in acknowledged:
        assert receipt.message_id in stored, receipt.message_id
        key = by_id.get(receipt.message_id)
        if key is None:
            assert stored[receipt.message_id] is None
            unmatched.append(key_of[receipt.pdu.source_addr])
            continue
        got_ids = {r.receipt.message_id for r in found[key].receipts}  # type: ignore[union-attr]
        assert receipt.message_id in got_ids, key
    assert set(unmatched) <= set(possibly_written)
    delivered = [s for s in found.values() if s.delivery is DeliveryState.DELIVERED]
    assert len(delivered) == sum(s.outcome is Outcome.ACCEPTED for s in found.values())
    print(
        f"{delivery.value}: {len(received)} messages reached the SMSC, "
        f"{len(duplicates)} twice (all flagged), {len(unknown)} unknown, "
        f"{len(possibly_written)} possibly written, {len(acknowledged)} receipts stored "
        f"({len(unmatched)} for copies whose id a killed worker never committed)"
    )
