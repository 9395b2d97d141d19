"""The outbox stores side by side: SQLite (embedded) and Redis (a real redis-server).

The same three workloads on each, in one run, so the machine's noise falls
on both alike:

- ``put_many``: 10,000 messages in one call;
- ``claim``: claim 256 messages (a window), nothing else;
- ``drain``: a worker's cycle for a window: claim 256, mark them, record a
  part id and an outcome for each.

SQLite fsyncs every commit (``synchronous=full``, its default); Redis runs
with the append-only file on (``appendfsync everysec``: a killed server keeps
every acknowledged write, a power cut may lose the last second). Redis runs
in its own process, pinned to the last CPU when ``taskset`` exists; pin the
bench itself to another for a fair view of the client's cost:

    taskset -c 0 pytest benches/bench_outbox_stores.py \\
        --benchmark-columns=min,median --benchmark-sort=name -s

``extra_info`` gives messages per second and the client process's CPU per message.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _per_item import per_item
from _redis import redis_server

from smswire.message import Message, Outcome
from smswire.outbox import AcceptedPart, OutboxStore, Settled, Via, open_store
from smswire.pdu import CommandStatus

ROUTE = "smpp"
PUT_BATCH = 10_000
WINDOW = 256
ROUNDS = 8
TEXT = "Your verification code is {i}. It expires in 10 minutes. Do not share it."


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


_prefixes = itertools.count()


@pytest.fixture(params=["sqlite", "redis"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, loop: asyncio.AbstractEventLoop
) -> Iterator[OutboxStore]:
    if request.param == "sqlite":
        location = str(tmp_path / "outbox.db")
    else:
        location = f"{request.getfixturevalue('redis_url')}?prefix=bench{next(_prefixes)}"
    opened = loop.run_until_complete(open_store(location))
    yield opened
    loop.run_until_complete(opened.close())


def messages(count: int) -> list[Message]:
    return [Message(f"+4791{i:06d}", TEXT.format(i=i), source="Shop") for i in range(count)]


def test_put_many(benchmark: Any, store: OutboxStore, loop: asyncio.AbstractEventLoop) -> None:
    batch = messages(PUT_BATCH)
    rounds = itertools.count()

    def setup() -> tuple[tuple[list[tuple[str, Message]]], dict[str, Any]]:
        n = next(rounds)
        return ([(f"r{n}-{i}", message) for i, message in enumerate(batch)],), {}

    def put(items: list[tuple[str, Message]]) -> None:
        loop.run_until_complete(store.put(ROUTE, items))

    cpu = time.process_time()
    benchmark.pedantic(put, setup=setup, rounds=ROUNDS)
    per_item(benchmark, PUT_BATCH, time.process_time() - cpu, ROUNDS)


def _fill(store: OutboxStore, loop: asyncio.AbstractEventLoop, windows: int) -> None:
    batch = messages(WINDOW)
    for n in range(windows):
        loop.run_until_complete(store.put(ROUTE, [(f"r{n}-{i}", m) for i, m in enumerate(batch)]))


def test_claim(benchmark: Any, store: OutboxStore, loop: asyncio.AbstractEventLoop) -> None:
    _fill(store, loop, ROUNDS + 1)

    def claim() -> None:
        claims = loop.run_until_complete(store.claim(ROUTE, "bench", WINDOW, 60.0))
        assert len(claims) == WINDOW

    cpu = time.process_time()
    benchmark.pedantic(claim, rounds=ROUNDS)
    per_item(benchmark, WINDOW, time.process_time() - cpu, ROUNDS)


def test_drain(benchmark: Any, store: OutboxStore, loop: asyncio.AbstractEventLoop) -> None:
    _fill(store, loop, ROUNDS + 1)
    ok = CommandStatus.ESME_ROK

    async def cycle() -> None:
        claims = await store.claim(ROUTE, "bench", WINDOW, 60.0)
        await store.mark_writing(claims)
        parts = [AcceptedPart(c, 0, f"{c.key}-id") for c in claims]
        settled = [Settled(c, Outcome.ACCEPTED, ok, parts=1) for c in claims]
        assert await store.record(Via.SMPP, parts, settled) == frozenset()

    cpu = time.process_time()
    benchmark.pedantic(lambda: loop.run_until_complete(cycle()), rounds=ROUNDS)
    per_item(benchmark, WINDOW, time.process_time() - cpu, ROUNDS)
