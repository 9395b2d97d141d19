"""The asyncio client against the simulator over real TLS on 127.0.0.1, and against
scripted SMSCs for the orders of events the simulator never produces."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
import random
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from smswire import (
    AsyncSmppClient,
    Backoff,
    ClientClosed,
    Concatenation,
    ConfigurationError,
    Delivery,
    DeliveryReceipt,
    Limits,
    LocalProtocolError,
    Message,
    Outcome,
    OutcomeUnknown,
    ReceiptState,
    RequestNotSent,
    SendResult,
    SmscError,
    SmscSimulator,
    Timeouts,
    TransportError,
)
from smswire.pdu import CommandStatus, DeliverSm, SubmitSm, SubmitSmResp
from smswire.smpp import MobileOriginated
from smswire.smpp.session import Session

from .support import ACCOUNT, PASSWORD, ScriptedSmsc

# Rebinds and retries come quickly in tests; production defaults are slower.
FAST = Backoff(initial=0.01, maximum=0.1)
LONG_TEXT = "The quick brown fox jumps over the lazy dog. " * 8  # 360 GSM7 septets
TURKISH = "Sayın müşterimiz, siparişiniz yola çıktı. Kargo şirketi yarın sizi arayacak."
HINDI = "नमस्ते! आपका ऑर्डर भेज दिया गया है और कल तक पहुँच जाएगा। धन्यवाद! " * 4
# Bounds a test that would otherwise hang; never what a test asserts.
PATIENCE = 10.0


def connect(sim: SmscSimulator, ca_file: Path, **options: Any) -> AsyncSmppClient:
    settings: dict[str, Any] = {"backoff": FAST}
    settings.update(options)
    return AsyncSmppClient(
        "127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=ca_file, **settings
    )


def scripted(smsc: ScriptedSmsc, **options: Any) -> AsyncSmppClient:
    return AsyncSmppClient(
        "127.0.0.1", smsc.port, system_id="x", password="y", tls=False, **options
    )


def messages(texts: list[str]) -> list[Message]:
    return [Message("+4512345678", text, source="Acme") for text in texts]


async def take(iterator: AsyncIterator[Any], count: int) -> list[Any]:
    items = []
    async for item in iterator:
        items.append(item)
        if len(items) == count:
            break
    return items


# -- end to end over TLS --------------------------------------------------------


async def test_gsm7_text_is_accepted_and_its_receipt_names_the_message(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        result = await smpp.send("+4512345678", "Hello {world} €5", source="Acme")
        (receipt,) = await take(smpp.receipts(), 1)
    assert result.ok
    assert result.outcome is Outcome.ACCEPTED
    assert result.status is CommandStatus.ESME_ROK
    assert (result.error, result.parts) == (None, 1)
    assert result.message == Message("+4512345678", "Hello {world} €5", source="Acme")
    (received,) = sim.received
    assert received.text == "Hello {world} €5"
    assert (received.source, received.destination) == ("Acme", "4512345678")
    assert received.data_coding == 0x00  # inMobile: GSM7
    assert received.message_ids == result.message_ids
    assert receipt.message_id == result.message_id
    assert receipt.state is ReceiptState.DELIVERED
    assert receipt.message == result.message


async def test_without_receipt_correlation_nothing_of_a_sent_message_is_kept(
    sim: SmscSimulator, ca_file: Path
) -> None:
    # The outbox correlates receipts through its store; the client then keeps
    # no message per id, so a worker's memory does not grow with the run.
    hold = Timeouts(receipt_hold=0.01)
    async with connect(sim, ca_file, receipt_correlation=0, timeouts=hold) as smpp:
        result = await smpp.send("+4512345678", "Hello", source="Acme")
        (receipt,) = await take(smpp.receipts(), 1)
        assert len(smpp._receiving._correlation) == 0
    assert receipt.message_id == result.message_id and receipt.message is None
    with pytest.raises(ConfigurationError, match="receipt_correlation"):
        connect(sim, ca_file, receipt_correlation=-1)


async def test_the_client_s_default_source_goes_where_a_message_names_none(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file, source="Shop") as smpp:
        await smpp.send("+4512345678", "from the shop")
        await smpp.send_message(Message("+4512345678", "from acme", source="Acme"))
    assert [(m.source, m.text) for m in sim.received] == [
        ("Shop", "from the shop"),
        ("Acme", "from acme"),
    ]


async def test_ucs2_text_travels_as_data_coding_0x08(sim: SmscSimulator, ca_file: Path) -> None:
    async with connect(sim, ca_file) as smpp:
        result = await smpp.send("+4512345678", "Привет, 世界", source="Acme")
    assert result.ok
    (received,) = sim.received
    assert received.text == "Привет, 世界"
    assert received.data_coding == 0x08


async def test_long_text_goes_in_parts_with_one_message_id_and_receipt_per_part(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        result = await smpp.send("+4512345678", LONG_TEXT, source="Acme")
        receipts = await take(smpp.receipts(), 3)
    assert result.ok
    assert result.parts == len(result.message_ids) == 3
    (received,) = sim.received
    assert received.parts == 3
    assert received.text == LONG_TEXT
    assert received.times_accepted == 1
    assert {r.message_id for r in receipts} == set(result.message_ids)
    assert all(r.message is not None and r.message.text == LONG_TEXT for r in receipts)


@pytest.mark.parametrize(("text", "data_coding"), [("Flash!", 0x10), ("Вспышка", 0x18)])
async def test_flash_messages_use_inmobiles_class_0_codings(
    sim: SmscSimulator, ca_file: Path, text: str, data_coding: int
) -> None:
    async with connect(sim, ca_file) as smpp:
        result = await smpp.send("+4512345678", text, source="Acme", flash=True)
    assert result.ok
    (received,) = sim.received
    assert received.data_coding == data_coding
    assert received.text == text


@pytest.mark.parametrize("concatenation", [Concatenation.SAR, Concatenation.PAYLOAD])
async def test_sar_tlvs_and_message_payload_are_options(
    sim: SmscSimulator, ca_file: Path, concatenation: Concatenation
) -> None:
    async with connect(sim, ca_file) as smpp:
        result = await smpp.send(
            "+4512345678", LONG_TEXT, source="Acme", concatenation=concatenation
        )
    assert result.ok
    (received,) = sim.received
    assert received.text == LONG_TEXT
    assert received.parts == (1 if concatenation is Concatenation.PAYLOAD else 3)


async def test_national_and_smart_text_round_trips_through_the_simulator(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        short = await smpp.send("+905321234567", TURKISH, source="Acme", national=("tr",))
        long = await smpp.send("+919812345678", HINDI, source="Acme", national=("hi", "tr"))
        smart = await smpp.send("+4512345678", "It’s “on” – see you…", source="Acme", smart=True)
    assert short.ok and long.ok and smart.ok
    turkish, hindi, replaced = sim.received
    assert (turkish.text, turkish.parts, turkish.data_coding) == (TURKISH, 1, 0x00)
    assert (hindi.text, hindi.data_coding) == (HINDI, 0x00)
    assert hindi.parts == len(long.message_ids) == 2  # 4 in UCS2
    assert (replaced.text, replaced.data_coding) == ('It\'s "on" - see you...', 0x00)


async def test_mobile_originated_messages_arrive_reassembled(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        sim.send_mo("4587654321", "1919", "Stop", system_id=ACCOUNT)
        sim.send_mo("4587654321", "1919", "Ответ " * 30, system_id=ACCOUNT)
        sim.send_mo("905321234567", "1919", TURKISH, system_id=ACCOUNT, national=("tr",))
        first, second, third = await take(smpp.messages(), 3)
    assert isinstance(first, MobileOriginated)
    assert (first.source, first.destination, first.text) == ("4587654321", "1919", "Stop")
    assert (second.text, second.parts) == ("Ответ " * 30, 3)
    assert (third.text, third.data_coding) == (TURKISH, 0x00)
    # Acknowledged when the next is asked for: the iteration stopped holding
    # the third, so the SMSC keeps it (tests/smpp/test_receiving.py).
    assert sim.messages_delivered == 4


async def test_close_unbinds_and_ends_the_iterators(sim: SmscSimulator, ca_file: Path) -> None:
    smpp = connect(sim, ca_file)
    await smpp.connect()
    assert smpp.bound
    await smpp.close()
    await smpp.close()  # twice is once
    assert not smpp.bound
    assert [r async for r in smpp.receipts()] == []
    with pytest.raises(ClientClosed, match="closed"):
        await smpp.send("+4512345678", "late", source="Acme")


async def test_a_send_before_connecting_is_our_mistake_not_a_hang(
    sim: SmscSimulator, ca_file: Path
) -> None:
    smpp = connect(sim, ca_file)
    with pytest.raises(LocalProtocolError, match="not connected") as caught:
        await asyncio.wait_for(smpp.send("+4512345678", "too early", source="Acme"), PATIENCE)
    assert caught.value.status == CommandStatus.ESME_RINVBNDSTS
    assert sim.received == []


async def test_receiver_bind_gets_receipts_for_a_transmitters_messages(
    sim: SmscSimulator, ca_file: Path
) -> None:
    # The receiver never saw the submit_sm_resp, so it holds the receipt only briefly.
    hold = Timeouts(receipt_hold=0.05)
    async with connect(sim, ca_file, bind="receiver", timeouts=hold) as receiver:
        async with connect(sim, ca_file, bind="transmitter") as transmitter:
            result = await transmitter.send("+4512345678", "split binds", source="Acme")
        (receipt,) = await take(receiver.receipts(), 1)
        with pytest.raises(ConfigurationError, match="receiver"):
            await receiver.send("+4512345678", "not from a receiver", source="Acme")
    assert receipt.message_id == result.message_ids[0]
    assert receipt.message is None


# -- refusals --------------------------------------------------------------------


async def test_wrong_password_is_an_smsc_error_with_rinvpaswd(
    sim: SmscSimulator, ca_file: Path
) -> None:
    smpp = AsyncSmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password="wrong", tls=ca_file)
    with pytest.raises(SmscError) as caught:
        await smpp.connect()
    assert caught.value.status == CommandStatus.ESME_RINVPASWD


async def test_certificate_not_trusted_is_a_transport_error_nothing_sent(
    sim: SmscSimulator,
) -> None:
    # tls=True trusts the system store, which does not know the test CA.
    smpp = AsyncSmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=True)
    # Refused for that reason, not for any failure to connect.
    with pytest.raises(RequestNotSent, match="certificate verify failed"):
        await smpp.connect()


async def test_an_ssl_context_is_accepted_as_tls(sim: SmscSimulator, ca_file: Path) -> None:
    context = ssl.create_default_context(cafile=str(ca_file))
    smpp = AsyncSmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=context)
    async with smpp:
        assert (await smpp.send("+4512345678", "via context", source="Acme")).ok


def test_an_ssl_context_that_does_not_check_the_host_name_is_refused() -> None:
    lax = ssl.create_default_context()
    lax.check_hostname = False
    with pytest.raises(ConfigurationError, match="host name"):
        AsyncSmppClient("127.0.0.1", system_id=ACCOUNT, password=PASSWORD, tls=lax)


async def test_plain_tcp_only_when_asked_for() -> None:
    async with (
        SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as plain,
        AsyncSmppClient(
            "127.0.0.1", plain.port, system_id=ACCOUNT, password=PASSWORD, tls=False
        ) as smpp,
    ):
        assert (await smpp.send("+4512345678", "clear", source="Acme")).ok


@pytest.mark.parametrize(
    ("option", "value", "complaint"),
    [
        ("bind", "sideways", "bind"),
        ("password", "nine-char", "password is longer than the 8 octets"),
        ("system_id", "s" * 16, "system_id"),
        ("limits", 64, "limits must be a Limits"),
        ("timeouts", 30.0, "timeouts must be a Timeouts"),
        ("tls", 443, "tls must be"),
        ("tls", "/nonexistent/ca.pem", "cannot load the CA file"),
    ],
)
def test_settings_are_checked_when_the_client_is_made(
    option: str, value: object, complaint: str
) -> None:
    settings: dict[str, Any] = {"system_id": ACCOUNT, "password": PASSWORD}
    settings[option] = value
    with pytest.raises(ConfigurationError, match=complaint) as caught:
        AsyncSmppClient("127.0.0.1", 2775, **settings)
    assert "nine-char" not in str(caught.value)


async def test_source_over_inmobiles_15_characters_is_refused_before_sending(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        with pytest.raises(ConfigurationError, match="limit is 15"):
            await smpp.send("+4512345678", "hi", source="+4512345678901234")
    assert sim.received == []


async def test_source_truncated_when_the_caller_opts_in(sim: SmscSimulator, ca_file: Path) -> None:
    async with connect(sim, ca_file, truncate_source=True) as smpp:
        assert (await smpp.send("+4512345678", "hi", source="AcmeCorporation")).ok
    assert sim.received[0].source == "AcmeCorpor"[:10] + "a"


async def test_an_option_only_link_understands_is_refused_by_name(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        with pytest.raises(ConfigurationError, match=r"^tariff is not an option SMPP"):
            await smpp.send("+4512345678", "hi", source="Acme", tariff="SEK100")
        (result,) = await smpp.send_many(
            [Message("+4512345678", "hi", source="Acme", charge_only=True)]
        )
    assert result.outcome is Outcome.NOT_SENT
    assert (result.error or "").startswith("charge_only is not an option SMPP")
    assert sim.received == []


async def test_send_many_returns_one_result_per_message_in_order_failures_included(
    sim: SmscSimulator, ca_file: Path
) -> None:
    batch = [
        Message("+4511111111", "first", source="Acme"),
        Message("+4522222222", "second", source="WayTooLongSender"),
        Message("+4533333333", "third", source="Acme"),
    ]
    progress: list[tuple[int, int]] = []
    async with connect(sim, ca_file) as smpp:
        results = await smpp.send_many(batch, on_progress=lambda *p: progress.append(p))
        assert await smpp.send_many([]) == []
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.NOT_SENT, Outcome.ACCEPTED]
    assert [r.message for r in results] == batch
    # Refused before it left: no provider status, the reason instead.
    assert results[1].status is None
    assert "limit is 11" in (results[1].error or "")
    assert [r.text for r in sim.received] == ["first", "third"]
    assert sorted(progress) == [(1, 3), (2, 3), (3, 3)]


async def test_a_message_whose_options_the_codec_refuses_sinks_no_other(
    sim: SmscSimulator, ca_file: Path
) -> None:
    batch = [
        Message("+4511111111", "first", source="Acme"),
        Message("+4522222222", "second", source="Acme", service_type="TOOLONG"),
        Message("+4533333333", "third " * 40, source="Acme"),  # two parts
    ]
    async with connect(sim, ca_file) as smpp:
        results = await smpp.send_many(batch)
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.NOT_SENT, Outcome.ACCEPTED]
    assert "service_type" in (results[1].error or "") and results[1].status is None
    assert results[2].parts == 2 and len(results[2].message_ids) == 2
    assert [r.text for r in sim.received] == ["first", "third " * 40]


async def test_something_other_than_a_message_is_refused_and_nothing_of_the_call_leaves(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        with pytest.raises(ConfigurationError, match="a Message is needed, not tuple"):
            await smpp.send_many(
                [Message("+4511111111", "first", source="Acme"), ("+45", "old", "Acme")]  # type: ignore[list-item]
            )
        with pytest.raises(ConfigurationError, match="not str"):
            await smpp.send_message("+4511111111")  # type: ignore[arg-type]
        assert (await smpp.send("+4512345678", "after", source="Acme")).ok
    assert [m.text for m in sim.received] == ["after"]


class _Stop(Exception):
    pass


async def test_a_failing_progress_callback_stops_send_many_and_propagates(
    sim: SmscSimulator, ca_file: Path
) -> None:
    def stop_at_5(done: int, total: int) -> None:
        if done == 5:
            raise _Stop

    async with connect(sim, ca_file, limits=Limits(window=2)) as smpp:
        with pytest.raises(_Stop):
            await smpp.send_many(messages([f"s{i}" for i in range(200)]), on_progress=stop_at_5)
        # What was written is settled; what was not is never written.
        assert (await smpp.send("+4512345678", "after", source="Acme")).ok
    assert len(sim.received) < 20


async def test_a_progress_callback_that_raises_at_once_lets_nothing_out(
    sim: SmscSimulator, ca_file: Path
) -> None:
    def stop(done: int, total: int) -> None:
        raise _Stop

    batch = [Message("+45" + "1" * 30, "refused first"), *messages(["never", "sent"])]
    async with connect(sim, ca_file) as smpp:
        with pytest.raises(_Stop):
            await smpp.send_many(batch, on_progress=stop)
        await asyncio.sleep(0.1)
    assert sim.received == []


async def test_permanent_refusal_is_rejected_with_the_smsc_s_status() -> None:
    def refuse(session: Session, pdu: SubmitSm) -> bytes:
        return session.send(
            SubmitSmResp(
                command_status=CommandStatus.ESME_RINVDSTADR,
                sequence_number=pdu.sequence_number,
            )
        )

    async with ScriptedSmsc(refuse) as smsc, scripted(smsc) as smpp:
        result = await smpp.send("+4512345678", "nope", source="Acme")
    assert result.outcome is Outcome.REJECTED
    assert result.status is CommandStatus.ESME_RINVDSTADR
    assert result.message_ids == ()
    assert "ESME_RINVDSTADR" in (result.error or "")


async def test_a_part_refused_after_others_were_accepted_is_rejected_with_their_ids() -> None:
    seen: list[int] = []

    def refuse_the_second(session: Session, pdu: SubmitSm) -> bytes:
        seen.append(pdu.sequence_number)
        status = CommandStatus.ESME_RINVMSGLEN if len(seen) == 2 else CommandStatus.ESME_ROK
        return session.send(
            SubmitSmResp(
                message_id=f"m{len(seen)}", command_status=status, sequence_number=seen[-1]
            )
        )

    async with ScriptedSmsc(refuse_the_second) as smsc, scripted(smsc) as smpp:
        result = await smpp.send("+4512345678", LONG_TEXT, source="Acme")
    assert result.outcome is Outcome.REJECTED
    assert result.status is CommandStatus.ESME_RINVMSGLEN
    assert result.message_ids == ("m1", "m3")
    assert result.parts == 3


async def test_receipt_overtaking_its_submit_sm_resp_still_names_its_message() -> None:
    def receipt_first(session: Session, pdu: SubmitSm) -> bytes:
        receipt = DeliverSm(
            source_addr=pdu.destination_addr,
            destination_addr=pdu.source_addr,
            esm_class=0x04,
            short_message=b"id:ABC123 sub:001 dlvrd:001 stat:DELIVRD err:000",
        )
        return session.send(receipt) + session.send(
            SubmitSmResp(message_id="abc123", sequence_number=pdu.sequence_number)
        )

    async with ScriptedSmsc(receipt_first) as smsc, scripted(smsc) as smpp:
        result = await smpp.send("+4512345678", "overtaken", source="Acme")
        (receipt,) = await take(smpp.receipts(), 1)
    assert result.message_ids == ("abc123",)
    assert receipt.message_id == "ABC123"
    assert receipt.message is not None
    assert receipt.message.text == "overtaken"


async def test_close_reports_submits_never_answered_as_unknown() -> None:
    def ignore(session: Session, pdu: SubmitSm) -> bytes:
        return b""

    async with ScriptedSmsc(ignore) as smsc:
        smpp = scripted(smsc)
        await smpp.connect()
        pending = asyncio.ensure_future(smpp.send("+4512345678", "limbo", source="Acme"))
        await asyncio.sleep(0)
        await smpp.close(timeout=0.2)
        with pytest.raises(OutcomeUnknown) as caught:
            await pending
    # A generic `except TransportError: retry` must never resend it.
    assert not isinstance(caught.value, TransportError)
    result = caught.value.result
    assert result is not None and result.outcome is Outcome.UNKNOWN
    assert "closed" in (result.error or "")


async def test_the_password_never_appears_in_logs_or_reprs(
    sim: SmscSimulator, ca_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    smpp = connect(sim, ca_file)
    async with smpp:
        await smpp.send("+4512345678", "secret-free", source="Acme")
        await sim.restart(downtime=0.05)
        assert (await smpp.send("+4512345678", "after restart", source="Acme")).ok
    bad = AsyncSmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password="wr0ngPw", tls=ca_file)
    with pytest.raises(SmscError) as caught:
        await bad.connect()
    assert caplog.records, "the client logs its binds"
    assert ACCOUNT in repr(smpp)
    for text in (caplog.text, repr(smpp), repr(bad), str(caught.value)):
        assert PASSWORD not in text
        assert "wr0ngPw" not in text


# -- reconnection, resubmission, throttling ----------------------------------------


async def collect_receipts(smpp: AsyncSmppClient, into: list[DeliveryReceipt]) -> None:
    async for receipt in smpp.receipts():
        into.append(receipt)


async def wait_for_receipts(sim: SmscSimulator, got: list[DeliveryReceipt]) -> None:
    while sim.receipts_pending or len(got) < sim.accepted_submits:
        await asyncio.sleep(0.02)


async def test_10000_messages_through_two_restarts_are_each_accepted_exactly_once(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    lost = 7
    async with SmscSimulator(
        accounts={ACCOUNT: PASSWORD}, tls=server_tls, receipt_delay=0.01
    ) as sim:
        async with connect(sim, ca_file, limits=Limits(window=256)) as smpp:
            receipts: list[DeliveryReceipt] = []
            collector = asyncio.create_task(collect_receipts(smpp, receipts))
            texts = [f"message {i}" for i in range(10_000)]
            sending = asyncio.create_task(smpp.send_many(messages(texts)))
            # Two restarts while the batch is in flight; the first also loses
            # the responses of `lost` submits it accepted, as a crash would.
            while sim.accepted_submits < 2_000:
                await asyncio.sleep(0.01)
            await sim.restart(downtime=0.2, lose_responses=lost)
            while sim.accepted_submits < 6_000:
                await asyncio.sleep(0.01)
            await sim.restart(downtime=0.2)
            results = await sending
            await asyncio.wait_for(wait_for_receipts(sim, receipts), 30)
        await collector
    assert sim.binds == 3
    assert sim.responses_lost == lost
    # Every caller told the truth: accepted, with the ids the SMSC gave last.
    assert all(r.outcome is Outcome.ACCEPTED for r in results)
    received = {m.text: m for m in sim.received}
    assert sorted(received) == sorted(texts)
    # At-least-once: duplicates exactly for the submits whose response was lost.
    times = collections.Counter(m.times_accepted for m in received.values())
    assert times == {1: 10_000 - lost, 2: lost}
    for text, result in zip(texts, results):
        assert result.message_ids == received[text].message_ids
    # Every receipt delivered, one per accepted submit. Receipts are
    # acknowledged after the hand-over, so one handed over just before a
    # restart cut off its acknowledgement comes again: at least once.
    assert len({r.message_id for r in receipts}) == sim.accepted_submits == 10_000 + lost
    assert len(receipts) >= 10_000 + lost


async def test_at_most_once_reports_lost_responses_as_unknown_and_never_resubmits(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    lost = 5
    async with (
        SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=server_tls, receipt_delay=None) as sim,
        connect(sim, ca_file, delivery=Delivery.AT_MOST_ONCE) as smpp,
    ):
        sending = asyncio.create_task(smpp.send_many(messages([f"m{i}" for i in range(2_000)])))
        while sim.accepted_submits < 500:
            await asyncio.sleep(0.01)
        await sim.restart(downtime=0.1, lose_responses=lost)
        results = await sending
    outcomes = collections.Counter(r.outcome for r in results)
    assert outcomes == {Outcome.ACCEPTED: 2_000 - lost, Outcome.UNKNOWN: lost}
    assert all(m.times_accepted == 1 for m in sim.received)
    assert len(sim.received) == 2_000
    unknown = {r.message.text for r in results if r.outcome is Outcome.UNKNOWN}
    assert unknown <= {m.text for m in sim.received}, "unknown ones did reach the SMSC"


async def test_binds_refused_during_the_restart_are_retried(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        restart = asyncio.create_task(sim.restart(downtime=0.3))
        await asyncio.sleep(0.05)
        result = await smpp.send("+4512345678", "waits for the rebind", source="Acme")
        await restart
    assert result.ok
    assert sim.binds == 2


@dataclasses.dataclass(frozen=True)
class RecordingBackoff(Backoff):
    """A Backoff that notes which attempt each delay was asked for."""

    attempts: list[int] = dataclasses.field(default_factory=list, compare=False)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        self.attempts.append(attempt)
        return super().delay(attempt, rng)


# A simulator restart's downtime in the back-off test, where rebinds are refused.
RESTART_DOWNTIME = 0.5


async def test_the_reconnect_back_off_starts_again_only_after_a_healthy_bind(
    sim: SmscSimulator, ca_file: Path
) -> None:
    backoff = RecordingBackoff(initial=0.01, maximum=0.05, reset_after=2.0)

    async def lose_the_bind() -> list[int]:
        before = len(backoff.attempts)
        # Binds are refused meanwhile: long enough that the first rebind lands
        # in it (it must, for the back-off to go on) even when a loaded
        # machine makes the reconnect and its TLS handshake slow.
        await sim.restart(downtime=RESTART_DOWNTIME)
        assert (await smpp.send("+4512345678", "rebound", source="Acme")).ok
        return backoff.attempts[before:]

    async with connect(sim, ca_file, backoff=backoff) as smpp:
        first = await lose_the_bind()
        # At once again: that bind never proved healthy, so the back-off goes on.
        second = await lose_the_bind()
        await asyncio.sleep(2.2)
        # After a bind that lasted reset_after, it starts again from the first delay.
        third = await lose_the_bind()
    assert first[0] == 0 and len(first) > 1
    assert second[0] == len(first)
    assert third[0] == 0


async def send_through(
    server_tls: ssl.SSLContext,
    ca_file: Path,
    texts: list[str],
    client: dict[str, Any] | None = None,
    **faults: Any,
) -> tuple[SmscSimulator, list[SendResult]]:
    """Send ``texts`` through a simulator with the given faults; its record and the results."""
    async with (
        SmscSimulator(
            accounts={ACCOUNT: PASSWORD}, tls=server_tls, receipt_delay=None, **faults
        ) as sim,
        connect(sim, ca_file, **(client or {})) as smpp,
    ):
        results = await smpp.send_many(messages(texts))
    return sim, results


async def test_throttled_submits_are_retried_and_results_match_the_record(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    texts = [f"t{i}" for i in range(1_000)]
    sim, results = await send_through(server_tls, ca_file, texts, tps_limit=400)
    assert all(r.ok for r in results)
    assert sim.rejected, "the TPS limit was reached"
    assert {r.status for r in sim.rejected} == {CommandStatus.ESME_RTHROTTLED}
    assert sorted(m.text for m in sim.received) == sorted(texts)
    assert all(m.times_accepted == 1 for m in sim.received)


async def test_random_permanent_failures_reach_exactly_the_refused_callers(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    texts = [f"r{i}" for i in range(1_000)]
    sim, results = await send_through(
        server_tls,
        ca_file,
        texts,
        failure_rate=0.1,
        failure_status=CommandStatus.ESME_RINVDSTADR,
        seed=7,
    )
    rejected = {r.message.text for r in results if r.outcome is Outcome.REJECTED}
    assert rejected == {r.short_message.decode() for r in sim.rejected}
    assert all(r.status is CommandStatus.ESME_RINVDSTADR for r in results if not r.ok)
    accepted = {r.message.text: r.message_ids for r in results if r.ok}
    assert accepted == {m.text: m.message_ids for m in sim.received}
    assert 50 < len(rejected) < 150


async def test_transient_failures_are_retried_until_accepted_once(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    texts = [f"q{i}" for i in range(500)]
    sim, results = await send_through(
        server_tls,
        ca_file,
        texts,
        failure_rate=0.2,
        failure_status=CommandStatus.ESME_RMSGQFUL,
        seed=11,
    )
    assert all(r.ok for r in results)
    assert len(sim.rejected) > 0
    assert len(sim.received) == 500
    assert all(m.times_accepted == 1 for m in sim.received)


async def test_a_retried_refusal_that_never_ends_is_rejected_with_its_status() -> None:
    def always_busy(session: Session, pdu: SubmitSm) -> bytes:
        return session.send(
            SubmitSmResp(
                command_status=CommandStatus.ESME_RMSGQFUL, sequence_number=pdu.sequence_number
            )
        )

    async with (
        ScriptedSmsc(always_busy) as smsc,
        scripted(smsc, backoff=FAST, limits=Limits(retries=2)) as smpp,
    ):
        result = await smpp.send("+4512345678", "busy", source="Acme")
    assert result.outcome is Outcome.REJECTED
    assert result.status is CommandStatus.ESME_RMSGQFUL
    assert "3 times" in (result.error or "")


async def test_a_client_rate_limit_below_the_tps_limit_is_never_throttled(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    # The rate holds from the first second (GCRA): at most 300 in any second,
    # under the simulator's 400.
    texts = [f"p{i}" for i in range(450)]
    sim, results = await send_through(
        server_tls, ca_file, texts, {"limits": Limits(window=32, rate=300)}, tps_limit=400
    )
    assert all(r.ok for r in results)
    assert sim.rejected == []


async def test_a_response_that_never_comes_drops_the_link_and_resubmits() -> None:
    seen: list[int] = []

    def ignore_the_first(session: Session, pdu: SubmitSm) -> bytes:
        seen.append(pdu.sequence_number)
        if len(seen) == 1:
            return b""
        return session.send(SubmitSmResp(message_id="m1", sequence_number=pdu.sequence_number))

    # The resubmission's answer must come within the response timeout: a
    # second, which a loaded machine's event loop meets (0.2 s it might not,
    # and a third bind failed the test).
    response = 1.0
    async with (
        ScriptedSmsc(ignore_the_first) as smsc,
        scripted(smsc, timeouts=Timeouts(response=response), backoff=FAST) as smpp,
    ):
        # Long after the bind's own response timer: the response timer is
        # armed by the submit itself, not left waiting for the enquire_link
        # due in 30 s.
        await asyncio.sleep(response + 0.3)
        result = await asyncio.wait_for(
            smpp.send("+4512345678", "patience", source="Acme"), PATIENCE
        )
    assert result.ok
    assert result.message_ids == ("m1",)
    assert len(seen) == 2, "submitted again on a new bind"
    assert len(smsc.transports) == 2


async def test_a_rebind_refused_for_good_fails_what_waits_and_later_sends(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        sim.accounts = {ACCOUNT: "changed"}
        restart = asyncio.create_task(sim.restart(downtime=0.05))
        await asyncio.sleep(0.01)
        with pytest.raises(RequestNotSent) as waiting:
            await smpp.send("+4512345678", "stranded", source="Acme")
        await restart
        with pytest.raises(SmscError) as caught:
            await smpp.send("+4512345678", "too late", source="Acme")
    result = waiting.value.result
    assert result is not None and result.outcome is Outcome.NOT_SENT
    assert result.status is CommandStatus.ESME_RINVPASWD
    assert caught.value.status == CommandStatus.ESME_RINVPASWD


async def test_without_reconnection_every_caller_still_learns_the_truth(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    lost = 3
    async with (
        SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=server_tls, receipt_delay=None) as sim,
        connect(sim, ca_file, reconnect=False) as smpp,
    ):
        texts = [f"n{i}" for i in range(2_000)]
        sending = asyncio.create_task(smpp.send_many(messages(texts)))
        while sim.accepted_submits < 300:
            await asyncio.sleep(0.01)
        await sim.restart(downtime=0.05, lose_responses=lost)
        results = await sending
        with pytest.raises(RequestNotSent):
            await smpp.send("+4512345678", "after the end", source="Acme")
    by_outcome = collections.defaultdict(set)
    for text, result in zip(texts, results):
        by_outcome[result.outcome].add(text)
    accepted = {m.text for m in sim.received}
    assert len(by_outcome[Outcome.UNKNOWN]) == lost == sim.responses_lost
    assert by_outcome[Outcome.UNKNOWN] <= accepted
    assert by_outcome[Outcome.ACCEPTED] == accepted - by_outcome[Outcome.UNKNOWN]
    assert by_outcome[Outcome.NOT_SENT], "the rest were never sent"
    assert not by_outcome[Outcome.NOT_SENT] & accepted
    assert not by_outcome[Outcome.REJECTED]


async def test_a_message_whose_first_part_left_is_never_called_not_sent() -> None:
    smsc: ScriptedSmsc

    def accept_then_hang_up(session: Session, pdu: SubmitSm) -> bytes:
        asyncio.get_running_loop().call_soon(smsc.transports[-1].close)
        return session.send(SubmitSmResp(message_id="m1", sequence_number=pdu.sequence_number))

    # One submit a second: the second part is still queued when the line drops.
    async with (
        ScriptedSmsc(accept_then_hang_up) as smsc,
        scripted(smsc, reconnect=False, limits=Limits(rate=1)) as smpp,
    ):
        with pytest.raises(OutcomeUnknown) as caught:
            await smpp.send("+4512345678", LONG_TEXT, source="Acme")
    result = caught.value.result
    assert result is not None and result.outcome is Outcome.UNKNOWN
    assert result.message_ids == ("m1",)
    assert "1 of 3 parts accepted" in (result.error or "")


def test_a_client_made_before_the_event_loop_runs_works_in_it() -> None:
    smpp = AsyncSmppClient("127.0.0.1", 0, system_id=ACCOUNT, password=PASSWORD, tls=False)

    async def use() -> tuple[SendResult, DeliveryReceipt]:
        async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as plain:
            smpp.port = plain.port
            async with smpp:
                # Held: the client's correlation table keeps no message alive.
                result = await smpp.send("+4512345678", "made early", source="Acme")
                (receipt,) = await take(smpp.receipts(), 1)
                return result, receipt

    result, receipt = asyncio.run(use())
    assert receipt.message is result.message


async def test_close_settles_a_part_never_written_at_once_not_after_its_timeout(
    sim: SmscSimulator, ca_file: Path
) -> None:
    smpp = connect(sim, ca_file, backoff=Backoff(initial=0.05, maximum=0.05))
    await smpp.connect()
    restart = asyncio.create_task(sim.restart(downtime=5.0))
    await asyncio.sleep(0.3)  # unbound: the part waits for a bind that will not come
    pending = asyncio.ensure_future(smpp.send("+4512345678", "never", source="Acme"))
    await asyncio.sleep(0)
    # Nothing is written once closing begins: waiting for this part would only
    # wait out the close timeout (an hour here) for nothing.
    await asyncio.wait_for(smpp.close(timeout=3600.0), PATIENCE)
    restart.cancel()
    with pytest.raises(RequestNotSent) as caught:
        await pending
    result = caught.value.result
    assert result is not None and result.outcome is Outcome.NOT_SENT


async def test_close_during_a_restart_settles_everything_and_leaves_no_connection(
    sim: SmscSimulator, ca_file: Path
) -> None:
    smpp = connect(sim, ca_file, backoff=Backoff(initial=0.05, maximum=0.05))
    await smpp.connect()
    restart = asyncio.create_task(sim.restart(downtime=5.0))
    await asyncio.sleep(0.3)  # unbound, and rebinds are being refused
    pending = asyncio.ensure_future(smpp.send("+4512345678", "never", source="Acme"))
    await asyncio.sleep(0)
    await smpp.close(timeout=0.1)
    with pytest.raises(RequestNotSent) as caught:
        await pending
    restart.cancel()
    result = caught.value.result
    assert result is not None and result.outcome is Outcome.NOT_SENT
    assert "closed" in (result.error or "")
    await asyncio.sleep(0.05)
    assert sim.connections == 0
