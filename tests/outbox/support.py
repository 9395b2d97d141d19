"""Helpers the outbox tests share: messages, receipts, and short ways through the contract."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from smswire.link.codes import ResultCode
from smswire.link.reports import DeliveryReport
from smswire.message import Concatenation, Message, Outcome
from smswire.outbox import Claim, Event, OutboxStore, Settled
from smswire.pdu import CommandStatus, Tlv
from smswire.smpp.receipts import DeliveryReceipt, parse_receipt

# How long a test waits for something that should happen at once. It bounds a
# failing test; it is never what a test asserts.
PATIENCE = 15.0
# A lease no test outlives unless it means to.
LEASE = 60.0
ROUTE = "smpp"
# A lease (or expiry) the test's own store calls must all land within before it
# runs out: a claim, its mark and its record; a claim and its extension; an
# event and the sweep that must keep it. A loaded machine's SQLite commits
# and Redis round trips take far longer than usual.
WORK_LEASE = 1.0
# How long after a lease's end a test looks: the store read its clock before
# the call that set it returned, so it ends no later than return + lease.
LEASE_MARGIN = 0.3
# The subprocess agents the process tests start (real processes, SIGKILLed).
AGENTS = [sys.executable, str(Path(__file__).with_name("agents.py"))]


def message(i: int = 0, text: str = "Your code is {i}") -> Message:
    return Message(f"+4791{i:06d}", text.format(i=i), source="Shop")


def every_option() -> Message:
    """A message with every field away from its default, so storing it whole is tested."""
    return Message(
        "+4746910822",
        "Héllo wörld ✓ \U0001f600 \ud800",
        source="Bløk",
        national=("tr", "es"),
        smart=True,
        flash=True,
        concatenation=Concatenation.SAR,
        validity_period="000001000000000R",
        service_type="CMT",
        registered_delivery=False,
        tlvs=(Tlv(0x1400, b"\x00\x01\xff"), Tlv(0x0204, b"")),
        tariff="NOK100",
        vat=0.25,
        charge_only=True,
        reference_id="ref-1",
        asynchronous=True,
        user_data_header=b"\x05\x00\x03\x01\x02\x01",
    )


async def outlive(returned: float, seconds: float) -> None:
    """Sleep until what a store call that ``returned`` at that loop time set to
    run out after ``seconds`` (a lease, a delay, a time to live) surely has."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, returned + seconds + LEASE_MARGIN - loop.time()))


async def put(store: OutboxStore, keys: Iterable[str], route: str = ROUTE) -> None:
    await store.put(route, [(key, message(i)) for i, key in enumerate(keys)])


async def claim_keys(
    store: OutboxStore, count: int, worker: str = "w1", route: str = ROUTE, lease: float = LEASE
) -> dict[str, Claim]:
    claims = await store.claim(route, worker, count, lease)
    return {claim.key: claim for claim in claims}


def accepted(claim: Claim, parts: int = 1) -> Settled:
    return Settled(claim, Outcome.ACCEPTED, CommandStatus.ESME_ROK, parts=parts)


def smpp_receipt(message_id: str, stat: str = "DELIVRD", err: str = "000") -> DeliveryReceipt:
    """A receipt as an SMSC writes it (SMPP 3.4 Appendix B), parsed by the client's parser."""
    text = (
        f"id:{message_id} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'}"
        f" submit date:2401011200 done date:2401011201 stat:{stat} err:{err} text:Your code"
    )
    return parse_receipt(text.encode("latin-1"))


def link_report(message_id: str, code: ResultCode, part: int | None = None) -> DeliveryReport:
    return DeliveryReport(message_id=message_id, result_code=code, part=part, operator="telenor")


async def all_events(store: OutboxStore, consumer: str = "test", wait: float = 0.0) -> list[Event]:
    """Every event after ``consumer``'s acknowledged position, without acknowledging."""
    found: list[Event] = []
    after = None
    while True:
        batch = await store.read_events(consumer, after, 500, wait if not found else 0.0)
        if not batch:
            return found
        found.extend(batch)
        after = batch[-1].id


def names(events: Sequence[Event]) -> list[tuple[str | None, str]]:
    return [(event.key, event.name) for event in events]
