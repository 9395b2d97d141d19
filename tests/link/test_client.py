"""The sender against real servers on 127.0.0.1: the simulator over TLS, and
servers that refuse, hang or answer nonsense. The password must never show."""

from __future__ import annotations

import asyncio
import logging
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
import trustme

from smswire.errors import ConfigurationError, TransportError
from smswire.link import (
    AsyncLinkMobilityClient,
    BaseUrl,
    InsecureTransportWarning,
    InvalidParameter,
    LinkMobilityClient,
    LinkResponseError,
    LinkSimulator,
    Message,
    Outcome,
    OutcomeUnknown,
    RequestNotSent,
    ResultCode,
)
from smswire.link.client import RateLimiter, tls_context

from .conftest import PASSWORD, SERVICE_ID, USERNAME, Server

_SECRET_FORMS = (PASSWORD, quote_plus(PASSWORD), quote(PASSWORD, safe=""))


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for form in _SECRET_FORMS:
            assert form not in str(text), f"password leaked into {str(text)[:80]!r}"


@pytest.fixture(autouse=True)
def _all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    # Every test: nothing logged (httpx's request lines included) shows the password.
    records = caplog.get_records("setup") + caplog.get_records("call")
    assert_no_secret(*(r.getMessage() for r in records))


@pytest.fixture
def simulator() -> LinkSimulator:
    return LinkSimulator(service_id=SERVICE_ID, username=USERNAME, password=PASSWORD)


@pytest.fixture
def tls_simulator(
    simulator: LinkSimulator, server_tls: tuple[Path, Path]
) -> Iterator[tuple[LinkSimulator, str]]:
    with Server(simulator, tls=server_tls) as server:
        yield simulator, server.url


def _client(url: str, context: ssl.SSLContext | None, **kw: Any) -> LinkMobilityClient:
    return LinkMobilityClient(
        url, service_id=SERVICE_ID, username=USERNAME, password=PASSWORD, ssl_context=context, **kw
    )


def _async_client(url: str, context: ssl.SSLContext | None, **kw: Any) -> AsyncLinkMobilityClient:
    return AsyncLinkMobilityClient(
        url, service_id=SERVICE_ID, username=USERNAME, password=PASSWORD, ssl_context=context, **kw
    )


def test_send_over_tls_returns_the_code_the_id_and_the_segments(
    tls_simulator: tuple[LinkSimulator, str],
    client_tls: ssl.SSLContext,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls) as client:
        result = client.send("LINK", "+4746910822", "x" * 200, reference_id="in-9")
    assert result.code is ResultCode.SENT and result.outcome is Outcome.ACCEPTED
    assert result.segments == 2
    [record] = simulator.accepted
    assert (record.message_id, record.segments) == (result.message_id, 2)
    assert record.parameters["ReferenceId"] == "in-9"
    assert record.parameters["Userdata"] == "x" * 200
    # httpx logs the request URL; the password in it is redacted (checked for every test).
    assert any("Password=***" in r.getMessage() for r in caplog.records if r.name == "httpx")


async def test_async_send_with_async_true_is_queued(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    async with _async_client(url, client_tls) as client:
        result = await client.send(
            "+46732594084", "4746910822", "Hej \u00e5\u00e4\u00f6 \u4e2d", asynchronous=True
        )
    assert result.code is ResultCode.QUEUED and result.message_id
    assert simulator.accepted[0].parameters["Userdata"] == "Hej \u00e5\u00e4\u00f6 \u4e2d"


def test_a_refusal_is_a_result_not_an_exception(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    _, url = tls_simulator
    with LinkMobilityClient(
        url, service_id=SERVICE_ID, username=USERNAME, password="wrong", ssl_context=client_tls
    ) as client:
        result = client.send("LINK", "+4746910822", "Hello")
    assert result.code is ResultCode.CONFIGURATION_ERROR
    assert result.outcome is Outcome.REJECTED and result.message_id is None


def test_invalid_input_raises_before_any_request(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls) as client:
        with pytest.raises(InvalidParameter) as info:
            client.send("LINK", "not a number", "Hello")
        assert_no_secret(info.value, repr(info.value))
    assert simulator.accepted == []


def _batch() -> list[Message]:
    messages = [Message("LINK", f"+4670000{n:04d}", f"message {n}") for n in range(40)]
    messages[7] = Message("LINK", "nobody", "invalid destination")
    return messages


def _check_batch(simulator: LinkSimulator, messages: list[Message], outcomes: list[Any]) -> None:
    assert [o.message for o in outcomes] == messages
    assert outcomes[7].outcome is Outcome.NOT_SENT
    assert isinstance(outcomes[7].error, InvalidParameter)
    by_id = {m.message_id: m.parameters["Destination"] for m in simulator.accepted}
    for index, outcome in enumerate(outcomes):
        if index != 7:
            assert outcome.outcome is Outcome.ACCEPTED
            assert by_id[outcome.message_id] == messages[index].destination
    assert len(by_id) == len(messages) - 1


def test_send_many_keeps_input_order_and_reports_each_message(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    progress: list[tuple[int, int]] = []
    messages = _batch()
    with _client(url, client_tls) as client:
        outcomes = client.send_many(
            messages, concurrency=8, rate=10_000, on_progress=lambda d, t: progress.append((d, t))
        )
    _check_batch(simulator, messages, outcomes)
    assert sorted(progress) == [(n, 40) for n in range(1, 41)]


async def test_async_send_many_keeps_input_order_and_reports_each_message(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    progress: list[tuple[int, int]] = []
    messages = _batch()
    async with _async_client(url, client_tls) as client:
        outcomes = await client.send_many(
            messages, concurrency=8, rate=10_000, on_progress=lambda d, t: progress.append((d, t))
        )
    _check_batch(simulator, messages, outcomes)
    assert progress == [(n, 40) for n in range(1, 41)]


class _Stop(Exception):
    pass


def _stop_at_5(done: int, total: int) -> None:
    if done == 5:
        raise _Stop


def test_a_failing_progress_callback_stops_send_many_and_propagates(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls) as client, pytest.raises(_Stop):
        client.send_many(_batch(), concurrency=2, on_progress=_stop_at_5)
    assert len(simulator.accepted) < 39


async def test_a_failing_progress_callback_stops_async_send_many_and_propagates(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    async with _async_client(url, client_tls) as client:
        with pytest.raises(_Stop):
            await client.send_many(_batch(), concurrency=2, on_progress=_stop_at_5)
    assert len(simulator.accepted) < 39


def test_send_many_of_nothing_is_nothing(client_tls: ssl.SSLContext) -> None:
    with _client(BaseUrl.N_EU, client_tls) as client:
        assert client.send_many([]) == []


def test_concurrency_beyond_the_pool_is_refused(client_tls: ssl.SSLContext) -> None:
    limits = httpx.Limits(max_connections=4)
    with (
        _client(BaseUrl.N_EU, client_tls, limits=limits) as client,
        pytest.raises(ConfigurationError, match="concurrency"),
    ):
        client.send_many([Message("LINK", "+4670000000", "x")], concurrency=5)


def test_the_rate_limiter_spaces_starts() -> None:
    limiter = RateLimiter(4.0)
    assert [limiter.reserve(10.0) for _ in range(3)] == [0.0, 0.25, 0.5]
    assert limiter.reserve(11.0) == 0.0
    with pytest.raises(ConfigurationError):
        RateLimiter(0)


# --- the retry policy: only what provably never reached the server ---


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused_is_retried_then_not_sent(
    client_tls: ssl.SSLContext, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"https://127.0.0.1:{_closed_port()}/smscsimplehttp"
    with _client(url, client_tls, connect_retries=2, retry_backoff=0.0) as client:
        with pytest.raises(RequestNotSent) as info:
            client.send("LINK", "+4746910822", "Hello")
        outcomes = client.send_many([Message("LINK", "+4746910822", "Hello")])
    assert "3 attempts" in str(info.value)
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == 4
    assert outcomes[0].outcome is Outcome.NOT_SENT
    assert_no_secret(info.value, repr(info.value), outcomes, info.value.__cause__)


def test_a_failed_tls_handshake_is_not_sent(
    simulator: LinkSimulator, tmp_path: Path, client_tls: ssl.SSLContext
) -> None:
    stranger = trustme.CA().issue_cert("127.0.0.1")
    chain, key = tmp_path / "chain.pem", tmp_path / "key.pem"
    stranger.cert_chain_pems[0].write_to_path(str(chain))
    stranger.private_key_pem.write_to_path(str(key))
    with (
        Server(simulator, tls=(chain, key)) as server,
        _client(server.url, client_tls, connect_retries=1, retry_backoff=0.0) as client,
        pytest.raises(RequestNotSent) as info,
    ):
        client.send("LINK", "+4746910822", "Hello")
    assert "2 attempts" in str(info.value)
    assert simulator.accepted == []
    assert_no_secret(info.value)


async def _hang(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await asyncio.sleep(3)


async def test_a_read_timeout_is_unknown_and_never_retried(
    server_tls: tuple[Path, Path], client_tls: ssl.SSLContext
) -> None:
    calls = []

    async def hang(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            calls.append(scope["path"])
        await _hang(scope, receive, send)

    with Server(hang, tls=server_tls) as server:
        timeout = httpx.Timeout(0.3, connect=5.0)
        async with _async_client(server.url, client_tls, timeout=timeout) as client:
            with pytest.raises(OutcomeUnknown) as info:
                await client.send("LINK", "+4746910822", "Hello")
            [outcome] = await client.send_many([Message("LINK", "+4746910822", "Hello")])
    assert len(calls) == 2  # one request each: no retry
    # A generic `except TransportError: retry` must never resend it.
    assert not isinstance(info.value, TransportError) and "ReadTimeout" in str(info.value)
    assert outcome.outcome is Outcome.UNKNOWN and isinstance(outcome.error, OutcomeUnknown)
    assert_no_secret(info.value, repr(info.value), outcome)


def test_a_sync_read_timeout_is_unknown_too(
    server_tls: tuple[Path, Path], client_tls: ssl.SSLContext
) -> None:
    timeout = httpx.Timeout(0.3, connect=5.0)
    with (
        Server(_hang, tls=server_tls) as server,
        _client(server.url, client_tls, timeout=timeout) as client,
        pytest.raises(OutcomeUnknown) as info,
    ):
        client.send("LINK", "+4746910822", "Hello")
    assert_no_secret(info.value)


async def _echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A broken endpoint that echoes the request URL into an error page."""
    if scope["type"] != "http":
        return
    status = 500 if scope["path"].endswith("/fail") else 200
    query = scope["query_string"].decode()
    body = f"<html>error at {scope['path']}?{query}</html>".encode()
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


@pytest.mark.parametrize(("path", "status"), [("/fail", 500), ("/nonsense", 200)])
def test_an_unexpected_reply_raises_with_status_and_redacted_excerpt(
    server_tls: tuple[Path, Path], client_tls: ssl.SSLContext, path: str, status: int
) -> None:
    with Server(_echo, tls=server_tls) as server:
        url = f"https://127.0.0.1:{server.port}{path}"
        with _client(url, client_tls) as client:
            with pytest.raises(LinkResponseError) as info:
                client.send("LINK", "+4746910822", "Hello")
            [outcome] = client.send_many([Message("LINK", "+4746910822", "Hello")])
    assert info.value.status_code == status
    assert "Username=link-user" in info.value.excerpt and "Password=***" in info.value.excerpt
    assert outcome.outcome is Outcome.UNKNOWN
    assert_no_secret(info.value, info.value.excerpt, repr(info.value), outcome)


# --- security settings ---


def test_plain_http_is_refused_by_default() -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http") as info:
        _client(BaseUrl.LEGACY_HTTP, None)
    assert_no_secret(info.value)


def test_plain_http_when_allowed_warns_and_works(simulator: LinkSimulator) -> None:
    with Server(simulator) as server:
        with pytest.warns(InsecureTransportWarning):
            client = _client(server.url, None, allow_insecure_http=True)
        with client:
            assert client.send("LINK", "+4746910822", "Hello").code is ResultCode.SENT


@pytest.mark.parametrize("url", ["ftp://example.com/x", "https://example.com/x?ServiceId=1"])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        _client(url, None)


def test_a_given_context_gets_tls_1_2_as_its_floor() -> None:
    old = ssl.create_default_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the very point: TLS 1.0
        old.minimum_version = ssl.TLSVersion.TLSv1
    _client(BaseUrl.SE, old).close()
    assert old.minimum_version is ssl.TLSVersion.TLSv1_2


def test_a_context_that_does_not_verify_is_refused() -> None:
    lax = ssl.create_default_context()
    lax.check_hostname = False
    with pytest.raises(ConfigurationError, match="host name"):
        _client(BaseUrl.SE, lax)
    lax.verify_mode = ssl.CERT_NONE
    with pytest.raises(ConfigurationError):
        _client(BaseUrl.SE, lax)


def test_the_default_context_verifies_with_tls_1_2_as_floor() -> None:
    context = tls_context()
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname


def test_every_preset_but_the_legacy_http_one_is_https() -> None:
    assert [u.name for u in BaseUrl if not u.value.startswith("https://")] == ["LEGACY_HTTP"]
    assert len(BaseUrl) == 8


async def test_reprs_hide_the_password() -> None:
    with _client(BaseUrl.N_EU, None) as client:
        assert "n-eu.linkmobility.io" in repr(client)
        assert_no_secret(repr(client))
    async with _async_client(BaseUrl.DE, None) as async_client:
        assert_no_secret(repr(async_client))
