"""Client CPU per message of two checkouts of smswire, side by side in one run.

    python benches/compare_checkouts.py BEFORE/python AFTER/python [--messages N] [--rounds R]

Each argument is a checkout's ``python/`` directory with its native extension
in place (copy ``_native.abi3.so`` across when the Rust core is the same). The
clients are bench_smpp.py's: smswire without receipts, smswire with every
receipt taken from ``receipts()`` (so acknowledged), and the bare asyncio
client as the floor, each in a fresh process pinned to CPU 0, the simulator
(the second checkout's) pinned to CPU 1. The checkouts take turns within each
round, so a noisy machine slows both alike; min and median per message are
printed with every round. The bare client has a simulator of its own: it
counts every PDU as an answer, and a receipt the other clients left queued for
its system_id would be one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

from _bare_smpp import BARE_CLIENT
from _receipt_clients import OURS_WITH_RECEIPTS
from bench_smpp import OURS

WINDOW = "64"
WARMUP = "500"


def simulator(python_path: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "smswire", "simulate", "smpp", "--port", "0", "--no-tls"]
    process = subprocess.Popen(
        ["taskset", "-c", "1", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": python_path},
    )
    assert process.stderr is not None
    match = re.search(r":(\d+)", process.stderr.readline())
    assert match, "the simulator did not say its port"
    return process, match.group(1)


def cpu_per_message(script: str, python_path: str, port: str, messages: int) -> float:
    """Microseconds of client CPU a message, as the client script reports it."""
    args = [port, "-", WINDOW, str(messages), WARMUP]
    result = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": python_path},
        check=True,
        timeout=600,
    )
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["ok"] == messages, line
    return float(line["cpu"]) / messages * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    trees = {"before": options.before, "after": options.after}
    shared, port = simulator(options.after)
    bare, bare_port = simulator(options.after)
    figures: dict[str, list[float]] = {}
    try:
        for _ in range(options.rounds):
            for name, tree in trees.items():
                for arm, script in (("", OURS), (", receipts", OURS_WITH_RECEIPTS)):
                    figure = cpu_per_message(script, tree, port, options.messages)
                    figures.setdefault(f"{name}{arm}", []).append(figure)
            figure = cpu_per_message(BARE_CLIENT, options.after, bare_port, options.messages)
            figures.setdefault("bare asyncio client", []).append(figure)
    finally:
        for process in (shared, bare):
            process.kill()
            process.wait()
    print(f"client CPU per message, µs ({options.messages} messages, window {WINDOW})")
    for arm, values in figures.items():
        rounds = " ".join(f"{value:.1f}" for value in values)
        middle = statistics.median(values)
        print(f"{arm:22} min {min(values):6.1f}  median {middle:6.1f}  [{rounds}]")


if __name__ == "__main__":
    main()
