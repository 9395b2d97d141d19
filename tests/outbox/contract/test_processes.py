"""Contract, with real processes: a consumer killed mid-stream, a batch killed mid-put.

The agents (``tests/outbox/agents.py``) run as subprocesses against the store
under test and are stopped with SIGKILL: no handler, no cleanup, as a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal

from smswire.outbox import OutboxStore, Via

from ..conftest import StoreFactory
from ..support import AGENTS, PATIENCE, ROUTE, accepted, claim_keys, put

EVENTS = 300


async def start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *AGENTS, *args, json.dumps({}), stdout=asyncio.subprocess.PIPE
    )


async def line(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    return (await asyncio.wait_for(process.stdout.readline(), PATIENCE)).decode().strip()


async def produce(store: OutboxStore, count: int) -> list[str]:
    keys = [f"k{i:04d}" for i in range(count)]
    await put(store, keys)
    claims = await claim_keys(store, count)
    for key in keys:  # one event each, in this order
        await store.record(Via.SMPP, settled=[accepted(claims[key])])
    return keys


async def test_a_killed_consumer_resumes_without_gaps_or_repeats_past_its_ack(
    store: OutboxStore, store_location: str
) -> None:
    keys = await produce(store, EVENTS)
    kill_after = random.Random(14).randrange(40, EVENTS - 60)

    first = await start("consume", store_location, "crm", "0.005")
    seen_first: list[str] = []
    acked: list[str] = []
    while len(acked) < kill_after:
        kind, key = (await line(first)).split()
        (seen_first if kind == "got" else acked).append(key)
    first.send_signal(signal.SIGKILL)
    # What it printed before it died but we had not read yet.
    rest, _ = await asyncio.wait_for(first.communicate(), PATIENCE)
    for text in rest.decode().splitlines():
        kind, key = text.split()
        (seen_first if kind == "got" else acked).append(key)

    assert len(acked) < EVENTS, "the consumer finished before it was killed"
    second = await start("consume", store_location, "crm", "0")
    seen_second = []
    while True:
        text = await line(second)
        if not text:
            break
        kind, key = text.split()
        if kind == "got":
            seen_second.append(key)
    assert await asyncio.wait_for(second.wait(), PATIENCE) == 0

    # The killed consumer may have acknowledged one more than it lived to print.
    last_printed = keys.index(acked[-1])
    resumed_at = keys.index(seen_second[0])
    assert resumed_at in (last_printed + 1, last_printed + 2)
    # From there on: every event, once, in order.
    assert seen_second == keys[resumed_at:]
    # Nothing was missed: what the first saw and the second saw cover every event.
    assert set(seen_first) | set(seen_second) == set(keys)


async def test_a_put_many_killed_mid_write_leaves_all_of_its_batch_or_none(
    make_store: StoreFactory, store_location: str
) -> None:
    count = 10_000
    loop = asyncio.get_running_loop()
    # One batch unkilled, to learn how long one takes here; then kills spread
    # over that time, so most land mid-write.
    child = await start("put", store_location, ROUTE, "whole-", str(count))
    assert await line(child) == "start"
    began = loop.time()
    assert await line(child) == "done"
    duration = loop.time() - began
    assert await asyncio.wait_for(child.wait(), PATIENCE) == 0

    rng = random.Random(15)
    outcomes = []
    for trial in range(4):
        child = await start("put", store_location, ROUTE, f"t{trial}-", str(count))
        assert await line(child) == "start"
        await asyncio.sleep(rng.uniform(0.1, 1.1) * duration)
        # A kill drawn past the end of the write may find the child gone already.
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signal.SIGKILL)
        finished = await line(child) == "done"
        await asyncio.wait_for(child.wait(), PATIENCE)
        store = await make_store()
        first = await store.status(f"t{trial}-0")
        last = await store.status(f"t{trial}-{count - 1}")
        assert (first is None) == (last is None)
        outcomes.append((finished, first is not None))
        await store.close()
    store = await make_store()
    complete = 1 + sum(stored for _, stored in outcomes)
    assert (await store.pending(ROUTE)).queued == complete * count
    # A batch reported done is there; at least one kill landed inside a write,
    # or the test proved nothing.
    assert all(stored for done, stored in outcomes if done)
    assert any(not done for done, _ in outcomes)
