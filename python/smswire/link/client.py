"""The LINK sender: an asyncio driver over httpx.

Every decision (validation, the query, reading the reply) is a pure function of
:mod:`smswire.link.protocol`; :class:`AsyncLinkMobilityClient` owns the pooled
connections, TLS, the rate, the retry policy and the concurrency of
:meth:`~AsyncLinkMobilityClient.send_many`. Its blocking twin,
:class:`~smswire.link.blocking.LinkMobilityClient`, runs it on an event loop in
a thread of its own, as the blocking SMPP client does.

Retry policy: an SMS is not idempotent. A request is retried only when it
provably never reached the server: the connection was refused, the TLS
handshake failed, connecting timed out. Anything later (a read timeout, a
connection lost after the request was written, the ``total`` timeout once the
request was on its way) is never retried: it is ``Outcome.UNKNOWN``, raised by
:meth:`~AsyncLinkMobilityClient.send` as
:class:`~smswire.errors.OutcomeUnknown`.

The password travels in the query string (# LINK guide: How to send SMS), so
the drivers redact it from everything they raise or log, and filter the
``httpx`` logger, which logs each request's URL at INFO.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
import warnings
from collections.abc import Iterable
from typing import Any, Callable

import httpx

from smswire.errors import (
    ClientClosed,
    ConfigurationError,
    EncodingError,
    OutcomeUnknown,
    RequestNotSent,
    SmswireError,
)
from smswire.link.errors import LinkResponseError
from smswire.link.protocol import (
    BaseUrl,
    Credentials,
    PreparedMessage,
    build_query,
    parse_send_response,
    prepare,
    redact,
)
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
from smswire.tls import verifying_context

__all__ = ["AsyncLinkMobilityClient", "InsecureTransportWarning"]

_log = logging.getLogger("smswire.link")

# Failures before the request left: retrying cannot send a message twice.
_NEVER_REACHED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# httpcore's trace events: connecting (TCP, TLS) is "connection.*"; once the
# request starts to leave, a failure may follow a request the server has.
_CONNECTING = "connection."
_WRITING = "send_request_headers.started"

ProgressCallback = Callable[[int, int], None]


class InsecureTransportWarning(UserWarning):
    """The client talks plain HTTP: the password crosses the network readable."""


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "password=" in message.lower():
            record.msg, record.args = redact(message), ()
        return True


def _install_log_redaction() -> None:
    # httpx logs "HTTP Request: POST <url>" at INFO, query and password included.
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
        logger.addFilter(_RedactingFilter())


_install_log_redaction()


class _Exchange:
    """One attempt's trace: whether it was still connecting when it stopped.

    Only that proves the request never left; an exchange the trace says
    nothing about (a pooled connection's wait, a trace that changed its
    names) counts as one that may have, so it is never sent twice.
    """

    __slots__ = ("connecting", "written")

    def __init__(self) -> None:
        self.connecting = False
        self.written = False

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith(_WRITING):
            self.written = True
        elif event.startswith(_CONNECTING):
            self.connecting = True

    @property
    def never_left(self) -> bool:
        return self.connecting and not self.written


class AsyncLinkMobilityClient:
    """An asyncio LINK SMSC Simple HTTP sender over one pooled connection set.

    ``base_url`` is one of :class:`~smswire.link.protocol.BaseUrl` or the URL
    support assigned. ``source``: the sender of messages that name none.
    ``ssl_context`` replaces the default verifying context (it must verify;
    its floor is raised to TLS 1.2). ``timeouts``: ``connect``, ``response``
    (each read and write), ``total`` (one whole exchange), ``close``.
    ``limits``: ``window`` requests at once (one pooled connection each),
    ``rate`` POSTs per second (``burst`` at once), ``retries`` of a request
    that never reached the server, spaced by ``backoff``. Use it as an async
    context manager, or call :meth:`close`.
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
    ) -> None:
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
        if url.query:
            raise ConfigurationError(f"base_url {url} must not carry a query")
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
        self.timeouts = timeouts
        self.limits = limits
        self._backoff = backoff
        self._limiter = None if limits.rate is None else RateLimiter(limits.rate, limits.burst)
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=timeouts.connect,
                read=timeouts.response,
                write=timeouts.response,
                pool=timeouts.response,
            ),
            limits=httpx.Limits(
                max_connections=limits.window, max_keepalive_connections=limits.window
            ),
            verify=verifying_context(ssl_context),
            trust_env=False,
        )
        self._in_flight = 0
        self._drained: asyncio.Future[None] | None = None
        self._closing = False

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
        close the connections. Idempotent."""
        if self._closing:
            return
        self._closing = True
        if self._in_flight:
            self._drained = asyncio.get_running_loop().create_future()
            await asyncio.wait([self._drained], timeout=self.timeouts.close)
        await self._http.aclose()

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
            return SendResult(message, _outcome_of(exc), error=str(exc))

    async def _send(self, message: Message) -> SendResult:
        """Validate, send with the retry policy, read the reply; raises for
        invalid input, a closed client and a failed exchange."""
        if self._closing:
            raise ClientClosed()
        prepared = prepare(message, default_source=self.source)
        query = build_query(self._credentials, prepared)
        self._in_flight += 1
        try:
            attempt = 1
            while True:
                await self._pace()
                exchange = _Exchange()
                try:
                    response = await self._post(query, exchange)
                except (httpx.HTTPError, asyncio.TimeoutError) as exc:
                    error = self._failure(exc, exchange, attempt, prepared)
                    if error is not None:
                        raise error from None
                else:
                    return self._result(response, prepared)
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

    async def _post(
        self, query: tuple[tuple[str, str], ...], exchange: _Exchange
    ) -> httpx.Response:
        post = self._http.post(self._url, params=query, extensions={"trace": exchange})
        total = self.timeouts.total
        if total is None:
            return await post
        if sys.version_info >= (3, 11):
            # No task of its own per request, and no cancellation lost to a
            # result that came at the same moment, as wait_for can before 3.12.
            async with asyncio.timeout(total):
                return await post
        return await asyncio.wait_for(post, total)  # pragma: no cover - Python 3.9, 3.10

    def _failure(
        self,
        exc: httpx.HTTPError | asyncio.TimeoutError,
        exchange: _Exchange,
        attempt: int,
        prepared: PreparedMessage,
    ) -> SmswireError | None:
        """The error a failed attempt raises, or None when it is retried: only
        what provably never reached the server is."""
        if isinstance(exc, asyncio.TimeoutError):
            reason = f"no whole answer within the total timeout of {self.timeouts.total} s"
            never_reached = exchange.never_left
        else:
            reason = f"{type(exc).__name__}: {redact(str(exc), self._secrets)}"
            never_reached = isinstance(exc, _NEVER_REACHED)
        message = prepared.message
        if never_reached:
            if attempt <= self.limits.retries:
                _log.warning("LINK request not sent (attempt %d), retrying: %s", attempt, reason)
                return None
            plural = "s" if attempt > 1 else ""
            text = f"LINK request not sent ({attempt} attempt{plural}): {reason}"
            return RequestNotSent(text, result=SendResult(message, Outcome.NOT_SENT, error=text))
        text = f"LINK request may have been sent, outcome unknown, not retried: {reason}"
        return OutcomeUnknown(
            text,
            result=SendResult(message, Outcome.UNKNOWN, error=text, parts=prepared.segments),
        )

    def _result(self, response: httpx.Response, prepared: PreparedMessage) -> SendResult:
        message = prepared.message
        try:
            reply = parse_send_response(
                response.status_code, response.content, secrets=self._secrets
            )
        except LinkResponseError as exc:
            exc.result = SendResult(
                message, Outcome.UNKNOWN, error=str(exc), parts=prepared.segments
            )
            raise
        _log.debug("LINK answered %s for message id %s", reply.code, reply.message_id)
        outcome = reply.outcome
        return SendResult(
            message,
            outcome,
            (reply.message_id,) if reply.message_id else (),
            reply.code,
            None if outcome is Outcome.ACCEPTED else f"{reply.code}: {reply.description}",
            prepared.segments,
        )


def _outcome_of(exc: SmswireError) -> Outcome:
    return Outcome.NOT_SENT if isinstance(exc, RequestNotSent) else Outcome.UNKNOWN
