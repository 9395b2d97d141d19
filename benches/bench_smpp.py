"""submit_sm through one bind: our client against smpp34's, per submit_sm CPU and rate.

On a 2-core machine smpp34's server saturates near 12,000 to 16,000 submit_sm/s,
so throughput alone cannot tell clients apart: what counts is the client
process's CPU time per submit_sm (getrusage). Each client runs in a process of
its own (so its getrusage holds nothing else, and an smpp34 crash at
interpreter exit cannot fail the run), against servers in processes of their
own: the simulator (``smswire simulate smpp``) and smpp34's Rust server.
A bare asyncio client writing PDUs encoded beforehand (``_bare_smpp.py``)
is the floor the client is held against (issue 17: at most twice its CPU).

The message count comes from ``SMSWIRE_BENCH_SMPP_MESSAGES`` (default 2,000,
which keeps the CI smoke run short; measure with 50,000):

    SMSWIRE_BENCH_SMPP_MESSAGES=50000 pytest benches/bench_smpp.py -s
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _bare_smpp import BARE_CLIENT
from _receipt_clients import OURS_WITH_RECEIPTS, SMPP34_WITH_RECEIPTS

MESSAGES = int(os.environ.get("SMSWIRE_BENCH_SMPP_MESSAGES", "2000"))
WARMUP = 500

# The client under measurement, in its own process; prints one JSON line.
OURS = """
import asyncio, json, resource, sys, time
from smswire import AsyncSmppClient, Limits, Message

async def main(port, ca, window, n, warmup):
    tls = ca if ca != "-" else False
    async with AsyncSmppClient("127.0.0.1", port, system_id="bench", password="bench",
                               tls=tls, limits=Limits(window=window)) as smpp:
        def batch(count, tag):
            return [Message("+4512345678", f"bench {tag} {i}", source="Bench",
                            registered_delivery=False) for i in range(count)]
        await smpp.send_many(batch(warmup, "w"))
        messages = batch(n, "m")
        usage, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        results = await smpp.send_many(messages)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    ok = sum(r.ok for r in results)
    print(json.dumps({"n": n, "ok": ok, "wall": wall, "cpu": cpu}), flush=True)

asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                 int(sys.argv[5])))
"""

SMPP34_CLIENT = """
import asyncio, json, resource, sys, time
import smpp34

async def main(port, window, n, warmup):
    client = smpp34.Client("127.0.0.1", port, "bench", "bench", window_size=window)
    smsc = await client.connect()

    async def run(count, tag):
        async def one(i):
            response = await smsc.submit_sm(
                "4512345678", f"bench {tag} {i}".encode(), source_addr="Bench",
                source_addr_ton=5, dest_addr_ton=1, dest_addr_npi=1)
            return response.is_success
        return await asyncio.gather(*(one(i) for i in range(count)))

    await run(warmup, "w")
    usage, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    results = await run(n, "m")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    print(json.dumps({"n": n, "ok": sum(results), "wall": wall, "cpu": cpu}), flush=True)
    await smsc.unbind()

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
"""

SMPP34_SERVER = """
import asyncio, sys, smpp34

async def main(port):
    # A deep inbound queue: with the default, a burst is answered ESME_RMSGQFUL.
    server = smpp34.Server("127.0.0.1", port, system_id="smpp34", inbound_capacity=1 << 20)
    await server.start()
    print("ready", flush=True)
    count = 0
    while True:
        event = await server.next()
        if isinstance(event, smpp34.SubmitSmEvent):
            count += 1
            event.accept(f"{count:08X}")

asyncio.run(main(int(sys.argv[1])))
"""


# The clients run as ``python -c SCRIPT port ca window n warmup``; smpp34's
# as ``python -c SCRIPT port window n warmup``.
CLIENTS = {"smswire": OURS, "bare": BARE_CLIENT, "smswire+receipts": OURS_WITH_RECEIPTS}
SMPP34_CLIENTS = {"smpp34": SMPP34_CLIENT, "smpp34+receipts": SMPP34_WITH_RECEIPTS}


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    ca: str  # "-" for plain TCP


@dataclass(frozen=True)
class Measurement:
    client: str
    server: str
    transport: str
    window: int
    n: int
    ok: int
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        return self.n / self.wall

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.n * 1e6


RESULTS: list[Measurement] = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    ca = tmp_path_factory.mktemp("ca") / "ca.pem"
    cli = [sys.executable, "-c", "import sys; from smswire.cli import main; sys.exit(main())"]
    common = ["simulate", "smpp", "--port", "0", "--receipt-delay", "0"]
    plain = spawn([*cli, *common, "--no-tls"])
    tls = spawn([*cli, *common, "--ca-out", str(ca)])
    servers = {}
    try:
        for name, process, ca_arg in (("tcp", plain, "-"), ("tls", tls, str(ca))):
            assert process.stderr is not None
            line = process.stderr.readline()
            match = re.search(r":(\d+)", line)
            assert match, line
            servers[name] = Server("simulator", int(match.group(1)), ca_arg)
        yield servers
    finally:
        for process in (plain, tls):
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def smpp34_server() -> Iterator[Server]:
    pytest.importorskip("smpp34")
    port = free_port()
    process = spawn([sys.executable, "-c", SMPP34_SERVER, str(port)])
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield Server("smpp34", port, "-")
    finally:
        process.kill()
        process.wait()


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not RESULTS:
        return
    reporter: Any = request.config.pluginmanager.get_plugin("terminalreporter")
    lines = [
        "",
        f"submit_sm through one bind, {MESSAGES} messages each "
        "(CPU = client process getrusage user+sys)",
        f"{'client':<16} {'server':<10} {'link':<4} {'window':>6} {'submit_sm/s':>12} "
        f"{'CPU µs/submit':>14}",
    ]
    for m in RESULTS:
        lines.append(
            f"{m.client:<16} {m.server:<10} {m.transport:<4} {m.window:>6} {m.rate:>12,.0f} "
            f"{m.cpu_us:>14.1f}"
        )
    capture: Any = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        for line in lines:
            reporter.write_line(line)


def measure(client: str, server: Server, window: int) -> Measurement:
    if client in CLIENTS:
        args = [CLIENTS[client], str(server.port), server.ca, str(window), str(MESSAGES)]
    else:
        pytest.importorskip("smpp34")
        args = [SMPP34_CLIENTS[client], str(server.port), str(window), str(MESSAGES)]
    args.append(str(WARMUP))
    done = subprocess.run(
        [sys.executable, "-c", *args], capture_output=True, text=True, timeout=600
    )
    # smpp34 may crash at interpreter exit after printing; its figures stand.
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert line.startswith("{"), done.stderr
    figures = json.loads(line)
    measurement = Measurement(
        client,
        server.name,
        "tls" if server.ca != "-" else "tcp",
        window,
        figures["n"],
        figures["ok"],
        figures["wall"],
        figures["cpu"],
    )
    assert measurement.ok == measurement.n, "every submit_sm was accepted"
    RESULTS.append(measurement)
    return measurement


def run(benchmark: Any, client: str, server: Server, window: int) -> None:
    measurement = benchmark.pedantic(measure, args=(client, server, window), rounds=1)
    benchmark.extra_info.update(
        submit_sm_per_s=round(measurement.rate), cpu_us_per_submit_sm=measurement.cpu_us
    )


@pytest.mark.parametrize("window", [64, 256])
@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_smswire_client_against_the_simulator(
    benchmark: Any, simulator: dict[str, Server], transport: str, window: int
) -> None:
    run(benchmark, "smswire", simulator[transport], window)


@pytest.mark.parametrize("window", [64, 256])
def test_a_bare_asyncio_client_against_the_simulator(
    benchmark: Any, simulator: dict[str, Server], window: int
) -> None:
    run(benchmark, "bare", simulator["tcp"], window)


@pytest.mark.parametrize("client", ["smswire+receipts", "smpp34+receipts"])
def test_clients_with_receipts_against_the_simulator(
    benchmark: Any, simulator: dict[str, Server], client: str
) -> None:
    run(benchmark, client, simulator["tcp"], 64)


@pytest.mark.parametrize("window", [64, 256])
def test_smswire_client_against_smpp34s_server(
    benchmark: Any, smpp34_server: Server, window: int
) -> None:
    run(benchmark, "smswire", smpp34_server, window)


@pytest.mark.parametrize("window", [64, 256])
def test_smpp34_client_against_smpp34s_server(
    benchmark: Any, smpp34_server: Server, window: int
) -> None:
    run(benchmark, "smpp34", smpp34_server, window)


@pytest.mark.parametrize("window", [64, 256])
def test_smpp34_client_against_the_simulator(
    benchmark: Any, simulator: dict[str, Server], window: int
) -> None:
    run(benchmark, "smpp34", simulator["tcp"], window)
