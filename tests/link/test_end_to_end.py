"""The whole loop over TLS on 127.0.0.1: sender -> simulator -> delivery
reports -> receiver, with message ids and part indexes matching."""

from __future__ import annotations

import ssl
import threading
from pathlib import Path

import pytest

from smswire import Limits, Message, Outcome
from smswire.link import (
    AsyncLinkMobilityClient,
    DeliveryReport,
    DeliveryReportReceiver,
    LinkSimulator,
    ReportFormat,
)

from .conftest import PASSWORD, SERVICE_ID, USERNAME, Server, wait_until

_MESSAGES = [
    Message("+4746910822", "One part", source="LINK"),
    Message("+4746910823", "Three GSM7 parts " + "x" * 300, source="72401", reference_id="in-42"),
    Message("4746910824", "Two UCS2 parts \u4e2d" * 6, source="+46732594084", asynchronous=True),
    Message("+4746910825", "e" * 1377, source="Shop"),  # the GSM7 limit: nine parts
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
                limits=Limits(window=4),
            ) as client:
                results = await client.send_many(_MESSAGES)
            expected_parts = sum(r.parts for r in results)
            wait_until(lambda: len(reports) == expected_parts, what="every part's report")

    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * len(_MESSAGES)
    assert [r.parts for r in results] == [1, 3, 2, 9]
    for message, result in zip(_MESSAGES, results):
        segments = result.parts
        mine = [r for r in reports if r.message_id == result.message_id]
        expected = [None] if segments == 1 else list(range(segments))
        assert sorted((r.part for r in mine), key=lambda p: -1 if p is None else p) == expected
        for report in mine:
            assert report.segments == segments
            assert (report.source, report.destination) == (message.source, message.destination)
            assert report.ref_id == message.reference_id
            assert report.result_code.delivered is True
            assert report.sent_at is not None and report.sent_at.tzinfo is not None
    assert simulator.reports_delivered == expected_parts == 15
