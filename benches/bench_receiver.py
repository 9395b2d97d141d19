"""Reports a second into the LINK report receiver, and requests a second into
the LINK simulator, on uvicorn with each of its HTTP/1.1 parsers (issue 17:
the receiver should take at least 3,000 reports a second).

Run: pytest benches/bench_receiver.py --benchmark-only -s

Every server runs in its own process (benches/_serve.py), pinned to one CPU
where taskset exists; the load comes from another process pinned to the other
(benches/_http_load.py: raw sockets, CONNECTIONS keep-alive connections, one
request in flight on each, as a report sender does). The arms run interleaved,
ROUNDS times, so drift in the machine's load falls on all of them alike; each
arm reports the min and median of:

- reports/s: requests answered over the load's wall time;
- per server CPU s: requests over the CPU seconds the server process used,
  which is what it would take with a core to itself (a shared machine gives
  it less, and the wall figure shows that).

"bare" is an ASGI app that reads the body and answers 200: what uvicorn costs
alone. "receiver" hands each report to a coroutine, "receiver-sync" to a plain
function (run in a worker thread, as the receiver does for those). The count
is $SMSWIRE_BENCH_RECEIVER_REQUESTS per round (10,000; 200 when benchmarks
are disabled, the CI smoke run).
"""

from __future__ import annotations

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

COUNT_ENV = "SMSWIRE_BENCH_RECEIVER_REQUESTS"
FULL_COUNT = 10_000
SMOKE_COUNT = 200
WARM_UP = 500
ROUNDS = 5
CONNECTIONS = 16
SERVER_CPU, LOAD_CPU = "0", "1"
_HERE = Path(__file__).parent
_REPORT = Path(__file__).parents[1] / "tests/link/data/references/reports/guide_delivered.json"
_QUERY = (
    "ServiceId=1&Username=user&Password=bench-secret&Source=LINK"
    "&Destination=%2B4746910822&Userdata=Your+code+is+123456&ChargeOnly=false&Async=false"
)
_PARSERS = ("h11", "httptools")
_ARMS = [
    (app, http) for app in ("bare", "receiver", "receiver-sync", "simulator") for http in _PARSERS
]


def _request(app: str) -> bytes:
    if app == "simulator":
        return (
            f"POST /smscsimplehttp?{_QUERY} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Length: 0\r\n\r\n"
        ).encode()
    body = json.dumps(json.loads(_REPORT.read_bytes()), separators=(",", ":")).encode()
    return (
        b"POST /dlr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def _pinned(cpu: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", cpu, *command] if shutil.which("taskset") else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None  # not Linux: the wall figure only
    # proc(5): utime and stime, the 14th and 15th fields, in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Arm:
    def __init__(self, app: str, http: str, request_file: Path) -> None:
        self.name = f"{app} ({http})"
        self.port = _free_port()
        self.request_file = request_file
        self.process = subprocess.Popen(
            _pinned(
                SERVER_CPU,
                [sys.executable, str(_HERE / "_serve.py"), app, str(self.port), http],
            ),
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", self.port)) != 0:
            assert self.process.poll() is None, f"{self.name} did not start"
            assert time.monotonic() < deadline, f"{self.name} did not start in time"
            time.sleep(0.05)
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def load(self, count: int) -> tuple[float, float | None]:
        """(requests a second, requests a server CPU second) of one round."""
        before = _cpu_seconds(self.process.pid)
        output = subprocess.run(
            _pinned(
                LOAD_CPU,
                [
                    sys.executable,
                    str(_HERE / "_http_load.py"),
                    "127.0.0.1",
                    str(self.port),
                    str(self.request_file),
                    str(count),
                    str(CONNECTIONS),
                ],
            ),
            capture_output=True,
            text=True,
            check=True,
            timeout=900,
        ).stdout
        after = _cpu_seconds(self.process.pid)
        result = json.loads(output)
        assert result["statuses"] == {"200": count}, result
        used = None if before is None or after is None else after - before
        return count / result["seconds"], None if not used else count / used

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(30)


@pytest.fixture(scope="module")
def arms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[_Arm]]:
    directory = tmp_path_factory.mktemp("requests")
    started: list[_Arm] = []
    try:
        for app, http in _ARMS:
            if http == "httptools":
                pytest.importorskip("httptools", reason="httptools comes with the sim extra")
            request_file = directory / f"{app}.http"
            request_file.write_bytes(_request(app))
            started.append(_Arm(app, http, request_file))
        yield started
    finally:
        for arm in started:
            arm.close()


def _count(benchmark: pytest.FixtureRequest) -> int:
    value = os.environ.get(COUNT_ENV)
    if value:
        return int(value)
    return SMOKE_COUNT if getattr(benchmark, "disabled", False) else FULL_COUNT


def test_reports_a_second_into_the_receiver_and_the_simulator(
    benchmark: pytest.FixtureRequest, arms: list[_Arm], capsys: pytest.CaptureFixture[str]
) -> None:
    count = _count(benchmark)
    rounds = 1 if getattr(benchmark, "disabled", False) else ROUNDS

    def interleaved() -> None:
        for arm in arms:
            arm.load(min(WARM_UP, count))
        for n in range(rounds):
            # Alternate the order, so no arm always follows the same neighbour.
            for arm in arms if n % 2 == 0 else arms[::-1]:
                wall, cpu = arm.load(count)
                arm.wall.append(wall)
                if cpu is not None:
                    arm.cpu.append(cpu)

    benchmark.pedantic(interleaved, rounds=1, iterations=1)  # type: ignore[attr-defined]
    lines = [
        f"\n{count} requests a round, {rounds} rounds interleaved, {CONNECTIONS} connections;"
        " min / median",
        f"{'':28} {'reports/s':>17} {'per server CPU s':>19}",
    ]
    for arm in arms:
        wall = f"{min(arm.wall):7.0f} / {statistics.median(arm.wall):7.0f}"
        cpu = f"{min(arm.cpu):7.0f} / {statistics.median(arm.cpu):7.0f}" if arm.cpu else "n/a"
        lines.append(f"{arm.name:28} {wall:>17} {cpu:>19}")
        benchmark.extra_info[arm.name] = {"wall": arm.wall, "cpu": arm.cpu}  # type: ignore[attr-defined]
    with capsys.disabled():
        print("\n".join(lines))
