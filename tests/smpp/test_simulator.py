"""The simulator as inMobile describes its SMSC, seen by a bare session on a socket."""

from __future__ import annotations

import asyncio
import re
import uuid

from smswire.pdu import (
    BindReceiver,
    BindTransceiver,
    BindTransmitter,
    CommandStatus,
    DeliverSm,
    Pdu,
    QuerySm,
    SubmitSm,
    Unbind,
)
from smswire.smpp import SmscSimulator
from smswire.smpp.session import (
    ConnectionClosed,
    Event,
    RequestReceived,
    ResponseReceived,
    Role,
    Session,
    Unbound,
)

from .support import ACCOUNT, PASSWORD

# inMobile's documented receipt, with its id a UUID.
INMOBILE_RECEIPT = re.compile(
    rb"id:(?P<id>[0-9a-f-]{36}) sub:001 dlvrd:001 submit date:\d{10} "
    rb"done date:\d{10} stat:DELIVRD err:000"
)


class RawEsme:
    """An ESME of nothing but a session and a socket: every PDU is visible."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.session = Session(Role.ESME, enquire_link_interval=None)
        self.events: list[Event] = []

    @classmethod
    async def connect(cls, sim: SmscSimulator) -> RawEsme:
        return cls(*await asyncio.open_connection("127.0.0.1", sim.port))

    def send(self, pdu: Pdu) -> None:
        self.writer.write(self.session.send(pdu))

    async def next(self) -> Event:
        while not self.events:
            data = await asyncio.wait_for(self.reader.read(65536), 10)
            self.events += self.session.receive_data(data)
            self.writer.write(self.session.data_to_send())
        return self.events.pop(0)

    async def response(self) -> Pdu:
        event = await self.next()
        assert isinstance(event, ResponseReceived), event
        return event.pdu

    async def bind(self, pdu: Pdu | None = None) -> int:
        self.send(pdu or BindTransceiver(system_id=ACCOUNT, password=PASSWORD))
        return (await self.response()).command_status

    def close(self) -> None:
        self.writer.close()


async def test_binds_check_system_id_and_password() -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}) as sim:
        for bind, status in [
            (BindTransmitter(system_id="nobody", password=PASSWORD), CommandStatus.ESME_RINVSYSID),
            (BindReceiver(system_id=ACCOUNT, password="wrong"), CommandStatus.ESME_RINVPASWD),
            (BindTransmitter(system_id=ACCOUNT, password=PASSWORD), CommandStatus.ESME_ROK),
        ]:
            esme = await RawEsme.connect(sim)
            assert await esme.bind(bind) == status
            esme.close()
    assert sim.binds == 1


async def test_submit_sm_gets_a_uuid_and_a_receipt_in_inmobiles_format() -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        esme.send(SubmitSm(destination_addr="45", short_message=b"Hi", registered_delivery=1))
        response = await esme.response()
        receipt = await esme.next()
        esme.close()
    message_id = response.message_id  # type: ignore[union-attr]
    assert uuid.UUID(message_id)
    assert isinstance(receipt, RequestReceived)
    assert isinstance(receipt.pdu, DeliverSm)
    assert receipt.pdu.esm_class == 0x04
    match = INMOBILE_RECEIPT.fullmatch(receipt.pdu.short_message)
    assert match, receipt.pdu.short_message
    assert match.group("id").decode() == message_id


async def test_receipts_wait_for_a_receiver_to_bind() -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}) as sim:
        transmitter = await RawEsme.connect(sim)
        await transmitter.bind(BindTransmitter(system_id=ACCOUNT, password=PASSWORD))
        transmitter.send(SubmitSm(destination_addr="45", short_message=b"x", registered_delivery=1))
        await transmitter.response()
        assert sim.receipts_pending == 1
        receiver = await RawEsme.connect(sim)
        await receiver.bind(BindReceiver(system_id=ACCOUNT, password=PASSWORD))
        receipt = await receiver.next()
        assert isinstance(receipt, RequestReceived)
        transmitter.close()
        receiver.close()


async def test_commands_inmobile_does_not_support_get_rinvcmdid() -> None:
    async with SmscSimulator() as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        esme.send(QuerySm(message_id="x"))
        response = await esme.response()
        esme.close()
    assert response.command_status == CommandStatus.ESME_RINVCMDID


async def test_restart_refuses_submits_unbinds_closes_and_refuses_binds_meanwhile() -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        restart = asyncio.create_task(sim.restart(downtime=0.5))
        # inMobile: "clients will be sent an unbind message".
        assert await esme.next() == Unbound(by_peer=True)
        # inMobile: "Right after, the connection will be disconnected."
        closed = await esme.next()
        assert isinstance(closed, ConnectionClosed)
        # inMobile: a bind during the restart gets "a generic ESME_RBINDFAIL reply".
        early = await RawEsme.connect(sim)
        assert await early.bind() == CommandStatus.ESME_RBINDFAIL
        early.close()
        await restart
        later = await RawEsme.connect(sim)
        assert await later.bind() == CommandStatus.ESME_ROK
        later.send(Unbind())
        await later.response()
        later.close()


async def test_submits_that_cross_the_restart_get_rsubmitfail() -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, receipt_delay=None) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        restart = asyncio.create_task(sim.restart(downtime=0.05))
        await asyncio.sleep(0)  # the restart has begun; the unbind is on its way
        esme.send(SubmitSm(destination_addr="45", short_message=b"late"))
        events = [await esme.next(), await esme.next()]
        await restart
        esme.close()
    responses = [e.pdu for e in events if isinstance(e, ResponseReceived)]
    assert [r.command_status for r in responses] == [CommandStatus.ESME_RSUBMITFAIL]
    assert sim.received == []
    assert [r.status for r in sim.rejected] == [CommandStatus.ESME_RSUBMITFAIL]
