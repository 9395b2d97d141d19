"""InboundRecorder: receipts committed (in groups) before they are acknowledged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from smswire.errors import StoreError, StoreUnavailable
from smswire.link.codes import ResultCode
from smswire.link.reports import DeliveryReport
from smswire.outbox import InboundRecorder, Outbox, OutboxStore
from smswire.outbox.records import Inbound
from smswire.smpp.receipts import parse_receipt


class CountingStore:
    """A real store, its record_inbound calls counted, failing when told to."""

    def __init__(self, store: OutboxStore) -> None:
        self.store = store
        self.commits = 0
        self.fail = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    async def record_inbound(self, route: str, items: Sequence[Inbound]) -> list[str | None]:
        if self.fail:
            raise StoreUnavailable("disk full", operation="record_inbound")
        self.commits += 1
        return await self.store.record_inbound(route, items)


@pytest.fixture
async def counting(tmp_path: Path) -> AsyncIterator[CountingStore]:
    outbox = await Outbox.open(tmp_path / "outbox.db")
    yield CountingStore(outbox.store)
    await outbox.close()


def report(n: int) -> DeliveryReport:
    return DeliveryReport(message_id=f"L{n}", result_code=ResultCode.BILLED_AND_DELIVERED)


async def test_link_reports_arriving_together_share_a_commit(counting: CountingStore) -> None:
    recorder = InboundRecorder(Outbox(counting), "link")  # type: ignore[arg-type]
    await asyncio.wait_for(asyncio.gather(*(recorder.report(report(n)) for n in range(40))), 15)
    assert recorder.recorded == 40
    assert 1 <= counting.commits < 40  # the first alone, the rest in the next commit or so
    statuses = [await counting.store.status(f"L{n}") for n in range(3)]
    assert statuses == [None, None, None]  # no such keys: kept unmatched, waiting for ids


async def test_a_commit_that_fails_fails_every_report_in_it_and_says_so(
    counting: CountingStore,
) -> None:
    failures: list[StoreError] = []
    recorder = InboundRecorder(Outbox(counting), "link", on_failure=failures.append)  # type: ignore[arg-type]
    counting.fail = True
    results = await asyncio.wait_for(
        asyncio.gather(*(recorder.report(report(n)) for n in range(5)), return_exceptions=True),
        15,
    )
    assert all(isinstance(r, StoreUnavailable) for r in results)
    assert failures and recorder.recorded == 0
    counting.fail = False
    await recorder.report(report(9))  # the next commit goes through
    assert recorder.recorded == 1


async def test_an_smpp_read_is_one_commit_and_a_failure_is_raised(counting: CountingStore) -> None:
    failures: list[StoreError] = []
    recorder = InboundRecorder(Outbox(counting), "smpp", on_failure=failures.append)  # type: ignore[arg-type]
    receipts = [parse_receipt(f"id:{n} stat:DELIVRD err:0".encode()) for n in range(8)]
    await recorder(receipts)
    assert counting.commits == 1 and recorder.recorded == 8 and recorder.matched == 0
    await recorder([])  # nothing read: no transaction
    assert counting.commits == 1
    counting.fail = True
    with pytest.raises(StoreUnavailable):
        await recorder(receipts)  # the client answers ESME_RX_T_APPN: delivered again later
    assert len(failures) == 1
