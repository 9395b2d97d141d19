"""The LINK sender: thin sync and async drivers over httpx.

Every decision (validation, the query, reading the reply) is a pure function of
:mod:`smswire.link.protocol`; the drivers own the pooled connections, TLS, the
retry policy and the concurrency of :meth:`send_many`.

Retry policy: an SMS is not idempotent. A request is retried only when it
provably never reached the server: the connection was refused, the TLS
handshake failed, connecting timed out. Anything later (a read timeout, a
connection lost after the request was written) is never retried and raises
:class:`~smswire.link.errors.OutcomeUnknown`; in :meth:`send_many` such a
message is reported as ``Outcome.UNKNOWN``.

The password travels in the query string (# LINK guide: How to send SMS), so
the drivers redact it from everything they raise or log, and filter the
``httpx`` logger, which logs each request's URL at INFO.
"""

from __future__ import annotations

import asyncio
import logging
import math
import ssl
import threading
import time
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Callable, TypeVar

import httpx

from smswire.errors import ConfigurationError, EncodingError, SmswireError
from smswire.link.errors import OutcomeUnknown, RequestNotSent
from smswire.link.protocol import (
    BaseUrl,
    Credentials,
    Message,
    Outcome,
    SendResult,
    build_query,
    parse_send_response,
    prepare,
    redact,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "AsyncLinkMobilityClient",
    "InsecureTransportWarning",
    "LinkMobilityClient",
    "RateLimiter",
    "SendOutcome",
    "tls_context",
]

_log = logging.getLogger("smswire.link")

# A send waits for the platform to hand the message on; connecting is quick or broken.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Keep-alive for every pooled connection, so a batch never re-handshakes TLS.
DEFAULT_LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=64)
DEFAULT_CONNECT_RETRIES = 2
DEFAULT_RETRY_BACKOFF = 0.25
DEFAULT_CONCURRENCY = 16
# LINK guide: Appendix 2, TLS 1.2 is the floor ("legacy"), 1.3 preferred.
TLS_FLOOR = ssl.TLSVersion.TLSv1_2

# Failures before the request left: retrying cannot send a message twice.
_NEVER_REACHED = (httpx.ConnectError, httpx.ConnectTimeout)

_T = TypeVar("_T")
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


def tls_context(ssl_context: ssl.SSLContext | None = None) -> ssl.SSLContext:
    """A verifying context with TLS 1.2 as the floor; 1.3 is negotiated when the
    server offers it. A given context must verify host names; a floor below
    TLS 1.2 is raised to it."""
    context = ssl.create_default_context() if ssl_context is None else ssl_context
    if not context.check_hostname or context.verify_mode != ssl.CERT_REQUIRED:
        raise ConfigurationError("ssl_context must verify the certificate and the host name")
    if context.minimum_version < TLS_FLOOR:
        context.minimum_version = TLS_FLOOR
    return context


@dataclass(frozen=True)
class SendOutcome:
    """What :meth:`send_many` learned about one message.

    ``result`` is the platform's answer when there was one; ``error`` says why
    not (``NOT_SENT``: invalid or never reached, safe to send again; ``UNKNOWN``:
    it may have been sent).
    """

    message: Message
    outcome: Outcome
    result: SendResult | None = None
    error: SmswireError | None = None

    @property
    def message_id(self) -> str | None:
        return None if self.result is None else self.result.message_id


class RateLimiter:
    """Spaces starts ``1/rate`` seconds apart; ``reserve`` says how long to wait."""

    def __init__(self, rate: float) -> None:
        if not (math.isfinite(rate) and rate > 0):
            raise ConfigurationError(
                f"rate must be a positive number of messages per second, got {rate!r}"
            )
        self._interval = 1.0 / rate
        self._next = -math.inf
        self._lock = threading.Lock()

    def reserve(self, now: float) -> float:
        with self._lock:
            slot = max(now, self._next)
            self._next = slot + self._interval
            return slot - now


class _ClientBase:
    """What both drivers share: the checked URL, credentials, TLS, the retry
    policy and the reading of replies. Each driver adds its httpx client."""

    def __init__(
        self,
        base_url: str | BaseUrl,
        *,
        service_id: int,
        username: str,
        password: str,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        limits: httpx.Limits = DEFAULT_LIMITS,
        ssl_context: ssl.SSLContext | None = None,
        allow_insecure_http: bool = False,
        connect_retries: int = DEFAULT_CONNECT_RETRIES,
        retry_backoff: float = DEFAULT_RETRY_BACKOFF,
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
        if connect_retries < 0:
            raise ConfigurationError(f"connect_retries must be 0 or more, got {connect_retries}")
        self._url = url
        self._credentials = Credentials(service_id, username, password)
        self._secrets = (password,)
        self._limits = limits
        self._connect_retries = connect_retries
        self._retry_backoff = retry_backoff
        self._connect(timeout, limits, tls_context(ssl_context))

    def _connect(
        self, timeout: httpx.Timeout, limits: httpx.Limits, verify: ssl.SSLContext
    ) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={str(self._url)!r}, credentials={self._credentials!r})"
        )

    def _query(self, message: Message) -> tuple[int, tuple[tuple[str, str], ...]]:
        """(segments, query) of a message, validated before anything leaves."""
        prepared = prepare(message)
        return prepared.segments, build_query(self._credentials, prepared)

    def _check_concurrency(self, concurrency: int) -> None:
        limit = self._limits.max_connections
        if concurrency < 1 or (limit is not None and concurrency > limit):
            raise ConfigurationError(
                f"concurrency must be from 1 to limits.max_connections ({limit}), got {concurrency}"
            )

    def _failure(self, exc: httpx.HTTPError, attempt: int) -> SmswireError | None:
        """The error a failed attempt raises, or None when it is retried: only
        what provably never reached the server is."""
        reason = f"{type(exc).__name__}: {redact(str(exc), self._secrets)}"
        if isinstance(exc, _NEVER_REACHED) and attempt <= self._connect_retries:
            _log.warning("LINK request not sent (attempt %d), retrying: %s", attempt, reason)
            return None
        if isinstance(exc, (*_NEVER_REACHED, httpx.PoolTimeout)):
            plural = "s" if attempt > 1 else ""
            return RequestNotSent(f"LINK request not sent ({attempt} attempt{plural}): {reason}")
        return OutcomeUnknown(
            f"LINK request may have been sent, outcome unknown, not retried: {reason}"
        )

    def _backoff(self, attempt: int) -> float:
        return self._retry_backoff * (1 << (attempt - 1))

    def _result(self, response: httpx.Response, segments: int) -> SendResult:
        result = parse_send_response(response.status_code, response.content, secrets=self._secrets)
        _log.debug("LINK answered %s for message id %s", result.code, result.message_id)
        return replace(result, segments=segments)


def _failed(message: Message, exc: SmswireError) -> SendOutcome:
    # Invalid input and unreached servers sent nothing; anything else may have.
    if isinstance(exc, (ConfigurationError, EncodingError, RequestNotSent)):
        return SendOutcome(message, Outcome.NOT_SENT, error=exc)
    return SendOutcome(message, Outcome.UNKNOWN, error=exc)


class LinkMobilityClient(_ClientBase):
    """A synchronous LINK SMSC Simple HTTP sender with one pooled connection set.

    ``base_url`` is one of :class:`BaseUrl` or the URL support assigned.
    ``ssl_context`` replaces the default verifying context (its floor is raised
    to TLS 1.2); ``connect_retries`` counts the retries of a request that never
    reached the server, ``retry_backoff`` the first pause between them. Use it
    as a context manager, or call :meth:`close`.
    """

    def _connect(
        self, timeout: httpx.Timeout, limits: httpx.Limits, verify: ssl.SSLContext
    ) -> None:
        self._http = httpx.Client(timeout=timeout, limits=limits, verify=verify, trust_env=False)

    def __enter__(self) -> LinkMobilityClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(
        self,
        source: str,
        destination: str,
        text: str,
        *,
        user_data_header: bytes | None = None,
        reference_id: str | None = None,
        tariff: str | None = None,
        vat: float | None = None,
        charge_only: bool = False,
        asynchronous: bool = False,
    ) -> SendResult:
        """Send one SMS; see :class:`~smswire.link.protocol.Message` for the
        parameters. Returns the platform's answer, refusals included; raises for
        invalid input (nothing sent), :class:`RequestNotSent`,
        :class:`OutcomeUnknown` and :class:`LinkResponseError`."""
        return self.send_message(
            Message(
                source,
                destination,
                text,
                user_data_header=user_data_header,
                reference_id=reference_id,
                tariff=tariff,
                vat=vat,
                charge_only=charge_only,
                asynchronous=asynchronous,
            )
        )

    def send_message(self, message: Message) -> SendResult:
        segments, query = self._query(message)
        attempt = 1
        while True:
            try:
                response = self._http.post(self._url, params=query)
            except httpx.HTTPError as exc:
                error = self._failure(exc, attempt)
            else:
                return self._result(response, segments)
            if error is not None:
                raise error from None
            time.sleep(self._backoff(attempt))
            attempt += 1

    def send_many(
        self,
        messages: Iterable[Message],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[SendOutcome]:
        """Send every message with at most ``concurrency`` in flight (threads) and
        at most ``rate`` starts per second; one :class:`SendOutcome` per message,
        in input order. ``on_progress(done, total)`` runs after each message."""
        items = list(messages)
        self._check_concurrency(concurrency)
        limiter = None if rate is None else RateLimiter(rate)
        results: list[SendOutcome | None] = [None] * len(items)
        indexes = iter(range(len(items)))
        lock = threading.Lock()
        stop = threading.Event()
        done = 0

        def worker() -> None:
            nonlocal done
            while not stop.is_set():
                with lock:
                    index = next(indexes, None)
                if index is None:
                    return
                if limiter is not None:
                    time.sleep(limiter.reserve(time.monotonic()))
                try:
                    result = self.send_message(items[index])
                except SmswireError as exc:
                    results[index] = _failed(items[index], exc)
                else:
                    results[index] = SendOutcome(items[index], result.outcome, result=result)
                with lock:
                    done += 1
                    if on_progress is not None:
                        try:
                            on_progress(done, len(items))
                        except BaseException:
                            stop.set()
                            raise

        with ThreadPoolExecutor(max_workers=min(concurrency, max(len(items), 1))) as pool:
            futures = [pool.submit(worker) for _ in range(min(concurrency, len(items)))]
        for future in futures:
            future.result()
        return _complete(results)


def _complete(results: list[_T | None]) -> list[_T]:
    out = [r for r in results if r is not None]
    if len(out) != len(results):
        raise AssertionError("send_many finished with a message unaccounted for")
    return out


class AsyncLinkMobilityClient(_ClientBase):
    """The asyncio twin of :class:`LinkMobilityClient`: the same arguments, the
    same results, ``await`` on every send; an async context manager."""

    def _connect(
        self, timeout: httpx.Timeout, limits: httpx.Limits, verify: ssl.SSLContext
    ) -> None:
        self._http = httpx.AsyncClient(
            timeout=timeout, limits=limits, verify=verify, trust_env=False
        )

    async def __aenter__(self) -> AsyncLinkMobilityClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(
        self,
        source: str,
        destination: str,
        text: str,
        *,
        user_data_header: bytes | None = None,
        reference_id: str | None = None,
        tariff: str | None = None,
        vat: float | None = None,
        charge_only: bool = False,
        asynchronous: bool = False,
    ) -> SendResult:
        """See :meth:`LinkMobilityClient.send`."""
        return await self.send_message(
            Message(
                source,
                destination,
                text,
                user_data_header=user_data_header,
                reference_id=reference_id,
                tariff=tariff,
                vat=vat,
                charge_only=charge_only,
                asynchronous=asynchronous,
            )
        )

    async def send_message(self, message: Message) -> SendResult:
        segments, query = self._query(message)
        attempt = 1
        while True:
            try:
                response = await self._http.post(self._url, params=query)
            except httpx.HTTPError as exc:
                error = self._failure(exc, attempt)
            else:
                return self._result(response, segments)
            if error is not None:
                raise error from None
            await asyncio.sleep(self._backoff(attempt))
            attempt += 1

    async def send_many(
        self,
        messages: Iterable[Message],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        rate: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[SendOutcome]:
        """See :meth:`LinkMobilityClient.send_many`; here ``concurrency`` counts
        tasks on this event loop."""
        items = list(messages)
        self._check_concurrency(concurrency)
        limiter = None if rate is None else RateLimiter(rate)
        results: list[SendOutcome | None] = [None] * len(items)
        indexes = iter(range(len(items)))
        done = 0

        async def worker() -> None:
            nonlocal done
            for index in indexes:
                if limiter is not None:
                    delay = limiter.reserve(time.monotonic())
                    if delay > 0:
                        await asyncio.sleep(delay)
                try:
                    result = await self.send_message(items[index])
                except SmswireError as exc:
                    results[index] = _failed(items[index], exc)
                else:
                    results[index] = SendOutcome(items[index], result.outcome, result=result)
                done += 1
                if on_progress is not None:
                    on_progress(done, len(items))

        tasks = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, len(items)))]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return _complete(results)
