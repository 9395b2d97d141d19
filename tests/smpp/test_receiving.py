"""The receive side over a real socket: nothing the SMSC delivers is
acknowledged before the application has it, none is dropped, and one PDU the
client cannot read fails nothing else."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any, Callable

import pytest

from smswire import (
    AsyncSmppClient,
    Delivery,
    DeliveryReceipt,
    Message,
    Outcome,
    ReceiptState,
    Timeouts,
)
from smswire.pdu import (
    CommandId,
    CommandStatus,
    DataSm,
    DataSmResp,
    DeliverSm,
    DeliverSmResp,
    EnquireLinkResp,
    GenericNack,
    Pdu,
    SubmitSm,
    SubmitSmResp,
    Tlv,
    TlvTag,
    encode,
)
from smswire.smpp import MobileOriginated, receiving
from smswire.smpp.inbox import INBOX_LIMIT
from smswire.smpp.receiving import Inbound
from smswire.smpp.session import Session

from .stub_smsc import PATIENCE, StubSmsc, command_ids, recorded_writes

OK = CommandStatus.ESME_ROK
DELIVER_SM_RESP = int(CommandId.DELIVER_SM_RESP)
RETRY = CommandStatus.ESME_RX_T_APPN


def client(smsc: StubSmsc, **options: Any) -> AsyncSmppClient:
    # Receipts of submits this client never made are held only briefly.
    settings: dict[str, Any] = {"timeouts": Timeouts(receipt_hold=0.05), **options}
    return AsyncSmppClient(
        "127.0.0.1", smsc.port, system_id="x", password="y", tls=False, **settings
    )


def receipt(message_id: str, stat: str = "DELIVRD", **fields: Any) -> DeliverSm:
    text = (
        f"id:{message_id} sub:001 dlvrd:001 submit date:2601011200 "
        f"done date:2601011201 stat:{stat} err:000 text:hello"
    )
    return DeliverSm(
        source_addr="4512345678",
        destination_addr="Acme",
        esm_class=0x04,
        short_message=text.encode("latin-1"),
        **fields,
    )


def mo(text: str, **fields: Any) -> DeliverSm:
    return DeliverSm(
        source_addr="4587654321", destination_addr="1919", short_message=text.encode(), **fields
    )


async def anext_(iterator: AsyncIterator[Any]) -> Any:
    return await asyncio.wait_for(iterator.__anext__(), PATIENCE)


# -- with a handler ---------------------------------------------------------------


async def test_a_handler_s_batch_is_acknowledged_only_after_it_returns() -> None:
    calls: list[list[Inbound]] = []
    release = asyncio.Event()

    async def handler(batch: list[Inbound]) -> None:
        calls.append(batch)
        await release.wait()

    async with StubSmsc() as smsc, client(smsc, on_inbound=handler) as smpp:
        sent = await smpp.send_many([Message("+4512345678", "hi", source="Acme")] * 2)
        assert [r.message_ids for r in sent] == [("1",), ("2",)]
        sequences = smsc.deliver(receipt("1"), mo("Stop"), receipt("2"))
        await smsc.probe()
        await smsc.until(lambda: calls, "the handler's call")
        await smsc.probe()
        assert not any(s in smsc.answers for s in sequences)  # it holds them: none answered
        release.set()
        await smsc.until(lambda: all(s in smsc.answers for s in sequences), "the answers")
    assert [smsc.answers[s] for s in sequences] == [OK] * 3
    (batch,) = calls  # one read, one call
    assert [type(item) for item in batch] == [DeliveryReceipt, MobileOriginated, DeliveryReceipt]
    first, stop, second = batch
    assert isinstance(first, DeliveryReceipt) and isinstance(second, DeliveryReceipt)
    assert (first.message, second.message) == (sent[0].message, sent[1].message)
    assert isinstance(stop, MobileOriginated) and stop.text == "Stop"


@pytest.mark.parametrize("raises", [False, True])
async def test_a_handed_over_batch_is_answered_in_one_write(raises: bool) -> None:
    calls: list[list[Inbound]] = []
    release = asyncio.Event()

    async def handler(batch: list[Inbound]) -> None:
        calls.append(batch)
        await release.wait()
        if raises:
            raise OSError("the database is down")

    async with StubSmsc() as smsc, client(smsc, on_inbound=handler) as smpp:
        writes = recorded_writes(smpp)
        sequences = smsc.deliver(*(receipt(f"w{n}") for n in range(5)))
        await smsc.until(lambda: calls, "the handler's call")
        release.set()
        await smsc.until(lambda: all(s in smsc.answers for s in sequences), "the answers")
    assert [smsc.answers[s] for s in sequences] == [RETRY if raises else OK] * 5
    (batch,) = calls
    assert len(batch) == 5
    (answers,) = [data for data in writes if int.from_bytes(data[4:8], "big") == DELIVER_SM_RESP]
    assert command_ids(answers) == [DELIVER_SM_RESP] * 5


async def test_a_handler_that_raises_has_the_batch_delivered_again_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(batch: list[Inbound]) -> None:
        raise OSError("the database is down")

    async with StubSmsc() as smsc, client(smsc, on_inbound=handler):
        sequences = smsc.deliver(receipt("b1"), DataSm(source_addr="1", destination_addr="2"))
        await smsc.until(lambda: all(s in smsc.answers for s in sequences), "the answers")
    assert [smsc.answers[s] for s in sequences] == [RETRY, RETRY]
    assert "on_inbound handler raised" in caplog.text
    assert "the database is down" in caplog.text


async def test_what_arrives_while_the_handler_runs_is_its_next_batch() -> None:
    calls: list[list[Inbound]] = []
    release = asyncio.Event()

    async def handler(batch: list[Inbound]) -> None:
        calls.append(batch)
        if len(calls) == 1:
            await release.wait()

    async with StubSmsc() as smsc, client(smsc, on_inbound=handler):
        first = smsc.deliver(mo("c1"))
        await smsc.until(lambda: calls, "the first call")
        later = smsc.deliver(mo("c2")) + smsc.deliver(mo("c3"))
        await smsc.probe()
        assert len(calls) == 1  # one call at a time, in order
        release.set()
        await smsc.until(lambda: all(s in smsc.answers for s in first + later), "the answers")
    assert [[m.text for m in batch] for batch in calls] == [["c1"], ["c2", "c3"]]  # type: ignore[union-attr]


# -- with an iterator ----------------------------------------------------------------


async def test_an_iterator_acknowledges_each_item_when_the_next_is_asked_for() -> None:
    async with StubSmsc() as smsc, client(smsc) as smpp:
        first, second = smsc.deliver(receipt("d1"), receipt("d2"))
        await smsc.probe()
        assert first not in smsc.answers and second not in smsc.answers
        receipts = smpp.receipts()
        got = await anext_(receipts)
        await smsc.probe()
        assert got.message_id == "d1" and first not in smsc.answers  # received, still held
        await anext_(receipts)
        await smsc.until(lambda: first in smsc.answers, "the first answer")
        assert smsc.answers[first] == OK and second not in smsc.answers
        await receipts.aclose()  # stopped holding the second: the SMSC keeps it
        await smsc.until(lambda: second in smsc.answers, "the second answer")
        assert smsc.answers[second] == RETRY


async def test_what_an_iterator_takes_in_one_go_is_answered_in_one_write() -> None:
    async with StubSmsc() as smsc, client(smsc) as smpp:
        writes = recorded_writes(smpp)
        sequences = smsc.deliver(*(receipt(f"e{n}") for n in range(7)))
        await smsc.probe()  # all seven are in the inbox
        receipts = smpp.receipts()

        async def take_six() -> None:
            taken = 0
            async for _ in receipts:  # queued already: taken without a pause
                taken += 1
                if taken == 6:
                    return

        await asyncio.wait_for(take_six(), PATIENCE)
        await smsc.until(lambda: all(s in smsc.answers for s in sequences[:5]), "the answers")
        # The sixth is still held: asking for a seventh would answer it.
        await smsc.probe()
        assert sequences[5] not in smsc.answers
        answers = [data for data in writes if int.from_bytes(data[4:8], "big") == DELIVER_SM_RESP]
        assert [command_ids(data) for data in answers] == [[DELIVER_SM_RESP] * 5]
    # Closing refused the seventh, never taken, before the unbind.
    assert smsc.answers[sequences[6]] == RETRY
    ids = command_ids(b"".join(writes))
    assert ids.index(int(CommandId.UNBIND)) > len(ids) - 1 - ids[::-1].index(DELIVER_SM_RESP)


async def test_a_full_inbox_refuses_deliveries_for_later_and_drops_none() -> None:
    extra = 5
    async with StubSmsc() as smsc, client(smsc) as smpp:
        sequences = smsc.deliver(*(receipt(f"e{i}") for i in range(INBOX_LIMIT + extra)))
        await smsc.until(lambda: len(smsc.answers) >= extra, "the refusals")
        await smsc.probe()
        refused = [s for s in sequences if s in smsc.answers]
        assert [smsc.answers[s] for s in refused] == [RETRY] * extra
        assert refused == sequences[INBOX_LIMIT:]  # the last to come, beyond the bound
        taken = []
        async for item in smpp.receipts():
            taken.append(item.message_id)
            if len(taken) == INBOX_LIMIT:
                break
        await smsc.until(lambda: len(smsc.answers) >= INBOX_LIMIT + extra - 1, "the answers")
    assert taken == [f"e{i}" for i in range(INBOX_LIMIT)]
    assert [smsc.answers[s] for s in sequences[: INBOX_LIMIT - 1]] == [OK] * (INBOX_LIMIT - 1)


# -- one bad PDU -----------------------------------------------------------------------


async def test_unreadable_receipts_and_messages_are_handed_over_raw_and_acknowledged() -> None:
    batches: list[list[Inbound]] = []

    async def handler(batch: list[Inbound]) -> None:
        batches.append(batch)

    empty_sar = tuple(
        Tlv(tag, b"")
        for tag in (TlvTag.SAR_MSG_REF_NUM, TlvTag.SAR_TOTAL_SEGMENTS, TlvTag.SAR_SEGMENT_SEQNUM)
    )
    superscripts = "id:²³ sub:² dlvrd:001 stat:DELIVRD err:000 text:x".encode()
    pdus = [
        DeliverSm(source_addr="1", esm_class=0x04, short_message=superscripts),
        mo("Hello", tlvs=empty_sar),
        mo("odd", data_coding=0x08),  # three octets cannot be UCS2
        DeliverSm(source_addr="1", esm_class=0x40, short_message=b"\x09\x00"),  # UDHL too long
        receipt("f1"),
    ]
    async with StubSmsc() as smsc, client(smsc, on_inbound=handler):
        sequences = smsc.deliver(*pdus)
        await smsc.until(lambda: all(s in smsc.answers for s in sequences), "the answers")
    assert [smsc.answers[s] for s in sequences] == [OK] * len(pdus)
    items = [item for batch in batches for item in batch]
    assert len(items) == len(pdus)
    receipts = [item for item in items if isinstance(item, DeliveryReceipt)]
    odd_receipt, fine = sorted(receipts, key=lambda r: r.message_id != "Â²Â³")
    empty_sar_mo, odd_mo, bad_udh = (item for item in items if item not in receipts)
    assert isinstance(odd_receipt, DeliveryReceipt) and odd_receipt.raw == superscripts
    assert odd_receipt.submitted is None  # ² is no ASCII digit
    assert isinstance(empty_sar_mo, MobileOriginated) and empty_sar_mo.raw == b"Hello"
    assert empty_sar_mo.error is not None and "sar_msg_ref_num" in empty_sar_mo.error
    assert isinstance(odd_mo, MobileOriginated) and odd_mo.raw == b"odd" and odd_mo.error
    assert isinstance(bad_udh, MobileOriginated) and bad_udh.raw == b"\x09\x00" and bad_udh.error
    assert isinstance(fine, DeliveryReceipt) and fine.state is ReceiptState.DELIVERED


async def test_a_reader_that_raises_costs_no_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    # parse_receipt promises never to raise; should it, the receipt is handed
    # over raw in state UNKNOWN and acknowledged once taken. Anything else that
    # raises while a deliver_sm is read (a bug of ours) refuses that one for
    # the SMSC to deliver again: never acknowledged and dropped.
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the reader")

    monkeypatch.setattr(receiving, "parse_receipt", broken)
    monkeypatch.setattr(receiving, "split_user_data", broken)
    batches: list[list[Inbound]] = []

    async def handler(batch: list[Inbound]) -> None:
        batches.append(batch)

    unreadable = receipt("r1")
    async with StubSmsc() as smsc, client(smsc, on_inbound=handler):
        sequences = smsc.deliver(unreadable, mo("Hello"), receipt("r2"))
        await smsc.until(lambda: all(s in smsc.answers for s in sequences), "the answers")
    assert [smsc.answers[s] for s in sequences] == [OK, RETRY, OK]
    taken = [item for batch in batches for item in batch]
    assert [type(item) for item in taken] == [DeliveryReceipt, DeliveryReceipt]
    assert all(isinstance(r, DeliveryReceipt) and r.state is ReceiptState.UNKNOWN for r in taken)
    assert taken[0].raw == unreadable.short_message


async def test_a_ucs2_receipt_is_read_by_its_data_coding() -> None:
    text = "id:77 sub:001 dlvrd:001 stat:UNDELIV err:005 text:ø"
    async with StubSmsc() as smsc, client(smsc) as smpp:
        smsc.deliver(
            DeliverSm(esm_class=0x04, data_coding=0x08, short_message=text.encode("utf-16-be"))
        )
        got = await anext_(smpp.receipts())
    assert (got.message_id, got.state, got.error, got.text) == (
        "77",
        ReceiptState.UNDELIVERABLE,
        5,
        "ø",
    )


async def test_a_receipt_in_message_payload_is_read_from_it() -> None:
    # SMPP 3.4 §5.3.2.32: short_message empty, the whole text in the TLV.
    text = b"id:78 sub:001 dlvrd:001 stat:DELIVRD err:000 text:hi"
    async with StubSmsc() as smsc, client(smsc) as smpp:
        smsc.deliver(DeliverSm(esm_class=0x04, tlvs=(Tlv(TlvTag.MESSAGE_PAYLOAD, text),)))
        got = await anext_(smpp.receipts())
    assert (got.message_id, got.state, got.raw) == ("78", ReceiptState.DELIVERED, text)


async def test_a_receipt_held_for_its_response_is_acknowledged_once_taken() -> None:
    async with StubSmsc() as smsc, client(smsc, timeouts=Timeouts(receipt_hold=0.05)) as smpp:
        (sequence,) = smsc.deliver(receipt("no-such-submit"))
        receipts = smpp.receipts()
        got = await anext_(receipts)
        assert got.message is None and sequence not in smsc.answers
        pending = asyncio.ensure_future(anext_(receipts))
        await smsc.until(lambda: sequence in smsc.answers, "the answer")
        pending.cancel()
    assert smsc.answers[sequence] == OK


async def test_receipts_held_for_their_responses_share_one_timer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Receipts an SMSC queued while no client ran come at the next bind, and
    # no response will name them: each is held for receipt_hold, and a timer
    # each would stay in the event loop until it fired.
    timers: list[object] = []
    loop = asyncio.get_running_loop()
    call_at = loop.call_at

    def counted(when: float, callback: Any, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        if getattr(callback, "__module__", "").startswith("smswire"):
            timers.append(callback)  # the client's, not asyncio.wait_for's
        return call_at(when, callback, *args, **kwargs)

    never_answered = StubSmsc(lambda session, submit: b"")
    hold = Timeouts(receipt_hold=0.2)
    async with never_answered as smsc, client(smsc, timeouts=hold) as smpp:
        sending = asyncio.ensure_future(smpp.send_message(SENDS[0]))
        await smsc.until(lambda: smsc.submits, "the submit, left unanswered")
        monkeypatch.setattr(loop, "call_at", counted)
        sequences = smsc.deliver(*(receipt(f"before-{n}") for n in range(50)))
        receipts = smpp.receipts()
        got = [await anext_(receipts) for _ in range(50)]
        monkeypatch.undo()
        assert len(timers) < 5, timers
        assert {r.message_id for r in got} == {f"before-{n}" for n in range(50)}
        pending = asyncio.ensure_future(anext_(receipts))
        await smsc.until(lambda: all(s in smsc.answers for s in sequences), "the answers")
        pending.cancel()
        sending.cancel()
    assert [smsc.answers[s] for s in sequences] == [OK] * 50


def part(text: str, index: int, total: int = 2, reference: int = 7) -> DeliverSm:
    udh = bytes((5, 0x00, 3, reference, total, index))
    return DeliverSm(
        source_addr="4587654321",
        destination_addr="1919",
        esm_class=0x40,
        short_message=udh + text.encode(),
    )


async def test_a_long_message_s_last_part_is_acknowledged_after_the_hand_over() -> None:
    attempts: list[list[Inbound]] = []

    async def fail_once(batch: list[Inbound]) -> None:
        attempts.append(batch)
        if len(attempts) == 1:
            raise RuntimeError("not yet")

    async with StubSmsc() as smsc, client(smsc, on_inbound=fail_once):
        (first,) = smsc.deliver(part("Hello, ", 1))
        await smsc.until(lambda: first in smsc.answers, "the first part's answer")
        # Held by the client: an SMSC that delivers one at a time sends the next now.
        assert smsc.answers[first] == OK and not attempts
        (last,) = smsc.deliver(part("world", 2))
        await smsc.until(lambda: last in smsc.answers, "the last part's answer")
        assert smsc.answers[last] == RETRY
        (again,) = smsc.deliver(part("world", 2))  # the SMSC delivers the refused part again
        await smsc.until(lambda: again in smsc.answers, "the answer to it")
        assert smsc.answers[again] == OK
        (duplicate,) = smsc.deliver(part("world", 2))  # once taken, the parts are forgotten
        await smsc.until(lambda: duplicate in smsc.answers, "the answer to the duplicate")
    assert [[m.text for m in batch] for batch in attempts] == [["Hello, world"]] * 2  # type: ignore[union-attr]
    assert smsc.answers[duplicate] == OK


# -- answers to submit_sm ------------------------------------------------------------


def answers(*scripted: Callable[[SubmitSm], bytes]) -> Callable[[Session, SubmitSm], bytes]:
    """The stub's answer to the n-th submit_sm; later ones are accepted."""
    count = itertools.count()

    def answer(session: Session, submit: SubmitSm) -> bytes:
        n = next(count)
        if n < len(scripted):
            return scripted[n](submit)
        return encode(SubmitSmResp(message_id=f"ok{n}", sequence_number=submit.sequence_number))

    return answer


def accept_as(message_id: bytes) -> Callable[[SubmitSm], bytes]:
    def answer(submit: SubmitSm) -> bytes:
        # SMPP 3.4 §4.4.2: the header, then message_id as a C-octet string.
        body = message_id + b"\x00"
        header = (16 + len(body), CommandId.SUBMIT_SM_RESP, 0, submit.sequence_number)
        return b"".join(field.to_bytes(4, "big") for field in header) + body

    return answer


def answer_with(response: type[Pdu], status: int = 0) -> Callable[[SubmitSm], bytes]:
    def answer(submit: SubmitSm) -> bytes:
        return encode(response(command_status=status, sequence_number=submit.sequence_number))

    return answer


SENDS = [Message(f"+451234567{i}", f"text {i}", source="Acme") for i in range(3)]


async def test_an_id_in_superscript_digits_fails_nothing_and_its_receipt_still_finds_it() -> None:
    async with (
        StubSmsc(answers(accept, accept_as("¹".encode()), accept)) as smsc,
        client(smsc) as smpp,
    ):
        results = await asyncio.wait_for(smpp.send_many(SENDS), PATIENCE)
        smsc.deliver(receipt("Â¹"))  # the same octets, read as the client reads them
        got = await anext_(smpp.receipts())
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 3
    assert results[1].message_ids == ("Â¹",)
    assert got.message == SENDS[1]


async def test_an_id_that_no_receipt_will_name_takes_no_place_in_the_correlation_table() -> None:
    # The table is bounded: the id of a message that asked for no receipt
    # would push out the id of one whose receipt is on its way.
    unasked = Message("+4512345678", "no receipt", source="Acme", registered_delivery=False)
    async with StubSmsc() as smsc, client(smsc, receipt_correlation=1) as smpp:
        wanted = await asyncio.wait_for(smpp.send_message(SENDS[0]), PATIENCE)
        await asyncio.wait_for(smpp.send_message(unasked), PATIENCE)
        smsc.deliver(receipt(wanted.message_id))
        got = await anext_(smpp.receipts())
    assert got.message == SENDS[0]


@pytest.mark.parametrize("wrong", [EnquireLinkResp, DeliverSmResp, DataSmResp])
async def test_a_response_of_the_wrong_type_leaves_its_message_unknown_and_says_so(
    wrong: type[Pdu], caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        StubSmsc(answers(accept, answer_with(wrong))) as smsc,
        client(smsc, delivery=Delivery.AT_MOST_ONCE) as smpp,
    ):
        results = await asyncio.wait_for(smpp.send_many(SENDS), PATIENCE)
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.UNKNOWN, Outcome.ACCEPTED]
    assert f"{wrong.__name__} came for SubmitSm" in caplog.text


async def test_a_response_of_the_wrong_type_is_resent_under_at_least_once() -> None:
    async with (
        StubSmsc(answers(accept, answer_with(EnquireLinkResp))) as smsc,
        client(smsc, delivery=Delivery.AT_LEAST_ONCE) as smpp,
    ):
        results = await asyncio.wait_for(smpp.send_many(SENDS), PATIENCE)
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 3
    assert len(smsc.submits) == 4  # the second went twice


async def test_a_generic_nack_of_status_0_is_never_an_acceptance() -> None:
    async with StubSmsc(answers(answer_with(GenericNack, 0))) as smsc, client(smsc) as smpp:
        results = await asyncio.wait_for(smpp.send_many(SENDS[:2]), PATIENCE)
    assert [r.outcome for r in results] == [Outcome.UNKNOWN, Outcome.ACCEPTED]
    assert results[0].message_ids == ()


def accept(submit: SubmitSm) -> bytes:
    return encode(
        SubmitSmResp(
            message_id=f"a{submit.sequence_number}", sequence_number=submit.sequence_number
        )
    )


async def test_an_id_is_forgotten_once_its_final_receipt_is_taken() -> None:
    batches: list[list[Inbound]] = []

    async def handler(batch: list[Inbound]) -> None:
        batches.append(batch)

    async with StubSmsc() as smsc, client(smsc, on_inbound=handler) as smpp:
        sent = await asyncio.wait_for(smpp.send_many(SENDS[:2]), PATIENCE)
        first, second = (result.message_ids[0] for result in sent)
        smsc.deliver(receipt(first, "DELIVRD"), receipt(second, "ENROUTE"))
        await smsc.until(lambda: len(batches) == 1, "the receipts")
        smsc.deliver(receipt(first, "DELIVRD"), receipt(second, "DELIVRD"))
        await smsc.until(lambda: sum(map(len, batches)) == 4, "the receipts again")
    items = [item for batch in batches for item in batch]
    named = [(r.message_id, r.message is not None) for r in items]  # type: ignore[union-attr]
    assert named[:2] == [(first, True), (second, True)]
    # The first's final receipt was taken: a second one finds no message (and
    # waits out the hold for a response that might name it).
    assert sorted(named[2:]) == [(first, False), (second, True)]


async def test_a_receipt_waits_for_the_responses_outstanding_when_it_came_and_no_longer() -> None:
    batches: list[list[Inbound]] = []

    async def handler(batch: list[Inbound]) -> None:
        batches.append(batch)

    def silent(session: Session, submit: SubmitSm) -> bytes:
        return b""  # answered later, by the test

    patient = Timeouts(receipt_hold=60.0)  # far beyond PATIENCE: the wait must end sooner
    async with StubSmsc(silent) as smsc, client(smsc, on_inbound=handler, timeouts=patient) as smpp:
        sending = asyncio.ensure_future(smpp.send("+4512345678", "late answer", source="Acme"))
        await smsc.until(lambda: smsc.submits, "the submit")
        (stranger,) = smsc.deliver(receipt("x1"))
        await smsc.probe()
        assert not batches and stranger not in smsc.answers  # held, unacknowledged
        (submit,) = smsc.submits
        session = smsc.link.session
        smsc.write(
            session.send(SubmitSmResp(message_id="x1", sequence_number=submit.sequence_number))
        )
        result = await asyncio.wait_for(sending, PATIENCE)
        await smsc.until(lambda: stranger in smsc.answers, "the receipt's answer")
        # Nothing in flight now: an unknown id goes at once, 60 s hold or not.
        (unknown,) = smsc.deliver(receipt("nobody-sent-this"))
        await smsc.until(lambda: unknown in smsc.answers, "the unknown receipt's answer")
    (named,), (anonymous,) = batches
    assert named.message is result.message  # type: ignore[union-attr]
    assert anonymous.message is None  # type: ignore[union-attr]


async def test_a_held_receipt_is_named_by_its_response_later_in_the_same_read() -> None:
    # The session takes a whole read's responses before their events come one
    # by one: after the first, nothing is outstanding any more, yet the
    # receipt's own response is still to come (smpp34 answers out of order).
    batches: list[list[Inbound]] = []

    async def handler(batch: list[Inbound]) -> None:
        batches.append(batch)

    def silent(session: Session, submit: SubmitSm) -> bytes:
        return b""  # answered later, by the test

    async with StubSmsc(silent) as smsc, client(smsc, on_inbound=handler) as smpp:
        messages = [Message("+4512345678", text, source="Acme") for text in ("one", "two")]
        sending = asyncio.ensure_future(smpp.send_many(messages))
        await smsc.until(lambda: len(smsc.submits) == 2, "the submits")
        (early,) = smsc.deliver(receipt("y2"))
        await smsc.probe()
        assert not batches and early not in smsc.answers  # held for its response
        session = smsc.link.session
        first, second = smsc.submits
        smsc.write(
            session.send(SubmitSmResp(message_id="y1", sequence_number=first.sequence_number))
            + session.send(SubmitSmResp(message_id="y2", sequence_number=second.sequence_number))
        )
        results = await asyncio.wait_for(sending, PATIENCE)
        await smsc.until(lambda: early in smsc.answers, "the receipt's answer")
    ((named,),) = batches
    assert named.message is results[1].message  # type: ignore[union-attr]


async def test_without_correlation_a_receipt_ahead_of_its_response_is_not_held() -> None:
    # The outbox correlates receipts through its store (receipt_correlation=0):
    # holding one for a response would only delay its acknowledgement.
    batches: list[list[Inbound]] = []

    async def handler(batch: list[Inbound]) -> None:
        batches.append(batch)

    def silent(session: Session, submit: SubmitSm) -> bytes:
        return b""  # never answered: the receipt overtakes the response

    # A hold of 60 s, far beyond PATIENCE: holding would time the test out.
    options = {"on_inbound": handler, "timeouts": Timeouts(receipt_hold=60.0)}
    async with StubSmsc(silent) as smsc, client(smsc, receipt_correlation=0, **options) as smpp:
        sending = asyncio.ensure_future(smpp.send("+4512345678", "no answer", source="Acme"))
        await smsc.until(lambda: smsc.submits, "the submit")
        (early,) = smsc.deliver(receipt("x1"))
        await smsc.until(lambda: early in smsc.answers, "the receipt's answer")
        sending.cancel()
    assert smsc.answers[early] == OK
    ((taken,),) = batches
    assert isinstance(taken, DeliveryReceipt) and taken.message is None
