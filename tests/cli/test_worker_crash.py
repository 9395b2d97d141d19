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
from pathlib import Path

import pytest

from smswire.message import Delivery
from smswire.outbox import Outbox
from smswire.outbox.serial import decode_receipt
from smswire.smpp.simulator import SimulatorRecord

from .processes import START_PATIENCE, Processes, smpp_smsc
from .smpp_campaign import (
    ACCOUNT,
    PASSWORD,
    accepted_grows,
    all_receipts_taken,
    campaign,
    check_nothing_lost,
    start_worker,
    statuses,
)

MESSAGES = int(os.environ.get("SMSWIRE_CRASH_MESSAGES", "900"))
KILLS = int(os.environ.get("SMSWIRE_CRASH_KILLS", "3"))
# Bounds on every wait: a broken run fails, it never hangs.
RUN_PATIENCE = 60.0 + MESSAGES / 50


@pytest.mark.timeout(300 + MESSAGES // 10)
@pytest.mark.parametrize("delivery", list(Delivery))
async def test_a_worker_killed_again_and_again_loses_nothing(
    tmp_path: Path, delivery: Delivery, processes: Processes
) -> None:
    store = tmp_path / "outbox.db"
    items = campaign(MESSAGES)
    async with Outbox.open(store) as outbox:
        await outbox.put_many(items)
    rng = random.Random(MESSAGES * 7 + KILLS)
    smsc = smpp_smsc(processes, tmp_path, {ACCOUNT: PASSWORD}, "--receipt-delay", "0.2")
    async with smsc as (ready, record_path):
        port = ready["port"]
        seen = 0
        for _ in range(KILLS):
            worker = await start_worker(processes, store, port, delivery)
            step = rng.randrange(1, max(2, MESSAGES * 2 // (KILLS + 1)))
            seen = await accepted_grows(record_path, seen + step, worker, RUN_PATIENCE, store)
            if worker.returncode is None:
                worker.send_signal(signal.SIGKILL)
                await asyncio.wait_for(worker.wait(), START_PATIENCE)
            if seen < 0:
                break
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
            await all_receipts_taken(record_path, RUN_PATIENCE)
        finally:
            receiver.send_signal(signal.SIGTERM)
            await asyncio.wait_for(receiver.communicate(), RUN_PATIENCE)
        assert receiver.returncode == 0
        record = SimulatorRecord.open(record_path)
    found = await statuses(store, [key for key, _ in items])
    # A killed worker never committed the ids of what it sent last, so a
    # receipt for such a copy is stored unmatched (its message NULL).
    with contextlib.closing(sqlite3.connect(store)) as db:
        stored = {
            decode_receipt(payload).message_id: matched  # type: ignore[union-attr]
            for payload, matched in db.execute("SELECT payload, message FROM receipts")
        }
    tally = check_nothing_lost(
        items, found, record, delivery, lambda message_id: stored.get(message_id, "") is None
    )
    print(tally.summary(delivery))
