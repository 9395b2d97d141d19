"""The asyncio client against the simulator over real TLS on 127.0.0.1."""

from __future__ import annotations

import asyncio
import collections
import logging
import ssl
from pathlib import Path

import pytest

from smswire.errors import ConfigurationError, SmscError, TransportError
from smswire.pdu import CommandStatus, DeliverSm, SubmitSm, SubmitSmResp
from smswire.smpp import (
    Backoff,
    Concatenation,
    Delivery,
    DeliveryReceipt,
    Message,
    ReceiptState,
    SendResult,
    SendState,
    SmppClient,
    SmscSimulator,
)
from smswire.smpp.session import Session

from .support import ACCOUNT, PASSWORD, ScriptedSmsc

# Rebinds and retries come quickly in tests; production defaults are slower.
FAST = Backoff(initial=0.01, maximum=0.1)
LONG_TEXT = "The quick brown fox jumps over the lazy dog. " * 8  # 360 GSM7 septets


def connect(sim: SmscSimulator, ca_file: Path, **options: object) -> SmppClient:
    settings: dict[str, object] = {"backoff": FAST}
    settings.update(options)
    return SmppClient(
        "127.0.0.1",
        sim.port,
        system_id=ACCOUNT,
        password=PASSWORD,
        tls=ca_file,
        **settings,  # type: ignore[arg-type]
    )


async def take(iterator: object, count: int) -> list[DeliveryReceipt]:
    items = []
    async for item in iterator:  # type: ignore[attr-defined]
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
    assert result.state is SendState.ACCEPTED
    assert result.status is CommandStatus.ESME_ROK
    assert result.error is None
    (received,) = sim.received
    assert received.text == "Hello {world} €5"
    assert (received.source, received.destination) == ("Acme", "4512345678")
    assert received.data_coding == 0x00  # inMobile: GSM7
    assert received.message_ids == result.message_ids
    assert receipt.message_id == result.message_ids[0]
    assert receipt.state is ReceiptState.DELIVERED
    assert receipt.message is not None
    assert receipt.message.text == "Hello {world} €5"


async def test_ucs2_text_travels_as_data_coding_0x08(sim: SmscSimulator, ca_file: Path) -> None:
    async with connect(sim, ca_file) as smpp:
        result = await smpp.send("+4512345678", "Привет, 世界", source="Acme")
    assert result.ok
    (received,) = sim.received
    assert received.text == "Привет, 世界"
    assert received.data_coding == 0x08


async def test_long_text_goes_in_parts_with_udh_and_one_message_id_per_part(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        result = await smpp.send("+4512345678", LONG_TEXT, source="Acme")
        receipts = await take(smpp.receipts(), 3)
    assert result.ok
    assert len(result.message_ids) == 3
    (received,) = sim.received
    assert received.parts == 3
    assert received.text == LONG_TEXT
    assert received.times_accepted == 1
    assert {r.message_id for r in receipts} == set(result.message_ids)
    assert all(r.message is not None and r.message.text == LONG_TEXT for r in receipts)


@pytest.mark.parametrize(
    ("text", "data_coding"),
    [("Flash!", 0x10), ("Вспышка", 0x18)],
)
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


async def test_mobile_originated_messages_arrive_reassembled(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        sim.send_mo("4587654321", "1919", "Stop", system_id=ACCOUNT)
        sim.send_mo("4587654321", "1919", "Ответ " * 30, system_id=ACCOUNT)
        first, second = await take(smpp.messages(), 2)
    assert (first.source, first.destination, first.text) == ("4587654321", "1919", "Stop")
    assert second.text == "Ответ " * 30
    assert second.parts == 3
    assert sim.messages_delivered == 4


async def test_close_unbinds_and_ends_the_iterators(sim: SmscSimulator, ca_file: Path) -> None:
    smpp = connect(sim, ca_file)
    await smpp.connect()
    assert smpp.bound
    await smpp.close()
    assert not smpp.bound
    assert [r async for r in smpp.receipts()] == []
    with pytest.raises(TransportError, match="closed"):
        await smpp.send("+4512345678", "late", source="Acme")


async def test_receiver_bind_gets_receipts_for_a_transmitters_messages(
    sim: SmscSimulator, ca_file: Path
) -> None:
    # The receiver never saw the submit_sm_resp, so it holds the receipt only briefly.
    async with connect(sim, ca_file, bind="receiver", receipt_hold=0.05) as receiver:
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
    smpp = SmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password="wrong", tls=ca_file)
    with pytest.raises(SmscError) as caught:
        await smpp.connect()
    assert caught.value.status == CommandStatus.ESME_RINVPASWD


async def test_certificate_not_trusted_is_a_transport_error(sim: SmscSimulator) -> None:
    # tls=True trusts the system store, which does not know the test CA.
    smpp = SmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=True)
    with pytest.raises(TransportError):
        await smpp.connect()


async def test_an_ssl_context_is_accepted_as_tls(sim: SmscSimulator, ca_file: Path) -> None:
    context = ssl.create_default_context(cafile=str(ca_file))
    smpp = SmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=context)
    async with smpp:
        assert (await smpp.send("+4512345678", "via context", source="Acme")).ok


async def test_plain_tcp_only_when_asked_for() -> None:
    async with (
        SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as plain,
        SmppClient(
            "127.0.0.1", plain.port, system_id=ACCOUNT, password=PASSWORD, tls=False
        ) as smpp,
    ):
        assert (await smpp.send("+4512345678", "clear", source="Acme")).ok


@pytest.mark.parametrize(
    ("option", "value", "complaint"),
    [
        ("window", 0, "window"),
        ("rate_limit", 0, "rate_limit"),
        ("bind", "sideways", "bind"),
        ("password", "nine-char", "password is longer than the 8 octets"),
        ("system_id", "s" * 16, "system_id"),
    ],
)
def test_settings_are_checked_when_the_client_is_made(
    option: str, value: object, complaint: str
) -> None:
    settings: dict[str, object] = {"system_id": ACCOUNT, "password": PASSWORD}
    settings[option] = value
    with pytest.raises(ConfigurationError, match=complaint) as caught:
        SmppClient("127.0.0.1", 2775, **settings)  # type: ignore[arg-type]
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


async def test_send_many_returns_one_result_per_message_in_order_failures_included(
    sim: SmscSimulator, ca_file: Path
) -> None:
    messages: list[Message | tuple[str, str, str]] = [
        ("+4511111111", "first", "Acme"),
        Message("+4522222222", "second", "WayTooLongSender"),
        ("+4533333333", "third", "Acme"),
    ]
    progress: list[tuple[int, int]] = []
    async with connect(sim, ca_file) as smpp:
        results = await smpp.send_many(messages, on_progress=lambda *p: progress.append(p))
    assert [r.state for r in results] == [
        SendState.ACCEPTED,
        SendState.FAILED,
        SendState.ACCEPTED,
    ]
    assert results[1].status is CommandStatus.ESME_RINVSRCADR
    assert "limit is 11" in (results[1].error or "")
    assert [r.text for r in sim.received] == ["first", "third"]
    assert sorted(progress) == [(1, 3), (2, 3), (3, 3)]


async def test_permanent_refusal_reaches_the_caller_with_its_status(ca_file: Path) -> None:
    def refuse(session: Session, pdu: SubmitSm) -> bytes:
        return session.send(
            SubmitSmResp(
                command_status=CommandStatus.ESME_RINVDSTADR,
                sequence_number=pdu.sequence_number,
            )
        )

    async with (
        ScriptedSmsc(refuse) as smsc,
        SmppClient("127.0.0.1", smsc.port, system_id="x", password="y", tls=False) as smpp,
    ):
        result = await smpp.send("+4512345678", "nope", source="Acme")
    assert result.state is SendState.FAILED
    assert result.status is CommandStatus.ESME_RINVDSTADR
    assert result.message_ids == ()
    assert "ESME_RINVDSTADR" in (result.error or "")


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

    async with (
        ScriptedSmsc(receipt_first) as smsc,
        SmppClient("127.0.0.1", smsc.port, system_id="x", password="y", tls=False) as smpp,
    ):
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
        smpp = SmppClient("127.0.0.1", smsc.port, system_id="x", password="y", tls=False)
        await smpp.connect()
        pending = asyncio.ensure_future(smpp.send("+4512345678", "limbo", source="Acme"))
        await asyncio.sleep(0)
        await smpp.close(timeout=0.2)
        result = await pending
    assert result.state is SendState.UNKNOWN
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
    bad = SmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password="wr0ngPw", tls=ca_file)
    with pytest.raises(SmscError) as caught:
        await bad.connect()
    assert caplog.records, "the client logs its binds"
    for text in (caplog.text, repr(smpp), repr(bad), str(caught.value)):
        assert PASSWORD not in text
        assert "wr0ngPw" not in text


# -- reconnection, resubmission, throttling ----------------------------------------


async def collect_receipts(smpp: SmppClient, into: list[DeliveryReceipt]) -> None:
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
        async with connect(sim, ca_file, window=256) as smpp:
            receipts: list[DeliveryReceipt] = []
            collector = asyncio.create_task(collect_receipts(smpp, receipts))
            texts = [f"message {i}" for i in range(10_000)]
            sending = asyncio.create_task(
                smpp.send_many([("+4512345678", t, "Acme") for t in texts])
            )
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
    assert all(r.state is SendState.ACCEPTED for r in results)
    received = {m.text: m for m in sim.received}
    assert sorted(received) == sorted(texts)
    # At-least-once: duplicates exactly for the submits whose response was lost.
    times = collections.Counter(m.times_accepted for m in received.values())
    assert times == {1: 10_000 - lost, 2: lost}
    for text, result in zip(texts, results):
        assert result.message_ids == received[text].message_ids
    # Every receipt delivered, one per accepted submit.
    assert len(receipts) == sim.accepted_submits == 10_000 + lost
    assert len({r.message_id for r in receipts}) == 10_000 + lost


async def test_at_most_once_reports_lost_responses_as_unknown_and_never_resubmits(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    lost = 5
    async with (
        SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=server_tls, receipt_delay=None) as sim,
        connect(sim, ca_file, delivery=Delivery.AT_MOST_ONCE) as smpp,
    ):
        sending = asyncio.create_task(
            smpp.send_many([("+4512345678", f"m{i}", "Acme") for i in range(2_000)])
        )
        while sim.accepted_submits < 500:
            await asyncio.sleep(0.01)
        await sim.restart(downtime=0.1, lose_responses=lost)
        results = await sending
    states = collections.Counter(r.state for r in results)
    assert states == {SendState.ACCEPTED: 2_000 - lost, SendState.UNKNOWN: lost}
    assert all(m.times_accepted == 1 for m in sim.received)
    assert len(sim.received) == 2_000
    unknown = {f"m{i}" for i, r in enumerate(results) if r.state is SendState.UNKNOWN}
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


async def send_through(
    server_tls: ssl.SSLContext,
    ca_file: Path,
    texts: list[str],
    client: dict[str, object] | None = None,
    **faults: object,
) -> tuple[SmscSimulator, list[SendResult]]:
    """Send ``texts`` through a simulator with the given faults; its record and the results."""
    async with (
        SmscSimulator(
            accounts={ACCOUNT: PASSWORD},
            tls=server_tls,
            receipt_delay=None,
            **faults,  # type: ignore[arg-type]
        ) as sim,
        connect(sim, ca_file, **(client or {})) as smpp,
    ):
        results = await smpp.send_many([("+4512345678", t, "Acme") for t in texts])
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
    failed = {t for t, r in zip(texts, results) if r.state is SendState.FAILED}
    assert failed == {r.short_message.decode() for r in sim.rejected}
    assert all(r.status is CommandStatus.ESME_RINVDSTADR for r in results if not r.ok)
    accepted = {t: r.message_ids for t, r in zip(texts, results) if r.ok}
    assert accepted == {m.text: m.message_ids for m in sim.received}
    assert 50 < len(failed) < 150


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


async def test_a_client_rate_limit_below_the_tps_limit_is_never_throttled(
    server_tls: ssl.SSLContext, ca_file: Path
) -> None:
    # The bucket holds one window (32) and refills at 300/s: at most 332 in any
    # second, under the simulator's 400.
    texts = [f"p{i}" for i in range(450)]
    sim, results = await send_through(
        server_tls, ca_file, texts, {"window": 32, "rate_limit": 300}, tps_limit=400
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

    async with (
        ScriptedSmsc(ignore_the_first) as smsc,
        SmppClient(
            "127.0.0.1",
            smsc.port,
            system_id="x",
            password="y",
            tls=False,
            response_timeout=0.2,
            backoff=FAST,
        ) as smpp,
    ):
        result = await smpp.send("+4512345678", "patience", source="Acme")
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
        waiting = await smpp.send("+4512345678", "stranded", source="Acme")
        await restart
        with pytest.raises(SmscError) as caught:
            await smpp.send("+4512345678", "too late", source="Acme")
    assert waiting.state is SendState.FAILED
    assert waiting.status is CommandStatus.ESME_RINVPASWD
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
        sending = asyncio.create_task(smpp.send_many([("+4512345678", t, "Acme") for t in texts]))
        while sim.accepted_submits < 300:
            await asyncio.sleep(0.01)
        await sim.restart(downtime=0.05, lose_responses=lost)
        results = await sending
        with pytest.raises(TransportError):
            await smpp.send("+4512345678", "after the end", source="Acme")
    by_state = collections.defaultdict(set)
    for text, result in zip(texts, results):
        by_state[result.state].add(text)
    accepted = {m.text for m in sim.received}
    assert len(by_state[SendState.UNKNOWN]) == lost == sim.responses_lost
    assert by_state[SendState.UNKNOWN] <= accepted
    assert by_state[SendState.ACCEPTED] == accepted - by_state[SendState.UNKNOWN]
    assert by_state[SendState.FAILED], "the rest were never accepted"
    assert not by_state[SendState.FAILED] & accepted


def test_a_client_made_before_the_event_loop_runs_works_in_it() -> None:
    smpp = SmppClient("127.0.0.1", 0, system_id=ACCOUNT, password=PASSWORD, tls=False)

    async def use() -> DeliveryReceipt:
        async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as plain:
            smpp.port = plain.port
            async with smpp:
                await smpp.send("+4512345678", "made early", source="Acme")
                (receipt,) = await take(smpp.receipts(), 1)
                return receipt

    assert asyncio.run(use()).message is not None


async def test_raw_submit_sends_the_pdu_as_given(sim: SmscSimulator, ca_file: Path) -> None:
    pdu = SubmitSm(
        source_addr_ton=5,
        source_addr="Raw",
        dest_addr_ton=1,
        dest_addr_npi=1,
        destination_addr="4512345678",
        data_coding=0x08,
        short_message="rå".encode("utf-16-be"),
        sequence_number=999,  # the session numbers it
    )
    async with connect(sim, ca_file) as smpp:
        result = await smpp.submit(pdu)
    assert result.ok
    (received,) = sim.received
    assert (received.source, received.text, received.data_coding) == ("Raw", "rå", 0x08)


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
    result = await pending
    restart.cancel()
    assert result.state is SendState.FAILED
    assert "closed" in (result.error or "")
    await asyncio.sleep(0.05)
    assert sim.connections == 0
