"""The LINK sender: an asyncio driver over aiohttp, or httpx over a caller's transport.

Every decision is a pure function: validation and the query of
:mod:`smswire.link.protocol`, reading the reply of :mod:`smswire.link.replies`;
how a request travels is :mod:`smswire.link.wire`;
:class:`AsyncLinkMobilityClient` owns the rate, the retry policy and the concurrency of
:meth:`~AsyncLinkMobilityClient.send_many`. Its blocking twin,
:class:`~smswire.link.blocking.LinkMobilityClient`, runs it on an event loop in
a thread of its own, as the blocking SMPP client does.

Retry policy: an SMS is not idempotent. A request is retried only when it
provably never reached the server: the connection was refused, the TLS
handshake failed, connecting (or waiting for a pooled connection) timed out;
each wire marks the moment a request may start to leave
(:class:`~smswire.link.exchange.ExchangeTrace`). Anything later (a read timeout, a
connection lost after the request was written, the ``total`` timeout once the
request was on its way) is never retried: it is ``Outcome.UNKNOWN``, raised by
:meth:`~AsyncLinkMobilityClient.send` as
:class:`~smswire.errors.OutcomeUnknown`.

The password travels in the query string (# LINK guide: How to send SMS), so
the drivers redact it from everything they raise or log, and
:mod:`smswire.link.logs` filters every logger a request passes through.

The reply is read a chunk at a time up to
:data:`~smswire.link.exchange.REPLY_MAX_OCTETS`, and ``timeouts.total`` bounds
the whole exchange, from the first connection attempt to the reply's last octet.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
import warnings
from collections.abc import Iterable
from typing import Any, Callable

import aiohttp
import httpx

from smswire.alphanumeric import ALPHANUMERIC_SOURCE_MAX, check_alphanumeric_max
from smswire.errors import (
    ClientClosed,
    ConfigurationError,
    EncodingError,
    OutcomeUnknown,
    RequestNotSent,
)
from smswire.link.attempts import (
    error_reason,
    failed_attempt,
    outcome_of,
    reply_result,
    unknown_result,
)
from smswire.link.errors import LinkResponseError
from smswire.link.exchange import ExchangeTrace
from smswire.link.logs import forget_secret, install_redaction, watch_secret
from smswire.link.protocol import BaseUrl, Credentials, prepare, render_query
from smswire.link.wire import AiohttpWire, HttpxWire
from smswire.message import Message, Outcome, SendResult
from smswire.options import (
    DEFAULT_BACKOFF,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUTS,
    Backoff,
    Limits,
    Timeouts,
)
from smswire.ratelimit import RateLimiter
from smswire.tls import system_context, verifying_context

__all__ = ["AsyncLinkMobilityClient", "InsecureTransportWarning"]

_log = logging.getLogger("smswire.link")

ProgressCallback = Callable[[int, int], None]


class InsecureTransportWarning(UserWarning):
    """The client talks plain HTTP: the password crosses the network readable."""


install_redaction()


class AsyncLinkMobilityClient:
    """An asyncio LINK SMSC Simple HTTP sender over one pooled connection set.

    ``base_url`` is one of :class:`~smswire.link.protocol.BaseUrl` or the URL
    support assigned. ``source``: the sender of messages that name none.
    ``alphanumeric_max``: how long a sender name may be (11, the default, is
    what a handset shows; a route LINK lets take more may raise it).
    ``ssl_context`` replaces the default verifying context (it must verify;
    its floor is raised to TLS 1.2). ``timeouts``: ``connect``, ``response``
    (each read and write), ``total`` (one whole exchange), ``close``.
    ``limits``: ``window`` requests at once (one pooled connection each),
    ``rate`` POSTs per second (``burst`` at once), ``retries`` of a request
    that never reached the server, spaced by ``backoff``. Use it as an async
    context manager, or call :meth:`close`.

    ``proxy``: an ``http://`` proxy URL (or ``httpx.Proxy``), reached with the
    same TLS settings (CONNECT for https). ``transport``: an
    ``httpx.AsyncBaseTransport`` to send through, with httpx, instead of the
    default aiohttp wire (a mock, a SOCKS proxy's); it brings its own
    connections and TLS, so it and ``ssl_context``/``proxy`` exclude each
    other. Either way the password stays out of every log.
    """

    def __init__(
        self,
        base_url: str | BaseUrl,
        *,
        service_id: int,
        username: str,
        password: str,
        source: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        allow_insecure_http: bool = False,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        limits: Limits = DEFAULT_LIMITS,
        backoff: Backoff = DEFAULT_BACKOFF,
        proxy: str | httpx.Proxy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX,
    ) -> None:
        if transport is not None and (ssl_context is not None or proxy is not None):
            raise ConfigurationError(
                "a transport brings its own TLS and route: give it, or ssl_context/proxy"
            )
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise ConfigurationError(
                f"transport must be an httpx.AsyncBaseTransport, not {type(transport).__name__}"
            )
        url = httpx.URL(str(base_url.value if isinstance(base_url, BaseUrl) else base_url))
        if url.scheme == "http":
            if not allow_insecure_http:
                raise ConfigurationError(
                    f"base_url {url} is plain HTTP, which LINK deprecates (Appendix 2) and "
                    "which sends the password readable; use https, or pass "
                    "allow_insecure_http=True"
                )
            warnings.warn(
                f"LINK client on plain HTTP ({url}): the password crosses the network readable",
                InsecureTransportWarning,
                stacklevel=2,
            )
        elif url.scheme != "https":
            raise ConfigurationError(f"base_url {url} must be an https:// URL")
        if url.query or url.fragment:
            # The query is rendered after it (# LINK guide: How to send SMS).
            raise ConfigurationError(f"base_url {url} must not carry a query or a fragment")
        for name, value, kind in (
            ("timeouts", timeouts, Timeouts),
            ("limits", limits, Limits),
            ("backoff", backoff, Backoff),
        ):
            if not isinstance(value, kind):
                raise ConfigurationError(f"{name} must be a {kind.__name__}, not {value!r}")
        self._url = url
        self._credentials = Credentials(service_id, username, password)
        self._secrets = (password,)
        self.source = source
        self.alphanumeric_max = check_alphanumeric_max(alphanumeric_max)
        self.timeouts = timeouts
        self.limits = limits
        self._backoff = backoff
        self._limiter = None if limits.rate is None else RateLimiter(limits.rate, limits.burst)
        self._url_text = str(url)
        self._wire: AiohttpWire | HttpxWire
        if transport is None:
            self._wire = AiohttpWire(
                context=system_context() if ssl_context is None else verifying_context(ssl_context),
                connections=limits.window,
                timeouts=timeouts,
                proxy=proxy,
                tunnelled=url.scheme == "https",
            )
        else:
            self._wire = HttpxWire(transport=transport, timeouts=timeouts)
        watch_secret(password)
        self._in_flight = 0
        self._drained: asyncio.Future[None] | None = None
        self._closing = False
        # The tasks whose request is on its way, and those close() cut off.
        self._exchanging: set[asyncio.Task[Any]] = set()
        self._cut_off: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={str(self._url)!r}, credentials={self._credentials!r})"
        )

    async def __aenter__(self) -> AsyncLinkMobilityClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop new sends, wait up to ``timeouts.close`` for those in flight,
        cut off the requests still on their way (UNKNOWN, or NOT_SENT if
        still connecting: a server that froze may hold a connection in its
        TLS handshake until the connect timeout), close the connections.
        Idempotent."""
        if self._closing:
            return
        self._closing = True
        if self._in_flight:
            self._drained = asyncio.get_running_loop().create_future()
            await asyncio.wait([self._drained], timeout=self.timeouts.close)
        for task in self._exchanging:
            self._cut_off.add(task)
            task.cancel()
        try:
            await self._wire.aclose()
        finally:
            forget_secret(self._credentials.password)

    # -- sending ---------------------------------------------------------------

    async def send(
        self, destination: str, text: str, *, source: str | None = None, **options: Any
    ) -> SendResult:
        """Send one text; see :class:`~smswire.message.Message` for the options."""
        return await self.send_message(Message(destination, text, source=source, **options))

    async def send_message(self, message: Message) -> SendResult:
        """Send one message; returns the result when LINK answered with a code
        it lists (ACCEPTED, or REJECTED with its :class:`ResultCode`).

        Raises before anything leaves for invalid input
        (:class:`~smswire.errors.ConfigurationError`,
        :class:`~smswire.errors.EncodingError`) or a closed client
        (:class:`~smswire.errors.ClientClosed`); afterwards
        :class:`~smswire.errors.RequestNotSent` when the request never reached
        the server, even after the retries, and
        :class:`~smswire.errors.OutcomeUnknown` (or its
        :class:`~smswire.link.LinkResponseError`) when it may have: each
        carries the result.
        """
        if not isinstance(message, Message):
            raise ConfigurationError(f"a Message is needed, not {type(message).__name__}")
        return (await self._send(message)).raise_for_outcome()

    async def send_many(
        self, messages: Iterable[Message], *, on_progress: ProgressCallback | None = None
    ) -> list[SendResult]:
        """Send every message, ``limits.window`` at once within ``limits.rate``;
        one result per message, in input order, failures included.
        ``on_progress(done, total)`` runs after each; if it raises, the rest is
        not sent and the error propagates."""
        items = list(messages)
        for item in items:
            if not isinstance(item, Message):
                raise ConfigurationError(f"a Message is needed, not {type(item).__name__}")
        results: list[SendResult | None] = [None] * len(items)
        indexes = iter(range(len(items)))
        done = 0
        stopped = False

        async def worker() -> None:
            nonlocal done
            for index in indexes:
                if stopped:
                    # A cancellation can be lost before Python 3.12 (wait_for
                    # returns a result that came at the same moment): stop here.
                    return
                results[index] = await self._settle(items[index])
                done += 1
                if on_progress is not None:
                    on_progress(done, len(items))

        tasks = [
            asyncio.ensure_future(worker()) for _ in range(min(self.limits.window, len(items)))
        ]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            stopped = True
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        settled = [r for r in results if r is not None]
        if len(settled) != len(items):
            raise AssertionError("send_many finished with a message unaccounted for")
        return settled

    async def _settle(self, message: Message) -> SendResult:
        """The message's result, whatever became of it."""
        try:
            return await self._send(message)
        except (ConfigurationError, EncodingError, ClientClosed) as exc:
            return SendResult(message, Outcome.NOT_SENT, error=str(exc))
        except (RequestNotSent, OutcomeUnknown) as exc:
            if isinstance(exc.result, SendResult):
                return exc.result
            return SendResult(message, outcome_of(exc), error=str(exc))

    async def _send(self, message: Message) -> SendResult:
        """Validate, send with the retry policy, read the reply; raises for
        invalid input, a closed client and a failed exchange."""
        if self._closing:
            raise ClientClosed()
        prepared = prepare(
            message, default_source=self.source, alphanumeric_max=self.alphanumeric_max
        )
        # Rendered and parsed once, whatever the retries.
        target = self._wire.target(f"{self._url_text}?{render_query(self._credentials, prepared)}")
        self._in_flight += 1
        try:
            attempt = 1
            while True:
                await self._pace()
                if self._closing:
                    # Closed while this one waited for the rate or a retry:
                    # nothing new leaves.
                    raise ClientClosed()
                exchange = ExchangeTrace()
                try:
                    status, body = await self._cancellable_post(target, exchange)
                except (httpx.HTTPError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    error = failed_attempt(
                        exc,
                        exchange,
                        prepared,
                        attempt=attempt,
                        retries=self.limits.retries,
                        total=self.timeouts.total,
                        secrets=self._secrets,
                    )
                    if error is not None:
                        raise error from None
                except LinkResponseError as exc:
                    exc.result = unknown_result(prepared, str(exc))
                    raise
                except Exception as exc:
                    # An exchange that fails in a way httpx does not type (a
                    # transport's parser raising ValueError on a broken reply):
                    # that message's outcome is unknown, never its batch's.
                    reason = error_reason(exc, self._secrets)
                    text = f"LINK reply unreadable, outcome unknown, not retried: {reason}"
                    raise OutcomeUnknown(text, result=unknown_result(prepared, text)) from None
                else:
                    return reply_result(status, body, prepared, self._secrets)
                if not self._closing:
                    await asyncio.sleep(self._backoff.delay(attempt - 1))
                attempt += 1
        finally:
            self._in_flight -= 1
            if not self._in_flight and self._drained is not None and not self._drained.done():
                self._drained.set_result(None)

    async def _pace(self) -> None:
        limiter = self._limiter
        if limiter is not None:
            delay = limiter.reserve(asyncio.get_running_loop().time())
            if delay > 0:
                await asyncio.sleep(delay)

    async def _cancellable_post(self, target: Any, exchange: ExchangeTrace) -> tuple[int, bytes]:
        """:meth:`_post`, which :meth:`close` may cut off: then it fails as a
        connection lost would, before the request left or after."""
        task = asyncio.current_task()
        assert task is not None
        self._exchanging.add(task)
        try:
            return await self._post(target, exchange)
        except asyncio.CancelledError:
            if task not in self._cut_off:
                raise
            self._cut_off.discard(task)
            if sys.version_info >= (3, 11) and task.uncancel():
                raise  # cancelled by its caller too
            lost = httpx.ConnectError if exchange.never_left else httpx.ReadError
            raise lost("cut off: the client closed") from None
        finally:
            self._exchanging.discard(task)

    async def _post(self, target: Any, exchange: ExchangeTrace) -> tuple[int, bytes]:
        """The reply's status and body, all within ``timeouts.total``."""
        post = self._wire.post(target, exchange)
        total = self.timeouts.total
        if total is None:
            return await post
        if sys.version_info >= (3, 11):
            # No task of its own per request, and no cancellation lost to a
            # result that came at the same moment, as wait_for can before 3.12.
            async with asyncio.timeout(total):
                return await post
        return await asyncio.wait_for(post, total)  # pragma: no cover - Python 3.9, 3.10
