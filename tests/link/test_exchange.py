"""One exchange against servers that break HTTP on purpose (a raw asyncio
server on 127.0.0.1, over TLS): whatever the reply, it is that message's
outcome, read no further than a LINK reply can be, within the deadline."""

from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any

import httpx
import pytest

from smswire import Limits, Message, Outcome, OutcomeUnknown, Timeouts
from smswire.link import AsyncLinkMobilityClient, LinkMobilityClient, LinkResponseError
from smswire.link.exchange import REPLY_MAX_OCTETS, ExchangeTrace, check_reply_head
from smswire.tls import verifying_context

from .conftest import PASSWORD, SERVICE_ID, USERNAME
from .rawhttp import RawHttpServer, Request, reply

GOOD = reply(200, b"1000;Sent (to operator);abc123")
# Replies no LINK endpoint sends, each by the destination that asks for it.
MALFORMED: dict[str, bytes] = {
    "+4790000001": reply(200, b"9" * 5000 + b";Sent;abc"),
    "+4790000002": reply(200, b""),
    "+4790000003": reply(200, b"\xff\xfe\x00;;"),
    "+4790000004": reply(200, "１０００;full-width digits;x".encode()),
    "+4790000005": reply(200, b"-1;negative;x"),
    "+4790000006": reply(200, b"1000;Sent;" + b"x" * (REPLY_MAX_OCTETS + 1)),
    "+4790000007": b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n1000;;",
    "+4790000008": b"HTTP/1.1 2000000 OK\r\nContent-Length: 0\r\n\r\n",
    "+4790000009": b"not http at all\r\n\r\n",
    "+4790000010": reply(200, b"1000;Sent;abc", headers=("Content-Encoding: gzip",)),
    "+4790000011": reply(503, b"<html>busy</html>"),
}


async def _scripted(request: Request, writer: asyncio.StreamWriter) -> None:
    answer = MALFORMED.get(request.query.get("Destination", ""), GOOD)
    # The connection stays open: the client drops one it cannot read, and a
    # server closing first would race the client's next request on it.
    writer.write(answer)
    await writer.drain()


@pytest.fixture(params=["aiohttp", "httpx"])
def wire(request: pytest.FixtureRequest) -> str:
    """Each test runs over both wires: aiohttp (the default) and httpx over
    httpcore's transport (what a caller's transport= gets)."""
    return str(request.param)


def _route(wire: str, context: ssl.SSLContext) -> dict[str, Any]:
    if wire == "httpx":
        return {"transport": httpx.AsyncHTTPTransport(verify=verifying_context(context))}
    return {"ssl_context": context}


def _async_client(
    url: str, context: ssl.SSLContext, wire: str, **kw: Any
) -> AsyncLinkMobilityClient:
    return AsyncLinkMobilityClient(
        url,
        service_id=SERVICE_ID,
        username=USERNAME,
        password=PASSWORD,
        **_route(wire, context),
        **kw,
    )


def _batch() -> list[Message]:
    # Each malformed reply between two good ones.
    messages = []
    for n, destination in enumerate(MALFORMED):
        messages.append(Message(f"+47800000{n:02d}", "good", source="LINK"))
        messages.append(Message(destination, "bad", source="LINK"))
    return messages


def _check(messages: list[Message], results: list[Any]) -> None:
    assert len(results) == len(messages)
    for message, result in zip(messages, results):
        assert result.message is message
        if message.destination in MALFORMED:
            assert result.outcome is Outcome.UNKNOWN, (message.destination, result)
            assert result.error and "LINK" in result.error
            assert len(result.error) < 1000, result.error
        else:
            assert result.outcome is Outcome.ACCEPTED, result


@pytest.mark.parametrize("destination", list(MALFORMED))
async def test_a_malformed_reply_is_that_message_s_unknown_with_a_clear_error(
    client_tls: ssl.SSLContext, server_context: ssl.SSLContext, destination: str, wire: str
) -> None:
    async with RawHttpServer(_scripted, tls=server_context) as server:
        client = _async_client(server.url, client_tls, wire)
        async with client:
            with pytest.raises(OutcomeUnknown) as info:
                await client.send(destination, "bad", source="LINK")
    assert info.value.result is not None
    assert info.value.result.outcome is Outcome.UNKNOWN
    assert str(info.value).startswith("LINK "), str(info.value)
    assert len(str(info.value)) < 1000


async def test_async_send_many_returns_one_result_per_message_whatever_the_replies(
    client_tls: ssl.SSLContext, server_context: ssl.SSLContext, wire: str
) -> None:
    messages = _batch()
    async with RawHttpServer(_scripted, tls=server_context) as server:
        client = _async_client(server.url, client_tls, wire, limits=Limits(window=4))
        async with client:
            results = await client.send_many(messages)
    _check(messages, results)


async def test_blocking_send_many_returns_one_result_per_message_whatever_the_replies(
    client_tls: ssl.SSLContext, server_context: ssl.SSLContext, wire: str
) -> None:
    messages = _batch()
    async with RawHttpServer(_scripted, tls=server_context) as server:
        client = LinkMobilityClient(
            server.url,
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            limits=Limits(window=4),
            **_route(wire, client_tls),
        )
        try:
            # The server runs on this loop: block in another thread.
            results = await asyncio.to_thread(client.send_many, messages)
        finally:
            await asyncio.to_thread(client.close)
    _check(messages, results)


# 200 MiB, the reply of the issue: sent without a length, chunk by chunk.
_HUGE = 200 * 1024 * 1024
_CHUNK = 64 * 1024


async def test_a_200_mib_reply_is_not_read_whole(
    client_tls: ssl.SSLContext, server_context: ssl.SSLContext, wire: str
) -> None:
    written = 0

    async def flood(request: Request, writer: asyncio.StreamWriter) -> None:
        nonlocal written
        # No Content-Length: the body runs until the server closes.
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n1000;Sent;")
        chunk = b"x" * _CHUNK
        try:
            while written < _HUGE:
                writer.write(chunk)
                await writer.drain()
                written += len(chunk)
        except (ConnectionError, ssl.SSLError):
            pass
        writer.close()

    async with RawHttpServer(flood, tls=server_context) as server:
        client = _async_client(server.url, client_tls, wire)
        async with client:
            with pytest.raises(LinkResponseError, match=f"over the {REPLY_MAX_OCTETS} octets"):
                await client.send("+4746910822", "Hello", source="LINK")
            # The client stopped reading; the server found the connection gone
            # after what the socket buffers held, not after 200 MiB.
            await asyncio.wait_for(_until(lambda: server_done(written)), 10)
    assert written < 32 * 1024 * 1024, written


def server_done(written: int) -> bool:
    return written > 0


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_the_deadline_bounds_a_status_line_trickled_one_octet_every_half_second(
    client_tls: ssl.SSLContext, server_context: ssl.SSLContext, wire: str
) -> None:
    async def trickle(request: Request, writer: asyncio.StreamWriter) -> None:
        # Each octet well within the read timeout; 30 s in all, were it read.
        for octet in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 44:
            writer.write(bytes((octet,)))
            await writer.drain()
            await asyncio.sleep(0.5)
        writer.close()

    timeouts = Timeouts(connect=5.0, response=2.0, total=1.5)
    async with RawHttpServer(trickle, tls=server_context) as server:
        client = _async_client(server.url, client_tls, wire, timeouts=timeouts)
        async with client:
            started = time.monotonic()
            with pytest.raises(OutcomeUnknown, match=r"total timeout of 1\.5 s") as info:
                await client.send("+4746910822", "Hello", source="LINK")
            elapsed = time.monotonic() - started
    assert info.value.result is not None and info.value.result.outcome is Outcome.UNKNOWN
    # The deadline, not the server, ended it: far short of the 30 s trickle.
    assert elapsed < 1.5 + 5.0, elapsed


@pytest.mark.parametrize(
    ("events", "never_left"),
    [
        (["connection.connect_tcp.started", "connection.start_tls.started"], True),
        (["connection.connect_tcp.complete", "http11.send_request_headers.started"], False),
        (["http2.send_request_headers.started"], False),
        # A trace that says nothing proves nothing: it may have left.
        ([], False),
        (["http11.some_event_of_a_later_httpcore"], False),
    ],
)
async def test_only_an_exchange_caught_connecting_counts_as_never_sent(
    events: list[str], never_left: bool
) -> None:
    exchange = ExchangeTrace()
    for event in events:
        await exchange(event, {})
    assert exchange.never_left is never_left


@pytest.mark.parametrize("length", ["²", "١٠", "4096\u0663"])
def test_a_length_in_other_digits_is_left_to_the_capped_read(length: str) -> None:
    # The HTTP libraries refuse such a header first; the check must not raise
    # ValueError if one ever gets through (str.isdigit() takes Unicode digits).
    check_reply_head(200, {"content-length": length})


def test_an_announced_length_over_the_cap_is_refused_before_reading() -> None:
    with pytest.raises(LinkResponseError, match="announced as 9999"):
        check_reply_head(200, {"content-length": "9" * 5000})
