"""Connection supervision over real sockets on 127.0.0.1: TLS trust as inMobile
asks for it, the first bind meeting a restart, keep-alive as configured, and a
reconnect back-off that starts again only after a healthy connection.

Timing is asserted as counts and ratios against what a stub SMSC saw, never
as absolute durations.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import socket
import ssl
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from smswire import (
    AsyncSmppClient,
    Backoff,
    RequestNotSent,
    SmscError,
    SmscSimulator,
    Timeouts,
)
from smswire.pdu import CommandId, CommandStatus

from .scripted_smsc import ScriptedSmsc
from .support import ACCOUNT, PASSWORD

# Bounds a test that would otherwise hang; never what a test asserts.
PATIENCE = 10.0
FAST = Backoff(initial=0.01, maximum=0.05)


def client(port: int, tls: Any = False, **options: Any) -> AsyncSmppClient:
    settings: dict[str, Any] = {"backoff": FAST}
    settings.update(options)
    return AsyncSmppClient(
        "127.0.0.1", port, system_id=ACCOUNT, password=PASSWORD, tls=tls, **settings
    )


# -- TLS: trust as inMobile instructs, and what is refused -------------------------


@dataclasses.dataclass(frozen=True)
class Chain:
    """A throw-away root -> intermediate -> leaf chain, and the server's context."""

    root: trustme.CA
    intermediate: trustme.CA
    leaf: trustme.LeafCert
    server: ssl.SSLContext


@pytest.fixture(scope="module")
def chain() -> Chain:
    root = trustme.CA()
    intermediate = root.create_child_ca()
    leaf = intermediate.issue_cert("127.0.0.1")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(server)  # the leaf and the intermediate, as servers send them
    return Chain(root, intermediate, leaf, server)


@pytest.mark.parametrize("trusted", ["leaf", "intermediate", "root"])
async def test_tls_trusts_a_server_or_intermediate_certificate_file_as_inmobile_asks(
    chain: Chain, tmp_path: Path, trusted: str
) -> None:
    # inMobile: "download and use the certificate used at https://mm.inmobile.dk":
    # the server's certificate, not a root CA.
    pem = {
        "leaf": chain.leaf.cert_chain_pems[0],
        "intermediate": chain.intermediate.cert_pem,
        "root": chain.root.cert_pem,
    }[trusted]
    path = tmp_path / f"{trusted}.pem"
    pem.write_to_path(str(path))
    async with ScriptedSmsc(tls=chain.server) as smsc, client(smsc.port, tls=path) as smpp:
        assert smpp.bound
        assert (await smpp.send("+4512345678", "trusted", source="Acme")).ok


async def test_a_trusted_certificate_for_another_host_name_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    authority = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("smpp.example.org").configure_cert(server)
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    # Trusting the very certificate does not excuse its name either.
    async with ScriptedSmsc(tls=server) as smsc:
        with pytest.raises(RequestNotSent, match="mismatch") as caught:
            await client(smsc.port, tls=path).connect()
        assert smsc.binds == 0
    assert "certificate verify failed" in str(caught.value)


def _tls_1_1_server(authority: trustme.CA) -> tuple[socket.socket, ssl.SSLContext]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # that is the point
        context.minimum_version = ssl.TLSVersion.TLSv1_1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 refuses TLS 1.1 above level 0
    authority.issue_cert("127.0.0.1").configure_cert(context)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(PATIENCE)
    return listener, context


@pytest.fixture
def tls_1_1_only(tmp_path: Path) -> Iterator[tuple[int, Path, Callable[[], str]]]:
    """A server offering TLS 1.1 alone, in a thread: it lets its alert reach the
    client before it closes (an asyncio server resets the connection at once).
    Yields the port, the CA file, and a bounded wait for the server's account of
    the handshake (written just after its alert went out, so possibly after the
    client has already given up)."""
    authority = trustme.CA()
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    listener, context = _tls_1_1_server(authority)
    outcome: list[str] = []
    recorded = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        connection.settimeout(PATIENCE)
        raw = connection.dup()
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                outcome.append(f"handshake completed with {tls.version()}")
                recorded.set()
        except (ssl.SSLError, OSError) as exc:
            outcome.append(str(exc))
            recorded.set()
            raw.recv(1)  # until the client hangs up
        finally:
            raw.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def server_account() -> str:
        assert recorded.wait(PATIENCE), "the server never finished its handshake"
        return outcome[0]

    yield listener.getsockname()[1], path, server_account
    thread.join(PATIENCE)
    listener.close()


async def test_a_server_offering_only_tls_1_1_is_refused_for_its_protocol_version(
    tls_1_1_only: tuple[int, Path, Callable[[], str]],
) -> None:
    port, path, server_account = tls_1_1_only
    # The README promises TLS 1.2 or newer: the client offers nothing older,
    # so the server has no version to agree on (not merely no cipher).
    with pytest.raises(RequestNotSent, match=r"PROTOCOL_VERSION|protocol version"):
        await client(port, tls=path, timeouts=Timeouts(connect=PATIENCE)).connect()
    assert "handshake completed" not in await asyncio.to_thread(server_account)


# -- the first bind meets a restart too -------------------------------------------


async def test_the_first_bind_retries_rbindfail_with_the_back_off() -> None:
    refusals = (CommandStatus.ESME_RBINDFAIL,) * 3
    async with ScriptedSmsc(bind_status=(*refusals, 0)) as smsc, client(smsc.port) as smpp:
        assert (await smpp.send("+4512345678", "after the restart", source="Acme")).ok
    assert smsc.binds == 4
    # One connection per attempt, each waiting out the back-off before the next.
    assert len(smsc.transports) == 4


async def test_the_first_bind_during_a_simulator_restart_waits_for_it(
    sim: SmscSimulator, ca_file: Path
) -> None:
    restart = asyncio.create_task(sim.restart(downtime=0.3))
    await asyncio.sleep(0.05)  # binds are refused with ESME_RBINDFAIL meanwhile
    async with client(sim.port, tls=ca_file) as smpp:
        assert (await smpp.send("+4512345678", "first bind", source="Acme")).ok
    await restart


async def test_the_first_bind_gives_up_within_the_connect_timeout() -> None:
    # Ten back-offs fit in the connect timeout: at least three attempts even
    # when a loaded machine makes each connect and bind slow (with 0.3 s for
    # fifteen back-offs of 0.02 s, two slow attempts were all there was time for).
    connect, pause = 1.0, 0.1
    async with ScriptedSmsc(bind_status=(CommandStatus.ESME_RBINDFAIL,)) as smsc:
        smpp = client(
            smsc.port,
            timeouts=Timeouts(connect=connect),
            backoff=Backoff(initial=pause, maximum=pause, jitter=0.0),
        )
        with pytest.raises(SmscError) as caught:
            await asyncio.wait_for(smpp.connect(), PATIENCE)
    assert caught.value.status == CommandStatus.ESME_RBINDFAIL
    # Tried again while the connect timeout lasted, then no more: each retry
    # waits its back-off, so no more than one plus the pauses that fit.
    assert 3 <= smsc.binds <= 1 + connect / pause


async def test_a_bind_refused_for_good_is_not_retried() -> None:
    async with ScriptedSmsc(bind_status=(CommandStatus.ESME_RINVPASWD,)) as smsc:
        with pytest.raises(SmscError):
            await client(smsc.port).connect()
    assert smsc.binds == 1


# -- keep-alive as configured -----------------------------------------------------


@pytest.mark.parametrize("response", [30.0, 0.1])
async def test_an_idle_client_sends_enquire_link_at_its_interval(response: float) -> None:
    # A keep-alive shortened to beat a NAT idle timeout goes out on time, even
    # with a response timeout far longer than it.
    interval, idle = 0.1, 1.5
    timeouts = Timeouts(enquire_link=interval, response=response)
    async with ScriptedSmsc() as smsc, client(smsc.port, timeouts=timeouts) as smpp:
        await asyncio.sleep(idle)
        assert smpp.bound
    times = smsc.times(CommandId.ENQUIRE_LINK)
    expected = idle / interval
    assert 0.5 * expected <= len(times) <= expected + 2, times
    gaps = sorted(b - a for a, b in zip(times, times[1:]))
    assert gaps[len(gaps) // 2] < 2 * interval, gaps


async def test_enquire_link_keeps_its_interval_while_submits_are_answered() -> None:
    interval = 0.1
    timeouts = Timeouts(enquire_link=interval, response=30.0)
    async with ScriptedSmsc() as smsc, client(smsc.port, timeouts=timeouts) as smpp:
        assert (await smpp.send("+4512345678", "one", source="Acme")).ok
        await asyncio.sleep(1.0)
    assert smsc.count(CommandId.ENQUIRE_LINK) >= 5


# -- the reconnect back-off --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RecordingBackoff(Backoff):
    """A Backoff that notes which attempt each delay was asked for."""

    attempts: list[int] = dataclasses.field(default_factory=list, compare=False)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        self.attempts.append(attempt)
        return super().delay(attempt, rng)


async def reconnects(smsc: ScriptedSmsc, backoff: RecordingBackoff, count: int) -> list[int]:
    """The back-off attempts asked for over ``count`` reconnections."""
    timeouts = Timeouts(enquire_link=0.05, response=PATIENCE)
    async with client(smsc.port, backoff=backoff, timeouts=timeouts):
        while smsc.binds <= count:
            await asyncio.sleep(0.01)
    return backoff.attempts


async def test_the_back_off_goes_on_while_a_bound_smsc_sends_nothing() -> None:
    # Each connection is bound longer than reset_after, but no PDU comes back
    # on it: it was never healthy, so the back-off never starts again.
    backoff = RecordingBackoff(initial=0.01, maximum=0.02, reset_after=0.1)
    async with ScriptedSmsc(answer_enquire_link=False, hang_up_after=0.3) as smsc:
        attempts = await asyncio.wait_for(reconnects(smsc, backoff, 3), PATIENCE)
    assert attempts[:3] == [0, 1, 2]


async def test_the_back_off_starts_again_after_answers_flowed_for_reset_after() -> None:
    backoff = RecordingBackoff(initial=0.01, maximum=0.02, reset_after=0.1)
    async with ScriptedSmsc(answer_enquire_link=True, hang_up_after=0.3) as smsc:
        attempts = await asyncio.wait_for(reconnects(smsc, backoff, 3), PATIENCE)
    assert attempts[:3] == [0, 0, 0]


async def test_nothing_is_written_to_a_connection_already_closing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Answers written between a connection's loss and its report (a batch of
    # deliver_sm_resp, say) are not given: the SMSC delivers those PDUs again.
    # Written anyway, asyncio drops them and warns once per write.
    async with ScriptedSmsc() as smsc, client(smsc.port) as smpp:
        supervisor = smpp._connection
        link = supervisor._link
        assert link is not None and link.transport is not None
        link.transport.abort()
        with caplog.at_level("WARNING", logger="asyncio"):
            for _ in range(8):
                supervisor.write(b"\x00" * 16)
            await asyncio.sleep(0)
    assert not [r for r in caplog.records if "socket.send()" in r.getMessage()]
