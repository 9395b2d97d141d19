"""A pool's numbers without Prometheus: PoolHooks called as things happen, and
state() read at any time, against the simulator over real TLS."""

from __future__ import annotations

import asyncio
import collections
from pathlib import Path

import pytest

from smswire import ConfigurationError, Outcome, SendResult
from smswire.smpp import SmscSimulator
from smswire.smpp.pool import PoolHooks
from smswire.smpp.receipts import DeliveryReceipt
from smswire.smpp.receiving import Inbound

from .support import PATIENCE, numbered, pool_for


class Counting(PoolHooks):
    def __init__(self) -> None:
        self.outcomes = collections.Counter[Outcome]()
        self.latencies: list[float] = []
        self.receipts: list[DeliveryReceipt] = []

    def result(self, result: SendResult) -> None:
        self.outcomes[result.outcome] += 1

    def latency(self, seconds: float) -> None:
        self.latencies.append(seconds)

    def receipt(self, receipt: DeliveryReceipt) -> None:
        self.receipts.append(receipt)


async def test_hooks_hear_every_result_and_every_receipt_taken(
    sim: SmscSimulator, ca_file: Path
) -> None:
    hooks = Counting()
    count = 20
    async with pool_for(sim, ca_file, binds=2, hooks=hooks) as pool:
        results = await asyncio.wait_for(pool.send_many(numbered(count)), PATIENCE)
        taken = 0
        async for _ in pool.receipts():
            taken += 1
            if taken == count:
                break
        state = pool.state()
    assert all(r.outcome is Outcome.ACCEPTED for r in results)
    assert hooks.outcomes == {Outcome.ACCEPTED: count}
    assert len(hooks.latencies) == count and all(s >= 0 for s in hooks.latencies)
    assert len(hooks.receipts) == count
    assert state.binds_up == 2 and state.times_bound == 2 and state.throttles == 0
    assert [b.number for b in state.binds] == [0, 1]
    assert all(b.in_flight == 0 for b in state.binds)


async def test_receipts_an_on_inbound_handler_took_are_heard_once_it_returned(
    sim: SmscSimulator, ca_file: Path
) -> None:
    hooks = Counting()
    handed: list[Inbound] = []

    async def on_inbound(items: list[Inbound]) -> None:
        assert len(hooks.receipts) == len(handed), "heard before the handler had them"
        handed.extend(items)

    count = 12
    async with pool_for(sim, ca_file, binds=2, hooks=hooks, on_inbound=on_inbound) as pool:
        await asyncio.wait_for(pool.send_many(numbered(count)), PATIENCE)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE
        while len(hooks.receipts) < count:
            assert loop.time() < deadline, f"{len(hooks.receipts)} receipts heard"
            await asyncio.sleep(0.01)
    assert sorted(r.message_id for r in hooks.receipts) == sorted(
        r.message_id for r in handed if isinstance(r, DeliveryReceipt)
    )


def test_hooks_must_be_pool_hooks(sim: SmscSimulator, ca_file: Path) -> None:
    with pytest.raises(ConfigurationError, match="hooks must be a PoolHooks"):
        pool_for(sim, ca_file, hooks=object())
