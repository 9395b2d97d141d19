"""What one LINK attempt's end says of its message: sent again, NOT_SENT,
UNKNOWN, or the reply's result.

An SMS is not idempotent: an attempt is retried only when it provably never
reached the server (the wire's :class:`~smswire.link.exchange.ExchangeTrace`
says so); anything later is UNKNOWN, never retried. Every text here is redacted
of the password before it is cut.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import httpx

from smswire.errors import OutcomeUnknown, RequestNotSent, SmswireError
from smswire.link.errors import LinkResponseError
from smswire.link.exchange import ExchangeTrace
from smswire.link.protocol import PreparedMessage
from smswire.link.replies import parse_send_response, redact
from smswire.message import Outcome, SendResult

__all__ = ["error_reason", "failed_attempt", "outcome_of", "reply_result", "unknown_result"]

_log = logging.getLogger("smswire.link")

# Failures before the request left: retrying cannot send a message twice.
# Over a caller's transport a connect error counts only with the trace to
# prove it (ExchangeTrace): a transport that does not trace may name a
# connection lost after the request a "connect" error (httpx-aiohttp maps
# aiohttp's ClientConnectionError, the base of ServerDisconnectedError, to
# ConnectTimeout).
_CONNECT_FAILED = (httpx.ConnectError, httpx.ConnectTimeout)
# How much of an error the client did not foresee a result quotes.
_ERROR_MAX = 300


def failed_attempt(
    exc: httpx.HTTPError | aiohttp.ClientError | asyncio.TimeoutError,
    exchange: ExchangeTrace,
    prepared: PreparedMessage,
    *,
    attempt: int,
    retries: int,
    total: float | None,
    secrets: tuple[str, ...],
) -> SmswireError | None:
    """The error attempt number ``attempt`` raises, or None when it is retried
    (``retries`` allows another): only what provably never reached the server is."""
    if isinstance(exc, aiohttp.ClientError):
        # aiohttp's timeouts are asyncio.TimeoutErrors too: first.
        reason = error_reason(exc, secrets)
        never_reached = exchange.never_left
    elif isinstance(exc, asyncio.TimeoutError):
        reason = f"no whole answer within the total timeout of {total} s"
        never_reached = exchange.never_left
    else:
        reason = error_reason(exc, secrets)
        never_reached = isinstance(exc, httpx.PoolTimeout) or (
            isinstance(exc, _CONNECT_FAILED) and exchange.never_left
        )
    message = prepared.message
    if never_reached:
        if attempt <= retries:
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


def unknown_result(prepared: PreparedMessage, error: str) -> SendResult:
    """The message may have gone: its outcome is unknown, its parts counted."""
    return SendResult(prepared.message, Outcome.UNKNOWN, error=error, parts=prepared.segments)


def reply_result(
    status: int, body: bytes, prepared: PreparedMessage, secrets: tuple[str, ...]
) -> SendResult:
    """The message's result from the reply; raises :class:`LinkResponseError`
    (carrying the UNKNOWN result) for a reply that is not one."""
    message = prepared.message
    try:
        reply = parse_send_response(status, body, secrets=secrets)
    except LinkResponseError as exc:
        exc.result = unknown_result(prepared, str(exc))
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


def error_reason(exc: BaseException, secrets: tuple[str, ...]) -> str:
    """An exception in a line of its own for an error text: redacted, then
    cut (aiohttp quotes a whole malformed header, and the URL)."""
    return redact(f"{type(exc).__name__}: {exc}", secrets)[:_ERROR_MAX]


def outcome_of(exc: SmswireError) -> Outcome:
    return Outcome.NOT_SENT if isinstance(exc, RequestNotSent) else Outcome.UNKNOWN
