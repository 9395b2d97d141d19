"""``smswire worker --binds N``: one worker process sending over a pool of SMPP
binds to one account, against the SMSC simulator in a process of its own,
whose record is read against the store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from smswire.message import Message, Outcome
from smswire.outbox import DeliveryState, MessageStatus, Outbox
from smswire.outbox.serial import decode_receipt
from smswire.smpp.simulator import SimulatorRecord

from .support import PATIENCE, run_cli, start_cli

ACCOUNT, PASSWORD = "pooled", "pw654321"
BINDS = 2
# The account's cap at the SMSC, and the worker's --tps across its binds.
CAP = 40
# Bounds every wait: a broken run fails, it never hangs.
RUN_PATIENCE = 60.0
LONG = "Your parcel is waiting at the pick-up point until Friday; bring ID. " * 3


def campaign() -> list[tuple[str, Message]]:
    # One-part texts and three-part ones: 90 submit_sm, two seconds and more at the cap.
    return [
        (
            f"order-{i}",
            Message(f"4791{i:06d}", f"{i} {LONG}" if i % 4 == 0 else f"code {i}", source="Shop"),
        )
        for i in range(60)
    ]


@asynccontextmanager
async def smsc_process(tmp_path: Path, *extra: str) -> AsyncIterator[tuple[int, Path]]:
    """The simulator, plain TCP, its record in ``tmp_path``: (port, record path)."""
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({ACCOUNT: PASSWORD}))
    record = tmp_path / "smsc.record"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "smswire.smpp.simulator", "--no-tls", "--record", str(record),
        "--accounts", str(accounts), "--receipt-delay", "0.05", *extra,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        ready = json.loads(await asyncio.wait_for(process.stdout.readline(), PATIENCE))
        yield ready["port"], record
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), PATIENCE)


async def fill(store: Path) -> None:
    async with Outbox.open(store) as outbox:
        await outbox.put_many(campaign())


async def all_delivered(store: Path, worker: Any) -> dict[str, MessageStatus]:
    """Wait (bounded) until every message of the campaign has its receipts stored."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RUN_PATIENCE
    keys = [key for key, _ in campaign()]
    async with Outbox.open(store) as outbox:
        while True:
            found = {key: await outbox.status(key) for key in keys}
            if all(s is not None and s.delivery is DeliveryState.DELIVERED for s in found.values()):
                return {key: s for key, s in found.items() if s is not None}
            assert worker.returncode is None, "the worker stopped on its own"
            assert loop.time() < deadline, "the receipts were never all stored"
            await asyncio.sleep(0.05)


@asynccontextmanager
async def worker_process(*args: str | Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """A worker child process, stopped with SIGTERM (killed if that fails)."""
    worker = await start_cli("worker", "--via", "smpp", "--json", *args,
                             env={"SMSWIRE_SMPP_PASSWORD": PASSWORD})  # fmt: skip
    try:
        yield worker
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()


async def stop(worker: asyncio.subprocess.Process) -> dict[str, Any]:
    worker.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(worker.communicate(), PATIENCE)
    assert worker.returncode == 0, err.decode()
    stats: dict[str, Any] = json.loads(out)
    return stats


async def test_a_worker_with_two_binds_drains_a_campaign_and_stores_every_receipt(
    tmp_path: Path,
) -> None:
    store = tmp_path / "outbox.db"
    await fill(store)
    async with smsc_process(tmp_path, "--tps-limit", str(CAP)) as (port, record_path):
        async with worker_process(
            "--store", store, "--url", f"smpp://{ACCOUNT}@127.0.0.1:{port}",
            "--binds", str(BINDS), "--tps", str(CAP), "--batch", "20",
        ) as worker:  # fmt: skip
            found = await all_delivered(store, worker)
            stats = await stop(worker)
        record = SimulatorRecord.open(record_path)

    messages = dict(campaign())
    assert stats["accepted"] == len(messages)
    # Every message one outcome, ACCEPTED, and a receipt stored for each of its parts.
    for key, status in found.items():
        assert status.outcome is Outcome.ACCEPTED, (key, status)
        assert len(status.receipts) == status.part_count == len(status.parts), key
    # Both binds carried submits: the pool spread them (one connection per bind).
    bound = [c for c in record.connections if c.bind == "transceiver"]
    assert len(bound) == BINDS
    used = {submit.connection for submit in record.accepted}
    assert used == {c.number for c in bound}
    # The account's cap held across the binds: the SMSC throttled none.
    assert record.refused == []
    assert record.busiest_second(ACCOUNT) <= CAP
    # Every receipt the SMSC sent was acknowledged, after the store had it on its message.
    assert len(record.receipts) == len(record.accepted)
    # ... and they came on both binds: each bind's receipts reach the store.
    assert {a.connection for r in record.receipts for a in r.attempts} == used
    by_id = {part.message_id: key for key, s in found.items() for part in s.parts}
    with contextlib.closing(sqlite3.connect(store)) as db:
        stored = {
            decode_receipt(payload).message_id: matched  # type: ignore[union-attr]
            for payload, matched in db.execute("SELECT payload, message FROM receipts")
        }
    for receipt in record.receipts:
        assert receipt.acknowledged, receipt.message_id
        assert stored.get(receipt.message_id) is not None, f"{receipt.message_id} uncorrelated"
        assert receipt.message_id in by_id


async def test_binds_below_one_or_over_link_are_refused_in_one_line(tmp_path: Path) -> None:
    store = tmp_path / "outbox.db"
    for flags, reason in (
        (("--via", "smpp", "--url", "smpp://acme@127.0.0.1:9", "--binds", "0"), "--binds must be"),
        (("--via", "link", "--url", "https://127.0.0.1:9/", "--binds", "2"), "--binds is for"),
    ):
        run = await run_cli(
            "worker", "--store", store, *flags,
            env={"SMSWIRE_SMPP_PASSWORD": "pw", "SMSWIRE_LINK_SERVICE_ID": "7",
                 "SMSWIRE_LINK_USERNAME": "u", "SMSWIRE_LINK_PASSWORD": "p"},
        )  # fmt: skip
        assert run.returncode == 1, run.stderr
        assert run.stderr.startswith("smswire: error:") and reason in run.stderr, run.stderr
