"""Independent references: bytes written by hand from the LINK guide, checked
against the client's side and against the simulator and the receiver.

The simulator and the receiver share the client's validation and the report
code, so an end-to-end run cannot see a bug in what they share. These
expectations (tests/link/data/references, sources in SOURCES.md) go through
none of the project's renderers or parsers: the bytes on the wire are compared
whole, or read back with the standard library only.
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from smswire.link import (
    AsyncLinkMobilityClient,
    DeliveryReport,
    DeliveryReportReceiver,
    LinkResponseError,
    LinkSimulator,
    ReportFormat,
)
from smswire.link.protocol import prepare
from smswire.link.replies import parse_send_response
from smswire.link.reports import parse_report, parse_report_fields
from smswire.message import Message

from .conftest import PASSWORD, PATIENCE, SERVICE_ID, USERNAME, Server

_DATA = Path(__file__).parent / "data" / "references"
_REQUESTS = json.loads((_DATA / "requests.json").read_text(encoding="utf-8"))
_REPLIES = json.loads((_DATA / "replies.json").read_text(encoding="utf-8"))["replies"]
_REPORTS = json.loads((_DATA / "reports.json").read_text(encoding="utf-8"))["reports"]
# A message id as the simulator writes it: 32 hexadecimal digits.
_MESSAGE_ID = "[0-9a-f]{32}"


def _reply_pattern(reply: str) -> str:
    return re.escape(reply).replace(re.escape("{id}"), _MESSAGE_ID)


def _message(fields: dict[str, Any]) -> Message:
    fields = dict(fields)
    if "user_data_header" in fields:
        fields["user_data_header"] = bytes.fromhex(fields["user_data_header"])
    return Message(**fields)


# --- A raw HTTP/1.1 server that records what arrives, byte for byte ---


@dataclass
class Captured:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    reply: bytes
    requests: list[Captured] = field(default_factory=list)
    connections: set[asyncio.StreamWriter] = field(default_factory=set)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.add(writer)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")
                method, target, _ = request_line.split(" ", 2)
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append(Captured(method, target, headers, body))
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: %d\r\n\r\n%s"
                    % (len(self.reply), self.reply)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.connections.discard(writer)
            writer.close()


@asynccontextmanager
async def recording(
    reply: bytes, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[Recorder, int]]:
    recorder = Recorder(reply)
    server = await asyncio.start_server(recorder.serve, "127.0.0.1", 0, ssl=tls)
    try:
        yield recorder, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        # Hang up on kept-alive clients so each handler ends on its own.
        for writer in list(recorder.connections):
            writer.close()
        await asyncio.wait_for(server.wait_closed(), PATIENCE)


@pytest.fixture(scope="module")
def recorder_tls(server_tls: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*server_tls)
    return context


# --- Requests: what the client writes, what the simulator reads ---

_SENDABLE = {case["name"]: case for case in _REQUESTS["messages"]}


@pytest.mark.parametrize("name", list(_SENDABLE))
async def test_the_client_sends_the_query_the_guide_describes(
    name: str, recorder_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    case = _SENDABLE[name]
    async with (
        recording(b"1000;Sent (to operator);4f9a1c2e", recorder_tls) as (recorder, port),
        AsyncLinkMobilityClient(
            f"https://127.0.0.1:{port}/smscsimplehttp",
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            ssl_context=client_tls,
        ) as client,
    ):
        result = await asyncio.wait_for(client.send_message(_message(case["message"])), PATIENCE)
    [request] = recorder.requests
    # LINK guide: How to send SMS, "Perform a POST ... with the following query parameters".
    assert (request.method, request.body) == ("POST", b"")
    path, _, query = request.target.partition("?")
    assert path == "/smscsimplehttp"
    assert query == case["query"]
    assert result.parts == prepare(_message(case["message"])).segments == case["segments"]


@pytest.fixture(scope="module")
def simulator() -> LinkSimulator:
    return LinkSimulator(service_id=SERVICE_ID, username=USERNAME, password=PASSWORD)


@pytest.fixture(scope="module")
def simulator_url(simulator: LinkSimulator) -> Any:
    with Server(simulator) as server:
        yield server.url


def _post_raw(url: str, query: str) -> str:
    # The query goes out as written: httpx keeps an already encoded query.
    response = httpx.post(f"{url}?{query}")
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize("name", list(_SENDABLE))
def test_the_simulator_reads_the_guides_query(
    name: str, simulator: LinkSimulator, simulator_url: str
) -> None:
    case = _SENDABLE[name]
    reply = _post_raw(simulator_url, case["query"])
    assert re.fullmatch(_reply_pattern(case["reply"]), reply), reply
    accepted = simulator.accepted[-1]
    assert accepted.message_id == reply.rsplit(";", 1)[1]
    assert accepted.segments == case["segments"]
    # Decoded by the standard library, the parameters are the message as written.
    expected = {k: v for k, v in parse_qsl(case["query"], keep_blank_values=True)}
    assert {"Source", "Destination", "Userdata"} <= set(expected)
    assert dict(accepted.parameters) == {
        k: v for k, v in expected.items() if k not in ("ServiceId", "Username", "Password")
    }
    assert expected["Userdata"] == case["message"]["text"]


@pytest.mark.parametrize("case", _REQUESTS["refused_by_the_platform"], ids=lambda c: c["name"])
def test_the_simulator_refuses_with_the_guides_reply_line(
    case: dict[str, str], simulator_url: str
) -> None:
    assert _post_raw(simulator_url, case["query"]) == case["reply"]


# --- Replies: what the client reads ---


@pytest.mark.parametrize("case", _REPLIES, ids=lambda c: c["body"][:30])
def test_each_reply_line_means_what_the_guide_says(case: dict[str, Any]) -> None:
    body = case["body"].encode("utf-8")
    if case.get("error"):
        with pytest.raises(LinkResponseError):
            parse_send_response(200, body)
        return
    result = parse_send_response(200, body)
    assert (int(result.code), result.description, result.message_id) == (
        case["code"],
        case["description"],
        case["message_id"],
    )
    assert result.outcome.value == case["outcome"]


# --- Reports: what the receiver reads ---


def _seen(report: DeliveryReport) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(timezone.utc).isoformat()

    return {
        "message_id": report.message_id,
        "part": report.part,
        "result_code": int(report.result_code),
        "ref_id": report.ref_id,
        "operator": report.operator,
        "sent_at": moment(report.sent_at),
        "timestamp": moment(report.timestamp),
        "operator_result_code": report.operator_result_code,
        "segments": report.segments,
        "gate_custom_parameters": dict(report.gate_custom_parameters),
        "custom_parameters": dict(report.custom_parameters),
    }


# LINK guide: Delivery Reports, "in JSON, XML, or as HTTP GET/POST key-value pairs".
_CONTENT_TYPES = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".form": "application/x-www-form-urlencoded",
}


@pytest.mark.parametrize("name", list(_REPORTS))
def test_the_parser_reads_each_hand_written_report(name: str) -> None:
    raw = (_DATA / "reports" / name).read_bytes()
    if name.endswith(".query"):
        report = parse_report_fields(parse_qsl(raw.decode("ascii"), keep_blank_values=True))
    else:
        report = parse_report(raw, _CONTENT_TYPES[Path(name).suffix])
    assert _seen(report) == _REPORTS[name]


@pytest.mark.parametrize("name", list(_REPORTS))
def test_the_receiver_takes_each_hand_written_report(name: str) -> None:
    raw = (_DATA / "reports" / name).read_bytes()
    taken: list[DeliveryReport] = []
    lock = threading.Lock()

    def take(report: DeliveryReport) -> None:
        with lock:
            taken.append(report)

    with Server(DeliveryReportReceiver(take, response_body="OK", path="/dlr")) as server:
        url = f"http://127.0.0.1:{server.port}/dlr"
        if name.endswith(".query"):
            response = httpx.get(f"{url}?{raw.decode('ascii')}")
        else:
            content_type = _CONTENT_TYPES[Path(name).suffix]
            response = httpx.post(url, content=raw, headers={"content-type": content_type})
    assert (response.status_code, response.text) == (200, "OK")
    [report] = taken
    assert _seen(report) == _REPORTS[name]


# --- Reports: what the simulator writes ---

# RFC 3339 UTC, and the guide's "received" ("2015-11-19 10:37:36"); COLON and
# SPACE stand for the characters a form-encoded report writes as %3A and +.
_STAMP = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}COLON[0-9]{2}COLON[0-9]{2}(?:[.][0-9]{6})?Z"
_RECEIVED = "[0-9]{4}-[0-9]{2}-[0-9]{2}SPACE[0-9]{2}COLON[0-9]{2}COLON[0-9]{2}"
# Each format as it goes: (method, content type, template, whether form-encoded).
_SIMULATED = {
    ReportFormat.JSON: ("POST", "application/json", "report.json", False),
    ReportFormat.XML: ("POST", "application/xml", "report.xml", False),
    ReportFormat.POST: ("POST", "application/x-www-form-urlencoded", "report.form", True),
    ReportFormat.GET: ("GET", None, "report.query", True),
}


def _template_pattern(template: str, message_id: str, form_encoded: bool) -> str:
    def encoded(pattern: str) -> str:
        colon, space = ("%3A", "[+]") if form_encoded else (":", " ")
        return pattern.replace("COLON", colon).replace("SPACE", space)

    pattern = re.escape(template)
    for placeholder, value in (
        ("@ID@", re.escape(message_id)),
        ("@SENT@", encoded(_STAMP)),
        ("@TIMESTAMP@", encoded(_STAMP)),
        ("@RECEIVED@", encoded(_RECEIVED)),
    ):
        pattern = pattern.replace(re.escape(placeholder), value)
    return pattern


@pytest.mark.parametrize("fmt", list(_SIMULATED))
async def test_the_simulator_writes_each_report_format_as_written_by_hand(
    fmt: ReportFormat,
) -> None:
    method, content_type, template_name, form_encoded = _SIMULATED[fmt]
    template = (_DATA / "simulated" / template_name).read_text(encoding="utf-8")
    async with recording(b"") as (recorder, port):
        simulator = LinkSimulator(
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            callback_url=f"http://127.0.0.1:{port}/dlr",
            report_format=fmt,
        )
        with Server(simulator) as server:
            query = (
                "ServiceId=4711&Username=link-user&Password=Sw0rdfish%26p%40ss+word%3D1"
                "&Source=Bl%C3%B8k&Destination=%2B4746910822&Userdata=Hello&ReferenceId=ref-7"
            )
            async with httpx.AsyncClient() as http:
                reply = (await http.post(f"{server.url}?{query}")).text
            # The recorder runs on this loop: wait without blocking it.
            deadline = asyncio.get_running_loop().time() + PATIENCE
            while not recorder.requests and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.01)
    message_id = reply.rsplit(";", 1)[1]
    [request] = recorder.requests
    assert request.method == method
    assert request.headers.get("content-type") == content_type
    if method == "GET":
        path, _, written = request.target.partition("?")
        assert request.body == b""
    else:
        path, written = request.target, request.body.decode("utf-8")
    assert path == "/dlr"
    assert re.fullmatch(_template_pattern(template, message_id, form_encoded), written), written
