"""The ways a request can be routed: through an HTTP proxy (CONNECT, then TLS
end to end with the client's own floor), or through a transport of the
caller's; and the pace of send_many, read from the server's arrival log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
import trustme

from smswire import ConfigurationError, Limits, Message, Outcome, OutcomeUnknown, RequestNotSent
from smswire.link import AsyncLinkMobilityClient, LinkMobilityClient, LinkSimulator
from smswire.link.logs import REQUEST_LOGGERS

from .conftest import PASSWORD, SERVICE_ID, USERNAME, Server
from .rawhttp import RawHttpServer, Request, reply

_FORMS = (PASSWORD, quote_plus(PASSWORD), quote(PASSWORD, safe=""))


@pytest.fixture(autouse=True)
def _no_password_in_any_log(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    for name in REQUEST_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield
    for record in caplog.get_records("call"):
        message = record.getMessage()
        assert not any(form in message for form in _FORMS), message


def _client(url: str, **kw: Any) -> AsyncLinkMobilityClient:
    return AsyncLinkMobilityClient(
        url, service_id=SERVICE_ID, username=USERNAME, password=PASSWORD, **kw
    )


class ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1 that logs each tunnel's target."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self.heads: list[str] = []
        self._server: asyncio.Server | None = None
        self._tunnels: dict[asyncio.Task[Any], list[asyncio.StreamWriter]] = {}

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        ends = self._tunnels[task] = [writer]
        try:
            await self._relay(reader, writer, ends)
        finally:
            del self._tunnels[task]

    async def _relay(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        ends: list[asyncio.StreamWriter],
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        self.targets.append(f"{method} {target}")
        self.heads.append(head.decode("latin-1"))
        host, _, port = target.rpartition(":")
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        ends.append(up_writer)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def __aenter__(self) -> ConnectProxy:
        self._server = await asyncio.start_server(self._tunnel, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for ends in self._tunnels.values():
            for end in ends:
                end.transport.abort()
        if self._tunnels:
            await asyncio.wait(list(self._tunnels), timeout=10)


async def test_a_proxy_carries_the_request_and_tls_runs_end_to_end(
    server_tls: Any, client_tls: ssl.SSLContext
) -> None:
    simulator = LinkSimulator(service_id=SERVICE_ID, username=USERNAME, password=PASSWORD)
    with Server(simulator, tls=server_tls) as server:
        port = server.port
        async with ConnectProxy() as proxy:
            client = _client(server.url, ssl_context=client_tls, proxy=proxy.url)
            async with client:
                result = await client.send("+4746910822", "via proxy", source="LINK")
    assert result.outcome is Outcome.ACCEPTED
    assert proxy.targets == [f"CONNECT 127.0.0.1:{port}"]
    assert [m.parameters["Destination"] for m in simulator.accepted] == ["+4746910822"]


async def test_proxy_credentials_go_on_the_connect_only(
    server_tls: Any, client_tls: ssl.SSLContext
) -> None:
    simulator = LinkSimulator(service_id=SERVICE_ID, username=USERNAME, password=PASSWORD)
    with Server(simulator, tls=server_tls) as server:
        async with ConnectProxy() as proxy:
            url = proxy.url.replace("http://", "http://team:pr0xy@")
            async with _client(server.url, ssl_context=client_tls, proxy=url) as client:
                result = await client.send("+4746910822", "via proxy", source="LINK")
    assert result.outcome is Outcome.ACCEPTED
    # base64 of "team:pr0xy", on the CONNECT; the tunnelled request is TLS.
    assert "Proxy-Authorization: Basic dGVhbTpwcjB4eQ==" in proxy.heads[0], proxy.heads


def _tls11_only(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", key_type=trustme.KeyType.RSA).configure_cert(context)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def _permissive(ca: trustme.CA) -> ssl.SSLContext:
    """A verifying client context that would settle for TLS 1.0."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def test_through_a_proxy_tls_1_2_stays_the_floor(ca: trustme.CA) -> None:
    async def never(request: Request, writer: asyncio.StreamWriter) -> None:
        raise AssertionError("no request may arrive over TLS 1.1")

    async with RawHttpServer(never, tls=_tls11_only(ca)) as server, ConnectProxy() as proxy:
        port = int(server.url.split(":")[2].split("/")[0])
        # The server does speak TLS 1.1 to a context that allows it: only the
        # client's floor can refuse it.
        with socket.create_connection(("127.0.0.1", port)) as raw:
            tls = await asyncio.to_thread(
                _permissive(ca).wrap_socket, raw, server_hostname="127.0.0.1"
            )
            assert tls.version() == "TLSv1.1"
            tls.close()
        client = _client(
            server.url, ssl_context=_permissive(ca), proxy=proxy.url, limits=Limits(retries=0)
        )
        async with client:
            with pytest.raises(RequestNotSent) as info:
                await client.send("+4746910822", "Hello", source="LINK")
    # aiohttp's name for a failed TLS handshake through the tunnel.
    assert "ClientConnectorError" in str(info.value)
    assert proxy.targets == [f"CONNECT 127.0.0.1:{port}"]
    assert server.requests == []


async def test_a_transport_of_the_callers_carries_the_request() -> None:
    seen: list[httpx.Request] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"1000;Sent (to operator);id-1")

    client = _client("https://link.example/smscsimplehttp", transport=httpx.MockTransport(answer))
    async with client:
        result = await client.send("+4746910822", "Hello", source="LINK")
    assert (result.outcome, result.message_ids) == (Outcome.ACCEPTED, ("id-1",))
    assert seen[0].url.params["Password"] == PASSWORD


def test_the_blocking_client_takes_a_transport_too() -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"1000;Sent (to operator);id-2")

    with LinkMobilityClient(
        "https://link.example/smscsimplehttp",
        service_id=SERVICE_ID,
        username=USERNAME,
        password=PASSWORD,
        transport=httpx.MockTransport(answer),
    ) as client:
        assert client.send("+4746910822", "Hello", source="LINK").message_ids == ("id-2",)


async def test_a_transport_that_breaks_in_an_untyped_way_fails_that_message_only() -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["Destination"].endswith("2"):
            # Not an httpx error: what a parser of a broken reply may raise.
            raise ValueError(f"Exceeds the limit for integer string conversion {request.url}")
        return httpx.Response(200, content=b"1000;Sent (to operator);ok")

    messages = [Message(f"+474691082{n}", "Hello", source="LINK") for n in range(4)]
    client = _client("https://link.example/smscsimplehttp", transport=httpx.MockTransport(answer))
    async with client:
        results = await client.send_many(messages)
        with pytest.raises(OutcomeUnknown) as info:
            await client.send("+4746910822", "Hello", source="LINK")
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 2 + [
        Outcome.UNKNOWN,
        Outcome.ACCEPTED,
    ]
    assert "ValueError" in str(info.value) and "Password=***" in str(info.value)
    assert not any(form in str(results[2].error) for form in _FORMS)


@pytest.mark.parametrize(
    "extra", [{"proxy": "http://127.0.0.1:3128"}, {"ssl_context": ssl.create_default_context()}]
)
def test_a_transport_excludes_tls_and_proxy_settings(extra: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="transport"):
        _client(
            "https://link.example/smscsimplehttp",
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
            **extra,
        )


# --- the pace of send_many, read from the server's side ---

_RATE = 10.0
_MESSAGES = 11


@contextlib.asynccontextmanager
async def _arrival_log(server_context: ssl.SSLContext) -> AsyncIterator[RawHttpServer]:
    async def accept(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(reply(200, b"1000;Sent (to operator);x"))
        await writer.drain()

    async with RawHttpServer(accept, tls=server_context) as server:
        yield server


async def test_a_rate_limited_send_many_arrives_at_that_rate(
    server_context: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    messages = [Message(f"+4746910{n:03d}", "paced", source="LINK") for n in range(_MESSAGES)]
    async with _arrival_log(server_context) as server:
        # A window as wide as the batch: only the rate can space the requests.
        client = _client(
            server.url, ssl_context=client_tls, limits=Limits(window=_MESSAGES, rate=_RATE)
        )
        async with client:
            # Arrivals are stamped on this clock; no grant comes before this.
            started = time.monotonic()
            results = await client.send_many(messages)
    assert all(r.outcome is Outcome.ACCEPTED for r in results)
    arrivals = sorted(r.arrived for r in server.requests)
    assert len(arrivals) == _MESSAGES
    # GCRA with burst 1: the n-th request is granted (n - 1) intervals of
    # 1/rate after the first, and arrives later still. Counted from before
    # the first grant, that holds exactly however late a loaded machine makes
    # any arrival; counted from the first arrival (as it was), a first
    # request slowed by its TLS handshake shortened the span. A sender that
    # ignores the rate, or runs fast, is done sooner.
    expected = (_MESSAGES - 1) / _RATE
    took = arrivals[-1] - started
    assert took >= expected - 1e-6, f"{_MESSAGES} requests at {_RATE}/s arrived in {took:.3f} s"


async def test_a_connect_error_from_a_transport_that_does_not_trace_is_never_retried() -> None:
    # httpx-aiohttp maps aiohttp's ClientConnectionError (the base of
    # ServerDisconnectedError: the server took the request, then closed) to
    # httpx.ConnectTimeout. Without httpcore's trace to prove the request
    # never left, a retry could send the message twice.
    calls = 0

    async def took_it_then_closed(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectTimeout("Server disconnected", request=request)

    client = _client(
        "https://link.example/smscsimplehttp",
        transport=httpx.MockTransport(took_it_then_closed),
        limits=Limits(retries=3),
    )
    async with client:
        with pytest.raises(OutcomeUnknown) as info:
            await client.send("+4746910822", "Hello", source="LINK")
    assert calls == 1
    assert not isinstance(info.value, RequestNotSent)
    assert "ConnectTimeout" in str(info.value)


async def test_closing_stops_what_waits_for_the_rate_and_it_is_not_sent() -> None:
    # The CLI's first Ctrl-C closes the client mid-batch: a message waiting
    # for its turn under the rate must not leave after that, and is NOT_SENT.
    arrived = asyncio.Event()
    calls = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        arrived.set()
        return httpx.Response(200, content=b"1000;Sent (to operator);ok")

    messages = [Message(f"+474691082{n}", "Hello", source="LINK") for n in range(6)]
    client = _client(
        "https://link.example/smscsimplehttp",
        transport=httpx.MockTransport(answer),
        limits=Limits(window=6, rate=2),
    )
    sending = asyncio.ensure_future(client.send_many(messages))
    await asyncio.wait_for(arrived.wait(), 10)
    await client.close()
    results = await asyncio.wait_for(sending, 10)
    outcomes = [r.outcome for r in results]
    assert outcomes.count(Outcome.ACCEPTED) == calls
    assert outcomes.count(Outcome.NOT_SENT) == len(messages) - calls >= 4, outcomes
