"""Gates shared by clients: a limiter as a gate, gates in a chain."""

from __future__ import annotations

import asyncio

import pytest

from smswire.ratelimit import RateLimiter
from smswire.smpp.gate import ChainedGate, LimiterGate
from smswire.smpp.pool.account import AccountGate


class CountingLimiter:
    """Any limiter with an async acquire (a Redis one, say) will do."""

    def __init__(self) -> None:
        self.acquired: list[int] = []

    async def acquire(self, n: int = 1) -> None:
        self.acquired.append(n)


async def test_a_limiter_gate_takes_one_slot_per_submit() -> None:
    limiter = CountingLimiter()
    gate = LimiterGate(limiter)
    for _ in range(3):
        await gate.admit()
    gate.settled()
    gate.unused()
    assert limiter.acquired == [1, 1, 1]


async def test_a_chain_admits_through_each_gate_and_settles_each() -> None:
    own, account = AccountGate(None, 2), AccountGate(RateLimiter(1000), 5)
    chain = ChainedGate(own, account)
    await chain.admit()
    assert (own.in_flight, account.in_flight) == (1, 1)
    chain.settled()
    assert (own.in_flight, account.in_flight) == (0, 0)


async def test_a_chain_cancelled_at_its_second_gate_gives_the_first_back() -> None:
    own, account = AccountGate(None, 5), AccountGate(None, 1)
    await account.admit()  # the account is full
    chain = ChainedGate(own, account)
    waiting = asyncio.ensure_future(chain.admit())
    await asyncio.sleep(0.01)
    assert own.in_flight == 1
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert own.in_flight == 0


async def test_a_chain_that_cannot_admit_at_once_gives_the_first_gate_back() -> None:
    own, account = AccountGate(None, 5), AccountGate(None, 1)
    assert account.try_admit()
    chain = ChainedGate(own, account)
    assert not chain.try_admit()
    assert (own.in_flight, account.in_flight) == (0, 1)
    assert not LimiterGate(CountingLimiter()).try_admit()
