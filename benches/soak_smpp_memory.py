"""Soak: the SMPP client's resident memory over a long run against the simulator.

Sends ``--messages`` messages (each with a delivery receipt) in batches through
one bind to ``smswire simulate smpp`` in a process of its own, and reports the
client process's RSS at the start, the middle and the end, with the
correlation table's size. ``--receipts read`` takes every receipt through
``on_inbound``; ``unread`` binds as a transceiver and never reads them (the
inbox fills to its bound and the rest stay with the SMSC); ``none`` asks for
no receipts at all. Memory must stay flat: a few MB of warm-up, then nothing
that grows with the message count.

    python benches/soak_smpp_memory.py --messages 500000 --receipts read
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import re
import subprocess
import sys
import time

from smswire import AsyncSmppClient, Limits, Message
from smswire.smpp.receiving import Inbound

BATCH = 10_000


def rss_kb() -> int:
    """This process's resident set size, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        match = re.search(r"VmRSS:\s+(\d+) kB", status.read())
    assert match, "no VmRSS in /proc/self/status"
    return int(match.group(1))


async def soak(port: int, messages: int, receipts: str) -> list[dict[str, float]]:
    taken = 0

    async def take(batch: list[Inbound]) -> None:
        nonlocal taken
        taken += len(batch)

    samples: list[dict[str, float]] = []
    async with AsyncSmppClient(
        "127.0.0.1",
        port,
        system_id="soak",
        password="soak",
        tls=False,
        limits=Limits(window=256),
        on_inbound=take if receipts == "read" else None,
    ) as smpp:
        sent = 0
        started = time.perf_counter()
        while sent < messages:
            count = min(BATCH, messages - sent)
            batch = [
                Message(
                    "+4512345678",
                    f"soak message {sent + i}",
                    source="Soak",
                    registered_delivery=receipts != "none",
                )
                for i in range(count)
            ]
            results = await smpp.send_many(batch)
            assert all(result.ok for result in results), "every message accepted"
            sent += count
            del batch, results
            gc.collect()
            samples.append(
                {
                    "sent": sent,
                    "rss_kb": rss_kb(),
                    "receipts_taken": taken,
                    "correlated_ids": len(smpp._receiving._correlation),
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
            print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--receipts", choices=("read", "unread", "none"), default="read")
    args = parser.parse_args()
    serve = ["simulate", "smpp", "--port", "0", "--receipt-delay", "0", "--no-tls"]
    simulator = subprocess.Popen(
        [sys.executable, "-m", "smswire", *serve],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert simulator.stderr is not None
        match = re.search(r":(\d+)", simulator.stderr.readline())
        assert match, "the simulator did not say where it listens"
        start = rss_kb()
        samples = asyncio.run(soak(int(match.group(1)), args.messages, args.receipts))
    finally:
        simulator.kill()
        simulator.wait()
    middle = samples[len(samples) // 2]
    end = samples[-1]
    growth = (end["rss_kb"] - middle["rss_kb"]) * 1024 / max(1, end["sent"] - middle["sent"])
    report = {
        "messages": args.messages,
        "receipts": args.receipts,
        "rss_kb_before_connecting": start,
        "rss_kb_after_first_batch": samples[0]["rss_kb"],
        "rss_kb_middle": middle["rss_kb"],
        "rss_kb_end": end["rss_kb"],
        "bytes_per_message_middle_to_end": round(growth, 1),
        "receipts_taken": end["receipts_taken"],
        "correlated_ids_end": end["correlated_ids"],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
