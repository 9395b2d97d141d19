"""The sender against real servers on 127.0.0.1: the simulator over TLS, and
servers that refuse, hang or answer nonsense. The password must never show."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import trustme
from ports import refusing_port

from smswire import (
    Backoff,
    ClientClosed,
    ConfigurationError,
    Limits,
    Message,
    Outcome,
    OutcomeUnknown,
    RequestNotSent,
    Timeouts,
    TransportError,
)
from smswire.link import (
    AsyncLinkMobilityClient,
    BaseUrl,
    InsecureTransportWarning,
    InvalidParameter,
    LinkMobilityClient,
    LinkResponseError,
    LinkSimulator,
    ResultCode,
)
from smswire.tls import verifying_context

from .conftest import PASSWORD, SERVICE_ID, USERNAME, Server

_SECRET_FORMS = (PASSWORD, quote_plus(PASSWORD), quote(PASSWORD, safe=""))
# Retries come quickly in tests; production defaults are slower.
FAST = Backoff(initial=0.001, maximum=0.001)


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


def test_send_over_tls_returns_the_code_the_id_and_the_parts(
    tls_simulator: tuple[LinkSimulator, str],
    client_tls: ssl.SSLContext,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls) as client:
        result = client.send("+4746910822", "x" * 200, source="LINK", reference_id="in-9")
    assert result.status is ResultCode.SENT and result.outcome is Outcome.ACCEPTED
    assert (result.parts, result.error) == (2, None)
    assert result.message == Message("+4746910822", "x" * 200, source="LINK", reference_id="in-9")
    [record] = simulator.accepted
    assert (record.message_id, record.segments) == (result.message_id, 2)
    assert result.message_ids == (record.message_id,)
    assert record.parameters["ReferenceId"] == "in-9"
    assert record.parameters["Userdata"] == "x" * 200


async def test_async_send_with_async_true_is_queued(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    async with _async_client(url, client_tls) as client:
        result = await client.send(
            "4746910822", "Hej \u00e5\u00e4\u00f6 \u4e2d", source="+46732594084", asynchronous=True
        )
    assert result.status is ResultCode.QUEUED and result.message_id
    assert simulator.accepted[0].parameters["Userdata"] == "Hej \u00e5\u00e4\u00f6 \u4e2d"


def test_the_client_s_default_source_goes_where_a_message_names_none(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls, source="Shop") as client:
        client.send("+4746910822", "from the shop")
        client.send_message(Message("+4746910822", "from link", source="LINK"))
    assert [m.parameters["Source"] for m in simulator.accepted] == ["Shop", "LINK"]


def test_gsm_sender_names_are_sent_and_the_length_is_the_clients_to_raise(
    server_tls: tuple[Path, Path], client_tls: ssl.SSLContext
) -> None:
    # LINK guide: Source, text senders; Nordic names are GSM 7-bit. 11 is the
    # default length; a route that takes more is the caller's to name.
    long_name = "\u00c5hl\u00e9ns Caf\u00e9s"  # 12 GSM 7-bit characters
    simulator = LinkSimulator(
        service_id=SERVICE_ID, username=USERNAME, password=PASSWORD, alphanumeric_max=12
    )
    with Server(simulator, tls=server_tls) as server:
        with _client(server.url, client_tls) as client:
            for name in ("Bl\u00f8k", "\u00c5hl\u00e9ns", "Caf\u00e9"):
                assert client.send("+4746910822", "Hej", source=name).outcome is Outcome.ACCEPTED
            with pytest.raises(InvalidParameter, match="over the limit of 11") as info:
                client.send("+4746910822", "Hej", source=long_name)
            # Refused before any request: no LINK result code LINK never sent.
            assert info.value.parameter == "Source" and not hasattr(info.value, "result_code")
            [refused] = client.send_many([Message("+4746910822", "Hej", source=long_name)])
            assert refused.outcome is Outcome.NOT_SENT and refused.status is None
        with _client(server.url, client_tls, alphanumeric_max=12) as client:
            assert client.send("+4746910822", "Hej", source=long_name).outcome is Outcome.ACCEPTED
            with pytest.raises(InvalidParameter, match="over the limit of 12"):
                client.send("+4746910822", "Hej", source=long_name + "s")
    sources = [m.parameters["Source"] for m in simulator.accepted]
    assert sources == ["Bl\u00f8k", "\u00c5hl\u00e9ns", "Caf\u00e9", long_name]


@pytest.mark.parametrize("limit", [0, True, 11.0])
def test_the_clients_name_length_must_be_a_positive_int(limit: object) -> None:
    with pytest.raises(ConfigurationError, match="alphanumeric_max"):
        _async_client("https://127.0.0.1/smscsimplehttp", None, alphanumeric_max=limit)


def test_a_refusal_is_a_rejected_result_not_an_exception(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    _, url = tls_simulator
    with LinkMobilityClient(
        url, service_id=SERVICE_ID, username=USERNAME, password="wrong", ssl_context=client_tls
    ) as client:
        result = client.send("+4746910822", "Hello", source="LINK")
    assert result.status is ResultCode.CONFIGURATION_ERROR
    assert result.outcome is Outcome.REJECTED and result.message_id is None
    assert result.error is not None and str(int(ResultCode.CONFIGURATION_ERROR)) in result.error


def test_invalid_input_raises_before_any_request(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls) as client:
        with pytest.raises(InvalidParameter) as info:
            client.send("not a number", "Hello", source="LINK")
        assert_no_secret(info.value, repr(info.value))
        with pytest.raises(ConfigurationError, match=r"^flash is not an option LINK"):
            client.send("+4746910822", "Hello", source="LINK", flash=True)
    assert simulator.accepted == []


def test_empty_text_is_refused_before_any_request_as_on_smpp(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls) as client:
        with pytest.raises(ConfigurationError, match="Userdata is empty"):
            client.send("+4746910822", "", source="LINK")
        (result,) = client.send_many([Message("+4746910822", "", source="LINK")])
    assert result.outcome is Outcome.NOT_SENT
    assert simulator.accepted == []


def _batch() -> list[Message]:
    messages = [Message(f"+4670000{n:04d}", f"message {n}", source="LINK") for n in range(40)]
    messages[7] = Message("nobody", "invalid destination", source="LINK")
    messages[9] = Message("+46700001234", "national", source="LINK", national=("tr",))
    return messages


def _check_batch(simulator: LinkSimulator, messages: list[Message], results: list[Any]) -> None:
    assert [r.message for r in results] == messages
    assert results[7].outcome is Outcome.NOT_SENT and "Destination" in results[7].error
    assert results[9].outcome is Outcome.NOT_SENT and "national" in results[9].error
    by_id = {m.message_id: m.parameters["Destination"] for m in simulator.accepted}
    for index, result in enumerate(results):
        if index not in (7, 9):
            assert result.outcome is Outcome.ACCEPTED
            assert by_id[result.message_id] == messages[index].destination
    assert len(by_id) == len(messages) - 2


def test_send_many_keeps_input_order_and_reports_each_message(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    progress: list[tuple[int, int]] = []
    messages = _batch()
    limits = Limits(window=8, rate=10_000)
    with _client(url, client_tls, limits=limits) as client:
        results = client.send_many(messages, on_progress=lambda d, t: progress.append((d, t)))
    _check_batch(simulator, messages, results)
    assert sorted(progress) == [(n, 40) for n in range(1, 41)]


async def test_async_send_many_keeps_input_order_and_reports_each_message(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    progress: list[tuple[int, int]] = []
    messages = _batch()
    limits = Limits(window=8, rate=10_000)
    async with _async_client(url, client_tls, limits=limits) as client:
        results = await client.send_many(messages, on_progress=lambda d, t: progress.append((d, t)))
    _check_batch(simulator, messages, results)
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
    with _client(url, client_tls, limits=Limits(window=2)) as client, pytest.raises(_Stop):
        client.send_many(_batch(), on_progress=_stop_at_5)
    assert len(simulator.accepted) < 38


async def test_a_failing_progress_callback_stops_async_send_many_and_propagates(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    async with _async_client(url, client_tls, limits=Limits(window=2)) as client:
        with pytest.raises(_Stop):
            await client.send_many(_batch(), on_progress=_stop_at_5)
    assert len(simulator.accepted) < 38


async def test_the_rate_holds_from_the_first_request(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    messages = [Message(f"+4670000{n:04d}", "paced", source="LINK") for n in range(5)]
    async with _async_client(url, client_tls, limits=Limits(window=5, rate=4)) as client:
        started = time.monotonic()
        results = await client.send_many(messages)
        elapsed = time.monotonic() - started
    assert all(r.ok for r in results) and len(simulator.accepted) == 5
    # GCRA: five requests at 4/s are four intervals of 250 ms apart, however
    # many may be in flight at once.
    assert elapsed >= 4 / 4 - 0.01


def test_something_other_than_a_message_is_refused_and_nothing_leaves(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls) as client:
        with pytest.raises(ConfigurationError, match="a Message is needed, not tuple"):
            client.send_many([Message("+4746910822", "x", source="LINK"), ("LINK", "+47", "x")])  # type: ignore[list-item]
        with pytest.raises(ConfigurationError, match="not str"):
            client.send_message("+4746910822")  # type: ignore[arg-type]
    assert simulator.accepted == []


def test_send_many_of_nothing_is_nothing(client_tls: ssl.SSLContext) -> None:
    with _client(BaseUrl.N_EU, client_tls) as client:
        assert client.send_many([]) == []


async def test_an_async_client_refuses_sends_once_closed(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    _, url = tls_simulator
    client = _async_client(url, client_tls)
    await client.close()
    await client.close()
    with pytest.raises(ClientClosed):
        await client.send("+4746910822", "after", source="LINK")
    (result,) = await client.send_many([Message("+4746910822", "after", source="LINK")])
    assert result.outcome is Outcome.NOT_SENT and "closed" in (result.error or "")


# --- the retry policy: only what provably never reached the server ---


def test_connection_refused_is_retried_then_not_sent(
    client_tls: ssl.SSLContext, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        refusing_port() as port,
        _client(
            f"https://127.0.0.1:{port}/smscsimplehttp",
            client_tls,
            limits=Limits(retries=2),
            backoff=FAST,
        ) as client,
    ):
        with pytest.raises(RequestNotSent) as info:
            client.send("+4746910822", "Hello", source="LINK")
        results = client.send_many([Message("+4746910822", "Hello", source="LINK")])
    assert "3 attempts" in str(info.value)
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == 4
    assert info.value.result is not None and info.value.result.outcome is Outcome.NOT_SENT
    assert results[0].outcome is Outcome.NOT_SENT
    assert_no_secret(info.value, repr(info.value), results, info.value.__cause__)


def test_a_failed_tls_handshake_is_not_sent(
    simulator: LinkSimulator, tmp_path: Path, client_tls: ssl.SSLContext
) -> None:
    stranger = trustme.CA().issue_cert("127.0.0.1")
    chain, key = tmp_path / "chain.pem", tmp_path / "key.pem"
    stranger.cert_chain_pems[0].write_to_path(str(chain))
    stranger.private_key_pem.write_to_path(str(key))
    with (
        Server(simulator, tls=(chain, key)) as server,
        _client(server.url, client_tls, limits=Limits(retries=1), backoff=FAST) as client,
        pytest.raises(RequestNotSent) as info,
    ):
        client.send("+4746910822", "Hello", source="LINK")
    assert "2 attempts" in str(info.value)
    assert simulator.accepted == []
    assert_no_secret(info.value)


async def test_the_total_timeout_before_the_request_left_is_not_sent(
    client_tls: ssl.SSLContext,
) -> None:
    # A server that takes the connection and never says a word: the TLS
    # handshake never ends, so the request never starts to leave.
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        url = f"https://127.0.0.1:{mute.getsockname()[1]}/smscsimplehttp"
        timeouts = Timeouts(connect=5.0, total=0.2)
        async with _async_client(
            url, client_tls, timeouts=timeouts, limits=Limits(retries=1), backoff=FAST
        ) as client:
            with pytest.raises(RequestNotSent) as info:
                await client.send("+4746910822", "Hello", source="LINK")
    assert "total timeout" in str(info.value) and "2 attempts" in str(info.value)


async def _hang(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await asyncio.sleep(3)


async def _trickle(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers at once, then a body one octet at a time, each well within the read timeout."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for octet in b"1000;Sent (to operator);abc":
        await send({"type": "http.response.body", "body": bytes((octet,)), "more_body": True})
        await asyncio.sleep(0.1)
    await send({"type": "http.response.body", "body": b""})


async def test_a_read_timeout_is_unknown_and_never_retried(
    server_tls: tuple[Path, Path], client_tls: ssl.SSLContext
) -> None:
    calls = []

    async def hang(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            calls.append(scope["path"])
        await _hang(scope, receive, send)

    with Server(hang, tls=server_tls) as server:
        timeouts = Timeouts(response=0.3, connect=5.0)
        async with _async_client(server.url, client_tls, timeouts=timeouts) as client:
            with pytest.raises(OutcomeUnknown) as info:
                await client.send("+4746910822", "Hello", source="LINK")
            [result] = await client.send_many([Message("+4746910822", "Hello", source="LINK")])
    assert len(calls) == 2  # one request each: no retry
    # A generic `except TransportError: retry` must never resend it.
    # httpx's name for it, or aiohttp's (the default wire).
    read_timeout = ("ReadTimeout", "SocketTimeoutError")
    assert not isinstance(info.value, TransportError)
    assert any(name in str(info.value) for name in read_timeout)
    assert result.outcome is Outcome.UNKNOWN
    assert any(name in (result.error or "") for name in read_timeout)
    assert_no_secret(info.value, repr(info.value), result)


async def test_close_cuts_off_a_request_stuck_in_its_tls_handshake_as_not_sent(
    client_tls: ssl.SSLContext,
) -> None:
    # A server that froze: the kernel still completes TCP connections to its
    # port, but nothing answers the TLS handshake.
    with socket.socket() as frozen:
        frozen.bind(("127.0.0.1", 0))
        frozen.listen()
        url = f"https://127.0.0.1:{frozen.getsockname()[1]}/"
        timeouts = Timeouts(connect=60.0, close=0.1)
        client = _async_client(url, client_tls, timeouts=timeouts, backoff=FAST)
        message = Message("+4746910822", "Hello", source="LINK")
        sending = asyncio.ensure_future(client.send_many([message]))
        await asyncio.sleep(0.3)  # connecting, for up to a minute
        await asyncio.wait_for(client.close(), 5.0)
        # Closing settles it at once, not when its connect timeout ends.
        [result] = await asyncio.wait_for(sending, 5.0)
    assert result.outcome is Outcome.NOT_SENT and not result.message_ids
    assert_no_secret(result)


def test_the_total_timeout_caps_a_server_that_trickles(
    server_tls: tuple[Path, Path], client_tls: ssl.SSLContext
) -> None:
    timeouts = Timeouts(response=1.0, connect=5.0, total=0.5)
    with (
        Server(_trickle, tls=server_tls) as server,
        _client(server.url, client_tls, timeouts=timeouts) as client,
        pytest.raises(OutcomeUnknown) as info,
    ):
        client.send("+4746910822", "Hello", source="LINK")
    assert "total timeout" in str(info.value)
    assert not isinstance(info.value, TransportError)


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
                client.send("+4746910822", "Hello", source="LINK")
            [result] = client.send_many([Message("+4746910822", "Hello", source="LINK")])
    assert info.value.status_code == status
    assert "Username=link-user" in info.value.excerpt and "Password=***" in info.value.excerpt
    # The message may have gone out: an unknown outcome, never resent blindly.
    assert isinstance(info.value, OutcomeUnknown) and not isinstance(info.value, TransportError)
    assert result.outcome is Outcome.UNKNOWN
    assert_no_secret(info.value, info.value.excerpt, repr(info.value), result)


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
            result = client.send("+4746910822", "Hello", source="LINK")
            assert result.status is ResultCode.SENT


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "https://example.com/x?ServiceId=1", "https://example.com/x#a"]
)
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
    context = verifying_context()
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname


def test_every_preset_but_the_legacy_http_one_is_https() -> None:
    assert [u.name for u in BaseUrl if not u.value.startswith("https://")] == ["LEGACY_HTTP"]
    assert len(BaseUrl) == 8


async def test_reprs_hide_the_password() -> None:
    with _client(BaseUrl.N_EU, None) as client:
        assert "n-eu.linkmobility.io" in repr(client)
        assert repr(client).startswith("LinkMobilityClient(")
        assert_no_secret(repr(client))
    async with _async_client(BaseUrl.DE, None) as async_client:
        assert_no_secret(repr(async_client))
