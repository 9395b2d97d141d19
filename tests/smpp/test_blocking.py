"""The blocking SMPP client, as a script or a Django view would use it: no event
loop in the caller's thread. The SMSCs run on an event loop in a thread of
their own, over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from smswire import (
    Backoff,
    ClientClosed,
    ConfigurationError,
    Delivery,
    Message,
    Outcome,
    OutcomeUnknown,
    ReceiptState,
    SmppClient,
    SmscError,
    SmscSimulator,
    TransportError,
)
from smswire.pdu import CommandStatus, SubmitSm
from smswire.smpp.session import Session

from .support import ACCOUNT, PASSWORD, ScriptedSmsc

_T = TypeVar("_T")
# Bounds a broken test; never what a test asserts.
PATIENCE = 30.0


@contextmanager
def in_a_thread(server: AbstractAsyncContextManager[_T]) -> Iterator[_T]:
    """An async server run on an event loop in a thread of its own."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        entered = asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(PATIENCE)
        try:
            yield entered
        finally:
            exit_ = server.__aexit__(None, None, None)
            asyncio.run_coroutine_threadsafe(exit_, loop).result(PATIENCE)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(PATIENCE)
        loop.close()


@pytest.fixture
def sim(server_tls: Any) -> Iterator[SmscSimulator]:
    with in_a_thread(
        SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=server_tls, receipt_delay=0.01)
    ) as simulator:
        yield simulator


def connect(sim: SmscSimulator, ca_file: Path, **options: Any) -> SmppClient:
    return SmppClient(
        "127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=ca_file, **options
    )


def client_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "smswire-smpp"]


def test_send_send_many_and_receipts_without_an_event_loop(
    sim: SmscSimulator, ca_file: Path
) -> None:
    with connect(sim, ca_file, source="Acme") as smpp:
        assert smpp.bound
        one = smpp.send("+4512345678", "Hello from a script")
        many = smpp.send_many(
            [Message("+4511111111", "first"), Message("+45" + "1" * 30, "bad destination")]
        )
        receipts = [r for _, r in zip(range(2), smpp.receipts(timeout=PATIENCE))]
    assert one.ok and one.outcome is Outcome.ACCEPTED
    assert [r.outcome for r in many] == [Outcome.ACCEPTED, Outcome.NOT_SENT]
    assert {r.message_id for r in receipts} == {one.message_id, many[0].message_id}
    assert all(r.state is ReceiptState.DELIVERED for r in receipts)
    assert [m.text for m in sim.received] == ["Hello from a script", "first"]


def test_receipts_end_when_none_come_within_the_timeout(sim: SmscSimulator, ca_file: Path) -> None:
    with connect(sim, ca_file) as smpp:
        assert list(smpp.receipts(timeout=0.1)) == []
        assert list(smpp.messages(timeout=0.1)) == []


def test_close_ends_the_thread_and_later_sends_are_refused(
    sim: SmscSimulator, ca_file: Path
) -> None:
    smpp = connect(sim, ca_file)
    smpp.connect()
    assert client_threads()
    smpp.close()
    smpp.close()  # twice is once
    assert not client_threads()
    assert not smpp.bound
    with pytest.raises(ClientClosed):
        smpp.send("+4512345678", "late", source="Acme")
    with pytest.raises(ClientClosed):
        smpp.connect()
    assert not client_threads(), "a closed client starts no thread again"


def test_a_refused_bind_raises_in_the_caller_s_thread(sim: SmscSimulator, ca_file: Path) -> None:
    smpp = SmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password="wr0ngPw", tls=ca_file)
    with pytest.raises(SmscError) as caught, smpp:
        pass
    assert caught.value.status == CommandStatus.ESME_RINVPASWD
    assert not client_threads()
    assert "wr0ngPw" not in repr(smpp) and ACCOUNT in repr(smpp)
    assert repr(smpp).startswith("<SmppClient smpps://")


def test_an_invalid_message_raises_before_anything_leaves(
    sim: SmscSimulator, ca_file: Path
) -> None:
    with connect(sim, ca_file) as smpp:
        with pytest.raises(ConfigurationError, match="limit is 11"):
            smpp.send("+4512345678", "hi", source="AcmeCorporation")
        with pytest.raises(ConfigurationError, match=r"^vat is not an option SMPP"):
            smpp.send("+4512345678", "hi", source="Acme", vat=25.0)
    assert sim.received == []


def test_an_unknown_outcome_is_raised_as_outcome_unknown_never_a_transport_error() -> None:
    smsc: ScriptedSmsc

    def hang_up(session: Session, pdu: SubmitSm) -> bytes:
        asyncio.get_running_loop().call_soon(smsc.transports[-1].abort)
        return b""

    with in_a_thread(ScriptedSmsc(hang_up)) as smsc:
        smpp = SmppClient(
            "127.0.0.1",
            smsc.port,
            system_id="x",
            password="y",
            tls=False,
            delivery=Delivery.AT_MOST_ONCE,
            backoff=Backoff(initial=0.01),
        )
        with smpp, pytest.raises(OutcomeUnknown) as caught:
            smpp.send("+4512345678", "into the void", source="Acme")
    assert not isinstance(caught.value, TransportError)
    result = caught.value.result
    assert result is not None and result.outcome is Outcome.UNKNOWN


def test_a_plain_function_takes_receipts_in_a_worker_thread_before_they_are_acknowledged(
    sim: SmscSimulator, ca_file: Path
) -> None:
    taken: list[tuple[str, int]] = []
    done = threading.Event()

    def take(batch: list[Any]) -> None:
        # The SMSC has not had its answer yet: this thread holds the receipt.
        taken.extend((r.message_id, sim.receipts_delivered) for r in batch)
        assert threading.current_thread().name != "smswire-smpp"
        done.set()

    with connect(sim, ca_file, source="Acme", on_inbound=take) as smpp:
        result = smpp.send("+4512345678", "Hello")
        assert done.wait(PATIENCE)
    assert taken == [(result.message_id, 0)]
    assert sim.receipts_delivered == 1
