"""The LINK simulator's delivery reports: one per part, posted to the callback
URL after a delay and retried until the receiver acknowledges it (# LINK
guide: Delivery Reports, "respond with an HTTP 200 OK status to confirm
successful receipt"). Each attempt and its answer goes to the record."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx

from smswire.link.codes import ResultCode
from smswire.link.reports import DeliveryReport, ReportFormat, render_report, report_fields
from smswire.link.simulator.journal import LinkJournal

__all__ = ["DEFAULT_REPORT_ATTEMPTS", "DEFAULT_REPORT_RETRY_INTERVAL", "ReportPoster"]

_log = logging.getLogger("smswire.link.simulator")

DEFAULT_REPORT_ATTEMPTS = 5
DEFAULT_REPORT_RETRY_INTERVAL = 0.5
_REPORT_TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True)
class ReportSettings:
    """Where and how reports go (see :class:`~smswire.link.simulator.LinkSimulator`)."""

    callback_url: str
    report_format: ReportFormat
    delay: float
    ack_body: str | None
    attempts: int
    retry_interval: float
    verify: ssl.SSLContext | bool
    operator: str


class ReportPoster:
    """Posts the reports of accepted messages, recording every attempt in ``journal``."""

    def __init__(self, settings: ReportSettings, journal: LinkJournal) -> None:
        self.settings = settings
        self._journal = journal
        self._http: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.delivered = 0

    def owe(
        self, message_id: str, segments: int, code: ResultCode, parameters: Mapping[str, str]
    ) -> None:
        """Post a report with ``code`` for each of the message's parts, after the delay."""
        self._spawn(self._report(message_id, segments, code, dict(parameters)))

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report(
        self, message_id: str, segments: int, code: ResultCode, parameters: Mapping[str, str]
    ) -> None:
        sent_at = datetime.now(timezone.utc)
        await asyncio.sleep(self.settings.delay)
        for part in range(segments):
            report = DeliveryReport(
                message_id=message_id,
                # LINK guide: id, "{id}${n}" only for a multipart message.
                part=part if segments > 1 else None,
                result_code=code,
                ref_id=parameters.get("ReferenceId"),
                operator=None if code is ResultCode.UNKNOWN_SUBSCRIBER else self.settings.operator,
                sent_at=sent_at,
                timestamp=datetime.now(timezone.utc),
                operator_result_code=str(int(code)),
                segments=segments,
                # LINK guide: customParameters, source and destination added by default.
                custom_parameters={
                    "received": sent_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "source": parameters.get("Source", ""),
                    "destination": parameters.get("Destination", ""),
                },
            )
            await self._deliver(report)

    async def _deliver(self, report: DeliveryReport) -> None:
        settings = self.settings
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=_REPORT_TIMEOUT, verify=settings.verify, trust_env=False
            )
        for attempt in range(1, settings.attempts + 1):
            try:
                if settings.report_format is ReportFormat.GET:
                    response = await self._http.get(
                        settings.callback_url, params=tuple(report_fields(report))
                    )
                else:
                    content_type, body = render_report(report, settings.report_format)
                    response = await self._http.post(
                        settings.callback_url, content=body, headers={"content-type": content_type}
                    )
            except httpx.HTTPError as exc:
                failure = type(exc).__name__
                self._journal.write(
                    LinkJournal.posted(time.monotonic(), report.id, attempt, None, False, failure)
                )
                _log.info("report %s, attempt %d: %s", report.id, attempt, failure)
            else:
                # LINK guide: Delivery Reports, 200 OK (and the configured string) confirms receipt.
                acknowledged = response.status_code == 200 and (
                    settings.ack_body is None or response.text == settings.ack_body
                )
                self._journal.write(
                    LinkJournal.posted(
                        time.monotonic(), report.id, attempt, response.status_code, acknowledged
                    )
                )
                if acknowledged:
                    self.delivered += 1
                    return
                _log.info(
                    "report %s, attempt %d: HTTP %d", report.id, attempt, response.status_code
                )
            if attempt < settings.attempts:
                await asyncio.sleep(settings.retry_interval)
        _log.warning("report %s given up after %d attempts", report.id, settings.attempts)

    async def aclose(self) -> None:
        """Stop pending reports and close the callback connections."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None
