"""Bodies as the ASGI helpers read them, under uvicorn on 127.0.0.1 with raw
sockets: a body cut short is never a report (RFC 9112 §6.3)."""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import pytest

from smswire.link import DeliveryReport, DeliveryReportReceiver
from smswire.link.receiver import InvalidReport

from .conftest import HTTP_PARSERS, PATIENCE, Server, wait_until

# What the sender meant: a delivered message. Cut two octets short it reads
# as resultCode 10, a code the guide does not even list.
_MEANT = b"id=m&resultCode=1001"


class BodySeen:
    """An ASGI app in front of another, noting when that one has been handed
    body octets: the test hangs up only then. Hung up sooner, uvicorn hands
    the application a disconnect in place of the octets it had buffered, and
    the cut would be 'after 0 octets' (a fixed sleep assumed it never was)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen = threading.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def noting() -> dict[str, Any]:
            message: dict[str, Any] = await receive()
            if message.get("body"):
                self.seen.set()
            return message

        await self.app(scope, noting, send)


class Taken:
    def __init__(self) -> None:
        self.reports: list[DeliveryReport] = []
        self.invalid: list[InvalidReport] = []
        self.lock = threading.Lock()

    def report(self, report: DeliveryReport) -> None:
        with self.lock:
            self.reports.append(report)

    def malformed(self, invalid: InvalidReport) -> None:
        with self.lock:
            self.invalid.append(invalid)


def _send_then_hang_up(port: int, raw: bytes, handed_over: threading.Event) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as connection:
        connection.sendall(raw)
        assert handed_over.wait(PATIENCE), "the partial body never reached the application"


def _head(framing: str) -> bytes:
    return (
        b"POST /dlr HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n" + framing.encode() + b"\r\n\r\n"
    )


_CUT_SHORT = {
    "before its Content-Length": _head(f"Content-Length: {len(_MEANT)}") + _MEANT[:-2],
    "before its final chunk": (
        _head("Transfer-Encoding: chunked") + b"%x\r\n" % (len(_MEANT) - 2) + _MEANT[:-2] + b"\r\n"
    ),
}


@pytest.mark.parametrize("http", HTTP_PARSERS)
@pytest.mark.parametrize("cut", list(_CUT_SHORT))
def test_a_body_cut_short_by_a_disconnect_is_never_handed_over(
    http: str, cut: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="smswire.link.receiver")
    taken = Taken()
    receiver = BodySeen(
        DeliveryReportReceiver(taken.report, on_invalid=taken.malformed, path="/dlr")
    )
    with Server(receiver, http=http) as server:
        _send_then_hang_up(server.port, _CUT_SHORT[cut], receiver.seen)
        wait_until(
            lambda: _logged(caplog) or taken.reports or taken.invalid,
            what="the receiver to decide about the incomplete body",
        )
        assert taken.reports == [] and taken.invalid == []
        # The same report, whole, on a fresh connection, is taken: the cut
        # one was refused for being cut, not for what it said.
        with socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE) as whole:
            whole.sendall(_head(f"Content-Length: {len(_MEANT)}") + _MEANT)
            assert whole.recv(64).startswith(b"HTTP/1.1 200")
    assert [(r.message_id, int(r.result_code)) for r in taken.reports] == [("m", 1001)]
    assert taken.invalid == []
    assert "ended after 18 octets" in _logged(caplog)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return next((r.getMessage() for r in caplog.records if "not read" in r.getMessage()), "")
