"""The outbox worker against the bare client, side by side, receipts on in both.

One SMSC simulator runs in a process of its own (plain TCP, a receipt for
every part at once). Each round runs two client processes one after the
other, on the same simulator: ``direct`` sends N messages with
``send_many`` and takes every receipt from ``receipts()``; ``outbox`` has N
messages put in a SQLite outbox (not timed) and an :class:`OutboxWorker`
drains them through the same client, every receipt committed to the store
before its deliver_sm is answered. Each prints wall time until the last
receipt, and its process CPU (getrusage: every thread, so SQLite's too).
Rounds alternate the order; the figures are min and median over them.

``rss`` drains many messages in one worker process and reports its RSS at
the start, middle and end of the run (nothing per message stays in RAM).

    SMSWIRE_BENCH_WORKER_MESSAGES=20000 SMSWIRE_BENCH_WORKER_ROUNDS=3 \\
        pytest benches/bench_outbox_worker.py -s -p no:randomly
    SMSWIRE_BENCH_WORKER_RSS=1000000 pytest benches/bench_outbox_worker.py -s -k rss

Processes are pinned with taskset where it exists: clients on CPU 0, the
simulator on CPU 1.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MESSAGES = int(os.environ.get("SMSWIRE_BENCH_WORKER_MESSAGES", "2000"))
ROUNDS = int(os.environ.get("SMSWIRE_BENCH_WORKER_ROUNDS", "2"))
RSS_MESSAGES = int(os.environ.get("SMSWIRE_BENCH_WORKER_RSS", "20000"))
ACCOUNT = {"bench": "bench"}
# Bounds a broken run.
PATIENCE = 1800

CLIENT = r"""
import asyncio, json, os, resource, sys, time
from smswire import AsyncSmppClient, Message
from smswire import Timeouts
from smswire.outbox import InboundRecorder, Outbox, OutboxWorker
from smswire.outbox.inbound import STORE_RECEIPT_HOLD

PORT, MODE, N, STORE = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
PAGE = os.sysconf("SC_PAGE_SIZE")

def rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20

def messages(n):
    return [Message(f"4512{i:08d}", f"bench {i}", source="Bench") for i in range(n)]

def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime

async def direct():
    async with AsyncSmppClient("127.0.0.1", PORT, system_id="bench", password="bench",
                               tls=False) as client:
        got = 0
        async def receipts():
            nonlocal got
            async for _ in client.receipts():
                got += 1
                if got == N:
                    return
        batch = messages(N)
        c0, t0 = cpu(), time.perf_counter()
        taking = asyncio.ensure_future(receipts())
        results = await client.send_many(batch)
        await asyncio.wait_for(taking, 300)
        wall, used = time.perf_counter() - t0, cpu() - c0
    print(json.dumps({"mode": MODE, "n": N, "ok": sum(r.ok for r in results), "wall": wall,
                      "cpu": used}), flush=True)

async def outbox():
    async with Outbox.open(STORE) as box:
        for start in range(0, N, 10000):
            await box.put_many((f"k{i}", m) for i, m in
                               zip(range(start, N), messages(min(10000, N - start))))
        inbound = InboundRecorder(box)
        async with AsyncSmppClient("127.0.0.1", PORT, system_id="bench", password="bench",
                                   tls=False, on_inbound=inbound, receipt_correlation=0,
                                   timeouts=Timeouts(receipt_hold=STORE_RECEIPT_HOLD)) as client:
            worker = OutboxWorker(box, client, inbound=inbound)
            samples = [("start", rss_mib())]
            c0, t0 = cpu(), time.perf_counter()
            running = asyncio.ensure_future(worker.run(until_empty=True))
            half = False
            while not running.done():
                await asyncio.wait([running], timeout=0.5)
                if not half and worker.stats.accepted >= N // 2:
                    samples.append(("middle", rss_mib()))
                    half = True
            stats = await running
            sent = time.perf_counter() - t0
            while inbound.recorded < N and time.perf_counter() - t0 < 300:
                await asyncio.sleep(0.01)
            wall, used = time.perf_counter() - t0, cpu() - c0
            samples.append(("end", rss_mib()))
    print(json.dumps({"mode": MODE, "n": N, "ok": stats.accepted, "wall": wall, "cpu": used,
                      "sent": sent, "receipts": inbound.recorded, "rss": samples}), flush=True)

asyncio.run(direct() if MODE == "direct" else outbox())
"""


def pinned(cpu: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", cpu, *command] if shutil.which("taskset") else command


@pytest.fixture(scope="module")
def smsc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    accounts = tmp_path_factory.mktemp("smsc") / "accounts.json"
    accounts.write_text(json.dumps(ACCOUNT))
    command = [sys.executable, "-m", "smswire.smpp.simulator", "--no-tls", "--accounts"]
    process = subprocess.Popen(
        pinned("1", [*command, str(accounts), "--window", "1000"]),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield int(json.loads(process.stdout.readline())["port"])
    finally:
        process.terminate()
        process.wait(PATIENCE)


def run_client(port: int, mode: str, n: int, store: Path) -> dict[str, Any]:
    done = subprocess.run(
        pinned("0", [sys.executable, "-c", CLIENT, str(port), mode, str(n), str(store)]),
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    assert result["ok"] == n, result
    return result


@pytest.mark.timeout(PATIENCE * ROUNDS * 2)
def test_worker_against_direct_send_many(smsc: int, tmp_path: Path) -> None:
    runs: dict[str, list[dict[str, Any]]] = {"direct": [], "outbox": []}
    for round_ in range(ROUNDS):
        order = ("direct", "outbox") if round_ % 2 == 0 else ("outbox", "direct")
        for mode in order:
            store = tmp_path / f"outbox-{round_}.db"
            runs[mode].append(run_client(smsc, mode, MESSAGES, store))
    lines = [f"\n{MESSAGES} messages, receipts on, {ROUNDS} rounds (min / median)"]
    for mode, results in runs.items():
        rates = [r["n"] / r["wall"] for r in results]
        cpus = [r["cpu"] / r["n"] * 1e6 for r in results]
        lines.append(
            f"{mode:<7} msg/s {max(rates):>8,.0f} / {statistics.median(rates):>8,.0f}   "
            f"CPU µs/msg {min(cpus):>7.1f} / {statistics.median(cpus):>7.1f}"
        )
    direct = statistics.median(r["n"] / r["wall"] for r in runs["direct"])
    worker = statistics.median(r["n"] / r["wall"] for r in runs["outbox"])
    lines.append(f"outbox/direct throughput (medians): {worker / direct:.0%}")
    print("\n".join(lines))


@pytest.mark.timeout(PATIENCE)
def test_rss_stays_flat_over_many_messages(smsc: int, tmp_path: Path) -> None:
    result = run_client(smsc, "outbox", RSS_MESSAGES, tmp_path / "rss.db")
    samples = ", ".join(f"{name} {mib:.1f} MiB" for name, mib in result["rss"])
    print(f"\nworker RSS over {RSS_MESSAGES} messages: {samples}")
