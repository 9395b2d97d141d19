"""An ASGI application that takes LINK delivery reports and hands them on.

# LINK guide: Delivery Reports, "Your receiver must respond with an HTTP 200 OK
# status to confirm successful receipt". The receiver answers 200 only after
# the user's handler returned; a handler that raises gets a 500, so the
# platform sends the report again and none is lost. Malformed input gets a 400
# that says why, and its raw body goes to the ``on_invalid`` hook (the log by
# default), since the platform may not send it again; bodies over the size
# limit get a 413; a body cut short is never handed over; XML goes through
# defusedxml.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar, Union
from urllib.parse import parse_qsl

from smswire.errors import ConfigurationError
from smswire.link._asgi import (
    BodyIncomplete,
    BodyTooLarge,
    Receive,
    Scope,
    Send,
    header,
    lifespan,
    read_body,
    respond_octets,
)
from smswire.link._asgi import respond as _respond
from smswire.link.errors import MalformedReport
from smswire.link.reports import DeliveryReport, parse_report, parse_report_fields

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "LINK_REPORT_SOURCES",
    "DeliveryReportReceiver",
    "InvalidReport",
    "InvalidReportHandler",
    "ReportHandler",
    "client_address",
]

_log = logging.getLogger("smswire.link.receiver")

# A report is a few hundred octets (# LINK guide: Delivery Report Example);
# 64 KiB leaves room for many custom parameters and refuses anything abusive.
DEFAULT_MAX_BODY_SIZE = 64 * 1024

# LINK guide: Appendix 1, the hosts that send delivery reports.
LINK_REPORT_SOURCES: tuple[str, ...] = (
    *(f"193.142.108.{n}" for n in range(11, 17)),  # sp1-6.n-eu.linkmobility.io
    *(f"37.202.24.{n}" for n in range(11, 17)),  # sp1-6.c-eu.linkmobility.io
    *(f"185.73.14.{n}" for n in range(11, 17)),  # sp1-6.s-eu.linkmobility.io
    "195.84.162.34",  # socks1.sp247.net
    "194.71.165.71",  # socks2.sp247.net
    "195.84.162.16",  # socks3.sp247.net
    "194.71.165.98",  # socks4.sp247.net
    "195.84.162.3",  # socks5.sp247.net
    "194.71.165.122",  # socks6.sp247.net
    *(f"213.242.87.{n}" for n in range(36, 42)),  # s1-6.n-eu.linkmobility.io
    *(f"62.67.62.{n}" for n in range(101, 107)),  # s1-6.c-eu.linkmobility.io
    *(f"217.163.95.{n}" for n in range(196, 202)),  # s1-6.s-eu.linkmobility.io
)


@dataclass(frozen=True)
class InvalidReport:
    """A request the receiver answered 400: why, and everything it carried.

    ``reason`` is the 400's text and ``field`` the report field at fault,
    where there is one; ``body`` and ``query_string`` are the raw octets as
    they arrived, ``client`` the address the request came from.
    """

    reason: str
    field: str | None
    method: str
    content_type: str | None
    query_string: bytes
    body: bytes
    client: str | None


ReportHandler = Callable[[DeliveryReport], object]
InvalidReportHandler = Callable[[InvalidReport], object]
_Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
_T = TypeVar("_T")


async def _log_invalid(invalid: InvalidReport) -> None:
    # The default on_invalid: the raw request, whole, where an operator finds it.
    _log.warning(
        "malformed delivery report from %s refused (400): %s; query %s, body %s",
        invalid.client,
        invalid.reason,
        invalid.query_string.decode("latin-1"),
        invalid.body.decode("utf-8", errors="backslashreplace"),
    )


class _Hook(Generic[_T]):
    """A user's function: a coroutine function runs on the loop, a plain one in
    a worker thread (so it may block); whatever it returns is awaited."""

    __slots__ = ("_describe", "_function", "_on_the_loop")

    def __init__(self, function: Callable[[_T], object], describe: Callable[[_T], str]) -> None:
        self._function = function
        self._on_the_loop = inspect.iscoroutinefunction(function)  # asked once, not per report
        self._describe = describe  # for the log, only when the function failed

    async def took(self, argument: _T) -> bool:
        """Whether the function took ``argument``; a failure is logged with its traceback."""
        try:
            if self._on_the_loop:
                outcome = self._function(argument)
            else:
                outcome = await asyncio.to_thread(self._function, argument)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            _log.exception("delivery report %s failed", self._describe(argument))
            return False
        return True

    def __repr__(self) -> str:
        return repr(self._function)


def _route_path(scope: Scope) -> str:
    """The request path below the application's mount point, without a final
    slash. ASGI HTTP scope: ``path`` includes ``root_path``, the prefix a
    framework (a Starlette or FastAPI mount) or the server put before it."""
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        path = path[len(root) :]
    return path.rstrip("/") or "/"


def _networks(addresses: Iterable[str], what: str) -> tuple[_Network, ...]:
    try:
        return tuple(ipaddress.ip_network(a, strict=False) for a in addresses)
    except ValueError as exc:
        raise ConfigurationError(f"{what}: {exc}") from None


def _within(address: str, networks: tuple[_Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(
    peer: str | None, forwarded_for: Iterable[str], trusted_proxies: tuple[_Network, ...]
) -> str | None:
    """The address a request came from: the peer, unless the peer is a trusted
    proxy; then the nearest X-Forwarded-For hop that is not one. An untrusted
    peer's X-Forwarded-For is ignored: anyone can write one."""
    if peer is None or not trusted_proxies or not _within(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted_proxies):
            return hop
    return hops[0] if hops else peer


class DeliveryReportReceiver:
    """ASGI application receiving LINK delivery reports in JSON, XML, form
    fields (POST) or query parameters (GET).

    ``handler`` takes each :class:`DeliveryReport`; it may be a plain function
    (run in a worker thread, so it may block) or a coroutine function. The
    answer is 200 with ``response_body`` (the string a gateway may be configured
    to expect, # LINK guide: Delivery Reports) only once it has returned.
    ``allowed_sources`` (addresses or networks; :data:`LINK_REPORT_SOURCES` is
    the guide's list) restricts who may post; ``trusted_proxies`` are the only
    peers whose X-Forwarded-For is believed (serve it with uvicorn's
    ``proxy_headers=False``, or uvicorn rewrites the client address from that
    header itself).

    ``path``, when given, is the only path served, counted from where the
    receiver is mounted (the ASGI ``root_path``), with or without a final
    slash: no redirect, which the platform's POST may not follow.

    ``on_invalid`` takes each request answered 400 as an :class:`InvalidReport`
    holding its raw body, called like ``handler``; by default the request is
    logged whole at WARNING on ``smswire.link.receiver``. If it raises, the
    answer is a 500, so the platform sends the report again.
    """

    def __init__(
        self,
        handler: ReportHandler,
        *,
        response_body: str = "",
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        allowed_sources: Iterable[str] | None = None,
        trusted_proxies: Iterable[str] = (),
        path: str | None = None,
        on_invalid: InvalidReportHandler | None = None,
    ) -> None:
        if max_body_size < 1:
            raise ConfigurationError(f"max_body_size must be positive, got {max_body_size}")
        if path is not None and not path.startswith("/"):
            raise ConfigurationError(f"path must start with '/', got {path!r}")
        self._handler = _Hook(handler, lambda report: f"handler for report {report.id}")
        self._on_invalid = _Hook(
            _log_invalid if on_invalid is None else on_invalid,
            lambda invalid: f"on_invalid hook for a request from {invalid.client}",
        )
        self._response_body = response_body.encode("utf-8")
        self._max_body_size = max_body_size
        self._allowed = (
            None if allowed_sources is None else _networks(allowed_sources, "allowed_sources")
        )
        self._trusted = _networks(trusted_proxies, "trusted_proxies")
        self._path = None if path is None else path.rstrip("/") or "/"

    def __repr__(self) -> str:
        return (
            f"DeliveryReportReceiver(handler={self._handler!r}, path={self._path!r}, "
            f"allowed_sources={'any' if self._allowed is None else len(self._allowed)})"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"DeliveryReportReceiver serves HTTP only, not {scope['type']}")
        await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._path is not None and _route_path(scope) != self._path:
            await _respond(send, 404, "not found\n")
            return
        if self._allowed is not None:
            address = self._source(scope)
            if address is None or not _within(address, self._allowed):
                _log.warning("delivery report refused from %s: not an allowed source", address)
                await _respond(send, 403, "source address not allowed\n")
                return
        method = scope.get("method", "")
        if method not in ("GET", "POST"):
            await _respond(send, 405, "use GET or POST\n", headers=[("allow", "GET, POST")])
            return
        try:
            body = await read_body(scope, receive, self._max_body_size)
        except BodyTooLarge:
            _log.warning(
                "delivery report from %s refused (413): over %d octets",
                self._source(scope),
                self._max_body_size,
            )
            await _respond(send, 413, f"report over {self._max_body_size} octets\n")
            return
        except BodyIncomplete as exc:
            # No report at all: without a 200 the platform sends it again.
            _log.warning("delivery report from %s not read: %s", self._source(scope), exc)
            await _respond(send, 400, f"incomplete delivery report: {exc}\n")
            return
        try:
            report = self._parse(scope, method, body)
        except MalformedReport as exc:
            reason = f"malformed delivery report: {exc}"
            invalid = InvalidReport(
                reason=reason,
                field=exc.field,
                method=method,
                content_type=next(iter(header(scope, "content-type")), None),
                query_string=bytes(scope.get("query_string", b"")),
                body=body,
                client=self._source(scope),
            )
            if await self._on_invalid.took(invalid):
                await _respond(send, 400, reason + "\n")
            else:
                await _respond(send, 500, "invalid report not recorded; send again\n")
            return
        if await self._handler.took(report):
            await respond_octets(send, 200, self._response_body)
        else:
            # 5xx: the platform keeps the report and sends it again.
            await _respond(send, 500, "report handler failed; send again\n")

    def _source(self, scope: Scope) -> str | None:
        # Worked out only when it is needed: parsing addresses costs on every report.
        peer = scope.get("client")
        return client_address(
            None if peer is None else str(peer[0]), header(scope, "x-forwarded-for"), self._trusted
        )

    def _parse(self, scope: Scope, method: str, body: bytes) -> DeliveryReport:
        query = bytes(scope.get("query_string", b""))
        if method == "GET" or (not body.strip() and query):
            try:
                pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True)
            except (UnicodeDecodeError, ValueError) as exc:
                raise MalformedReport(f"the query is not key-value pairs: {exc}") from None
            return parse_report_fields(pairs)
        content_type = next(iter(header(scope, "content-type")), None)
        return parse_report(body, content_type)
