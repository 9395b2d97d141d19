"""The delivery-report receiver under uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smswire.errors import ConfigurationError
from smswire.link import LINK_REPORT_SOURCES, DeliveryReport, DeliveryReportReceiver, ResultCode
from smswire.link.receiver import InvalidReport, client_address

from .conftest import Server

_DATA = Path(__file__).parent / "data" / "references" / "reports"
_GUIDE_EXAMPLE = (_DATA / "guide_delivered.json").read_bytes()


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


# --- Malformed reports: a 400 that says why, the raw body kept, never a 500 ---

_DIGITS_5000 = "9" * 5000
# Each of these once got a 500 and a traceback, so the platform resent it forever.
_ONCE_A_500 = {
    "a 5,000-digit resultCode": (
        f'{{"id": "m", "resultCode": {_DIGITS_5000}}}',
        "application/json",
        "resultCode",
    ),
    "a 5,000-digit segments": (
        f'{{"id": "m", "resultCode": 1001, "segments": {_DIGITS_5000}}}',
        "application/json",
        "segments",
    ),
    "a 5,000-digit $part": (
        f'{{"id": "m${_DIGITS_5000}", "resultCode": 1001}}',
        "application/json",
        "id",
    ),
    "a timestamp offset of +99:00": (
        '{"id": "m", "resultCode": 1001, "timestamp": "2015-11-19T09:37:00+99:00"}',
        "application/json",
        "timestamp",
    ),
    "a 5,000-digit form resultCode": (
        f"id=m&resultCode={_DIGITS_5000}",
        "application/x-www-form-urlencoded",
        "resultCode",
    ),
}


class Refused:
    def __init__(self) -> None:
        self.invalid: list[InvalidReport] = []
        self.lock = threading.Lock()

    def __call__(self, invalid: InvalidReport) -> None:
        with self.lock:
            self.invalid.append(invalid)


@pytest.mark.parametrize("case", list(_ONCE_A_500))
def test_a_malformed_report_gets_400_naming_the_field_and_its_body_is_kept(
    case: str, collector: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    body, content_type, field = _ONCE_A_500[case]
    refused = Refused()
    app = DeliveryReportReceiver(collector, on_invalid=refused, max_body_size=8192)
    with Server(app) as server:
        response = httpx.post(
            f"http://127.0.0.1:{server.port}/",
            content=body.encode(),
            headers={"content-type": content_type},
        )
    assert response.status_code == 400, response.text
    assert response.text.startswith("malformed delivery report:") and field in response.text
    assert len(response.text) < 300  # the reason quotes the value, not all of it
    assert collector.reports == []
    [invalid] = refused.invalid
    assert (invalid.body, invalid.field, invalid.content_type) == (
        body.encode(),
        field,
        content_type,
    )
    assert (invalid.method, invalid.client) == ("POST", "127.0.0.1")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_by_default_a_malformed_report_is_logged_whole(
    collector: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="smswire.link.receiver")
    body = b'{"id": "m-77", "resultCode": 1001, "timestamp": "2015-11-19T09:37:00+99:00"}'
    with Server(DeliveryReportReceiver(collector)) as server:
        response = httpx.post(f"http://127.0.0.1:{server.port}/", content=body)
        query = httpx.get(f"http://127.0.0.1:{server.port}/", params={"id": "q-1"})
    assert (response.status_code, query.status_code) == (400, 400)
    logged = [r.getMessage() for r in caplog.records if r.name == "smswire.link.receiver"]
    assert any(body.decode() in line and "+99:00" in line for line in logged)
    assert any("id=q-1" in line and "resultCode" in line for line in logged)


def test_an_on_invalid_hook_that_fails_gets_a_500_so_the_report_comes_again(
    collector: Collector,
) -> None:
    async def broken(invalid: InvalidReport) -> None:
        raise RuntimeError("dead-letter store down")

    with Server(DeliveryReportReceiver(collector, on_invalid=broken)) as server:
        response = httpx.post(f"http://127.0.0.1:{server.port}/", content=b"{broken")
    assert response.status_code == 500


# --- Paths: counted from the mount point, with or without a final slash ---


@pytest.mark.parametrize("path", ["/dlr", "/dlr/"])
def test_a_configured_path_is_served_with_and_without_a_final_slash(
    collector: Collector, path: str
) -> None:
    with Server(DeliveryReportReceiver(collector, path=path)) as server:
        base = f"http://127.0.0.1:{server.port}"
        answers = [
            httpx.post(f"{base}{asked}", content=_GUIDE_EXAMPLE, follow_redirects=False)
            for asked in ("/dlr", "/dlr/")
        ]
    assert [a.status_code for a in answers] == [200, 200]
    assert len(collector.reports) == 2


def test_uvicorns_root_path_is_honoured(collector: Collector) -> None:
    # Behind a proxy that strips /reports, uvicorn --root-path /reports.
    app = DeliveryReportReceiver(collector, path="/dlr")
    with Server(app, root_path="/reports") as server:
        response = httpx.post(f"http://127.0.0.1:{server.port}/dlr", content=_GUIDE_EXAMPLE)
    assert response.status_code == 200


def test_path_slash_serves_a_starlette_mount(collector: Collector) -> None:
    starlette = pytest.importorskip("starlette", reason="starlette is a test dependency")
    from starlette.applications import Starlette
    from starlette.routing import Mount

    assert starlette.__version__
    receiver = DeliveryReportReceiver(collector, path="/")
    app = Starlette(routes=[Mount("/dlr", app=receiver)])
    with Server(app) as server:
        response = httpx.post(
            f"http://127.0.0.1:{server.port}/dlr/", content=_GUIDE_EXAMPLE, follow_redirects=False
        )
    assert response.status_code == 200
    assert len(collector.reports) == 1


def test_a_path_under_a_starlette_mount_is_served_without_a_redirect(
    collector: Collector,
) -> None:
    pytest.importorskip("starlette", reason="starlette is a test dependency")
    from starlette.applications import Starlette
    from starlette.routing import Mount

    receiver = DeliveryReportReceiver(collector, path="/dlr")
    app = Starlette(routes=[Mount("/hooks", app=receiver)])
    with Server(app) as server:
        base = f"http://127.0.0.1:{server.port}"
        answers = [
            httpx.post(f"{base}{asked}", content=_GUIDE_EXAMPLE, follow_redirects=False)
            for asked in ("/hooks/dlr", "/hooks/dlr/", "/hooks/other")
        ]
    assert [a.status_code for a in answers] == [200, 200, 404]


def test_a_path_must_start_with_a_slash(collector: Collector) -> None:
    with pytest.raises(ConfigurationError, match="path"):
        DeliveryReportReceiver(collector, path="dlr")
