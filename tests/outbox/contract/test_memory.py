"""Contract: nothing per message stays in the process's memory once its outcome is recorded."""

from __future__ import annotations

import gc
import tracemalloc

from smswire.message import Outcome, SendResult
from smswire.outbox import Drain, OutboxStore, Via
from smswire.pdu import CommandStatus

from ..support import ROUTE, message, smpp_receipt

ROUNDS = 9
PER_ROUND = 300
# What may grow over the measured rounds (1,500 messages): caches settling,
# not a record per message (which would be 1,500 times some hundred bytes).
ALLOWED_GROWTH = 60_000


async def one_round(store: OutboxStore, drain: Drain, n: int) -> None:
    keys = [f"r{n}-{i}" for i in range(PER_ROUND)]
    await store.put(ROUTE, [(key, message(i)) for i, key in enumerate(keys)])
    claims = await drain.claim(PER_ROUND)
    for claim in await drain.mark_writing(claims):
        drain.accepted(claim, 0, f"{claim.key}-id")
        drain.settled(
            claim, SendResult(claim.message, Outcome.ACCEPTED, (), CommandStatus.ESME_ROK, parts=1)
        )
    await drain.flush()
    await store.record_inbound(ROUTE, [smpp_receipt(f"{key}-id") for key in keys])


async def test_memory_stays_flat_over_many_messages(store: OutboxStore) -> None:
    drain = Drain(store, ROUTE, worker="w1", via=Via.SMPP)
    for n in range(3):
        await one_round(store, drain, n)
    tracemalloc.start()
    try:
        # One round traced before the first snapshot, so what the last round
        # leaves behind (its replies, until the next call) is in both.
        await one_round(store, drain, 3)
        gc.collect()
        start = tracemalloc.take_snapshot()
        for n in range(4, ROUNDS):
            await one_round(store, drain, n)
        gc.collect()
        end = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(stat.size_diff for stat in end.compare_to(start, "filename"))
    assert drain.held == 0
    assert growth < ALLOWED_GROWTH, [str(s) for s in end.compare_to(start, "lineno")[:5]]
