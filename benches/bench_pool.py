"""A bind pool's throughput with 1, 2 and 4 binds against the SMPP simulator.

Run: SMSWIRE_BENCH_POOL_MESSAGES=20000 SMSWIRE_BENCH_POOL_ROUNDS=3 \
         pytest benches/bench_pool.py --benchmark-only -s

The simulator (``smswire simulate smpp``, TLS, no cap) runs in its own process
pinned to CPU 1; each pool runs in a process of its own pinned to CPU 0, where
taskset exists. The arms run interleaved, ROUNDS times, so drift in the
machine's load falls on all of them alike; each reports the min and median of

- submit_sm/s: messages over the pool's wall time for them;
- client CPU µs/submit: the pool process's getrusage user+sys per message.

Without a cap, more binds help only while one bind's window, not a CPU, is
what limits: on two cores the simulator's core is the ceiling, and the
figures say how close each arm comes to it. The count is
$SMSWIRE_BENCH_POOL_MESSAGES per round (default 2,000, the CI smoke run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MESSAGES = int(os.environ.get("SMSWIRE_BENCH_POOL_MESSAGES", "2000"))
ROUNDS = int(os.environ.get("SMSWIRE_BENCH_POOL_ROUNDS", "1"))
WARMUP = 500
WINDOW = 64
# (label, binds, rate, burst): "client" is one AsyncSmppClient, what the pool
# adds to; "gated" passes every submit_sm through the account gate at a cap far
# above reach, what holding a cap costs: evenly spaced (burst 1: a write per
# submit_sm), or a window at once (burst 64: one write per window).
ARMS = (
    ("client", 1, None, 1),
    ("pool 1", 1, None, 1),
    ("pool 2", 2, None, 1),
    ("pool 4", 4, None, 1),
    ("pool 4 gated", 4, 50_000, 1),
    ("gated b64", 4, 50_000, 64),
)

# The pool under measurement, in its own process; prints one JSON line.
POOL = """
import asyncio, json, resource, sys, time
from smswire import AsyncSmppClient, AsyncSmppPool, Limits, Message

async def main(port, ca, kind, binds, rate, burst, window, n, warmup):
    options = dict(system_id="bench", password="bench", tls=ca, limits=Limits(window=window),
                   source="Bench")
    if kind == "client":
        sender = AsyncSmppClient("127.0.0.1", port, **options)
    else:
        sender = AsyncSmppPool("127.0.0.1", port, binds=binds, burst=burst,
                               rate=float(rate) if rate != "-" else None, **options)
    async with sender as pool:
        def batch(count, tag):
            return [Message("+4512345678", f"bench {tag} {i}", registered_delivery=False)
                    for i in range(count)]
        await pool.send_many(batch(warmup, "w"))
        messages = batch(n, "m")
        usage, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        results = await pool.send_many(messages)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    print(json.dumps({"n": n, "ok": sum(r.ok for r in results), "wall": wall, "cpu": cpu}))

asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5],
                 int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])))
"""

RESULTS: dict[str, list[dict[str, float]]] = {label: [] for label, *_ in ARMS}


def _pinned(cpu: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", cpu, *command] if shutil.which("taskset") else command


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    ca = tmp_path_factory.mktemp("ca") / "ca.pem"
    cli = [sys.executable, "-c", "import sys; from smswire.cli import main; sys.exit(main())"]
    command = [*cli, "simulate", "smpp", "--port", "0", "--receipt-delay", "0"]
    process = subprocess.Popen(
        _pinned("1", [*command, "--ca-out", str(ca)]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r":(\d+)", line)
        assert match, line
        yield int(match.group(1)), ca
    finally:
        process.kill()
        process.wait()


def _round(
    port: int, ca: Path, label: str, binds: int, rate: int | None, burst: int
) -> dict[str, float]:
    kind = "client" if label == "client" else "pool"
    args = [str(port), str(ca), kind, str(binds), str(rate or "-"), str(burst)]
    args += [str(WINDOW), str(MESSAGES), str(WARMUP)]
    done = subprocess.run(
        _pinned("0", [sys.executable, "-c", POOL, *args]),
        capture_output=True,
        text=True,
        timeout=600,
    )
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert line.startswith("{"), done.stderr
    figures: dict[str, float] = json.loads(line)
    assert figures["ok"] == figures["n"], "every message accepted"
    return figures


# Every arm, every round, in one test: its bound grows with the run asked for.
@pytest.mark.timeout(120 + ROUNDS * len(ARMS) * (30 + MESSAGES // 200))
def test_pool_throughput_with_1_2_and_4_binds_beside_one_client(
    benchmark: Any, simulator: tuple[int, Path], request: pytest.FixtureRequest
) -> None:
    port, ca = simulator

    def interleaved() -> None:
        for _ in range(ROUNDS):
            for label, binds, rate, burst in ARMS:
                RESULTS[label].append(_round(port, ca, label, binds, rate, burst))

    benchmark.pedantic(interleaved, rounds=1)
    lines = [
        "",
        f"pool throughput, {MESSAGES} messages x {ROUNDS} rounds, TLS, window {WINDOW} per bind",
        f"{'arm':<13} {'submit_sm/s min':>16} {'median':>8} {'CPU µs/submit min':>18} "
        f"{'median':>8}",
    ]
    for label, figures in RESULTS.items():
        rates = [f["n"] / f["wall"] for f in figures]
        cpus = [f["cpu"] / f["n"] * 1e6 for f in figures]
        benchmark.extra_info[f"{label}_submit_sm_per_s_median"] = round(statistics.median(rates))
        lines.append(
            f"{label:<13} {min(rates):>16,.0f} {statistics.median(rates):>8,.0f} "
            f"{min(cpus):>18.1f} {statistics.median(cpus):>8.1f}"
        )
    reporter: Any = request.config.pluginmanager.get_plugin("terminalreporter")
    capture: Any = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        for line in lines:
            reporter.write_line(line)
