"""Contract: receipts and reports correlate through the store, whenever and however they come."""

from __future__ import annotations

import asyncio

import pytest

from smswire.link.codes import ResultCode
from smswire.outbox import AcceptedPart, Claim, DeliveryState, EventKind, OutboxStore, Via
from smswire.smpp.userdata import MobileOriginated

from ..conftest import StoreFactory
from ..support import (
    ROUTE,
    WORK_LEASE,
    accepted,
    all_events,
    claim_keys,
    link_report,
    names,
    outlive,
    put,
    smpp_receipt,
)


async def sent(
    store: OutboxStore, key: str, ids: list[str], via: Via = Via.SMPP, route: str = ROUTE
) -> Claim:
    """Put ``key`` and have a worker send it as ``len(ids)`` parts with these ids."""
    await put(store, [key], route=route)
    claim = (await claim_keys(store, 1, route=route))[key]
    await store.mark_writing([claim])
    parts = [AcceptedPart(claim, index, message_id) for index, message_id in enumerate(ids)]
    await store.record(via, parts=parts, settled=[accepted(claim, parts=len(ids))])
    return claim


async def test_a_receipt_matches_its_message_by_id(store: OutboxStore) -> None:
    await sent(store, "order-1", ["abc123"])
    receipt = smpp_receipt("abc123")
    assert await store.record_inbound(ROUTE, [receipt]) == ["order-1"]
    status = await store.status("order-1")
    assert status is not None
    assert status.delivery is DeliveryState.DELIVERED and status.state == "delivered"
    assert status.delivered_at is not None
    [record] = status.receipts
    assert record.receipt == receipt
    assert (record.attempt, record.index, record.state) == (1, 0, DeliveryState.DELIVERED)
    assert status.parts[0].state is DeliveryState.DELIVERED
    assert names(await all_events(store)) == [("order-1", "accepted"), ("order-1", "delivered")]
    delivered = (await all_events(store))[-1]
    assert (delivered.part, delivered.message_id, delivered.receipt) == (0, "abc123", receipt)


@pytest.mark.parametrize(
    ("submitted", "quoted"),
    [
        ("0A1B", "2587"),  # hex id, quoted in decimal
        ("2587", "a1b"),  # decimal id, quoted in hex
        ("00042", "42"),  # zero-padded
        ("ABCDEF", "abcdef"),  # case
        ("5d3b1c02-4b7e-4f9e-8d0e-2f6b1a9c7e11", "5D3B1C02-4B7E-4F9E-8D0E-2F6B1A9C7E11"),
    ],
)
async def test_an_smpp_id_matches_in_any_form_the_smsc_quotes_it(
    store: OutboxStore, submitted: str, quoted: str
) -> None:
    await sent(store, "k", [submitted])
    assert await store.record_inbound(ROUTE, [smpp_receipt(quoted)]) == ["k"]


async def test_an_id_matches_its_own_message_before_another_form(store: OutboxStore) -> None:
    # "10" is message A's own id; it is also the hex form of message B's id 16.
    await sent(store, "b", ["16"])
    await sent(store, "a", ["10"])
    assert await store.record_inbound(ROUTE, [smpp_receipt("10")]) == ["a"]
    assert await store.record_inbound(ROUTE, [smpp_receipt("16")]) == ["b"]


async def test_a_receipt_before_its_id_waits_and_matches_when_the_id_comes(
    store: OutboxStore,
) -> None:
    await put(store, ["order-1"])
    claim = (await claim_keys(store, 1))["order-1"]
    await store.mark_writing([claim])
    # The SMSC's receipt overtook its own submit_sm_resp.
    assert await store.record_inbound(ROUTE, [smpp_receipt("77", "DELIVRD")]) == [None]
    await store.record(Via.SMPP, parts=[AcceptedPart(claim, 0, "77")])
    status = await store.status("order-1")
    assert status is not None and len(status.receipts) == 1
    assert status.parts[0].state is DeliveryState.DELIVERED
    assert status.delivery is None  # no outcome yet
    await store.record(Via.SMPP, settled=[accepted(claim)])
    status = await store.status("order-1")
    assert status is not None and status.delivery is DeliveryState.DELIVERED
    assert names(await all_events(store)) == [("order-1", "accepted"), ("order-1", "delivered")]


async def test_a_receipt_and_its_id_in_one_group(store: OutboxStore) -> None:
    await put(store, ["k"])
    claim = (await claim_keys(store, 1))["k"]
    await store.record_inbound(ROUTE, [smpp_receipt("5", "UNDELIV")])
    await store.record(Via.SMPP, parts=[AcceptedPart(claim, 0, "5")], settled=[accepted(claim)])
    status = await store.status("k")
    assert status is not None and status.delivery is DeliveryState.UNDELIVERABLE


async def test_a_waiting_receipt_goes_to_one_part_when_two_recorded_together_name_it(
    store: OutboxStore,
) -> None:
    # "12345" is one id; "3039" is its hex form, another message's id.
    await put(store, ["a", "b"])
    claims = await claim_keys(store, 2)
    assert await store.record_inbound(ROUTE, [smpp_receipt("12345")]) == [None]
    parts = [AcceptedPart(claims["a"], 0, "3039"), AcceptedPart(claims["b"], 0, "12345")]
    await store.record(
        Via.SMPP, parts=parts, settled=[accepted(claims["a"]), accepted(claims["b"])]
    )
    received = []
    for key in ("a", "b"):
        status = await store.status(key)
        assert status is not None
        received += [key] * len(status.receipts)
        assert (status.delivery is DeliveryState.DELIVERED) == (key in received)
    assert len(received) == 1


async def test_a_receipt_for_an_unknown_id_is_kept_unmatched(store: OutboxStore) -> None:
    await sent(store, "k", ["1"])
    assert await store.record_inbound(ROUTE, [smpp_receipt("999")]) == [None]
    status = await store.status("k")
    assert status is not None and status.receipts == () and status.delivery is DeliveryState.PENDING
    assert names(await all_events(store)) == [("k", "accepted")]


async def test_the_same_receipt_twice_is_stored_once(store: OutboxStore) -> None:
    await sent(store, "k", ["1"])
    receipt = smpp_receipt("1")
    assert await store.record_inbound(ROUTE, [receipt, receipt]) == ["k", "k"]
    assert await store.record_inbound(ROUTE, [receipt]) == ["k"]
    status = await store.status("k")
    assert status is not None and len(status.receipts) == 1
    assert names(await all_events(store)) == [("k", "accepted"), ("k", "delivered")]


async def test_a_copy_is_known_after_its_id_was_given_to_another_message(
    store: OutboxStore,
) -> None:
    # An SMSC that reuses ids: the receipt's first copy matched the older part.
    await sent(store, "first", ["7"])
    receipt = smpp_receipt("7")
    assert await store.record_inbound(ROUTE, [receipt]) == ["first"]
    await sent(store, "second", ["7"])
    assert await store.record_inbound(ROUTE, [receipt]) == ["first"]
    status = await store.status("second")
    assert status is not None and status.receipts == ()
    assert status.delivery is DeliveryState.PENDING


async def test_a_duplicate_of_a_waiting_receipt_waits_once(store: OutboxStore) -> None:
    receipt = smpp_receipt("8")
    assert await store.record_inbound(ROUTE, [receipt, receipt]) == [None, None]
    assert await store.record_inbound(ROUTE, [receipt]) == [None]
    await sent(store, "k", ["8"])
    # Matched now, with the part: a third copy is known by the message.
    assert await store.record_inbound(ROUTE, [receipt]) == ["k"]
    status = await store.status("k")
    assert status is not None and len(status.receipts) == 1


async def test_a_receipt_matches_after_a_restart(make_store: StoreFactory) -> None:
    first = await make_store()
    await sent(first, "k", ["abc"])
    await first.close()
    second = await make_store()
    assert await second.record_inbound(ROUTE, [smpp_receipt("abc")]) == ["k"]


async def test_a_waiting_receipt_matches_after_a_restart(make_store: StoreFactory) -> None:
    first = await make_store()
    await first.record_inbound(ROUTE, [smpp_receipt("abc")])
    await first.close()
    second = await make_store()
    await sent(second, "k", ["abc"])
    status = await second.status("k")
    assert status is not None and status.delivery is DeliveryState.DELIVERED


async def test_receipts_match_only_on_their_route(store: OutboxStore) -> None:
    # Two SMSC accounts may hand out the same id.
    await sent(store, "on-a", ["42"], route="account-a")
    await sent(store, "on-b", ["42"], route="account-b")
    assert await store.record_inbound("account-b", [smpp_receipt("42")]) == ["on-b"]
    assert await store.record_inbound("account-c", [smpp_receipt("42")]) == [None]


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        (["DELIVRD", "DELIVRD", "DELIVRD"], DeliveryState.DELIVERED),
        (["DELIVRD", "UNDELIV", "DELIVRD"], DeliveryState.PARTIALLY_DELIVERED),
        (["EXPIRED", "EXPIRED", "EXPIRED"], DeliveryState.EXPIRED),
        (["EXPIRED", "UNDELIV", "EXPIRED"], DeliveryState.UNDELIVERABLE),
        (["REJECTD", "REJECTD", "REJECTD"], DeliveryState.REJECTED),
        (["DELETED", "DELETED", "DELETED"], DeliveryState.DELETED),
    ],
)
async def test_a_multipart_messages_state_comes_from_all_its_parts(
    store: OutboxStore, stats: list[str], expected: DeliveryState
) -> None:
    await sent(store, "k", ["p0", "p1", "p2"])
    for index, stat in enumerate(stats):
        await store.record_inbound(ROUTE, [smpp_receipt(f"p{index}", stat)])
        status = await store.status("k")
        assert status is not None
        final = index == len(stats) - 1
        assert status.delivery is (expected if final else DeliveryState.PENDING)
    assert names(await all_events(store)) == [("k", "accepted"), ("k", expected.value)]


async def test_an_intermediate_receipt_leaves_a_part_pending(store: OutboxStore) -> None:
    await sent(store, "k", ["p0"])
    await store.record_inbound(ROUTE, [smpp_receipt("p0", "ENROUTE")])
    status = await store.status("k")
    assert status is not None and status.delivery is DeliveryState.PENDING
    assert len(status.receipts) == 1 and status.receipts[0].state is DeliveryState.PENDING
    await store.record_inbound(ROUTE, [smpp_receipt("p0", "DELIVRD")])
    # A late receipt, intermediate or final, does not undo the first final one.
    await store.record_inbound(ROUTE, [smpp_receipt("p0", "ACCEPTD")])
    await store.record_inbound(ROUTE, [smpp_receipt("p0", "UNDELIV")])
    status = await store.status("k")
    assert status is not None and status.delivery is DeliveryState.DELIVERED
    assert status.parts[0].state is DeliveryState.DELIVERED
    assert [r.state for r in status.receipts] == [
        DeliveryState.PENDING,
        DeliveryState.DELIVERED,
        DeliveryState.PENDING,
        DeliveryState.UNDELIVERABLE,
    ]
    assert names(await all_events(store)) == [("k", "accepted"), ("k", "delivered")]


async def test_link_reports_name_their_parts_and_say_whether_billed(store: OutboxStore) -> None:
    # LINK gives one id per message; its reports say {id}$n per part.
    await sent(store, "k", ["L1", "L1"], via=Via.LINK, route="link")
    first = link_report("L1", ResultCode.BILLED_AND_DELIVERED, part=0)
    assert await store.record_inbound("link", [first]) == ["k"]
    status = await store.status("k")
    assert status is not None and status.delivery is DeliveryState.PENDING and status.billed
    second = link_report("L1", ResultCode.NOT_DELIVERED, part=1)
    assert await store.record_inbound("link", [second]) == ["k"]
    status = await store.status("k")
    assert status is not None
    assert status.delivery is DeliveryState.PARTIALLY_DELIVERED and status.billed is True
    assert [r.receipt for r in status.receipts] == [first, second]
    assert [(r.index, r.billed) for r in status.receipts] == [(0, True), (1, False)]


async def test_a_single_part_link_report_and_unbilled(store: OutboxStore) -> None:
    await sent(store, "k", ["L9"], via=Via.LINK, route="link")
    assert await store.record_inbound("link", [link_report("L9", ResultCode.EXPIRED)]) == ["k"]
    status = await store.status("k")
    assert status is not None
    assert status.delivery is DeliveryState.EXPIRED and status.billed is False
    await sent(store, "b", ["L8"], via=Via.LINK, route="link")
    billed = link_report("L8", ResultCode.BILLED_AND_DELIVERED)
    assert await store.record_inbound("link", [billed]) == ["b"]
    # The delivery events say it too, each of its one part's billing.
    deliveries = [e for e in await all_events(store) if e.kind is EventKind.DELIVERY]
    assert [(e.key, e.delivery, e.billed) for e in deliveries] == [
        ("k", DeliveryState.EXPIRED, False),
        ("b", DeliveryState.DELIVERED, True),
    ]


async def test_a_link_report_before_its_id(store: OutboxStore) -> None:
    report = link_report("L5", ResultCode.BILLED_AND_DELIVERED, part=1)
    assert await store.record_inbound("link", [report]) == [None]
    await sent(store, "k", ["L5", "L5"], via=Via.LINK, route="link")
    status = await store.status("k")
    assert status is not None and [p.state for p in status.parts] == [
        DeliveryState.PENDING,
        DeliveryState.DELIVERED,
    ]


async def test_receipts_of_a_resent_message_match_their_own_attempt(store: OutboxStore) -> None:
    await put(store, ["k"])
    first = (await claim_keys(store, 1, lease=WORK_LEASE))["k"]
    claimed = asyncio.get_running_loop().time()
    assert await store.mark_writing([first]) == frozenset(), "marked within the lease"
    await store.record(Via.SMPP, parts=[AcceptedPart(first, 0, "old")])
    await outlive(claimed, WORK_LEASE)
    second = (await claim_keys(store, 1, worker="w2"))["k"]
    assert second.possibly_written
    await store.record(Via.SMPP, parts=[AcceptedPart(second, 0, "new")], settled=[accepted(second)])
    await store.record_inbound(ROUTE, [smpp_receipt("old", "DELIVRD")])
    status = await store.status("k")
    assert status is not None
    # The duplicate's receipt is kept against its attempt; the settled attempt decides.
    assert [(r.attempt, r.state) for r in status.receipts] == [(1, DeliveryState.DELIVERED)]
    assert status.delivery is DeliveryState.PENDING and status.message_ids == ("new",)
    await store.record_inbound(ROUTE, [smpp_receipt("new", "UNDELIV")])
    status = await store.status("k")
    assert status is not None and status.delivery is DeliveryState.UNDELIVERABLE


async def test_correlation_expires(make_store: StoreFactory) -> None:
    store = await make_store(correlation_ttl=0.5)
    await sent(store, "k", ["old-id"])
    await store.record_inbound(ROUTE, [smpp_receipt("early")])
    await asyncio.sleep(0.8)
    assert await store.record_inbound(ROUTE, [smpp_receipt("old-id")]) == [None]
    # A receipt that waited past the TTL no longer matches a late id either.
    await sent(store, "late", ["early"])
    status = await store.status("late")
    assert status is not None and status.receipts == ()
    # Expiring forgets what only served correlation; messages stay.
    await store.expire()
    assert await store.status("k") is not None


async def test_mobile_originated_messages_are_stored_as_events(store: OutboxStore) -> None:
    mo = MobileOriginated("+4791234567", "2270", "STOP", 0, parts=1)
    assert await store.record_inbound(ROUTE, [mo, smpp_receipt("none")]) == [None, None]
    [event] = await all_events(store)
    assert event.kind is EventKind.MOBILE_ORIGINATED and event.mobile_originated == mo
    assert event.key is None and event.route == ROUTE


async def test_a_batch_of_receipts_is_one_call(store: OutboxStore) -> None:
    for i in range(5):
        await sent(store, f"k{i}", [f"id{i}"])
    receipts = [smpp_receipt(f"id{i}") for i in range(5)]
    assert await store.record_inbound(ROUTE, receipts) == [f"k{i}" for i in range(5)]


async def test_one_read_may_carry_every_receipt_of_a_message(store: OutboxStore) -> None:
    await sent(store, "k", ["p0", "p1", "p2"])
    read = [smpp_receipt("p0", "ENROUTE"), smpp_receipt("p0"), smpp_receipt("p1")]
    read += [smpp_receipt("p2"), smpp_receipt("p1")]  # and one again
    assert await store.record_inbound(ROUTE, read) == ["k"] * 5
    status = await store.status("k")
    assert status is not None and status.delivery is DeliveryState.DELIVERED
    assert len(status.receipts) == 4
    delivered = (await all_events(store))[-1]
    # The event names the receipt that completed the message.
    assert (delivered.name, delivered.part, delivered.message_id) == ("delivered", 2, "p2")


async def test_events_of_one_read_keep_its_order(store: OutboxStore) -> None:
    await sent(store, "a", ["1"])
    await sent(store, "b", ["2"])
    first = MobileOriginated("+4791234567", "2270", "first", 0)
    last = MobileOriginated("+4791234567", "2270", "last", 0)
    read = [first, smpp_receipt("2", "EXPIRED"), smpp_receipt("1"), last]
    await store.record_inbound(ROUTE, read)
    events = (await all_events(store))[2:]
    assert [(e.key, e.name) for e in events] == [
        (None, "mobile_originated"),
        ("b", "expired"),
        ("a", "delivered"),
        (None, "mobile_originated"),
    ]
    assert [e.mobile_originated for e in (events[0], events[3])] == [first, last]
