"""An offline LINK SMSC Simple HTTP endpoint, as an ASGI application.

It behaves as the guide describes the platform: it checks the credentials,
validates every parameter with the rules the client uses and answers their
result codes, assigns message ids, answers 1005 Queued for Async requests, and
posts a delivery report for each part of each message to a callback URL, in
the configured format, after a delay (:mod:`.reports`). Failure modes can be
injected: a share of 1006 Not delivered and of 2104 Unknown subscriber. It
keeps its own record of what it accepted, refused and reported
(:mod:`.journal`: in memory, or in a file another process reads with
:class:`~smswire.link.simulator.record.LinkSimulatorRecord`).
"""

from __future__ import annotations

import hmac
import random
import re
import ssl
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

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
from smswire.link.reports import ReportFormat
from smswire.link.simulator.journal import LinkJournal
from smswire.link.simulator.record import LinkSimulatorRecord
from smswire.link.simulator.reports import (
    DEFAULT_REPORT_ATTEMPTS,
    DEFAULT_REPORT_RETRY_INTERVAL,
    ReportPoster,
    ReportSettings,
)

__all__ = ["LINK_TLS12_CIPHERS", "LINK_TLS13_CIPHERS", "LinkSimulator", "SimulatedMessage"]

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

    ``record``: the file its record goes to (appended to if it exists), for
    a test in another process; without one the record is kept in memory.
    Either way :attr:`record` reads it. :meth:`aclose` (the ASGI lifespan's
    shutdown) stops the pending reports and closes the file.
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
        record: str | Path | None = None,
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
        self._not_delivered = _ratio(not_delivered_share, "not_delivered_share")
        self._unknown_subscriber = _ratio(unknown_subscriber_share, "unknown_subscriber_share")
        self._refused = _ratio(refused_share, "refused_share")
        self._refusal = ResultCode(refusal_code)
        self._lost = _ratio(lost_share, "lost_share")
        self._random = random.Random(seed)
        self._operator = operator
        self._alphanumeric_max = alphanumeric_max
        check_source("LINK", alphanumeric_max=alphanumeric_max)  # refuses a bad limit now
        self.journal = LinkJournal(record)
        self.journal.open()
        self.journal.write(
            LinkJournal.run(
                time.monotonic(),
                {
                    "callback_url": callback_url,
                    "report_format": report_format.value,
                    "report_delay": report_delay,
                    "report_attempts": report_attempts,
                    "refused_share": refused_share,
                    "lost_share": lost_share,
                    "seed": seed,
                },
            )
        )
        self._reader: LinkSimulatorRecord | None = None
        self._reports: ReportPoster | None = None
        if callback_url is not None:
            settings = ReportSettings(
                callback_url,
                report_format,
                report_delay,
                report_ack_body,
                report_attempts,
                report_retry_interval,
                True if callback_ssl_context is None else callback_ssl_context,
                operator,
            )
            self._reports = ReportPoster(settings, self.journal)
        self.accepted: list[SimulatedMessage] = []
        """Every message accepted, in order (for tests and demonstrations)."""
        self.refused: list[Mapping[str, str]] = []
        """The parameters (no credentials) of every send refused by ``refused_share``."""
        self.lost: list[SimulatedMessage] = []
        """Messages accepted whose reply was lost on purpose (``lost_share``)."""

    @property
    def reports_delivered(self) -> int:
        """Reports the callback acknowledged."""
        return 0 if self._reports is None else self._reports.delivered

    @property
    def record(self) -> LinkSimulatorRecord:
        """The simulator's record, read up to now."""
        if self._reader is None:
            self._reader = LinkSimulatorRecord(self.journal.reader())
        return self._reader.refresh()

    @property
    def record_path(self) -> Path | None:
        return self.journal.path

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

    def _refuse(self, code: ResultCode, kept: Mapping[str, str] | None) -> str:
        self.journal.write(LinkJournal.refused(time.monotonic(), int(code), kept))
        return self._reply(code)

    def _answer(self, parameters: dict[str, str]) -> str:
        # Every field compared in constant time, all of them always.
        if not (
            _same(parameters.get("ServiceId", ""), self._service_id)
            & _same(parameters.get("Username", ""), self._username)
            & _same(parameters.get("Password", ""), self._password)
        ):
            return self._refuse(self._auth_failure, None)
        # The record keeps the message, never the credentials.
        kept = {k: v for k, v in parameters.items() if k not in _CREDENTIALS}
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
            return self._refuse(_REFUSAL.get(exc.parameter, ResultCode.UNKNOWN_ERROR), kept)
        except MessageTooLong:
            return self._refuse(ResultCode.INVALID_USER_DATA, kept)
        fault = self._random.random() if self._refused or self._lost else 1.0
        if fault < self._refused:
            self.refused.append(kept)
            return self._refuse(self._refusal, kept)
        message_id = uuid.uuid4().hex
        if flags["ChargeOnly"]:
            segments = 1  # no SMS goes out; the one report confirms the charge
        simulated = SimulatedMessage(message_id, segments, kept)
        self.accepted.append(simulated)
        lost = fault < self._refused + self._lost
        # LINK guide: Async, "initial status will be Queued (1005) for a successful call".
        code = ResultCode.QUEUED if flags["Async"] else ResultCode.SENT
        reply = "lost" if lost else "queued" if flags["Async"] else "sent"
        fate = None if self._reports is None else self._fate()
        # The record first: it must never hold less than the sender was told.
        self.journal.write(
            LinkJournal.accepted(
                time.monotonic(),
                message_id,
                segments,
                reply,
                kept,
                None if fate is None else int(fate),
            )
        )
        if self._reports is not None and fate is not None:
            self._reports.owe(message_id, segments, fate, kept)
        if lost:
            self.lost.append(simulated)
            return _LOSE
        return self._reply(code, message_id)

    def _fate(self) -> ResultCode:
        draw = self._random.random()
        if draw < self._unknown_subscriber:
            return ResultCode.UNKNOWN_SUBSCRIBER
        if draw < self._unknown_subscriber + self._not_delivered:
            return ResultCode.NOT_DELIVERED
        return ResultCode.BILLED_AND_DELIVERED

    async def aclose(self) -> None:
        """Stop pending reports, close the callback connections and the record."""
        try:
            if self._reports is not None:
                await self._reports.aclose()
        finally:
            self.journal.close()


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
