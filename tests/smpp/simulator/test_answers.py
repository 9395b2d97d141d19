"""The SMSC's decisions on binds and submits: failed-bind throttling, rate caps, failures."""

from __future__ import annotations

import asyncio
import struct

import pytest

from smswire.errors import ConfigurationError
from smswire.pdu import (
    BindTransceiver,
    BindTransmitter,
    CommandStatus,
    Pdu,
    SubmitSm,
    encode,
)
from smswire.smpp import SmscSimulator
from smswire.smpp.simulator import FailedBindLimit

from ..support import ACCOUNT, PASSWORD
from .support import RawEsme

OTHER = "other"


def wrong(seq: int = 0) -> BindTransmitter:
    return BindTransmitter(system_id=ACCOUNT, password="wr0ng", sequence_number=seq)


async def read_statuses(esme: RawEsme, count: int) -> list[int]:
    """The command_status of the next ``count`` PDUs, or fewer if the connection ends."""
    statuses: list[int] = []
    buffer = b""
    while len(statuses) < count:
        data = await asyncio.wait_for(esme.reader.read(1 << 16), 10)
        if not data:
            break
        buffer += data
        while len(buffer) >= 16:
            length, _, status, _ = struct.unpack(">IIII", buffer[:16])
            if len(buffer) < length:
                break
            statuses.append(status)
            buffer = buffer[length:]
    return statuses


async def test_3000_pipelined_wrong_passwords_get_3_checked_then_the_connection_ends() -> None:
    limit = FailedBindLimit(per_connection=3, per_address=100)
    async with SmscSimulator(tls=False, accounts={ACCOUNT: PASSWORD}, failed_binds=limit) as sim:
        esme = await RawEsme.connect(sim)
        esme.send_raw(b"".join(encode(wrong(i + 1)) for i in range(3000)))
        statuses = await read_statuses(esme, 3000)
        rest = await asyncio.wait_for(esme.reader.read(1 << 16), 10)
        esme.close()
    assert statuses[:3] == [CommandStatus.ESME_RINVPASWD] * 3
    assert set(statuses[3:]) <= {CommandStatus.ESME_RBINDFAIL}
    assert rest == b"", "the connection is closed"
    assert [s for _, s in sim.record.connections[0].bind_attempts].count(
        CommandStatus.ESME_RINVPASWD
    ) == 3


async def test_failed_binds_from_one_address_are_refused_unchecked_past_the_limit() -> None:
    limit = FailedBindLimit(per_connection=2, per_address=5, period=60.0)
    async with SmscSimulator(tls=False, accounts={ACCOUNT: PASSWORD}, failed_binds=limit) as sim:
        statuses: list[int] = []
        for _ in range(5):
            if CommandStatus.ESME_RBINDFAIL in statuses:
                break
            esme = await RawEsme.connect(sim)
            for _ in range(2):
                esme.send(wrong())
                statuses.append((await esme.response()).command_status)
            esme.close()
        # Even the right password is not checked now, and the connection ends.
        esme = await RawEsme.connect(sim)
        refused = await esme.bind(BindTransceiver(system_id=ACCOUNT, password=PASSWORD))
        end = await asyncio.wait_for(esme.reader.read(1 << 16), 10)
        esme.close()
    assert statuses == [CommandStatus.ESME_RINVPASWD] * 5 + [CommandStatus.ESME_RBINDFAIL]
    assert refused == CommandStatus.ESME_RBINDFAIL
    assert end == b""
    assert sim.binds == 0


async def test_failed_binds_age_out_after_the_period() -> None:
    limit = FailedBindLimit(per_connection=10, per_address=2, period=1.0)
    async with SmscSimulator(tls=False, accounts={ACCOUNT: PASSWORD}, failed_binds=limit) as sim:
        esme = await RawEsme.connect(sim)
        for _ in range(2):
            esme.send(wrong())
            assert (await esme.response()).command_status == CommandStatus.ESME_RINVPASWD
        esme.close()
        esme = await RawEsme.connect(sim)
        assert await esme.bind() == CommandStatus.ESME_RBINDFAIL
        esme.close()
        await asyncio.sleep(1.05)
        esme = await RawEsme.connect(sim)
        assert await esme.bind() == CommandStatus.ESME_ROK
        esme.close()


async def test_an_unknown_system_id_counts_as_a_failed_bind_too() -> None:
    limit = FailedBindLimit(per_connection=1, per_address=100)
    async with SmscSimulator(tls=False, accounts={ACCOUNT: PASSWORD}, failed_binds=limit) as sim:
        esme = await RawEsme.connect(sim)
        status = await esme.bind(BindTransmitter(system_id="nobody", password=PASSWORD))
        end = await asyncio.wait_for(esme.reader.read(1 << 16), 10)
        esme.close()
    assert status == CommandStatus.ESME_RINVSYSID
    assert end == b""


async def bound(sim: SmscSimulator, system_id: str = ACCOUNT) -> RawEsme:
    esme = await RawEsme.connect(sim)
    assert await esme.bind(BindTransceiver(system_id=system_id, password=PASSWORD)) == 0
    return esme


async def burst(esme: RawEsme, count: int, tag: str) -> list[Pdu]:
    """``count`` submit_sm written at once; their responses in order."""
    for i in range(count):
        esme.send(SubmitSm(destination_addr="4512345678", short_message=f"{tag} {i}".encode()))
    return [await esme.response() for _ in range(count)]


async def test_tps_limit_counts_every_bind_of_an_account_together() -> None:
    async with SmscSimulator(tls=False, tps_limit=10, receipt_delay=None) as sim:
        first, second, other = await bound(sim), await bound(sim), await bound(sim, OTHER)
        answers = await asyncio.gather(
            burst(first, 10, "first"), burst(second, 10, "second"), burst(other, 5, "other")
        )
        for esme in (first, second, other):
            esme.close()
    mine = [r.command_status for r in answers[0] + answers[1]]
    assert mine.count(CommandStatus.ESME_ROK) == 10
    assert mine.count(CommandStatus.ESME_RTHROTTLED) == 10
    assert [r.command_status for r in answers[2]] == [CommandStatus.ESME_ROK] * 5
    record = sim.record
    assert record.busiest_second(ACCOUNT) == 10
    assert record.busiest_second(ACCOUNT, accepted_only=False) == 20
    assert record.busiest_second(OTHER) == 5
    assert sum(record.per_second(ACCOUNT, accepted_only=True).values()) == 10


async def test_the_account_cap_admits_again_a_second_after() -> None:
    async with SmscSimulator(tls=False, tps_limit=5, receipt_delay=None) as sim:
        esme = await bound(sim)
        early = [r.command_status for r in await burst(esme, 8, "early")]
        await asyncio.sleep(1.05)
        later = [r.command_status for r in await burst(esme, 5, "later")]
        esme.close()
    assert early == [0] * 5 + [CommandStatus.ESME_RTHROTTLED] * 3
    assert later == [0] * 5
    assert sim.record.busiest_second(ACCOUNT) == 5


async def test_bind_tps_limit_caps_each_bind_alone() -> None:
    async with SmscSimulator(tls=False, bind_tps_limit=5, receipt_delay=None) as sim:
        first, second = await bound(sim), await bound(sim)
        one = [r.command_status for r in await burst(first, 8, "first")]
        two = [r.command_status for r in await burst(second, 5, "second")]
        first.close()
        second.close()
    assert one == [0] * 5 + [CommandStatus.ESME_RTHROTTLED] * 3
    assert two == [0] * 5
    assert sim.record.busiest_second(ACCOUNT) == 10


async def test_injected_failures_get_the_status_asked_for_and_are_recorded() -> None:
    async with SmscSimulator(
        tls=False,
        receipt_delay=None,
        failure_rate=1.0,
        failure_status=CommandStatus.ESME_RMSGQFUL,
    ) as sim:
        esme = await bound(sim)
        statuses = {r.command_status for r in await burst(esme, 4, "x")}
        esme.close()
    assert statuses == {CommandStatus.ESME_RMSGQFUL}
    assert [r.status for r in sim.rejected] == [CommandStatus.ESME_RMSGQFUL] * 4
    assert sim.received == []


@pytest.mark.parametrize("option", ["tps_limit", "bind_tps_limit"])
def test_a_rate_cap_below_one_is_refused_naming_the_option(option: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{option} must be at least 1"):
        SmscSimulator(tls=False, **{option: 0})  # type: ignore[arg-type]
