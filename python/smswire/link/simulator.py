"""An offline LINK SMSC Simple HTTP endpoint, as an ASGI application.

It behaves as the guide describes the platform: it checks the credentials,
validates every parameter with the rules the client uses and answers their
result codes, assigns message ids, answers 1005 Queued for Async requests, and
posts a delivery report for each part of each message to a callback URL, in
the configured format, after a delay. Failure modes can be injected: a share
of 1006 Not delivered and of 2104 Unknown subscriber.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import random
import re
import ssl
import uuid
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx

from smswire.alphanumeric import ALPHANUMERIC_SOURCE_MAX
from smswire.errors import ConfigurationError, MessageTooLong
from smswire.link._asgi import Receive, Scope, Send, lifespan, respond
from smswire.link.codes import ResultCode
from smswire.link.errors import InvalidParameter
from smswire.link.protocol import (
    check_destination,
    check_source,
    check_tariff,
    check_user_data,
    check_vat,
    parse_user_data_header,
)
from smswire.link.reports import DeliveryReport, ReportFormat, render_report, report_fields

__all__ = ["LINK_TLS12_CIPHERS", "LINK_TLS13_CIPHERS", "LinkSimulator", "SimulatedMessage"]

_log = logging.getLogger("smswire.link.simulator")

# LINK guide: Appendix 2, Supported Ciphers: what the platform offers, so a
# client's TLS settings are tested against it. Serve the simulator with an RSA
# certificate and these (uvicorn's ssl_ciphers); the DHE and CBC suites the
# guide removed on 2025-10-15 are not among them, and TLS 1.0/1.1 have no
# suite here at all.
LINK_TLS12_CIPHERS = (
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305"
)
# TLS 1.3: 0x1301, 0x1302, 0x1303, which are OpenSSL's default TLS 1.3 suites
# (Python's ssl cannot narrow them, and need not).
LINK_TLS13_CIPHERS = frozenset(
    ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
)

DEFAULT_REPORT_ATTEMPTS = 5
DEFAULT_REPORT_RETRY_INTERVAL = 0.5
_REPORT_TIMEOUT = httpx.Timeout(10.0)
_CREDENTIALS = frozenset({"ServiceId", "Username", "Password"})
# The result code the platform answers for a parameter that fails its check
# (# LINK guide: Result Codes); a flag that is neither true nor false has no
# code of its own, so it gets 0 Unknown error.
_REFUSAL = {
    "Source": ResultCode.INVALID_SOURCE,
    "Destination": ResultCode.INVALID_DESTINATION,
    "Userdata": ResultCode.INVALID_USER_DATA,
    "UserdataHeader": ResultCode.INVALID_USER_DATA_HEADER,
    "Tariff": ResultCode.INVALID_TARIFF,
    "Vat": ResultCode.INVALID_VAT,
}
# LINK guide: Vat is a "Double": decimal digits, a fraction and an exponent
# (as a client's repr of a float writes 1e-05), ASCII only.
_DOUBLE = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]{1,3})?")


@dataclass(frozen=True)
class SimulatedMessage:
    """A message the simulator accepted, with the parameters it was sent with."""

    message_id: str
    segments: int
    parameters: Mapping[str, str]


# The answer of a send whose reply is lost on purpose.
_LOSE = "\x00lose"


async def _cut_off(send: Send, reply: str) -> None:
    """Start the reply, send half of it, and stop: the server then closes the
    connection with the reply short of its Content-Length."""
    body = reply.encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})


def _ratio(value: float, name: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise ConfigurationError(f"{name} must be a share from 0 to 1, got {value!r}")
    return value


class LinkSimulator:
    """ASGI application answering like LINK's SMSC Simple HTTP endpoint.

    Requests with other credentials get ``auth_failure_code``; a Source of
    text may be up to ``alphanumeric_max`` characters. With a
    ``callback_url`` each accepted message gets one delivery report per part
    after ``report_delay`` seconds, retried up to ``report_attempts`` times
    until the receiver answers 200 (and ``report_ack_body``, when set).

    Injected faults, for testing senders: ``refused_share`` of valid sends
    are answered ``refusal_code`` (not accepted); ``lost_share`` are accepted
    (recorded, reported) but their reply is cut off mid-body and the
    connection closed, as a crash mid-write would: the sender cannot know.
    """

    def __init__(
        self,
        *,
        service_id: int = 1,
        username: str = "user",
        password: str = "secret",
        auth_failure_code: int = ResultCode.CONFIGURATION_ERROR,
        callback_url: str | None = None,
        report_format: ReportFormat = ReportFormat.JSON,
        report_delay: float = 0.0,
        report_ack_body: str | None = None,
        report_attempts: int = DEFAULT_REPORT_ATTEMPTS,
        report_retry_interval: float = DEFAULT_REPORT_RETRY_INTERVAL,
        callback_ssl_context: ssl.SSLContext | None = None,
        not_delivered_share: float = 0.0,
        unknown_subscriber_share: float = 0.0,
        refused_share: float = 0.0,
        refusal_code: ResultCode = ResultCode.QUOTA_EXCEEDED,
        lost_share: float = 0.0,
        seed: int | None = None,
        operator: str = "sim.operator",
        alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX,
    ) -> None:
        if not_delivered_share + unknown_subscriber_share > 1.0:
            raise ConfigurationError("the failure shares must add up to at most 1")
        if refused_share + lost_share > 1.0:
            raise ConfigurationError("refused_share and lost_share must add up to at most 1")
        if report_attempts < 1:
            raise ConfigurationError(f"report_attempts must be 1 or more, got {report_attempts}")
        self._service_id = str(service_id)
        self._username = username
        self._password = password
        self._auth_failure = ResultCode(auth_failure_code)
        self._callback_url = callback_url
        self._format = report_format
        self._delay = report_delay
        self._ack_body = report_ack_body
        self._attempts = report_attempts
        self._retry_interval = report_retry_interval
        self._callback_verify: ssl.SSLContext | bool = (
            True if callback_ssl_context is None else callback_ssl_context
        )
        self._not_delivered = _ratio(not_delivered_share, "not_delivered_share")
        self._unknown_subscriber = _ratio(unknown_subscriber_share, "unknown_subscriber_share")
        self._refused = _ratio(refused_share, "refused_share")
        self._refusal = ResultCode(refusal_code)
        self._lost = _ratio(lost_share, "lost_share")
        self._random = random.Random(seed)
        self._operator = operator
        self._alphanumeric_max = alphanumeric_max
        check_source("LINK", alphanumeric_max=alphanumeric_max)  # refuses a bad limit now
        self._http: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepted: list[SimulatedMessage] = []
        """Every message accepted, in order (for tests and demonstrations)."""
        self.reports_delivered = 0
        """Reports the callback acknowledged."""
        self.refused: list[Mapping[str, str]] = []
        """The parameters (no credentials) of every send refused by ``refused_share``."""
        self.lost: list[SimulatedMessage] = []
        """Messages accepted whose reply was lost on purpose (``lost_share``)."""

    def __repr__(self) -> str:
        return (
            f"LinkSimulator(service_id={self._service_id}, username={self._username!r}, "
            f"callback_url={self._callback_url!r}, report_format={self._format.value!r})"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send, self.aclose)
            return
        if scope["type"] != "http":
            raise ValueError(f"LinkSimulator serves HTTP only, not {scope['type']}")
        # LINK guide: How to send SMS, "Perform a POST ... with the following query parameters".
        if scope.get("method") != "POST":
            await respond(send, 405, "use POST\n", headers=[("allow", "POST")])
            return
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        parameters: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            parameters.setdefault(key, value)
        answer = self._answer(parameters)
        if answer is _LOSE:
            await _cut_off(send, self._reply(ResultCode.SENT, self.lost[-1].message_id))
            return
        await respond(send, 200, answer)

    def _reply(self, code: ResultCode, message_id: str | None = None) -> str:
        # LINK guide: Returns, "resultCode;resultDescription;messageId".
        fields = [str(int(code)), code.description]
        if message_id is not None:
            fields.append(message_id)
        return ";".join(fields)

    def _answer(self, parameters: dict[str, str]) -> str:
        # Every field compared in constant time, all of them always.
        if not (
            _same(parameters.get("ServiceId", ""), self._service_id)
            & _same(parameters.get("Username", ""), self._username)
            & _same(parameters.get("Password", ""), self._password)
        ):
            return self._reply(self._auth_failure)
        try:
            flags = {
                name: _flag(parameters.get(name, "false"), name) for name in ("ChargeOnly", "Async")
            }
            check_source(parameters.get("Source", ""), alphanumeric_max=self._alphanumeric_max)
            check_destination(parameters.get("Destination", ""))
            header = None
            if "UserdataHeader" in parameters:
                header = parse_user_data_header(parameters["UserdataHeader"])
            _, _, segments = check_user_data(
                parameters.get("Userdata", ""),
                charge_only=flags["ChargeOnly"],
                user_data_header=header,
            )
            if "Tariff" in parameters:
                check_tariff(parameters["Tariff"])
            if "Vat" in parameters:
                check_vat(_number(parameters["Vat"]))
        except InvalidParameter as exc:
            return self._reply(_REFUSAL.get(exc.parameter, ResultCode.UNKNOWN_ERROR))
        except MessageTooLong:
            return self._reply(ResultCode.INVALID_USER_DATA)
        # The record keeps the message, never the credentials.
        kept = {k: v for k, v in parameters.items() if k not in _CREDENTIALS}
        fault = self._random.random() if self._refused or self._lost else 1.0
        if fault < self._refused:
            self.refused.append(kept)
            return self._reply(self._refusal)
        message_id = uuid.uuid4().hex
        if flags["ChargeOnly"]:
            segments = 1  # no SMS goes out; the one report confirms the charge
        simulated = SimulatedMessage(message_id, segments, kept)
        self.accepted.append(simulated)
        if self._callback_url is not None:
            self._spawn(self._report(message_id, segments, parameters))
        if fault < self._refused + self._lost:
            self.lost.append(simulated)
            return _LOSE
        # LINK guide: Async, "initial status will be Queued (1005) for a successful call".
        return self._reply(ResultCode.QUEUED if flags["Async"] else ResultCode.SENT, message_id)

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _fate(self) -> ResultCode:
        draw = self._random.random()
        if draw < self._unknown_subscriber:
            return ResultCode.UNKNOWN_SUBSCRIBER
        if draw < self._unknown_subscriber + self._not_delivered:
            return ResultCode.NOT_DELIVERED
        return ResultCode.BILLED_AND_DELIVERED

    async def _report(self, message_id: str, segments: int, parameters: Mapping[str, str]) -> None:
        sent_at = datetime.now(timezone.utc)
        code = self._fate()
        await asyncio.sleep(self._delay)
        for part in range(segments):
            report = DeliveryReport(
                message_id=message_id,
                # LINK guide: id, "{id}${n}" only for a multipart message.
                part=part if segments > 1 else None,
                result_code=code,
                ref_id=parameters.get("ReferenceId"),
                operator=None if code is ResultCode.UNKNOWN_SUBSCRIBER else self._operator,
                sent_at=sent_at,
                timestamp=datetime.now(timezone.utc),
                operator_result_code=str(int(code)),
                segments=segments,
                # LINK guide: customParameters, source and destination added by default.
                custom_parameters={
                    "received": sent_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "source": parameters.get("Source", ""),
                    "destination": parameters.get("Destination", ""),
                },
            )
            await self._deliver(report)

    async def _deliver(self, report: DeliveryReport) -> None:
        assert self._callback_url is not None
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=_REPORT_TIMEOUT, verify=self._callback_verify, trust_env=False
            )
        for attempt in range(1, self._attempts + 1):
            try:
                if self._format is ReportFormat.GET:
                    response = await self._http.get(
                        self._callback_url, params=tuple(report_fields(report))
                    )
                else:
                    content_type, body = render_report(report, self._format)
                    response = await self._http.post(
                        self._callback_url, content=body, headers={"content-type": content_type}
                    )
            except httpx.HTTPError as exc:
                _log.info("report %s, attempt %d: %s", report.id, attempt, type(exc).__name__)
            else:
                # LINK guide: Delivery Reports, 200 OK (and the configured string) confirms receipt.
                if response.status_code == 200 and (
                    self._ack_body is None or response.text == self._ack_body
                ):
                    self.reports_delivered += 1
                    return
                _log.info(
                    "report %s, attempt %d: HTTP %d", report.id, attempt, response.status_code
                )
            if attempt < self._attempts:
                await asyncio.sleep(self._retry_interval)
        _log.warning("report %s given up after %d attempts", report.id, self._attempts)

    async def aclose(self) -> None:
        """Stop pending reports and close the callback connections."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise InvalidParameter(f"{name} {value!r} is neither true nor false", parameter=name)


def _number(value: str) -> float:
    if not _DOUBLE.fullmatch(value):
        raise InvalidParameter(f"Vat {value!r} is not a number", parameter="Vat")
    return float(value)
