"""The account gate: evenly spaced from the first second, and never more
submits the SMSC may count in one second than its cap, whatever the network."""

from __future__ import annotations

import asyncio

import pytest

from smswire import ConfigurationError
from smswire.ratelimit import RateLimiter
from smswire.smpp.pool.account import SMSC_CAP_WINDOW, AccountGate

# Bounds a wait that would otherwise hang; never what a test asserts.
PATIENCE = 10.0


async def test_a_submit_waits_while_cap_others_are_unanswered() -> None:
    gate = AccountGate(None, per_second=3)
    for _ in range(3):
        await gate.admit()
    loop = asyncio.get_running_loop()
    fourth = asyncio.ensure_future(gate.admit())
    await asyncio.sleep(0.05)
    assert not fourth.done(), "three unanswered: the SMSC may count them all"
    answered = loop.time()
    gate.settled()
    await asyncio.sleep(0.05)
    # Unless the machine stalled for the whole window meanwhile, when the room
    # has come back by right.
    assert not fourth.done() or loop.time() - answered >= SMSC_CAP_WINDOW, (
        "answered just now: it may have arrived within the second"
    )
    await asyncio.wait_for(fourth, PATIENCE)


async def test_room_returns_one_second_after_the_answer_not_the_write() -> None:
    loop = asyncio.get_running_loop()
    gate = AccountGate(None, per_second=2)
    await gate.admit()
    await gate.admit()
    await asyncio.sleep(0.2)  # a slow round trip
    # Read before the answer is noted, so the gate's own answer time is no
    # earlier: read after, a preemption in between shortened the wait seen.
    answered = loop.time()
    gate.settled()
    await asyncio.wait_for(gate.admit(), PATIENCE)
    assert loop.time() - answered >= SMSC_CAP_WINDOW


async def test_an_admitted_submit_never_written_gives_its_room_back_at_once() -> None:
    gate = AccountGate(None, per_second=1)
    await gate.admit()
    waiting = asyncio.ensure_future(gate.admit())
    await asyncio.sleep(0)
    gate.unused()
    await asyncio.wait_for(waiting, 0.5)
    assert gate.in_flight == 1


async def test_the_limiter_in_front_spaces_submits_from_the_first() -> None:
    loop = asyncio.get_running_loop()
    gate = AccountGate(RateLimiter(50), per_second=50)
    # The schedule starts when the first is granted, which is after this: a
    # start read after the first admit (a preemption between the grant and
    # the read) would make the schedule look early.
    started = loop.time()
    times = []
    for _ in range(6):
        await gate.admit()
        times.append(loop.time())
        gate.settled()
    # GCRA's virtual schedule: the k-th no earlier than k/rate after the first
    # (a late wake-up makes the next gap shorter, never the schedule earlier).
    for k, at in enumerate(times):
        assert at - started >= k / 50 - 1e-6


async def test_a_cancelled_wait_takes_no_room() -> None:
    gate = AccountGate(None, per_second=1)
    await gate.admit()
    waiting = asyncio.ensure_future(gate.admit())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert gate.in_flight == 1


def test_per_second_must_be_a_positive_integer() -> None:
    for wrong in (0, -1, 1.5, True):
        with pytest.raises(ConfigurationError, match="per_second"):
            AccountGate(None, per_second=wrong)  # type: ignore[arg-type]


async def test_try_admit_takes_only_what_needs_no_wait() -> None:
    gate = AccountGate(RateLimiter(1000, burst=3), per_second=2)
    assert gate.try_admit() and gate.try_admit()
    assert not gate.try_admit(), "two countable: the cap is reached"
    assert gate.in_flight == 2
    spaced = AccountGate(RateLimiter(5), per_second=100)
    assert spaced.try_admit()
    assert not spaced.try_admit(), "the next slot is 0.2 s away"


async def test_a_limiter_held_elsewhere_is_only_awaited() -> None:
    class Elsewhere:
        async def acquire(self, n: int = 1) -> None:
            return None

    gate = AccountGate(Elsewhere(), per_second=5)
    assert not gate.try_admit()
    await gate.admit()
    assert gate.in_flight == 1
