"""Receipts and mobile-originated messages, kept as a real SMSC keeps them.

What the SMSC owes an account waits for a receiver or transceiver of that
account, goes to its binds in turn, and is delivered again until an ESME
acknowledges it with a deliver_sm_resp of status 0.
"""

from __future__ import annotations

import asyncio
import time

from smswire.pdu import (
    BindReceiver,
    BindTransceiver,
    BindTransmitter,
    CommandStatus,
    DeliverSm,
    GenericNack,
    Pdu,
    SubmitSm,
    encode,
)
from smswire.smpp import SmscSimulator
from smswire.smpp.session import RequestReceived, ResponseReceived

from ..support import ACCOUNT, PASSWORD
from .support import RawEsme, eventually

OTHER = "other"


async def bound(
    sim: SmscSimulator, bind: type[Pdu] = BindTransceiver, system_id: str = ACCOUNT
) -> RawEsme:
    esme = await RawEsme.connect(sim)
    assert await esme.bind(bind(system_id=system_id, password=PASSWORD)) == 0  # type: ignore[call-arg]
    return esme


async def submit(esme: RawEsme, text: str, registered_delivery: int = 1) -> str:
    response = await esme.submit(
        short_message=text.encode(), registered_delivery=registered_delivery
    )
    assert response.command_status == CommandStatus.ESME_ROK
    return response.message_id  # type: ignore[union-attr]


async def receipt(esme: RawEsme, answer: int | None = 0) -> DeliverSm:
    """The next deliver_sm; answered with ``answer`` unless None."""
    pdu = await esme.request()
    assert isinstance(pdu, DeliverSm)
    if answer is not None:
        esme.writer.write(esme.session.respond(pdu, answer))
    return pdu


def receipted_id(pdu: DeliverSm) -> str:
    return pdu.short_message.split(b" ")[0].removeprefix(b"id:").decode()


async def test_receipts_owed_while_no_receiver_was_bound_go_out_on_the_next_bind() -> None:
    async with SmscSimulator(tls=False) as sim:
        sender = await bound(sim, BindTransmitter)
        ids = [await submit(sender, f"m{i}") for i in range(5)]
        sender.close()
        await eventually(lambda: sim.connections == 0)
        assert sim.receipts_pending == 5
        receiver = await bound(sim, BindReceiver)
        got = [receipted_id(await receipt(receiver)) for _ in range(5)]
        await eventually(lambda: sim.receipts_delivered == 5)
        receiver.close()
    assert sorted(got) == sorted(ids)
    record = sim.record
    assert all(d.acknowledged for d in record.receipts)
    assert sorted(d.message_id for d in record.receipts) == sorted(ids)


async def test_a_deliver_sm_answered_with_an_error_is_delivered_again_later() -> None:
    async with SmscSimulator(tls=False, redelivery_delay=0.2) as sim:
        esme = await bound(sim)
        message_id = await submit(esme, "hello")
        first = await receipt(esme, CommandStatus.ESME_RX_T_APPN)
        refused_at = time.monotonic()
        again = await receipt(esme)
        waited = time.monotonic() - refused_at
        await eventually(lambda: sim.receipts_delivered == 1)
        esme.close()
    assert receipted_id(first) == receipted_id(again) == message_id
    assert waited >= 0.15
    (delivery,) = sim.record.receipts
    assert [a.status for a in delivery.attempts] == [CommandStatus.ESME_RX_T_APPN, 0]


async def test_a_generic_nack_even_of_status_0_is_no_acknowledgement() -> None:
    async with SmscSimulator(tls=False, redelivery_delay=0.05) as sim:
        esme = await bound(sim)
        await submit(esme, "hello")
        first = await receipt(esme, answer=None)
        nack = GenericNack(command_status=0, sequence_number=first.sequence_number)
        esme.send_raw(encode(nack))
        again = await receipt(esme)
        esme.close()
    assert again.short_message == first.short_message


async def test_rx_p_appn_ends_the_attempts() -> None:
    async with SmscSimulator(tls=False, redelivery_delay=0.05) as sim:
        esme = await bound(sim)
        await submit(esme, "hello")
        await receipt(esme, CommandStatus.ESME_RX_P_APPN)
        await asyncio.sleep(0.2)
        assert not esme.events
        esme.close()
    (delivery,) = sim.record.receipts
    assert not delivery.acknowledged and len(delivery.attempts) == 1
    assert sim.receipts_pending == 0


async def test_a_deliver_sm_lost_with_its_connection_goes_to_the_next_receiver() -> None:
    async with SmscSimulator(tls=False) as sim:
        sender = await bound(sim, BindTransmitter)
        first = await bound(sim, BindReceiver)
        message_id = await submit(sender, "hello")
        await receipt(first, answer=None)
        first.close()
        await eventually(lambda: sim.connections == 1)
        second = await bound(sim, BindReceiver)
        taken = await receipt(second)
        await eventually(lambda: sim.receipts_delivered == 1)
        sender.close()
        second.close()
    assert receipted_id(taken) == message_id
    (delivery,) = sim.record.receipts
    assert [a.ended for a in delivery.attempts] == ["connection lost", "answered"]


async def test_a_deliver_sm_unanswered_within_its_timer_is_delivered_again() -> None:
    async with SmscSimulator(tls=False, deliver_timeout=0.2, redelivery_delay=0.05) as sim:
        esme = await bound(sim)
        await submit(esme, "hello")
        first = await receipt(esme, answer=None)
        again = await receipt(esme)
        # The late answer to the first attempt changes nothing.
        esme.writer.write(esme.session.respond(first, 0))
        await eventually(lambda: sim.receipts_delivered == 1)
        esme.close()
    assert again.short_message == first.short_message
    assert again.sequence_number != first.sequence_number
    (delivery,) = sim.record.receipts
    assert [a.ended for a in delivery.attempts] == ["timed out", "answered"]


async def test_receipts_go_to_the_accounts_receivers_in_turn() -> None:
    async with SmscSimulator(tls=False) as sim:
        receivers = [await bound(sim, BindReceiver) for _ in range(3)]
        other = await bound(sim, BindReceiver, OTHER)
        sender = await bound(sim, BindTransmitter)
        for i in range(9):
            sender.send(
                SubmitSm(destination_addr="45", short_message=b"%d" % i, registered_delivery=1)
            )
        for _ in range(9):
            await sender.response()
        # A loop, not a nested comprehension: Python 3.9 refuses an await inside
        # the inner comprehension of a nested one.
        taken: list[list[str]] = []
        for r in receivers:
            taken.append([receipted_id(await receipt(r)) for _ in range(3)])
        await eventually(lambda: sim.receipts_delivered == 9)
        assert not other.events
        for esme in (*receivers, other, sender):
            esme.close()
    assert len({i for ids in taken for i in ids}) == 9
    by_connection: dict[int, int] = {}
    for delivery in sim.record.receipts:
        (attempt,) = delivery.attempts
        by_connection[attempt.connection] = by_connection.get(attempt.connection, 0) + 1
    assert sorted(by_connection.values()) == [3, 3, 3]


async def test_each_part_of_a_long_message_gets_its_own_receipt() -> None:
    parts = [b"\x05\x00\x03\x2a\x03" + bytes([i]) + b"x" * 150 for i in (1, 2, 3)]
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        for part in parts:
            esme.send(
                SubmitSm(
                    destination_addr="45", esm_class=0x40, short_message=part, registered_delivery=1
                )
            )
        ids, got = [], []
        while len(ids) + len(got) < 2 * len(parts):
            event = await esme.next()
            if isinstance(event, ResponseReceived):
                ids.append(event.pdu.message_id)  # type: ignore[union-attr]
            else:
                assert isinstance(event, RequestReceived)
                got.append(receipted_id(event.pdu))  # type: ignore[arg-type]
                esme.writer.write(esme.session.respond(event.pdu, 0))
        esme.close()
    assert sorted(got) == sorted(ids)
    (message,) = sim.received
    assert message.parts == 3 and message.complete


async def test_a_receipt_waits_its_delay() -> None:
    delay = 0.3
    async with SmscSimulator(tls=False, receipt_delay=delay) as sim:
        esme = await bound(sim)
        # Read before the submit leaves: the simulator's clock (the loop's)
        # notes its arrival later still. Read after its response came back, a
        # busy loop between the two took its time off the wait seen.
        submitted = time.monotonic()
        await submit(esme, "hello")
        await receipt(esme)
        waited = time.monotonic() - submitted
        esme.close()
    assert waited >= delay - 1e-6


async def test_registered_delivery_on_failure_only_gets_receipts_of_failures() -> None:
    # SMPP 3.4 §5.2.17: registered_delivery 0b10, a receipt on failure only.
    async with SmscSimulator(tls=False) as delivered:
        esme = await bound(delivered)
        await submit(esme, "fine", registered_delivery=2)
        await asyncio.sleep(0.1)
        assert not esme.events and delivered.receipts_pending == 0
        esme.close()
    async with SmscSimulator(tls=False, receipt_state="UNDELIV") as undelivered:
        esme = await bound(undelivered)
        await submit(esme, "lost", registered_delivery=2)
        failed = await receipt(esme)
        esme.close()
    assert b"stat:UNDELIV" in failed.short_message


async def test_mobile_originated_messages_are_owed_like_receipts() -> None:
    async with SmscSimulator(tls=False) as sim:
        sim.send_mo("4587654321", "1919", "Stop", system_id=ACCOUNT)
        assert sim.receipts_pending == 1
        esme = await bound(sim, BindReceiver)
        message = await receipt(esme)
        await eventually(lambda: sim.messages_delivered == 1)
        esme.close()
    assert (message.source_addr, message.short_message) == ("4587654321", b"Stop")
    (delivery,) = sim.record.deliveries
    assert delivery.kind == "mobile-originated" and delivery.acknowledged
