"""Worker processes side by side: 1, 2 and 4 ``smswire worker`` processes on one
Redis outbox, and one worker on SQLite, draining the same campaign.

The SMSC simulator runs in a process of its own with no cap and no receipts
(what is measured is the drain: claim, write-ahead mark, submit, record).
Each arm puts N messages in a fresh outbox (not timed), then starts its
workers with ``--until-empty`` and times them from start to the last one's
exit. CPU is every worker's (getrusage of the reaped children), and Redis's
and the simulator's from /proc, all per message. The same workers on an
empty outbox first measure what start-up, bind and exit cost; that is
subtracted from both wall time and worker CPU.

    SMSWIRE_BENCH_SCALE_MESSAGES=20000 SMSWIRE_BENCH_SCALE_ROUNDS=3 \\
        pytest benches/bench_worker_scale.py -s -p no:randomly

``SMSWIRE_BENCH_SCALE_BINDS`` gives each worker that many binds.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _redis import redis_server

from smswire.message import Message
from smswire.outbox import Outbox

MESSAGES = int(os.environ.get("SMSWIRE_BENCH_SCALE_MESSAGES", "2000"))
ROUNDS = int(os.environ.get("SMSWIRE_BENCH_SCALE_ROUNDS", "1"))
BINDS = int(os.environ.get("SMSWIRE_BENCH_SCALE_BINDS", "1"))
ACCOUNT, PASSWORD = "scale", "scale123"
# Bounds a broken run.
PATIENCE = 1800.0
TICKS = os.sysconf("SC_CLK_TCK")
ARMS = (("sqlite", 1), ("redis", 1), ("redis", 2), ("redis", 4))


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.fixture(scope="module")
def smsc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """The simulator's process id and port."""
    accounts = tmp_path_factory.mktemp("smsc") / "accounts.json"
    accounts.write_text(json.dumps({ACCOUNT: PASSWORD}))
    command = [sys.executable, "-m", "smswire.smpp.simulator", "--no-tls", "--window", "1000"]
    process = subprocess.Popen(
        [*command, "--accounts", str(accounts), "--receipt-delay", "off"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.pid, int(json.loads(process.stdout.readline())["port"])
    finally:
        process.terminate()
        process.wait(PATIENCE)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


async def fill(store: str, n: int) -> None:
    async with Outbox.open(store) as outbox:
        await outbox.put_many(
            (f"m{i}", Message(f"4512{i:08d}", f"scale {i}", source="Scale")) for i in range(n)
        )


def drain(store: str, workers: int, port: int) -> tuple[float, float, int]:
    """Wall seconds and worker CPU seconds to drain ``store``, and how many
    messages the workers recorded as accepted."""
    command = [sys.executable, "-m", "smswire", "worker", "--store", store, "--via", "smpp"]
    command += ["--url", f"smpp://{ACCOUNT}@127.0.0.1:{port}", "--until-empty", "--json"]
    command += ["--delivery", "at-most-once"]
    if BINDS > 1:
        command += ["--binds", str(BINDS)]
    env = {**os.environ, "SMSWIRE_SMPP_PASSWORD": PASSWORD}
    cpu, started = children_cpu(), time.perf_counter()
    running = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(workers)
    ]
    accepted = 0
    for worker in running:
        out, err = worker.communicate(timeout=PATIENCE)
        assert worker.returncode == 0, err.decode()
        accepted += json.loads(out.decode().splitlines()[-1])["accepted"]
    return time.perf_counter() - started, children_cpu() - cpu, accepted


@pytest.mark.timeout(PATIENCE * ROUNDS)
def test_workers_side_by_side(smsc: tuple[int, int], redis: Any, tmp_path: Path) -> None:
    smsc_pid, port = smsc
    figures: dict[tuple[str, int], list[dict[str, float]]] = {arm: [] for arm in ARMS}
    for round_ in range(ROUNDS):
        for kind, workers in ARMS if round_ % 2 == 0 else ARMS[::-1]:
            if kind == "sqlite":
                store = str(tmp_path / f"outbox-{round_}.db")
            else:
                store = f"{redis.url}?prefix=scale-{round_}-{workers}"
            idle_wall, idle_cpu, _ = drain(store, workers, port)
            asyncio.run(fill(store, MESSAGES))
            assert redis.process is not None
            redis_before, smsc_before = process_cpu(redis.process.pid), process_cpu(smsc_pid)
            wall, cpu, accepted = drain(store, workers, port)
            assert accepted == MESSAGES
            figures[(kind, workers)].append(
                {
                    "rate": MESSAGES / (wall - idle_wall),
                    "worker_us": (cpu - idle_cpu) / MESSAGES * 1e6,
                    "redis_us": (process_cpu(redis.process.pid) - redis_before) / MESSAGES * 1e6,
                    "smsc_us": (process_cpu(smsc_pid) - smsc_before) / MESSAGES * 1e6,
                }
            )
    lines = [
        f"\n{MESSAGES} messages, {BINDS} bind(s) a worker, no receipts, {ROUNDS} round(s),"
        f" {os.cpu_count()} CPUs (best / median)",
        f"{'store':<7}{'workers':>8}{'msg/s':>18}{'worker µs/msg':>18}"
        f"{'redis µs/msg':>14}{'smsc µs/msg':>13}",
    ]
    for (kind, workers), runs in figures.items():
        rates = [r["rate"] for r in runs]
        cpus = [r["worker_us"] for r in runs]
        lines.append(
            f"{kind:<7}{workers:>8}{max(rates):>9,.0f} /{statistics.median(rates):>7,.0f}"
            f"{min(cpus):>9.0f} /{statistics.median(cpus):>6.0f}"
            f"{statistics.median(r['redis_us'] for r in runs):>14.0f}"
            f"{statistics.median(r['smsc_us'] for r in runs):>13.0f}"
        )
    print("\n".join(lines))
