"""LINK sender overhead: ``send_many`` against a bare httpx loop, same run.

Run: pytest benches/bench_link.py --benchmark-only --benchmark-columns=min,mean,max,rounds

Both send the very same requests (the query ``build_query`` renders) to one
simulator (``smswire simulate link``, its own process, plain HTTP so TLS costs
do not dilute the difference) at concurrency 64 over one pooled connection set.
smswire adds validation, the segment count, reply parsing and outcome records;
the target is at most 10% over the bare loop. The message count is
$SMSWIRE_BENCH_LINK_MESSAGES: 10,000 by default, 300 when benchmarks are
disabled (the CI smoke run).

On a shared machine the load drifts between two consecutive benchmarks by more
than the difference sought, so ``test_overhead_interleaved`` sends the same
messages both ways in alternating chunks and prints the overhead in wall time
and in the client's CPU time (where smswire's work is), from that one run.

The wires compared (httpcore's pool, httpx-aiohttp, smswire's aiohttp default,
bare aiohttp, the blocking client; plain and TLS): benches/bench_link_wires.py.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Coroutine, Iterator
from functools import partial
from typing import Any

import httpx
import pytest

from smswire import Limits, Message, Outcome
from smswire.link import AsyncLinkMobilityClient, InsecureTransportWarning
from smswire.link.protocol import Credentials, build_query, prepare

COUNT_ENV = "SMSWIRE_BENCH_LINK_MESSAGES"
FULL_COUNT = 10_000
SMOKE_COUNT = 300
CONCURRENCY = 64
ROUNDS = 1
# Alternating chunks per arm in the interleaved comparison.
CHUNKS = 10
PASSWORD = "bench-secret"
LIMITS = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
# The bare httpx loop (httpcore's pool) sends ~40 messages a second pinned to
# one loaded CPU: 10,000 of them take minutes, past the suite's 120 s.
BENCH_TIMEOUT = 1800


def _count(benchmark: pytest.FixtureRequest) -> int:
    value = os.environ.get(COUNT_ENV)
    if value:
        return int(value)
    return SMOKE_COUNT if getattr(benchmark, "disabled", False) else FULL_COUNT


def _messages(count: int) -> list[Message]:
    """A fixed mix: mostly single GSM7 parts, some long, some UCS2."""
    rng = random.Random(2026)
    words = "The quick brown fox jumps over the lazy dog 0123456789 "
    out = []
    for n in range(count):
        kind = rng.random()
        if kind < 0.7:
            text = words[: rng.randint(10, 55)] * 2
        elif kind < 0.9:
            text = words * rng.randint(4, 10)
        else:
            text = "Привет, как дела? " * rng.randint(1, 6)
        out.append(Message(f"+4670{n:07d}", text, source="LINK"))
    return out


@pytest.fixture(scope="module")
def simulator_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "smswire", "simulate", "link", "--port", str(port)],
        env={**os.environ, "SMSWIRE_LINK_PASSWORD": PASSWORD},
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert process.poll() is None and time.monotonic() < deadline, "simulator did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/smscsimplehttp"
    process.terminate()
    process.wait(30)


async def _smswire(
    url: str, messages: list[Message], transport: httpx.AsyncBaseTransport | None = None
) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureTransportWarning)
        client = AsyncLinkMobilityClient(
            url,
            service_id=1,
            username="user",
            password=PASSWORD,
            limits=Limits(window=CONCURRENCY),
            allow_insecure_http=True,
            transport=transport,
        )
    async with client:
        results = await client.send_many(messages)
    return sum(r.outcome is Outcome.ACCEPTED for r in results)


async def _bare(url: str, queries: list[tuple[tuple[str, str], ...]]) -> int:
    accepted = 0
    pending = iter(queries)

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal accepted
        for query in pending:
            response = await http.post(url, params=query)
            accepted += response.text.startswith("1000;")

    async with httpx.AsyncClient(limits=LIMITS, trust_env=False) as http:
        await asyncio.gather(*(worker(http) for _ in range(CONCURRENCY)))
    return accepted


@pytest.mark.timeout(BENCH_TIMEOUT)
def test_send_many_smswire(benchmark: pytest.FixtureRequest, simulator_url: str) -> None:
    messages = _messages(_count(benchmark))
    accepted = benchmark.pedantic(  # type: ignore[attr-defined]
        lambda: asyncio.run(_smswire(simulator_url, messages)), rounds=ROUNDS, iterations=1
    )
    assert accepted == len(messages)


@pytest.mark.timeout(BENCH_TIMEOUT)
def test_send_loop_bare_httpx(benchmark: pytest.FixtureRequest, simulator_url: str) -> None:
    credentials = Credentials(1, "user", PASSWORD)
    queries = [build_query(credentials, prepare(m)) for m in _messages(_count(benchmark))]
    accepted = benchmark.pedantic(  # type: ignore[attr-defined]
        lambda: asyncio.run(_bare(simulator_url, queries)), rounds=ROUNDS, iterations=1
    )
    assert accepted == len(queries)


@pytest.mark.timeout(BENCH_TIMEOUT)
def test_overhead_interleaved(
    benchmark: pytest.FixtureRequest, simulator_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    messages = _messages(_count(benchmark))
    credentials = Credentials(1, "user", PASSWORD)
    queries = [build_query(credentials, prepare(m)) for m in messages]
    size = max(len(messages) // CHUNKS, 1)
    wall = {"bare": 0.0, "smswire": 0.0}
    cpu = dict(wall)

    def timed(arm: str, job: Callable[[], Coroutine[Any, Any, int]], expected: int) -> None:
        started, started_cpu = time.perf_counter(), time.process_time()
        assert asyncio.run(job()) == expected
        wall[arm] += time.perf_counter() - started
        cpu[arm] += time.process_time() - started_cpu

    def both_ways() -> None:
        for n, start in enumerate(range(0, len(messages), size)):
            chunk, chunk_queries = messages[start : start + size], queries[start : start + size]
            arms = [
                ("bare", partial(_bare, simulator_url, chunk_queries)),
                ("smswire", partial(_smswire, simulator_url, chunk)),
            ]
            # Alternate which goes first, so neither always meets a warmer server.
            for arm, job in arms if n % 2 == 0 else arms[::-1]:
                timed(arm, job, len(chunk))

    benchmark.pedantic(both_ways, rounds=1, iterations=1)  # type: ignore[attr-defined]
    overhead = {kind: t["smswire"] / t["bare"] - 1 for kind, t in (("wall", wall), ("cpu", cpu))}
    benchmark.extra_info.update(  # type: ignore[attr-defined]
        {"messages": len(messages), "wall": wall, "client_cpu": cpu, "overhead": overhead}
    )
    with capsys.disabled():
        print(
            f"\nLINK send_many vs bare httpx, {len(messages)} messages each, concurrency "
            f"{CONCURRENCY}, interleaved in chunks of {size}: wall {wall['smswire']:.2f}s vs "
            f"{wall['bare']:.2f}s ({overhead['wall']:+.1%}); client CPU {cpu['smswire']:.2f}s "
            f"vs {cpu['bare']:.2f}s ({overhead['cpu']:+.1%})"
        )
