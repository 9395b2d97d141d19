"""The outbox worker against a real SMSC simulator (sockets) and a real SQLite file."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

import pytest

from smswire.errors import ClientClosed, StoreUnavailable
from smswire.link import AsyncLinkMobilityClient
from smswire.message import Delivery, Message, Outcome, SendResult
from smswire.options import Limits
from smswire.outbox import Claim, Outbox, OutboxStore, Via
from smswire.outbox.drain import POSSIBLY_WRITTEN_ERROR
from smswire.outbox.worker import OutboxWorker
from smswire.smpp import AsyncSmppClient, SmscSimulator

from .support import PATIENCE

ACCOUNT, PASSWORD = "worker", "pw123456"
ROUTE = "default"
LONG = "A long campaign text that goes out in more than one part. " * 4
UCS2 = "Привет, ваш код {i} ✓"


def messages(count: int, start: int = 0) -> list[tuple[str, Message]]:
    items = []
    for i in range(start, start + count):
        text = (LONG, UCS2.format(i=i), f"Your code is {i}")[i % 3]
        items.append((f"k{i}", Message(f"+4791{i:06d}", text, source="Shop")))
    return items


@pytest.fixture
async def smsc() -> AsyncIterator[SmscSimulator]:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=False) as simulator:
        yield simulator


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[Outbox]:
    opened = await Outbox.open(tmp_path / "outbox.db")
    yield opened
    await opened.close()


def client_for(smsc: SmscSimulator, **options: object) -> AsyncSmppClient:
    return AsyncSmppClient(
        "127.0.0.1", smsc.port, system_id=ACCOUNT, password=PASSWORD, tls=False, **options
    )


async def drain_all(worker: OutboxWorker) -> None:
    await asyncio.wait_for(worker.run(until_empty=True), PATIENCE)


async def test_every_message_is_sent_once_and_its_part_ids_recorded(
    smsc: SmscSimulator, outbox: Outbox
) -> None:
    await outbox.put_many(messages(60))
    async with client_for(smsc) as client:
        worker = OutboxWorker(outbox, client, batch=7, lanes=3)
        await drain_all(worker)
    assert worker.stats.accepted == 60 and worker.via is Via.SMPP
    record = smsc.record
    assert not record.duplicates() and len(record.messages()) == 60
    ids_by_destination: dict[str, set[str]] = {}
    for submit in record.accepted:
        ids_by_destination.setdefault(submit.destination, set()).add(submit.message_id)
    for key, message in messages(60):
        status = await outbox.status(key)
        assert status is not None and status.outcome is Outcome.ACCEPTED, key
        assert set(status.message_ids) == ids_by_destination[message.destination.lstrip("+")]
        assert status.part_count == len(status.message_ids) >= 1
        assert not status.possibly_written
    assert (await outbox.pending()).queued == 0


async def test_an_invalid_message_is_not_sent_and_never_claimed_again(
    smsc: SmscSimulator, outbox: Outbox
) -> None:
    await outbox.put(Message("+4791000001", "no source given"), key="bad")
    await outbox.put(Message("+4791000002", "fine", source="Shop"), key="good")
    async with client_for(smsc) as client:
        await drain_all(OutboxWorker(outbox, client))
    bad, good = await outbox.status("bad"), await outbox.status("good")
    assert bad is not None and bad.outcome is Outcome.NOT_SENT and bad.error
    assert good is not None and good.outcome is Outcome.ACCEPTED
    assert len(smsc.record.messages()) == 1


async def test_the_check_holds_messages_to_the_clients_own_address_rules(
    smsc: SmscSimulator, outbox: Outbox
) -> None:
    # A sender name within the 11 characters by default, over this client's 6; a
    # name as the destination, which this client allows: the check asks the client.
    await outbox.put(Message("+4791000001", "too long a name", source="Shopping"), key="long")
    await outbox.put(Message("Reception", "to a name", source="Shop"), key="named")
    async with client_for(smsc, alphanumeric_max=6, alphanumeric_destination=True) as client:
        await drain_all(OutboxWorker(outbox, client))
    long, named = await outbox.status("long"), await outbox.status("named")
    assert long is not None and long.outcome is Outcome.NOT_SENT
    assert long.error is not None and "6" in long.error
    assert named is not None and named.outcome is Outcome.ACCEPTED, named
    assert [message.destination for message in smsc.record.messages()] == ["Reception"]


async def test_over_link_what_the_client_could_send_goes_back_when_link_is_unreachable(
    outbox: Outbox,
) -> None:
    # Every request is refused (NOT_SENT). A message naming no sender (the
    # client's goes) and a 12-character name (this client allows 12) could
    # go later, so they go back to the queue; a 13-character one never can.
    keys = {
        "default": None,
        "twelve": "\u00c5hl\u00e9ns Caf\u00e9s",
        "thirteen": "\u00c5hl\u00e9ns Caf\u00e9ss",
    }
    for n, (key, source) in enumerate(keys.items()):
        await outbox.put(Message(f"+479100000{n}", "hello", source=source), key=key)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        client = AsyncLinkMobilityClient(
            f"https://127.0.0.1:{closed.getsockname()[1]}/smscsimplehttp",
            service_id=1,
            username="user",
            password="secret",
            source="Shop",
            alphanumeric_max=12,
            limits=Limits(retries=0),
        )
        async with client:
            worker = OutboxWorker(outbox, client, retry_delay=PATIENCE)
            running = asyncio.ensure_future(worker.run())
            deadline = asyncio.get_running_loop().time() + PATIENCE
            while worker.stats.released + worker.stats.not_sent < len(keys):
                assert asyncio.get_running_loop().time() < deadline, worker.stats
                await asyncio.sleep(0.005)
            worker.stop()
            await asyncio.wait_for(running, PATIENCE)
    status = {key: await outbox.status(key) for key in keys}
    assert {key: (s.state, s.outcome) for key, s in status.items() if s} == {
        "default": ("queued", None),
        "twelve": ("queued", None),
        "thirteen": ("not_sent", Outcome.NOT_SENT),
    }


class ClosedSender:
    """A way out that refuses every batch before anything leaves."""

    via = Via.SMPP

    def __init__(self) -> None:
        self.calls = 0

    async def send_many(self, messages: Iterable[Message]) -> list[SendResult]:
        self.calls += 1
        raise ClientClosed()

    async def close(self) -> None:
        pass


async def test_a_batch_the_way_out_refuses_goes_back_to_the_queue(outbox: Outbox) -> None:
    await outbox.put_many(messages(5))
    sender = ClosedSender()
    worker = OutboxWorker(outbox, sender, retry_delay=0)
    with pytest.raises(ClientClosed):
        await asyncio.wait_for(worker.run(), PATIENCE)
    assert sender.calls >= 1
    for key, _ in messages(5):
        status = await outbox.status(key)
        assert status is not None and status.state == "queued" and status.marked_at is None
    pending = await outbox.pending()
    assert pending.queued == 5 and pending.claimed == 0


class FailingMarks:
    """The real store, except that write-ahead marks cannot be committed."""

    def __init__(self, store: OutboxStore) -> None:
        self.store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    async def mark_writing(self, claims: Sequence[Claim]) -> frozenset[str]:
        raise StoreUnavailable("disk full", operation="mark_writing")


async def test_a_store_that_cannot_mark_stops_the_worker_before_anything_is_written(
    smsc: SmscSimulator, outbox: Outbox
) -> None:
    await outbox.put_many(messages(10))
    broken = Outbox(FailingMarks(outbox.store))  # type: ignore[arg-type]
    async with client_for(smsc) as client:
        worker = OutboxWorker(broken, client)
        with pytest.raises(StoreUnavailable, match="disk full"):
            await asyncio.wait_for(worker.run(), PATIENCE)
    assert smsc.record.accepted == []
    assert isinstance(worker.failure, StoreUnavailable)


# The dead worker's lease: its mark must commit within it (a loaded machine's
# SQLite commit can take a good part of a second), then the test waits it out.
DEAD_LEASE = 0.5


async def dead_worker_marked(outbox: Outbox, keys: Sequence[str]) -> None:
    """A worker claimed and marked ``keys`` and died before any outcome."""
    loop = asyncio.get_running_loop()
    drain = outbox.drain(ROUTE, worker="dead", via=Via.SMPP, lease=DEAD_LEASE)
    claims = await drain.claim(len(keys))
    claimed = loop.time()
    assert sorted(c.key for c in claims) == sorted(keys)
    assert await drain.mark_writing(claims) == claims, "marked within the lease"
    # Its lease runs out: the store set it from a clock read before the claim
    # returned, so it ends no later than then + DEAD_LEASE.
    await asyncio.sleep(max(0.0, claimed + DEAD_LEASE + 0.1 - loop.time()))


async def test_at_most_once_records_possibly_written_messages_unknown_and_sends_none(
    smsc: SmscSimulator, outbox: Outbox
) -> None:
    await outbox.put_many(messages(3))
    await dead_worker_marked(outbox, ["k0", "k1", "k2"])
    await outbox.put_many(messages(2, start=3))
    async with client_for(smsc, delivery=Delivery.AT_MOST_ONCE) as client:
        await drain_all(OutboxWorker(outbox, client, delivery=Delivery.AT_MOST_ONCE))
    for key in ("k0", "k1", "k2"):
        status = await outbox.status(key)
        assert status is not None and status.outcome is Outcome.UNKNOWN
        assert status.possibly_written and status.error == POSSIBLY_WRITTEN_ERROR
    assert sorted(m.destination for m in smsc.record.messages()) == ["4791000003", "4791000004"]


async def test_at_least_once_resends_possibly_written_messages_flagged(
    smsc: SmscSimulator, outbox: Outbox
) -> None:
    await outbox.put_many(messages(3))
    await dead_worker_marked(outbox, ["k0", "k1", "k2"])
    async with client_for(smsc) as client:
        await drain_all(OutboxWorker(outbox, client))
    for key in ("k0", "k1", "k2"):
        status = await outbox.status(key)
        assert status is not None and status.outcome is Outcome.ACCEPTED
        assert status.possibly_written and status.attempts == 2
    assert len(smsc.record.messages()) == 3


async def test_stop_records_what_is_in_flight_and_claims_no_more(
    smsc: SmscSimulator, outbox: Outbox
) -> None:
    await outbox.put_many(messages(300))
    async with client_for(smsc) as client:
        worker = OutboxWorker(outbox, client, batch=20, lanes=2)
        running = asyncio.ensure_future(worker.run())
        while worker.stats.accepted == 0:
            await asyncio.sleep(0.005)
        worker.stop()
        stats = await asyncio.wait_for(running, PATIENCE)
    pending = await outbox.pending()
    assert pending.claimed == 0  # nothing left held
    assert pending.queued == 300 - stats.accepted - stats.rejected - stats.unknown
    assert pending.queued > 0
    assert len(smsc.record.messages()) == stats.accepted


class SlowSender:
    """A way out that takes ``delay`` seconds per batch and accepts everything."""

    via = Via.SMPP

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.sent: list[Message] = []

    async def send_many(self, messages: Iterable[Message]) -> list[SendResult]:
        batch = list(messages)
        await asyncio.sleep(self.delay)
        self.sent += batch
        return [
            SendResult(m, Outcome.ACCEPTED, (f"id-{len(self.sent)}-{i}",), parts=1)
            for i, m in enumerate(batch)
        ]

    async def close(self) -> None:
        pass


async def test_leases_are_renewed_while_a_slow_batch_is_on_its_way(outbox: Outbox) -> None:
    await outbox.put_many(messages(4))
    # The batch outlasts the lease three times over. The worker renews every
    # lease / 3, so a renewal may come lease * 2/3 late before the lease lapses:
    # 1 s here. A 0.6 s lease left 0.4 s, which CI's loaded machine (two test
    # runs on two cores) once took, a wake-up plus an extend waiting on the
    # rival's SQLite commits; a 0.3 s lease left 0.2 s.
    sender = SlowSender(delay=4.5)
    worker = OutboxWorker(outbox, sender, lease=1.5, lanes=1)
    running = asyncio.ensure_future(worker.run(until_empty=True))
    while worker.stats.claimed < 4:
        await asyncio.sleep(0.005)
    rival = outbox.drain(ROUTE, worker="rival", via=Via.SMPP)
    taken = []
    deadline = asyncio.get_running_loop().time() + PATIENCE
    while not running.done() and asyncio.get_running_loop().time() < deadline:
        taken += await rival.claim(10)
        await asyncio.sleep(0.05)
    stats = await running
    assert taken == []  # never free for another worker while held
    assert stats.accepted == 4 and stats.lost == 0 and len(sender.sent) == 4


class FailingRecords:
    """The real store, except that outcomes cannot be committed."""

    def __init__(self, store: OutboxStore) -> None:
        self.store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    async def record(self, *args: object) -> frozenset[str]:
        raise StoreUnavailable("disk full", operation="record")


async def test_outcomes_that_cannot_be_committed_stay_possibly_written_for_the_next_worker(
    smsc: SmscSimulator, outbox: Outbox
) -> None:
    await outbox.put_many(messages(6))
    broken = Outbox(FailingRecords(outbox.store))  # type: ignore[arg-type]
    async with client_for(smsc) as client:
        # Its mark must commit within the lease, or nothing is written.
        worker = OutboxWorker(broken, client, batch=3, lanes=1, lease=DEAD_LEASE)
        with pytest.raises(StoreUnavailable):
            await asyncio.wait_for(worker.run(), PATIENCE)
        stopped = asyncio.get_running_loop().time()
    # It stopped claiming after the first batch, and forgot none of it.
    assert len(smsc.record.messages()) == 3
    written = [key for key, _ in messages(6) if (await outbox.status(key)).state == "writing"]  # type: ignore[union-attr]
    assert len(written) == 3
    # The dead worker's leases run out: renewed at the latest as it stopped.
    await asyncio.sleep(max(0.0, stopped + DEAD_LEASE + 0.1 - asyncio.get_running_loop().time()))
    async with client_for(smsc) as client:
        await drain_all(OutboxWorker(outbox, client))
    for key in written:
        status = await outbox.status(key)
        assert status is not None and status.possibly_written and status.outcome is Outcome.ACCEPTED
    # A resent concatenated message has a new reference: count by destination.
    times = Counter[str]()
    for got in smsc.record.messages():
        times[got.destination] += got.times_accepted
    twice = {d for d, n in times.items() if n > 1}
    assert len(times) == 6
    assert twice == {dict(messages(6))[k].destination.lstrip("+") for k in written}
