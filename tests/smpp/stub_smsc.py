"""A stub SMSC on a real socket that delivers what a test hands it and records
how each delivery was answered, for the receive side's tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import Callable

from smswire import AsyncSmppClient
from smswire.pdu import (
    BindReceiverResp,
    BindTransceiverResp,
    BindTransmitterResp,
    CommandId,
    EnquireLink,
    Framer,
    Pdu,
    SubmitSm,
    SubmitSmResp,
)
from smswire.smpp.session import RequestReceived, Role, Session

# Bounds a test that would otherwise hang; never what a test asserts.
PATIENCE = 10.0
POLL = 0.01
# Deliveries in flight at once: more than the client's inbox holds.
STUB_WINDOW = 100_000

# SMPP 3.4 §5.1.2: a response's command_id has bit 31 set.
_RESPONSE_BIT = 0x80000000
_BIND_RESPONSES = {
    CommandId.BIND_TRANSMITTER: BindTransmitterResp,
    CommandId.BIND_RECEIVER: BindReceiverResp,
    CommandId.BIND_TRANSCEIVER: BindTransceiverResp,
}

# What the stub answers a submit_sm with (bytes from the session); None: accept it.
SubmitScript = Callable[[Session, SubmitSm], bytes]


class StubSmsc:
    """Binds anyone; :meth:`deliver` writes PDUs in one write; ``answers``
    maps each delivery's sequence_number to the command_status it got."""

    def __init__(self, on_submit: SubmitScript | None = None) -> None:
        self.on_submit = on_submit
        self.port = 0
        self.binds: list[int] = []
        self.submits: list[SubmitSm] = []
        self.answers: dict[int, int] = {}
        self.answer_ids: dict[int, int] = {}
        self._server: asyncio.AbstractServer | None = None
        self._links: list[_Link] = []
        self._changed: asyncio.Event | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> StubSmsc:
        self._changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Link(self), "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for link in self._links:
            link.transport.abort()
        await self._server.wait_closed()

    @property
    def link(self) -> _Link:
        return self._links[-1]

    def _changes(self) -> None:
        assert self._changed is not None
        self._changed.set()

    async def until(self, condition: Callable[[], object], what: str) -> None:
        """Wait (at most :data:`PATIENCE`) until ``condition`` holds."""
        assert self._changed is not None

        async def wait() -> None:
            while not condition():
                assert self._changed is not None
                self._changed.clear()
                # Woken by what the client sends; a short poll for its own state.
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), POLL)

        try:
            await asyncio.wait_for(wait(), PATIENCE)
        except asyncio.TimeoutError:
            raise AssertionError(f"gave up waiting for {what}") from None

    async def bound(self) -> None:
        await self.until(lambda: self._links and self._links[-1].session.bound, "a bind")

    def deliver(self, *pdus: Pdu) -> list[int]:
        """Send requests to the client in one write; their sequence numbers."""
        session = self.link.session
        sent, data = session.send_many(list(pdus))
        self.link.transport.write(data)
        return [pdu.sequence_number for pdu in sent]

    async def probe(self) -> None:
        """An enquire_link round trip: the client has read everything sent
        before it, and its answers to it came before the enquire_link_resp."""
        (sequence,) = self.deliver(EnquireLink())
        await self.until(lambda: sequence in self.answers, "an enquire_link_resp")

    def write(self, data: bytes) -> None:
        self.link.transport.write(data)

    def _answer(self, session: Session, pdu: Pdu) -> bytes:
        if isinstance(pdu, SubmitSm):
            self.submits.append(pdu)
            if self.on_submit is not None:
                return self.on_submit(session, pdu)
            return session.send(
                SubmitSmResp(message_id=str(next(self._ids)), sequence_number=pdu.sequence_number)
            )
        response = _BIND_RESPONSES.get(CommandId(pdu.command_id))
        if response is not None:
            self.binds.append(pdu.command_id)
            return session.send(response(sequence_number=pdu.sequence_number))
        return b""


class _Link(asyncio.Protocol):
    def __init__(self, smsc: StubSmsc) -> None:
        self.smsc = smsc
        self.session = Session(
            Role.SMSC, window=STUB_WINDOW, enquire_link_interval=None, response_timeout=None
        )
        # Every response the client sends, enquire_link_resp included (the
        # session keeps that one to itself).
        self.observer = Framer()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.smsc._links.append(self)

    def data_received(self, data: bytes) -> None:
        for pdu in self.observer.feed(data):
            if pdu.command_id & _RESPONSE_BIT:
                self.smsc.answers[pdu.sequence_number] = pdu.command_status
                self.smsc.answer_ids[pdu.sequence_number] = pdu.command_id
        out = []
        for event in self.session.receive_data(data):
            if isinstance(event, RequestReceived):
                out.append(self.smsc._answer(self.session, event.pdu))
        out.append(self.session.data_to_send())
        self.transport.write(b"".join(out))
        self.smsc._changes()

    def connection_lost(self, exc: Exception | None) -> None:
        self.smsc._changes()


def recorded_writes(smpp: AsyncSmppClient) -> list[bytes]:
    """Every write the client makes from now on, as it makes it."""
    writes: list[bytes] = []
    write = smpp._connection.write

    def recorded(data: bytes) -> None:
        writes.append(data)
        write(data)

    smpp._connection.write = recorded  # type: ignore[method-assign]
    return writes


def command_ids(data: bytes) -> list[int]:
    """The command_id of each PDU in ``data``, PDUs back to back (SMPP 3.4 §3.2)."""
    found = []
    while data:
        length = int.from_bytes(data[:4], "big")
        found.append(int.from_bytes(data[4:8], "big"))
        data = data[length:]
    return found
