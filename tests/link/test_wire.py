"""Whether a failed request left, told by each wire against real sockets.

A request is retried only when it provably never reached the server; one that
may have is ``Outcome.UNKNOWN`` and never sent again. Both wires must tell the
two apart: aiohttp's (the default), where the connector marks the moment a
connection is handed over, and httpx's over httpcore's transport, where the
trace does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import aiohttp
import httpx
import pytest
import trustme
from ports import refusing_port

from smswire import (
    Backoff,
    ConfigurationError,
    Limits,
    Message,
    Outcome,
    OutcomeUnknown,
    RequestNotSent,
    Timeouts,
)
from smswire.link import AsyncLinkMobilityClient, InsecureTransportWarning
from smswire.link.exchange import ExchangeTrace
from smswire.link.logs import REQUEST_LOGGERS
from smswire.link.wire import AiohttpWire
from smswire.tls import verifying_context

from .conftest import PASSWORD, PATIENCE, SERVICE_ID, USERNAME
from .rawhttp import RawHttpServer, Request, reply

WIRES = ["aiohttp", "httpx"]
_FORMS = (PASSWORD, quote_plus(PASSWORD), quote(PASSWORD, safe=""))


@pytest.fixture(autouse=True)
def _no_password_in_any_log(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    # Every failure here is one aiohttp or httpcore may log: at DEBUG, on every
    # logger a request passes through, the password shows in none.
    caplog.set_level(logging.DEBUG)
    for name in REQUEST_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield
    for record in caplog.get_records("call"):
        message = record.getMessage()
        assert not any(form in message for form in _FORMS), message


FAST = Backoff(initial=0.01, maximum=0.02)


def _client(
    url: str, wire: str, context: ssl.SSLContext | None = None, **kw: Any
) -> AsyncLinkMobilityClient:
    if wire == "httpx":
        kw["transport"] = httpx.AsyncHTTPTransport(verify=verifying_context(context))
    elif context is not None:
        kw["ssl_context"] = context
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureTransportWarning)
        return AsyncLinkMobilityClient(
            url,
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            allow_insecure_http=True,
            backoff=FAST,
            **kw,
        )


@contextlib.contextmanager
def _refusing_url() -> Iterator[str]:
    # Bound, not listening, while the test runs: connecting is refused.
    with refusing_port() as port:
        yield f"http://127.0.0.1:{port}/smscsimplehttp"


@pytest.mark.parametrize("wire", WIRES)
async def test_a_refused_connection_never_left_and_is_retried(
    wire: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="smswire.link")
    with _refusing_url() as url:
        async with _client(url, wire, limits=Limits(retries=2)) as client:
            with pytest.raises(RequestNotSent) as info:
                await client.send("+4746910822", "Hello", source="LINK")
            [result] = await client.send_many([Message("+4746910822", "Hello", source="LINK")])
    assert "3 attempts" in str(info.value)
    assert result.outcome is Outcome.NOT_SENT and "3 attempts" in (result.error or "")
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == 4


async def _read_then_close(request: Request, writer: asyncio.StreamWriter) -> None:
    # The whole request arrived; the server goes away without a word.
    writer.close()


async def _read_then_reset(request: Request, writer: asyncio.StreamWriter) -> None:
    writer.transport.abort()


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("ending", [_read_then_close, _read_then_reset])
async def test_a_request_read_then_cut_off_may_have_been_sent_and_is_never_retried(
    wire: str, ending: Any
) -> None:
    async with (
        RawHttpServer(ending) as server,
        _client(server.url, wire, limits=Limits(retries=5)) as client,
    ):
        with pytest.raises(OutcomeUnknown) as info:
            await client.send("+4746910822", "Hello", source="LINK")
        [result] = await client.send_many([Message("+4746910822", "Hello", source="LINK")])
    assert info.value.result is not None and info.value.result.outcome is Outcome.UNKNOWN
    assert result.outcome is Outcome.UNKNOWN
    # One request each, though five retries were allowed.
    assert len(server.requests) == 2


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_waiting_for_a_pooled_connection_never_left() -> None:
    # One connection, taken by a request the server never answers: a second
    # request that gives up while it waits for the connection never left.
    release = asyncio.Event()

    async def hang(request: Request, writer: asyncio.StreamWriter) -> None:
        await release.wait()

    wire = AiohttpWire(
        context=ssl.create_default_context(), connections=1, timeouts=Timeouts(), proxy=None
    )
    async with RawHttpServer(hang) as server:
        first, second = ExchangeTrace(), ExchangeTrace()
        hanging = asyncio.ensure_future(wire.post(wire.target(server.url), first))
        await asyncio.wait_for(_until(lambda: server.requests), PATIENCE)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(wire.post(wire.target(server.url), second), 0.3)
        hanging.cancel()
        await asyncio.gather(hanging, return_exceptions=True)
        await wire.aclose()
        release.set()
    assert not first.never_left
    assert second.never_left
    assert len(server.requests) == 1


async def test_the_aiohttp_wire_marks_an_exchange_only_once_a_connection_is_in_hand() -> None:
    async def answer(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(reply(200, b"1000;Sent;id-1"))
        await writer.drain()

    wire = AiohttpWire(
        context=ssl.create_default_context(),
        connections=1,
        timeouts=Timeouts(),
        proxy=None,
    )
    refused = ExchangeTrace()
    with _refusing_url() as url, pytest.raises(aiohttp.ClientConnectorError):
        await wire.post(wire.target(url), refused)
    assert refused.never_left
    async with RawHttpServer(answer) as server:
        answered = ExchangeTrace()
        assert await wire.post(wire.target(server.url), answered) == (200, b"1000;Sent;id-1")
    await wire.aclose()
    assert not answered.never_left


async def _never(request: Request, writer: asyncio.StreamWriter) -> None:
    raise AssertionError("no request may arrive")


def _serving(ca: trustme.CA, host: str, *, tls11: bool = False) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(host, key_type=trustme.KeyType.RSA).configure_cert(context)
    if tls11:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize(
    ("host", "tls11"),
    [("example.org", False), ("127.0.0.1", True)],
    ids=["another-host-s-certificate", "tls-1.1-only"],
)
async def test_tls_that_fails_the_checks_is_refused_before_anything_leaves(
    wire: str, host: str, tls11: bool, ca: trustme.CA, client_tls: ssl.SSLContext
) -> None:
    # The client trusts the CA: only its host-name check, or its TLS 1.2
    # floor, can refuse these servers.
    async with (
        RawHttpServer(_never, tls=_serving(ca, host, tls11=tls11)) as server,
        _client(server.url, wire, client_tls, limits=Limits(retries=1)) as client,
    ):
        with pytest.raises(RequestNotSent) as info:
            await client.send("+4746910822", "Hello", source="LINK")
    assert "2 attempts" in str(info.value)
    assert server.requests == []


@pytest.mark.parametrize(
    ("proxy", "expected"),
    [
        ("http://proxy:3128", {"proxy": "http://proxy:3128"}),
        (
            httpx.Proxy("http://user:pw@proxy:3128", headers={"X-Team": "sms"}),
            {
                "proxy": "http://proxy:3128",
                # base64 of "user:pw"
                "proxy_headers": {"x-team": "sms", "Proxy-Authorization": "Basic dXNlcjpwdw=="},
            },
        ),
    ],
)
def test_an_http_proxy_reaches_aiohttp_with_its_credentials_apart(
    proxy: str | httpx.Proxy, expected: dict[str, Any]
) -> None:
    wire = AiohttpWire(
        context=ssl.create_default_context(), connections=1, timeouts=Timeouts(), proxy=proxy
    )
    assert wire._proxy == expected


def test_a_proxy_aiohttp_cannot_take_is_refused_with_the_way_round_it() -> None:
    with pytest.raises(ConfigurationError, match=r"socks5://.*transport=httpx"):
        _client("https://127.0.0.1/smscsimplehttp", "aiohttp", proxy="socks5://proxy:1080")


def test_proxy_credentials_for_plain_http_are_refused_not_dropped() -> None:
    # aiohttp sends proxy headers only on a CONNECT: over plain HTTP they
    # would silently not reach the proxy.
    with pytest.raises(ConfigurationError, match="CONNECT of an https"):
        _client("http://127.0.0.1/smscsimplehttp", "aiohttp", proxy="http://u:p@proxy:3128")
