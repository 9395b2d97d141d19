"""The password never reaches a log, at DEBUG, on any logger a request passes
through: httpx's, httpcore's (which logs response headers) and ours, even when
the server echoes the URL back in a Location header or in its error page."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import aiohttp.log
import httpx
import pytest

from smswire import OutcomeUnknown
from smswire.link import AsyncLinkMobilityClient, LinkResponseError
from smswire.link.logs import REQUEST_LOGGERS, RedactingFilter
from smswire.link.replies import EXCERPT_MAX, excerpt
from smswire.tls import verifying_context

from .conftest import PASSWORD, SERVICE_ID, USERNAME
from .rawhttp import RawHttpServer, Request, reply

_FORMS = (PASSWORD, quote_plus(PASSWORD), quote(PASSWORD, safe=""))


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    for name in REQUEST_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def _leaks(texts: list[str]) -> list[str]:
    return [t for t in texts if any(form in t for form in _FORMS)]


async def _redirect_echoing_the_url(request: Request, writer: asyncio.StreamWriter) -> None:
    # A misconfigured endpoint: it redirects to itself, the query included,
    # and quotes the URL in its page.
    location = f"https://127.0.0.1{request.target}"
    page = f"moved: {request.target}".encode()
    writer.write(reply(302, page, headers=(f"Location: {location}",)))
    await writer.drain()


@pytest.mark.parametrize("wire", ["aiohttp", "httpx"])
async def test_a_location_header_echoing_the_url_leaks_nothing_at_debug(
    client_tls: ssl.SSLContext,
    server_context: ssl.SSLContext,
    debug_logs: pytest.LogCaptureFixture,
    wire: str,
) -> None:
    # The default wire (aiohttp), and httpx over httpcore's transport, which
    # logs every response's headers at DEBUG.
    route: dict[str, Any] = (
        {"ssl_context": client_tls}
        if wire == "aiohttp"
        else {"transport": httpx.AsyncHTTPTransport(verify=verifying_context(client_tls))}
    )
    async with RawHttpServer(_redirect_echoing_the_url, tls=server_context) as server:
        client = AsyncLinkMobilityClient(
            server.url, service_id=SERVICE_ID, username=USERNAME, password=PASSWORD, **route
        )
        async with client:
            with pytest.raises(LinkResponseError) as info:
                await client.send("+4746910822", "Hello", source="LINK")
    assert info.value.status_code == 302
    # The server did echo it: the request's query holds the password.
    assert server.requests[0].query["Password"] == PASSWORD
    messages = [r.getMessage() for r in debug_logs.records]
    if wire == "httpx":
        # httpcore logged the response headers, Location and all, redacted.
        headers = [m for m in messages if "receive_response_headers.complete" in m]
        assert headers and all(b"Location" in m.encode() for m in headers), messages
        assert any("Password=***" in m for m in headers), headers
        records = debug_logs.records
        assert any(r.name == "httpx" and "Password=***" in r.getMessage() for r in records)
    assert _leaks(messages) == []
    assert _leaks([str(info.value), info.value.excerpt, repr(info.value)]) == []


def test_every_logger_a_request_passes_through_carries_the_filter() -> None:
    for name in REQUEST_LOGGERS:
        assert any(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters), name


@pytest.mark.parametrize(
    "logger",
    [
        *(v for k, v in vars(aiohttp.log).items() if k.endswith("_logger")),
        logging.getLogger("asyncio"),
    ],
    ids=lambda logger: logger.name,
)
async def test_what_aiohttp_and_asyncio_log_of_a_request_url_is_redacted(
    logger: logging.Logger, debug_logs: pytest.LogCaptureFixture
) -> None:
    # aiohttp's loggers (every one its log module makes) and the loop's, which
    # names a response left unclosed by its URL: a live client's password is
    # redacted there in every form.
    client = AsyncLinkMobilityClient(
        "https://127.0.0.1/smscsimplehttp",
        service_id=SERVICE_ID,
        username=USERNAME,
        password=PASSWORD,
    )
    async with client:
        debug_logs.set_level(logging.DEBUG, logger=logger.name)
        for form in _FORMS:
            logger.debug("Unclosed response <ClientResponse(https://x/?p=%s)>", form)
    messages = [r.getMessage() for r in debug_logs.records if r.name == logger.name]
    assert len(messages) == len(_FORMS) and _leaks(messages) == [], messages


@pytest.mark.parametrize("cut", range(1, len(quote(PASSWORD, safe=""))))
def test_a_password_straddling_the_excerpt_cut_is_redacted_before_the_cut(cut: int) -> None:
    # The password (raw and each URL-encoded form) starts `cut` characters
    # before the end of the excerpt, with no "Password=" to give it away.
    for form in _FORMS:
        body = ("x" * (EXCERPT_MAX - cut) + form + " and more").encode()
        shown = excerpt(body, [PASSWORD])
        assert form[:cut] not in shown.replace("x" * (EXCERPT_MAX - cut), "", 1), shown


async def test_a_password_echoed_in_an_error_page_at_the_cut_does_not_leak(
    client_tls: ssl.SSLContext, server_context: ssl.SSLContext
) -> None:
    async def echo_at_the_cut(request: Request, writer: asyncio.StreamWriter) -> None:
        body = "e" * (EXCERPT_MAX - 4) + request.query["Password"] + "</html>"
        writer.write(reply(500, body.encode()))
        await writer.drain()

    async with RawHttpServer(echo_at_the_cut, tls=server_context) as server:
        client = AsyncLinkMobilityClient(
            server.url,
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            ssl_context=client_tls,
        )
        async with client:
            with pytest.raises(OutcomeUnknown) as info:
                await client.send("+4746910822", "Hello", source="LINK")
    assert isinstance(info.value, LinkResponseError)
    shown = info.value.excerpt
    assert PASSWORD[:4] not in shown and shown.endswith("..."), shown
    assert PASSWORD[:4] not in str(info.value)
