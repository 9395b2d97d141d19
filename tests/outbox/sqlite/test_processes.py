"""One SQLite file shared by real processes: workers, a putter and a status reader at once."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

from smswire.message import Outcome
from smswire.outbox import SqliteStore

from ..support import AGENTS, PATIENCE, ROUTE, message

MESSAGES = 1_500
BATCH = 50
WORKERS = 3


async def test_workers_in_separate_processes_share_one_file_and_never_share_a_message(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "outbox.db")
    store = await SqliteStore.open(path)
    last_key = f"k{MESSAGES - 1}"
    await store.put(ROUTE, [("k0", message(0))])

    options = json.dumps({})
    workers = [
        await asyncio.create_subprocess_exec(
            *AGENTS, "work", path, ROUTE, f"worker-{n}", options, stdout=asyncio.subprocess.PIPE
        )
        for n in range(WORKERS)
    ]
    watcher = await asyncio.create_subprocess_exec(
        *AGENTS, "watch", path, last_key, options, stdout=asyncio.subprocess.PIPE
    )
    for worker in workers:
        assert worker.stdout is not None
        assert await asyncio.wait_for(worker.stdout.readline(), PATIENCE) == b"ready\n"
    # This process puts while the others claim, settle and read.
    for start in range(1, MESSAGES, BATCH):
        keys = range(start, min(start + BATCH, MESSAGES))
        await store.put(ROUTE, [(f"k{i}", message(i)) for i in keys])
        await asyncio.sleep(0.01)

    outputs = await asyncio.wait_for(
        asyncio.gather(*(worker.communicate() for worker in workers)), PATIENCE * 8
    )
    watched, _ = await asyncio.wait_for(watcher.communicate(), PATIENCE)
    assert [worker.returncode for worker in workers] == [0] * WORKERS
    assert watcher.returncode == 0 and watched.decode().startswith("looks ")

    settled_by: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for n, (output, _) in enumerate(outputs):
        for line in output.decode().splitlines():
            key = line.split()[1]
            counts[key] += 1
            settled_by[key] = f"worker-{n}"
    assert len(counts) == MESSAGES and set(counts.values()) == {1}
    # The work was really shared.
    assert len(set(settled_by.values())) > 1

    for i in range(0, MESSAGES, 97):
        status = await store.status(f"k{i}")
        assert status is not None
        assert status.outcome is Outcome.ACCEPTED and status.attempts == 1
        assert status.message_ids == (f"k{i}@{settled_by[f'k{i}']}",)
    assert (await store.pending(ROUTE)).queued == 0
    await store.close()
