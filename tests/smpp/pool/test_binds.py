"""A pool losing a bind mid-run: the others keep sending, the bind comes back
or is replaced, and from the simulator's record nothing is lost."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from pathlib import Path

from smswire import Limits, Outcome
from smswire.smpp import SmscSimulator
from smswire.smpp.simulator import FailedBindLimit

from ..support import ACCOUNT, PASSWORD
from .support import PATIENCE, numbered, pool_for

CAP = 300


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait (boundedly) until ``condition()`` holds."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(poll(), PATIENCE)
    except asyncio.TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


async def test_a_dropped_bind_is_bound_again_while_the_others_send_and_nothing_is_lost(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    count = 1500
    messages = numbered(count)
    async with SmscSimulator(
        accounts={ACCOUNT: PASSWORD}, tls=server_tls, tps_limit=CAP, receipt_delay=None
    ) as sim:
        async with pool_for(sim, ca_file, binds=3, rate=CAP, limits=Limits(window=16)) as pool:
            sending = asyncio.ensure_future(pool.send_many(messages))
            await _until(lambda: len(sim.record.accepted) >= count // 3, "a third accepted")
            victim = sim.open_connections[0]
            dropped_at = asyncio.get_running_loop().time()
            sim.drop(victim)
            await _until(lambda: sim.binds == 4, "the dropped bind bound again")
            rebound_at = asyncio.get_running_loop().time()
            results = await asyncio.wait_for(sending, PATIENCE)
            throttles = sum(client.throttles for client in pool.clients)
        record = sim.record
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * count
    # Nothing lost: every message reached the SMSC (a submit whose answer the
    # drop lost may have gone twice: at least once).
    received = {m.text for m in record.messages()}
    assert received == {m.text for m in messages}
    # The other binds kept sending while it was down.
    during = [
        s for s in record.accepted if dropped_at < s.clock < rebound_at and s.connection != victim
    ]
    assert during, "the other binds sent while one was down"
    # The rebind came in on a new connection, which sent too; and the cap held
    # throughout, resubmissions included.
    assert any(s.connection > 3 for s in record.accepted)
    assert record.refused == [] and throttles == 0


async def test_a_bind_that_gives_up_for_good_is_replaced_and_its_messages_go_elsewhere(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    count = 900
    messages = numbered(count)
    async with SmscSimulator(
        accounts={ACCOUNT: PASSWORD},
        tls=server_tls,
        tps_limit=CAP,
        receipt_delay=None,
        # The replacement's refused binds must not get the address blocked.
        failed_binds=FailedBindLimit(per_address=10_000),
    ) as sim:
        async with pool_for(sim, ca_file, binds=3, rate=CAP, limits=Limits(window=16)) as pool:
            sending = asyncio.ensure_future(pool.send_many(messages))
            await _until(lambda: len(sim.record.accepted) >= count // 4, "a quarter accepted")
            # Its rebind will be refused for good (ESME_RINVPASWD): the client
            # gives up, and what it held goes back to the pool.
            sim.accounts = {ACCOUNT: "changed"}
            sim.drop(sim.open_connections[0])
            await _until(
                lambda: any(slot.clients_made >= 2 for slot in pool.slots), "a replacement tried"
            )
            await asyncio.sleep(0.2)
            sim.accounts = {ACCOUNT: PASSWORD}
            results = await asyncio.wait_for(sending, PATIENCE)
            await _until(lambda: pool.binds_up == 3, "the replacement bound")
            assert sorted(len(slot.retired) for slot in pool.slots) == [0, 0, 1]
            late = await asyncio.wait_for(pool.send_many(numbered(60, "late")), PATIENCE)
        record = sim.record
    assert [r.outcome for r in results + late] == [Outcome.ACCEPTED] * (count + 60)
    assert {m.text for m in record.messages()} == {m.text for m in messages} | {
        f"late{i}" for i in range(60)
    }
    assert record.refused == []


async def test_submits_whose_answers_were_lost_go_again_once_binds_come_back(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    # Every bind gives up for good while responses are lost (the SMSC restarts
    # mid-write and its rebinds are refused): at least once, the pool sends
    # those again when its replacements bind; what was never written, too.
    count, lost = 400, 5
    messages = numbered(count)
    async with SmscSimulator(
        accounts={ACCOUNT: PASSWORD},
        tls=server_tls,
        receipt_delay=None,
        failed_binds=FailedBindLimit(per_address=10_000),
    ) as sim:
        async with pool_for(sim, ca_file, binds=2, rate=CAP, limits=Limits(window=8)) as pool:
            sending = asyncio.ensure_future(pool.send_many(messages))
            await _until(lambda: len(sim.record.accepted) >= count // 4, "a quarter accepted")
            sim.accounts = {ACCOUNT: "changed"}
            await sim.restart(downtime=0.05, lose_responses=lost)
            await _until(
                lambda: all(slot.clients_made >= 2 for slot in pool.slots), "replacements tried"
            )
            sim.accounts = {ACCOUNT: PASSWORD}
            results = await asyncio.wait_for(sending, PATIENCE)
        record = sim.record
    assert sim.responses_lost == lost
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * count
    assert {m.text for m in record.messages()} == {m.text for m in messages}
    # The lost answers' messages went twice; nothing else did.
    assert len(record.duplicates()) <= lost
