"""An SMPP campaign drained by ``smswire worker`` processes, and what its end
must look like read from the SMSC simulator's own record against the store.

The fault tests (a worker SIGKILLed again and again; three workers on Redis
with a kill and a Redis restart) start workers and wait on the record with
these, then hand :func:`check_nothing_lost` what the store says.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smswire.message import Delivery, Message, Outcome
from smswire.outbox import DeliveryState, MessageStatus, Outbox
from smswire.smpp.simulator import SimulatorRecord

from .processes import Processes

ACCOUNT, PASSWORD = "crash", "pw123456"
LONG = "Your parcel is waiting at the pick-up point until Friday; bring ID. " * 3
UCS2 = "Ваш код {i}: не сообщайте его никому ✓"


def campaign(messages: int) -> list[tuple[str, Message]]:
    """One-part GSM, UCS2 and long multi-part texts in turn, keyed ``order-N``."""
    items = []
    for i in range(messages):
        text = (f"Your code is {i}", UCS2.format(i=i), f"{i} {LONG}")[i % 3]
        items.append((f"order-{i}", Message(f"4790{i:06d}", text, source="Shop")))
    return items


async def start_worker(
    processes: Processes, store: str | Path, port: int, delivery: Delivery, *options: str
) -> asyncio.subprocess.Process:
    """``smswire worker --via smpp`` on ``store`` against the simulator's account."""
    return await processes.start(
        "-m", "smswire", "worker", "--store", store, "--via", "smpp",
        "--url", f"smpp://{ACCOUNT}@127.0.0.1:{port}",
        "--delivery", delivery.value.replace("_", "-"),
        "--batch", "40",
        # Short leases: a killed worker's claims come back soon.
        "--lease", "2",
        "--json", *options,
        env={"SMSWIRE_SMPP_PASSWORD": PASSWORD},
    )  # fmt: skip


async def accepted_grows(
    record_path: Path,
    beyond: int,
    worker: Any,
    patience: float,
    store: str | Path | None = None,
) -> int:
    """Wait (bounded) until the SMSC accepted more than ``beyond`` submit_sm;
    -1 when ``worker`` ended first, or when ``store`` (if given) has nothing
    left to send: a random target can lie beyond what the campaign still
    holds, and a worker without ``--until-empty`` never ends by itself."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    outbox = await Outbox.open(store) if store is not None else None
    try:
        while loop.time() < deadline:
            if worker.returncode is not None:
                return -1
            if record_path.exists():
                count = len(SimulatorRecord.open(record_path).accepted)
                if count > beyond:
                    return count
            if outbox is not None:
                pending = await outbox.pending()
                if pending.queued + pending.claimed == 0:
                    return -1
            await asyncio.sleep(0.02)
    finally:
        if outbox is not None:
            await outbox.close()
    raise AssertionError(f"the SMSC accepted no more than {beyond} submit_sm in time")


async def all_receipts_taken(record_path: Path, patience: float) -> None:
    """Wait (bounded) until the SMSC has every receipt it owes acknowledged."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    record = SimulatorRecord.open(record_path)
    while record.unacknowledged() or len(record.receipts) < len(record.accepted):
        assert loop.time() < deadline, f"{len(record.unacknowledged())} receipts never taken"
        await asyncio.sleep(0.2)
        record.refresh()


async def statuses(location: str | Path, keys: list[str]) -> dict[str, MessageStatus]:
    found: dict[str, MessageStatus] = {}
    async with Outbox.open(location) as outbox:
        for key in keys:
            status = await outbox.status(key)
            assert status is not None, key
            found[key] = status
    return found


@dataclass(frozen=True)
class Tally:
    """What a run came to, for its printed summary and further checks."""

    received: int
    duplicates: frozenset[str]
    unknown: frozenset[str]
    possibly_written: frozenset[str]
    receipts: int
    unmatched: frozenset[str]

    def summary(self, delivery: Delivery) -> str:
        return (
            f"{delivery.value}: {self.received} messages reached the SMSC, "
            f"{len(self.duplicates)} twice (all flagged), {len(self.unknown)} unknown, "
            f"{len(self.possibly_written)} possibly written, {self.receipts} receipts stored "
            f"({len(self.unmatched)} for copies whose id a killed worker never committed)"
        )


def check_nothing_lost(
    items: list[tuple[str, Message]],
    found: dict[str, MessageStatus],
    record: SimulatorRecord,
    delivery: Delivery,
    stored_unmatched: Callable[[str], bool],
) -> Tally:
    """Assert, from the SMSC's record against the store's ``found`` statuses:
    every message one final outcome; nothing the SMSC accepted missing or
    anything but ACCEPTED or UNKNOWN; every ACCEPTED one at the SMSC whole;
    duplicates and torn copies only of messages flagged possibly written
    (no duplicates at most once); every receipt acknowledged and in the
    store, on its message, or (a copy whose id a killed worker never
    recorded, asked of ``stored_unmatched(message_id)``) stored unmatched."""
    key_of = {message.destination: key for key, message in items}
    assert all(s.outcome is not None for s in found.values())
    possibly_written = frozenset(k for k, s in found.items() if s.possibly_written)
    received = record.messages()
    for got in received:
        status = found[key_of[got.destination]]
        assert status.outcome in (Outcome.ACCEPTED, Outcome.UNKNOWN), status
    # A worker killed between a long message's parts leaves a copy without
    # its last parts at the SMSC: only ever of a message flagged possibly
    # written (UNKNOWN at most once; sent whole again at least once).
    torn = frozenset(key_of[got.destination] for got in record.incomplete())
    assert torn <= possibly_written
    whole = {key_of[got.destination] for got in received if got.complete}
    for key, status in found.items():
        if status.outcome is Outcome.ACCEPTED:
            assert key in whole, f"{key} recorded ACCEPTED, never reached the SMSC whole"
    # Counted by destination: a resent concatenated message has a new reference.
    times = Counter[str]()
    for got in received:
        times[got.destination] += got.times_accepted
    duplicates = frozenset(key_of[d] for d, n in times.items() if n > 1)
    unknown = frozenset(k for k, s in found.items() if s.outcome is Outcome.UNKNOWN)
    if delivery is Delivery.AT_MOST_ONCE:
        assert duplicates == frozenset()
        # Only a message a killed worker may have written can be unknown.
        assert unknown <= possibly_written
    else:
        assert duplicates <= possibly_written
        assert unknown == frozenset()
    by_id = {part.message_id: key for key, s in found.items() for part in s.parts}
    unmatched = set()
    for receipt in record.receipts:
        assert receipt.acknowledged, receipt.message_id
        key = by_id.get(receipt.message_id)
        if key is None:
            assert stored_unmatched(receipt.message_id), receipt.message_id
            unmatched.add(key_of[receipt.pdu.source_addr])
            continue
        got_ids = {r.receipt.message_id for r in found[key].receipts}  # type: ignore[union-attr]
        assert receipt.message_id in got_ids, key
    assert unmatched <= possibly_written
    delivered = [s for s in found.values() if s.delivery is DeliveryState.DELIVERED]
    assert len(delivered) == sum(s.outcome is Outcome.ACCEPTED for s in found.values())
    return Tally(
        len(received),
        duplicates,
        unknown,
        possibly_written,
        len(record.receipts),
        frozenset(unmatched),
    )
