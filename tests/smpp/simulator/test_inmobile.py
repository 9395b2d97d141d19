"""The simulator as inMobile describes its SMSC, seen by a bare session on a socket.

Each rule is quoted from inMobile's SMPP notes where a test checks it.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import uuid
from pathlib import Path

import pytest

from smswire.pdu import (
    BindReceiver,
    BindTransceiver,
    BindTransmitter,
    CommandStatus,
    DeliverSm,
    QuerySm,
    SubmitSm,
    Unbind,
)
from smswire.smpp import AsyncSmppClient, SmscSimulator
from smswire.smpp.session import ConnectionClosed, RequestReceived, ResponseReceived, Unbound
from smswire.smpp.simulator import SOURCE_ADDR_KEPT

from ..support import ACCOUNT, PASSWORD
from .support import RawEsme

# inMobile's documented receipt, with its id a UUID.
INMOBILE_RECEIPT = re.compile(
    rb"id:(?P<id>[0-9a-f-]{36}) sub:001 dlvrd:001 submit date:\d{10} "
    rb"done date:\d{10} stat:DELIVRD err:000"
)


async def test_binds_check_system_id_and_password() -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as sim:
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
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as sim:
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
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as sim:
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
    async with SmscSimulator(tls=False) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        esme.send(QuerySm(message_id="x"))
        response = await esme.response()
        esme.close()
    assert response.command_status == CommandStatus.ESME_RINVCMDID


async def test_restart_refuses_submits_unbinds_closes_and_refuses_binds_meanwhile() -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        # The early bind below must land within the downtime, which starts as
        # the connection closes: a second and a half, however slowly a loaded
        # machine connects it.
        restart = asyncio.create_task(sim.restart(downtime=1.5))
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
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False, receipt_delay=None) as sim:
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


async def test_tls_unless_asked_otherwise_with_a_ca_a_client_is_told_to_trust() -> None:
    # inMobile: "port 2775 (ssl is required for all connections - no support for non-ssl)".
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}) as sim:
        assert sim.tls
        assert sim.ca_file is not None and sim.ca_file.is_file()
        # As inMobile asks its customers: trust the certificate file it gives.
        async with AsyncSmppClient(
            "127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=sim.ca_file
        ) as smpp:
            assert (await smpp.send("+4512345678", "over TLS", source="Acme")).ok
        esme = await RawEsme.connect(sim, sim.client_context())
        assert await esme.bind() == CommandStatus.ESME_ROK
        esme.close()
        ca_file = sim.ca_file
    assert sim.received[0].text == "over TLS"
    assert not ca_file.exists(), "the throw-away CA goes with the simulator"


async def test_a_plain_tcp_client_gets_no_smpp_from_the_default_simulator() -> None:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}) as sim:
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
        esme = RawEsme(reader, writer)
        esme.send(BindTransceiver(system_id=ACCOUNT, password=PASSWORD))
        data = await asyncio.wait_for(reader.read(65536), 10)
        writer.close()
    # The TLS layer refuses what is not a ClientHello: end of stream or an alert record.
    assert data == b"" or data[0] == 0x15
    assert sim.binds == 0


async def test_plain_tcp_only_when_asked_and_a_given_context_as_given(
    server_tls: ssl.SSLContext,
) -> None:
    async with SmscSimulator(tls=False) as plain:
        assert not plain.tls and plain.ca_file is None
        esme = await RawEsme.connect(plain)
        assert await esme.bind() == CommandStatus.ESME_ROK
        esme.close()
    async with SmscSimulator(tls=server_tls) as given:
        assert given.tls and given.ca_file is None
        with pytest.raises(RuntimeError, match="no certificate authority was minted"):
            given.client_context()


async def test_the_ca_goes_where_asked_and_stays(tmp_path: Path) -> None:
    async with SmscSimulator(tls=True, ca_dir=tmp_path) as sim:
        assert sim.ca_file == tmp_path / "ca.pem"
    assert (tmp_path / "ca.pem").is_file()


async def test_source_addr_keeps_its_first_15_characters() -> None:
    # inMobile: "The source_addr parameter has a max length of 15 characters. If the
    # source_addr parameter is any longer, anything after the 15th character,
    # will be discarded."
    sent = "4512345678901234567"
    async with SmscSimulator(tls=False) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        response = await esme.submit(source_addr_ton=1, source_addr=sent, registered_delivery=1)
        receipt = await esme.request()
        esme.close()
    assert response.command_status == CommandStatus.ESME_ROK
    (message,) = sim.received
    assert message.source == sent[:SOURCE_ADDR_KEPT] == "451234567890123"
    assert isinstance(receipt, DeliverSm)
    assert receipt.destination_addr == sent[:SOURCE_ADDR_KEPT]
    (submit,) = sim.record.accepted
    assert submit.pdu.source_addr == sent, "the record keeps the PDU as received"
