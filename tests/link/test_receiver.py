"""The delivery-report receiver under uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smswire.link import LINK_REPORT_SOURCES, DeliveryReport, DeliveryReportReceiver, ResultCode
from smswire.link.receiver import client_address

from .conftest import Server

_DATA = Path(__file__).parent / "data"
_GUIDE_EXAMPLE = (_DATA / "report_delivered.json").read_bytes()


class Collector:
    """A handler that keeps what it is given and fails while told to."""

    def __init__(self) -> None:
        self.reports: list[DeliveryReport] = []
        self.failures_left = 0
        self._lock = threading.Lock()

    def __call__(self, report: DeliveryReport) -> None:
        with self._lock:
            if self.failures_left:
                self.failures_left -= 1
                raise RuntimeError("database down")
            self.reports.append(report)


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
def receiver_url(collector: Collector) -> Iterator[str]:
    app = DeliveryReportReceiver(collector, response_body="OK-ACK", max_body_size=4096)
    with Server(app) as server:
        yield f"http://127.0.0.1:{server.port}/reports"


def test_a_json_report_is_taken_and_answered_200_with_the_configured_body(
    receiver_url: str, collector: Collector
) -> None:
    response = httpx.post(
        receiver_url, content=_GUIDE_EXAMPLE, headers={"content-type": "application/json"}
    )
    assert (response.status_code, response.text) == (200, "OK-ACK")
    assert [r.result_code for r in collector.reports] == [ResultCode.BILLED_AND_DELIVERED]


def test_xml_form_and_get_reports_are_taken(receiver_url: str, collector: Collector) -> None:
    xml = b"<DeliveryReport><id>x$1</id><resultCode>1006</resultCode></DeliveryReport>"
    assert httpx.post(receiver_url, content=xml, headers={"content-type": "text/xml"}).is_success
    assert httpx.post(receiver_url, data={"id": "f", "resultCode": "1001"}).is_success
    assert httpx.get(receiver_url, params={"id": "g$0", "resultCode": "2104"}).is_success
    assert [(r.message_id, r.part, int(r.result_code)) for r in collector.reports] == [
        ("x", 1, 1006),
        ("f", None, 1001),
        ("g", 0, 2104),
    ]


def test_a_failing_handler_gets_a_5xx_so_the_platform_resends(
    receiver_url: str, collector: Collector
) -> None:
    collector.failures_left = 1
    first = httpx.post(receiver_url, content=_GUIDE_EXAMPLE)
    assert first.status_code == 500 and "OK-ACK" not in first.text
    assert collector.reports == []
    again = httpx.post(receiver_url, content=_GUIDE_EXAMPLE)
    assert again.status_code == 200
    assert len(collector.reports) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (b"{broken", "application/json", "JSON"),
        (b'{"id": "m"}', "application/json", "resultCode"),
        (b"<r><id>m</id>", "application/xml", "XML"),
        (b"resultCode=1001", "application/x-www-form-urlencoded", "id"),
        (b"\xff\xfe", "application/x-www-form-urlencoded", "form"),
        (b"", None, "id"),
    ],
)
def test_malformed_input_gets_400_with_a_clear_message(
    receiver_url: str, collector: Collector, body: bytes, content_type: str | None, says: str
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = httpx.post(receiver_url, content=body, headers=headers)
    assert response.status_code == 400
    assert "malformed delivery report" in response.text and says in response.text
    assert collector.reports == []


def test_a_body_over_the_limit_is_refused(receiver_url: str, collector: Collector) -> None:
    big = json.dumps({"id": "m", "resultCode": 1001, "customParameters": {"x": "y" * 5000}})
    response = httpx.post(receiver_url, content=big.encode())
    assert response.status_code == 413
    assert collector.reports == []


def test_a_chunked_body_over_the_limit_is_refused_too(receiver_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"id": "m", "resultCode": 1001, "x": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    response = httpx.post(receiver_url, content=chunks())
    assert response.status_code == 413


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_get_405(receiver_url: str, method: str) -> None:
    response = httpx.request(method, receiver_url, content=_GUIDE_EXAMPLE)
    assert response.status_code == 405 and "GET, POST" in response.headers["allow"]


async def test_an_async_handler_is_awaited_before_the_answer() -> None:
    taken: list[DeliveryReport] = []

    async def handler(report: DeliveryReport) -> None:
        await asyncio.sleep(0)
        taken.append(report)

    with Server(DeliveryReportReceiver(handler)) as server:
        async with httpx.AsyncClient() as client:
            response = await client.post(f"http://127.0.0.1:{server.port}/", content=_GUIDE_EXAMPLE)
    assert response.status_code == 200 and response.text == ""
    assert len(taken) == 1


def test_a_path_when_configured_is_the_only_one_served(collector: Collector) -> None:
    with Server(DeliveryReportReceiver(collector, path="/dlr")) as server:
        base = f"http://127.0.0.1:{server.port}"
        assert httpx.post(f"{base}/other", content=_GUIDE_EXAMPLE).status_code == 404
        assert httpx.post(f"{base}/dlr", content=_GUIDE_EXAMPLE).status_code == 200


def test_the_allow_list_refuses_other_sources(collector: Collector) -> None:
    app = DeliveryReportReceiver(collector, allowed_sources=LINK_REPORT_SOURCES)
    with Server(app) as server:
        response = httpx.post(f"http://127.0.0.1:{server.port}/", content=_GUIDE_EXAMPLE)
    assert response.status_code == 403
    assert collector.reports == []


def test_an_untrusted_peers_forwarded_for_is_not_believed(collector: Collector) -> None:
    app = DeliveryReportReceiver(collector, allowed_sources=["193.142.108.11"])
    with Server(app) as server:
        response = httpx.post(
            f"http://127.0.0.1:{server.port}/",
            content=_GUIDE_EXAMPLE,
            headers={"x-forwarded-for": "193.142.108.11"},
        )
    assert response.status_code == 403


def test_a_trusted_proxys_forwarded_for_is_believed(collector: Collector) -> None:
    app = DeliveryReportReceiver(
        collector, allowed_sources=LINK_REPORT_SOURCES, trusted_proxies=["127.0.0.0/8"]
    )
    with Server(app) as server:
        url = f"http://127.0.0.1:{server.port}/"
        allowed = httpx.post(
            url, content=_GUIDE_EXAMPLE, headers={"x-forwarded-for": "6.6.6.6, 193.142.108.11"}
        )
        refused = httpx.post(
            url, content=_GUIDE_EXAMPLE, headers={"x-forwarded-for": "193.142.108.11, 6.6.6.6"}
        )
    assert (allowed.status_code, refused.status_code) == (200, 403)


def test_appendix_1_lists_42_addresses() -> None:
    assert len(LINK_REPORT_SOURCES) == len(set(LINK_REPORT_SOURCES)) == 42
    assert "217.163.95.201" in LINK_REPORT_SOURCES and "195.84.162.3" in LINK_REPORT_SOURCES


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("10.0.0.1", ["1.2.3.4"], "10.0.0.1"),  # untrusted peer: header ignored
        ("127.0.0.1", ["1.2.3.4"], "1.2.3.4"),
        ("127.0.0.1", ["1.2.3.4, 127.0.0.2"], "1.2.3.4"),  # a chain of trusted proxies
        ("127.0.0.1", ["9.9.9.9", "1.2.3.4"], "1.2.3.4"),  # several headers, nearest hop last
        ("127.0.0.1", [], "127.0.0.1"),
        ("127.0.0.1", ["127.0.0.3"], "127.0.0.3"),
        (None, ["1.2.3.4"], None),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], expected: str | None) -> None:
    import ipaddress

    trusted = (ipaddress.ip_network("127.0.0.0/8"),)
    assert client_address(peer, forwarded, trusted) == expected
