"""Receipts and handset messages into the outbox before the provider hears "got it".

::

    inbound = InboundRecorder(outbox, route="default")
    client = AsyncSmppClient(..., on_inbound=inbound)           # SMPP: per read
    receiver = DeliveryReportReceiver(inbound.report)           # LINK: per report

The SMPP client calls the recorder with what one read brought and answers
each deliver_sm ESME_ROK only after it returns (an error status if it
raises, so the SMSC delivers it again); the LINK receiver answers 200 only
after :meth:`InboundRecorder.report` returns (a 500 if it raises, so the
platform posts it again). Either way a receipt is acknowledged only once it
is committed to the store: none is lost between the two.

A :class:`~smswire.errors.StoreError` is raised on, so the provider keeps
the receipt, and handed to ``on_failure`` (a worker stops claiming then).

The store correlates receipts by message id, even one that overtook its
submit_sm_resp or belongs to a message an earlier process sent, so a client
feeding it need not hold such receipts back for its own correlation: give it
``receipt_correlation=0`` (it then holds none) or
``Timeouts(receipt_hold=STORE_RECEIPT_HOLD)``. With the default hold, every
receipt for an earlier process's message waits seconds unacknowledged, and
the SMSC's window of deliveries with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Callable

from smswire.errors import StoreError
from smswire.link.reports import DeliveryReport
from smswire.outbox.facade import Outbox
from smswire.outbox.records import Inbound
from smswire.outbox.store import DEFAULT_ROUTE, check_name

__all__ = ["STORE_RECEIPT_HOLD", "InboundRecorder"]

# Seconds an SMPP client feeding the store holds an uncorrelated receipt: next
# to none (the option must be positive), since the store correlates it.
STORE_RECEIPT_HOLD = 0.001


class InboundRecorder:
    """Commits what a provider sends back on ``route``; see the module text."""

    def __init__(
        self,
        outbox: Outbox,
        route: str = DEFAULT_ROUTE,
        *,
        on_failure: Callable[[StoreError], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self.route = check_name("route", route)
        self.on_failure = on_failure
        self.recorded = 0
        self.matched = 0
        self._reports: list[tuple[DeliveryReport, asyncio.Future[None]]] = []
        self._committing: asyncio.Future[None] | None = None

    async def __call__(self, items: Sequence[Inbound]) -> None:
        """Store ``items`` in one commit; raise if that commit failed."""
        if not items:
            return
        try:
            keys = await self._outbox.record_inbound(self.route, list(items))
        except StoreError as exc:
            if self.on_failure is not None:
                self.on_failure(exc)
            raise
        self.recorded += len(keys)
        self.matched += sum(key is not None for key in keys)

    async def report(self, report: DeliveryReport) -> None:
        """The LINK receiver's handler: one report, committed before the 200.

        LINK posts each report on its own request; reports whose requests
        arrive while a commit runs share the next commit (a group commit),
        so the store is not asked for a transaction per report."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._reports.append((report, done))
        if self._committing is None:
            self._committing = asyncio.ensure_future(self._commit_reports())
        await done

    async def _commit_reports(self) -> None:
        try:
            while self._reports:
                batch, self._reports = self._reports, []
                try:
                    await self([report for report, _ in batch])
                except BaseException as exc:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._committing = None
