"""The blocking LINK sender, as a script would use it: no event loop in the
caller's thread, the asyncio client's results and errors, one close()."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from smswire import ClientClosed, Limits, Message, Outcome, OutcomeUnknown, Timeouts
from smswire.link import LinkMobilityClient, LinkSimulator, ResultCode

from .conftest import PASSWORD, SERVICE_ID, USERNAME, Server


def _client(url: str, context: ssl.SSLContext | None, **kw: Any) -> LinkMobilityClient:
    return LinkMobilityClient(
        url, service_id=SERVICE_ID, username=USERNAME, password=PASSWORD, ssl_context=context, **kw
    )


def _link_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "smswire-link"]


@pytest.fixture
def tls_simulator(server_tls: tuple[Path, Path]) -> Iterator[tuple[LinkSimulator, str]]:
    simulator = LinkSimulator(service_id=SERVICE_ID, username=USERNAME, password=PASSWORD)
    with Server(simulator, tls=server_tls) as server:
        yield simulator, server.url


def test_send_and_send_many_block_until_the_answers_are_there(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    with _client(url, client_tls, source="LINK", limits=Limits(window=4)) as client:
        one = client.send("+4746910822", "x" * 200)
        many = client.send_many(
            [Message("+4746910823", "first"), Message("nobody", "bad destination")]
        )
    assert (one.status, one.parts) == (ResultCode.SENT, 2)
    assert [r.outcome for r in many] == [Outcome.ACCEPTED, Outcome.NOT_SENT]
    assert len(simulator.accepted) == 2
    assert repr(_client(url, client_tls)).startswith("LinkMobilityClient(")


def test_close_ends_the_thread_and_later_sends_are_refused(
    tls_simulator: tuple[LinkSimulator, str], client_tls: ssl.SSLContext
) -> None:
    simulator, url = tls_simulator
    client = _client(url, client_tls)
    assert client.send("+4746910822", "before", source="LINK").ok
    assert _link_threads()
    client.close()
    client.close()  # twice is once
    assert not _link_threads()
    with pytest.raises(ClientClosed):
        client.send("+4746910822", "after", source="LINK")
    assert not _link_threads(), "a closed client starts no thread again"
    assert len(simulator.accepted) == 1


async def _hang(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await asyncio.sleep(3)


def test_a_read_timeout_is_raised_in_the_caller_s_thread_as_outcome_unknown(
    server_tls: tuple[Path, Path], client_tls: ssl.SSLContext
) -> None:
    timeouts = Timeouts(response=0.3, connect=5.0)
    with (
        Server(_hang, tls=server_tls) as server,
        _client(server.url, client_tls, timeouts=timeouts) as client,
        pytest.raises(OutcomeUnknown) as info,
    ):
        client.send("+4746910822", "Hello", source="LINK")
    for form in (PASSWORD, quote_plus(PASSWORD), quote(PASSWORD, safe="")):
        assert form not in str(info.value)
