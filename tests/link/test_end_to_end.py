"""The whole loop over TLS on 127.0.0.1: sender -> simulator -> delivery
reports -> receiver, with message ids and part indexes matching."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

import pytest

from smswire.link import (
    AsyncLinkMobilityClient,
    DeliveryReport,
    DeliveryReportReceiver,
    LinkSimulator,
    Message,
    Outcome,
    ReportFormat,
)

from .conftest import PASSWORD, SERVICE_ID, USERNAME, Server, wait_until

_MESSAGES = [
    Message("LINK", "+4746910822", "One part"),
    Message("72401", "+4746910823", "Three GSM7 parts " + "x" * 300, reference_id="in-42"),
    Message("+46732594084", "4746910824", "Two UCS2 parts \u4e2d" * 6, asynchronous=True),
    Message("Shop", "+4746910825", "e" * 1377),  # the GSM7 limit: nine parts
]


@pytest.mark.parametrize("fmt", list(ReportFormat))
async def test_every_part_of_every_message_is_reported_to_the_receiver(
    fmt: ReportFormat, server_tls: tuple[Path, Path], client_tls: ssl.SSLContext
) -> None:
    reports: list[DeliveryReport] = []
    lock = threading.Lock()

    def take(report: DeliveryReport) -> None:
        with lock:
            reports.append(report)

    receiver = DeliveryReportReceiver(take, response_body="ACK", path="/dlr")
    with Server(receiver, tls=server_tls) as receiving:
        simulator = LinkSimulator(
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            callback_url=f"https://127.0.0.1:{receiving.port}/dlr",
            callback_ssl_context=client_tls,
            report_format=fmt,
            report_ack_body="ACK",
            report_delay=0.05,
        )
        with Server(simulator, tls=server_tls) as platform:
            async with AsyncLinkMobilityClient(
                platform.url,
                service_id=SERVICE_ID,
                username=USERNAME,
                password=PASSWORD,
                ssl_context=client_tls,
            ) as client:
                outcomes = await client.send_many(_MESSAGES, concurrency=4)
            expected_parts = sum(o.result.segments or 0 for o in outcomes if o.result)
            wait_until(lambda: len(reports) == expected_parts, what="every part's report")

    assert [o.outcome for o in outcomes] == [Outcome.ACCEPTED] * len(_MESSAGES)
    assert [o.result.segments for o in outcomes if o.result] == [1, 3, 2, 9]
    for message, outcome in zip(_MESSAGES, outcomes):
        assert outcome.result is not None
        segments = outcome.result.segments or 0
        mine = [r for r in reports if r.message_id == outcome.message_id]
        expected = [None] if segments == 1 else list(range(segments))
        assert sorted((r.part for r in mine), key=lambda p: -1 if p is None else p) == expected
        for report in mine:
            assert report.segments == segments
            assert (report.source, report.destination) == (message.source, message.destination)
            assert report.ref_id == message.reference_id
            assert report.result_code.delivered is True
            assert report.sent_at is not None and report.sent_at.tzinfo is not None
    assert simulator.reports_delivered == expected_parts == 15
