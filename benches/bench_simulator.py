"""The SMSC simulator's own CPU per submit_sm, so client benchmarks measure the client.

Issue 17: at most 10 µs of simulator CPU per submit_sm (no receipts). The
simulator runs in a process of its own and reports its getrusage (user + sys)
before and after the measured run; the client is a bare asyncio ESME writing
pre-encoded submit_sm PDUs (160 octets of text, no receipt asked), refilling
a window of 64 as responses arrive, so it costs the simulator as little
waiting as possible. With two cores or more, each process is pinned to a
core of its own (``os.sched_setaffinity``, as ``taskset`` would).

The message count comes from ``SMSWIRE_BENCH_SIM_MESSAGES`` (default 2,000,
which keeps the CI smoke run short; measure with 100,000):

    SMSWIRE_BENCH_SIM_MESSAGES=100000 pytest benches/bench_simulator.py -s
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smswire.pdu import BindTransceiver, SubmitSm, encode

MESSAGES = int(os.environ.get("SMSWIRE_BENCH_SIM_MESSAGES", "2000"))
WARMUP = 1000
WINDOW = 64
TEXT = b"x" * 160
# SMPP 3.4 §5.1.2: deliver_sm's command_id; §4.6.2: its response, header and an
# empty message_id (one NUL), 17 octets.
DELIVER_SM = 0x00000005
DELIVER_SM_RESP = struct.Struct(">IIIIB")

# The simulator under measurement: prints its port and CA file, then its
# getrusage (user + sys seconds) each time a line arrives on stdin.
SERVER = """
import asyncio, json, resource, sys
from smswire.smpp import SmscSimulator

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

async def main(options):
    loop = asyncio.get_running_loop()
    async with SmscSimulator(**options) as sim:
        ca_file = str(sim.ca_file) if sim.ca_file else None
        print(json.dumps({"port": sim.port, "ca_file": ca_file}), flush=True)
        while await loop.run_in_executor(None, sys.stdin.readline):
            print(json.dumps({"cpu": cpu(), "accepted": sim.accepted_submits}), flush=True)

asyncio.run(main(json.loads(sys.argv[1])))
"""

RESULTS: list[tuple[str, float]] = []
SIMULATOR_CORE, CLIENT_CORE = 0, 1


def pinning() -> bool:
    return hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2


class Simulator:
    def __init__(self, options: dict[str, Any]) -> None:
        def pin() -> None:
            if pinning():
                os.sched_setaffinity(0, {SIMULATOR_CORE})

        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=pin,
        )
        assert self.process.stdout is not None
        ready = json.loads(self.process.stdout.readline())
        self.port: int = ready["port"]
        self.tls = ssl.create_default_context(cafile=ready["ca_file"]) if ready["ca_file"] else None

    def usage(self) -> dict[str, float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        figures: dict[str, float] = json.loads(self.process.stdout.readline())
        return figures

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def submits(count: int, receipts: bool = False) -> list[bytes]:
    template = encode(
        SubmitSm(
            source_addr_ton=5,
            source_addr="Bench",
            dest_addr_ton=1,
            dest_addr_npi=1,
            destination_addr="4512345678",
            short_message=TEXT,
            registered_delivery=1 if receipts else 0,
        )
    )
    return [template[:12] + struct.pack(">I", i + 1) + template[16:] for i in range(count)]


async def drive(simulator: Simulator, pdus: list[bytes], receipts: bool = False) -> None:
    """Bind, then keep WINDOW submit_sm in flight until every one is answered (and,
    with ``receipts``, every receipt has come and been acknowledged)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", simulator.port, ssl=simulator.tls)
    bind = BindTransceiver(system_id="bench", password="bench", sequence_number=0x7FFFFFFF)
    writer.write(encode(bind))
    length, _, status, _ = struct.unpack(">IIII", await reader.readexactly(16))
    await reader.readexactly(length - 16)
    assert status == 0, f"bind refused with {status:#x}"
    sent = min(WINDOW, len(pdus))
    writer.write(b"".join(pdus[:sent]))
    answered = taken = 0
    expected_receipts = len(pdus) if receipts else 0
    buffer = b""
    while answered < len(pdus) or taken < expected_receipts:
        buffer += await asyncio.wait_for(reader.read(1 << 16), 30)
        at = count = 0
        acknowledgements = []
        while len(buffer) - at >= 16:
            length, command_id, status, seq = struct.unpack_from(">IIII", buffer, at)
            if len(buffer) - at < length:
                break
            at += length
            if command_id == DELIVER_SM:
                acknowledgements.append(DELIVER_SM_RESP.pack(17, DELIVER_SM | 1 << 31, 0, seq, 0))
                taken += 1
                continue
            assert status == 0, f"submit_sm refused with {status:#x}"
            count += 1
        buffer = buffer[at:]
        answered += count
        more = min(count, len(pdus) - sent)
        writer.write(b"".join(acknowledgements))
        if more:
            writer.write(b"".join(pdus[sent : sent + more]))
            sent += more
    writer.close()


def measure(options: dict[str, Any]) -> float:
    """Simulator CPU µs per submit_sm over MESSAGES, after a warm-up."""
    receipts = options.get("receipt_delay") is not None
    simulator = Simulator(options)
    everywhere = os.sched_getaffinity(0) if pinning() else set()
    try:
        if pinning():
            os.sched_setaffinity(0, {CLIENT_CORE})
        asyncio.run(drive(simulator, submits(WARMUP, receipts), receipts))
        before = simulator.usage()
        asyncio.run(drive(simulator, submits(MESSAGES, receipts), receipts))
        after = simulator.usage()
    finally:
        if pinning():
            os.sched_setaffinity(0, everywhere)
        simulator.stop()
    assert after["accepted"] - before["accepted"] == MESSAGES
    return (after["cpu"] - before["cpu"]) / MESSAGES * 1e6


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not RESULTS:
        return
    reporter: Any = request.config.pluginmanager.get_plugin("terminalreporter")
    capture: Any = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(
            f"simulator CPU per submit_sm (getrusage user+sys), {MESSAGES} messages, "
            f"window {WINDOW}; with receipts, the receipt and its acknowledgement too"
        )
        for name, cpu_us in RESULTS:
            reporter.write_line(f"{name:<22} {cpu_us:>8.2f} µs")


@pytest.mark.parametrize(
    ("name", "tls", "record", "receipts"),
    [
        ("tcp, record in memory", False, False, False),
        ("tcp, record in a file", False, True, False),
        ("tls, record in a file", True, True, False),
        ("tcp, file, receipts", False, True, True),
    ],
)
def test_simulator_cpu_per_submit_sm(
    benchmark: Any, tmp_path: Path, name: str, tls: bool, record: bool, receipts: bool
) -> None:
    options: dict[str, Any] = {"tls": tls, "receipt_delay": 0.0 if receipts else None}
    if record:
        options["record"] = str(tmp_path / "smsc.record")
    cpu_us = benchmark.pedantic(measure, args=(options,), rounds=1)
    benchmark.extra_info.update(simulator_cpu_us_per_submit_sm=cpu_us)
    RESULTS.append((name, cpu_us))
