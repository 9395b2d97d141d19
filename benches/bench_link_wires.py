"""The LINK sender over each wire, side by side in one run (issue 17).

Run: pytest benches/bench_link_wires.py --benchmark-only -s

The LINK simulator runs under uvicorn with httptools (benches/_serve.py), in
its own process pinned to one CPU, once over plain HTTP and once over TLS
(a trustme CA). Each arm (benches/_link_arms.py) is a process of its own
pinned to the other CPU, so the client CPU it reports is its own: httpcore's
pool as users without sniffio have it, with sniffio, with sniffio and 16
connections, httpx-aiohttp (when installed), smswire's default wire, bare
aiohttp and the blocking client. The arms take turns, ROUNDS times, the order
reversed every other round, so drift in the machine's load falls on all alike.
Reported: messages a second and client CPU µs a message, min / median.

Targets (issue 17, reported, never asserted): smswire async ≥ 2,000/s plain,
≥ 0.7× bare aiohttp in the same run, ≥ 1,500/s over TLS, the blocking client
≥ half the async one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

COUNT_ENV = "SMSWIRE_BENCH_LINK_MESSAGES"
FULL_COUNT = 3_000
SMOKE_COUNT = 100
ROUNDS = 3
CONCURRENCY = 64
SERVER_CPU, CLIENT_CPU = "1", "0"
_HERE = Path(__file__).parent
_PLAIN_ARMS = [
    "httpcore",
    "httpcore-sniffio",
    "httpcore-tuned",
    "httpx-aiohttp",
    "aiohttp",
    "smswire",
    "smswire-sync",
]
_TLS_ARMS = ["aiohttp", "smswire", "smswire-sync"]


def _pinned(cpu: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", cpu, *command] if shutil.which("taskset") else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Simulator:
    """``smswire``'s LINK simulator under uvicorn+httptools, its own process."""

    def __init__(self, tls: tuple[Path, Path] | None) -> None:
        self.port = _free_port()
        extra = [str(path) for path in tls] if tls else []
        self.process = subprocess.Popen(
            _pinned(
                SERVER_CPU,
                [
                    sys.executable,
                    str(_HERE / "_serve.py"),
                    "simulator",
                    str(self.port),
                    "httptools",
                    *extra,
                ],
            ),
            stderr=subprocess.DEVNULL,
        )
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}/smscsimplehttp"
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", self.port)) != 0:
            assert self.process.poll() is None, "the simulator did not start"
            assert time.monotonic() < deadline, "the simulator did not start in time"
            time.sleep(0.05)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(30)


@pytest.fixture(scope="module")
def simulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """(plain URL, TLS URL, the CA file the TLS one is trusted by)."""
    pytest.importorskip("httptools", reason="httptools comes with the sim extra")
    trustme = pytest.importorskip("trustme", reason="trustme comes with the sim extra")
    directory = tmp_path_factory.mktemp("link-tls")
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    cert = ca.issue_cert("127.0.0.1", key_type=trustme.KeyType.RSA)
    chain, key, ca_file = directory / "chain.pem", directory / "key.pem", directory / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(chain))
    cert.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    plain, tls = _Simulator(None), _Simulator((chain, key))
    try:
        yield plain.url, tls.url, ca_file
    finally:
        plain.close()
        tls.close()


def _run(arm: str, url: str, count: int, ca_file: Path | None) -> tuple[float, float]:
    """(messages a second, client CPU µs a message) of one arm's round."""
    command = [sys.executable, str(_HERE / "_link_arms.py"), arm, url, str(count)]
    command.append(str(CONCURRENCY))
    if ca_file is not None:
        command.append(str(ca_file))
    done = subprocess.run(
        _pinned(CLIENT_CPU, command), capture_output=True, text=True, check=True, timeout=900
    )
    result = json.loads(done.stdout)
    # A reply other than 1000 would measure something else: say which.
    assert result["accepted"] == count, (result, done.stderr[-2000:])
    return count / result["seconds"], result["cpu"] / count * 1e6


def _count(benchmark: pytest.FixtureRequest) -> int:
    value = os.environ.get(COUNT_ENV)
    if value:
        return int(value)
    return SMOKE_COUNT if getattr(benchmark, "disabled", False) else FULL_COUNT


# Every arm, every round: minutes on a loaded machine (httpcore's alone is
# 15 to 30 s a round).
@pytest.mark.timeout(1800)
def test_link_wires(
    benchmark: pytest.FixtureRequest,
    simulators: tuple[str, str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    plain_url, tls_url, ca_file = simulators
    count = _count(benchmark)
    rounds = 1 if getattr(benchmark, "disabled", False) else ROUNDS
    optional = {"httpx-aiohttp": "httpx_aiohttp", "httpcore-sniffio": "sniffio"}
    optional["httpcore-tuned"] = "sniffio"
    arms: list[tuple[str, str, Path | None]] = [
        (arm, plain_url, None)
        for arm in _PLAIN_ARMS
        if arm not in optional or importlib.util.find_spec(optional[arm]) is not None
    ]
    arms += [(arm, tls_url, ca_file) for arm in _TLS_ARMS]
    rates: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}

    def interleaved() -> None:
        for n in range(rounds):
            for arm, url, ca in arms if n % 2 == 0 else arms[::-1]:
                name = f"{arm} ({'TLS' if ca else 'plain'})"
                rate, cpu = _run(arm, url, count, ca)
                rates.setdefault(name, []).append(rate)
                cpus.setdefault(name, []).append(cpu)

    benchmark.pedantic(interleaved, rounds=1, iterations=1)  # type: ignore[attr-defined]
    median = {name: statistics.median(values) for name, values in rates.items()}
    lines = [
        f"\nLINK send_many, {count} messages a round, concurrency {CONCURRENCY}, {rounds} rounds"
        " interleaved; min / median",
        f"{'':24} {'messages/s':>17} {'client CPU µs/msg':>19}",
    ]
    for name in rates:
        rate = f"{min(rates[name]):7.0f} / {median[name]:7.0f}"
        cpu = f"{min(cpus[name]):7.0f} / {statistics.median(cpus[name]):7.0f}"
        lines.append(f"{name:24} {rate:>17} {cpu:>19}")
    lines.append(
        "smswire / bare aiohttp (median, plain): "
        f"{median['smswire (plain)'] / median['aiohttp (plain)']:.2f}; "
        f"blocking / async: {median['smswire-sync (plain)'] / median['smswire (plain)']:.2f}"
    )
    benchmark.extra_info.update({"rates": rates, "client_cpu_us": cpus})  # type: ignore[attr-defined]
    with capsys.disabled():
        print("\n".join(lines))
