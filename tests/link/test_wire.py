"""Whether a failed request left, told by each wire against real sockets.

A request is retried only when it provably never reached the server; one that
may have is ``Outcome.UNKNOWN`` and never sent again. Both wires must tell the
two apart: aiohttp's (the default), where the connector marks the moment a
connection is handed over, and httpx's over httpcore's transport, where the
trace does.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import warnings
from typing import Any

import aiohttp
import httpx
import pytest

from smswire import Backoff, Limits, Message, Outcome, OutcomeUnknown, RequestNotSent, Timeouts
from smswire.link import AsyncLinkMobilityClient, InsecureTransportWarning
from smswire.link.exchange import ExchangeTrace
from smswire.link.wire import AiohttpWire

from .conftest import PASSWORD, SERVICE_ID, USERNAME
from .rawhttp import RawHttpServer, Request, reply

WIRES = ["aiohttp", "httpx"]
FAST = Backoff(initial=0.01, maximum=0.02)


def _client(url: str, wire: str, **kw: Any) -> AsyncLinkMobilityClient:
    if wire == "httpx":
        kw["transport"] = httpx.AsyncHTTPTransport()
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


def _refusing_url() -> str:
    # A port that was just free: nothing listens, connecting is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/smscsimplehttp"


@pytest.mark.parametrize("wire", WIRES)
async def test_a_refused_connection_never_left_and_is_retried(
    wire: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="smswire.link")
    async with _client(_refusing_url(), wire, limits=Limits(retries=2)) as client:
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
        while not server.requests:
            await asyncio.sleep(0.01)
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
    with pytest.raises(aiohttp.ClientConnectorError):
        await wire.post(wire.target(_refusing_url()), refused)
    assert refused.never_left
    async with RawHttpServer(answer) as server:
        answered = ExchangeTrace()
        assert await wire.post(wire.target(server.url), answered) == (200, b"1000;Sent;id-1")
    await wire.aclose()
    assert not answered.never_left
