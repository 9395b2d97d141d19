"""How a LINK request travels: aiohttp by default, httpx over a caller's transport.

Both wires take the request's URL rendered once (the query included), POST it,
and hand back the reply's status and body, read with the cap of
:mod:`smswire.link.exchange`. Both mark the attempt's
:class:`~smswire.link.exchange.ExchangeTrace` so the client can prove a
request never left before it retries one.

:class:`AiohttpWire` is the default. httpx's own pool (httpcore) re-examines
every connection on every assignment (encode/httpcore#1035) and without
``sniffio`` retries a failed import on every lock (encode/httpcore#1103): about
200 messages a second at concurrency 64 with the client at full CPU. httpx
over an aiohttp transport (httpx-aiohttp) still parses each URL two or three
times over (httpx's request model, then yarl's), about 1 ms a request for the
long queries of UCS2 texts. aiohttp alone, given the URL already encoded,
costs a fraction of either (benches/bench_link_wires.py).

The proof that a request never left, on aiohttp: the session writes a request
only once its connector has handed over a connection (connect, then send, in
``ClientSession._request``; a POST is never retried on a fresh connection, as
aiohttp retries only idempotent methods). :class:`_MarkingConnector` marks the
exchange the moment it hands one over; a failure before that mark (refused,
TLS handshake, proxy tunnel, waiting for a free connection) never left.

:class:`HttpxWire` serves a caller's ``httpx.AsyncBaseTransport``; httpcore's
trace events mark the exchange there (a transport that does not trace proves
nothing, so nothing it fails is retried).
"""

from __future__ import annotations

import base64
import ssl
from contextvars import ContextVar
from typing import Any

import aiohttp
import httpx
from yarl import URL

from smswire.errors import ConfigurationError
from smswire.link.exchange import (
    IDENTITY,
    REPLY_MAX_OCTETS,
    ExchangeTrace,
    check_reply_head,
    read_reply,
    reply_too_long,
)
from smswire.options import Timeouts

__all__ = ["KEEPALIVE_SECONDS", "AiohttpWire", "HttpxWire"]

_HEADERS = {"Accept-Encoding": IDENTITY}
# How long an idle pooled connection is kept: httpx's default, as the sender
# had before aiohttp (whose own is 15 s). A server that drops an idle one
# first makes the next request on it an unknown outcome, so shorter is safer.
KEEPALIVE_SECONDS = 5.0
# The exchange the current task's request belongs to, for the connector.
_current: ContextVar[ExchangeTrace | None] = ContextVar("smswire_link_exchange", default=None)


class _MarkingConnector(aiohttp.TCPConnector):
    """A TCP connector that marks the current exchange once it hands over a
    connection: from then on the request may be on its way."""

    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        connection = await super().connect(req, traces, timeout)
        exchange = _current.get()
        if exchange is not None:
            exchange.mark_leaving()
        return connection


class AiohttpWire:
    """POSTs over one aiohttp session: ``connections`` at most, TLS from
    ``context`` (already verifying, with its floor), through an HTTP
    ``proxy`` if given (CONNECT for https, so TLS runs end to end;
    ``tunnelled`` says the base URL is https)."""

    def __init__(
        self,
        *,
        context: ssl.SSLContext,
        connections: int,
        timeouts: Timeouts,
        proxy: str | httpx.Proxy | None,
        tunnelled: bool = True,
    ) -> None:
        self._context = context
        self._connections = connections
        self._proxy: dict[str, Any] = (
            {} if proxy is None else _proxy_options(proxy, tunnelled=tunnelled)
        )
        # Waiting for a free connection is bounded by the total timeout (the
        # client's); connecting (TCP and TLS) and each read by their own.
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=None, sock_connect=timeouts.connect, sock_read=timeouts.response
        )
        # Made on the loop that sends (the blocking client's is a thread's).
        self._session: aiohttp.ClientSession | None = None

    @staticmethod
    def target(url: str) -> URL:
        # Rendered and encoded once; yarl takes it as it is.
        return URL(url, encoded=True)

    def _open(self) -> aiohttp.ClientSession:
        connector = _MarkingConnector(
            limit=self._connections, ssl=self._context, keepalive_timeout=KEEPALIVE_SECONDS
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers=_HEADERS,
            timeout=self._timeout,
            # The reply is read as sent; the identity check refuses the rest.
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            # Settings come from the caller, never from the environment.
            trust_env=False,
        )
        return self._session

    async def post(self, target: URL, exchange: ExchangeTrace) -> tuple[int, bytes]:
        session = self._session or self._open()
        exchange.mark_connecting()
        token = _current.set(exchange)
        try:
            # Connects (the connector marks the exchange), writes, reads the head.
            response = await session.post(target, allow_redirects=False, **self._proxy)
        finally:
            _current.reset(token)
        try:
            status = response.status
            check_reply_head(status, response.headers)
            body = bytearray()
            while chunk := await response.content.read(REPLY_MAX_OCTETS + 1 - len(body)):
                body += chunk
                if len(body) > REPLY_MAX_OCTETS:
                    raise reply_too_long(status, f"over {len(body)} octets")
        except BaseException:
            # Not read to its end: the connection goes, never back to the pool.
            response.close()
            raise
        response.release()
        return status, bytes(body)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def _proxy_options(proxy: str | httpx.Proxy, *, tunnelled: bool) -> dict[str, Any]:
    """aiohttp's proxy arguments for an httpx-style proxy: its URL without
    credentials; those go as Proxy-Authorization on the CONNECT (RFC 9110
    §11.7.2), which is where aiohttp sends ``proxy_headers``."""
    proxy = proxy if isinstance(proxy, httpx.Proxy) else httpx.Proxy(proxy)
    if proxy.url.scheme != "http":
        raise ConfigurationError(
            f"proxy must be an http:// proxy, not {proxy.url.scheme}://; for another kind "
            "pass transport=httpx.AsyncHTTPTransport(proxy=...)"
        )
    headers = dict(proxy.headers)
    if proxy.auth is not None:
        if not tunnelled:
            raise ConfigurationError(
                "proxy credentials travel on the CONNECT of an https:// base_url; for plain "
                "HTTP through a proxy that asks for them pass "
                "transport=httpx.AsyncHTTPTransport(proxy=...)"
            )
        user, password = proxy.auth
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Proxy-Authorization"] = f"Basic {token}"
    options: dict[str, Any] = {"proxy": str(proxy.url.copy_with(username=None, password=None))}
    if headers:
        options["proxy_headers"] = headers
    return options


class HttpxWire:
    """POSTs through httpx over the caller's ``transport``: it brings its own
    connections, TLS and route. httpcore's trace events mark the exchange."""

    def __init__(self, *, transport: httpx.AsyncBaseTransport, timeouts: Timeouts) -> None:
        self._http = httpx.AsyncClient(
            headers=_HEADERS,
            timeout=httpx.Timeout(
                connect=timeouts.connect,
                read=timeouts.response,
                write=timeouts.response,
                pool=timeouts.response,
            ),
            # Settings come from the caller, never from the environment.
            trust_env=False,
            transport=transport,
        )

    @staticmethod
    def target(url: str) -> httpx.URL:
        # Parsed once; httpx takes an httpx.URL without parsing it again.
        return httpx.URL(url)

    async def post(self, target: httpx.URL, exchange: ExchangeTrace) -> tuple[int, bytes]:
        request = self._http.stream("POST", target, extensions={"trace": exchange})
        async with request as response:
            return response.status_code, await read_reply(response)

    async def aclose(self) -> None:
        await self._http.aclose()
