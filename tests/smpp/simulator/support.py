"""A bare ESME for the simulator's tests: a session on a socket, every PDU visible."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from typing import Callable

from smswire.pdu import BindTransceiver, Pdu, SubmitSm
from smswire.smpp import SmscSimulator
from smswire.smpp.session import (
    ConnectionClosed,
    Event,
    RequestReceived,
    ResponseReceived,
    Role,
    Session,
)

from ..support import ACCOUNT, PASSWORD

# Every wait in these tests is bounded by this many seconds.
WAIT = 10.0

# Every RawEsme's writer: tests/smpp/simulator/conftest.py closes them all
# before the test's loop ends.
_connections: list[asyncio.StreamWriter] = []


async def finish_closing() -> None:
    """Close every connection a test opened, and wait (bounded) until each is
    closed for good.

    A test may end with a connection the simulator closed (EOF keeps the
    client's side open) or one it closed itself (the transport closes its
    socket on the loop's next turn). Either way the loop, closed right after
    the test on Python 3.9, would leave the socket to the garbage collector,
    whose ResourceWarning then fails whichever test it lands in."""
    while _connections:
        writer = _connections.pop()
        writer.close()
        # Closed by the peer first, or broken: closed all the same.
        with contextlib.suppress(OSError, ssl.SSLError, asyncio.TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), WAIT)


class RawEsme:
    """An ESME of nothing but a session and a socket (TLS when the simulator serves it)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        _connections.append(writer)
        self.session = Session(Role.ESME, enquire_link_interval=None)
        self.events: list[Event] = []

    @classmethod
    async def connect(cls, sim: SmscSimulator, tls: ssl.SSLContext | None = None) -> RawEsme:
        if tls is None and sim.ca_file is not None:
            tls = sim.client_context()
        return cls(*await asyncio.open_connection("127.0.0.1", sim.port, ssl=tls))

    def send(self, pdu: Pdu) -> None:
        self.writer.write(self.session.send(pdu))

    def send_raw(self, data: bytes) -> None:
        """Bytes the session would never send: the tests' hostile PDUs."""
        self.writer.write(data)

    async def next(self, timeout: float = WAIT) -> Event:
        while not self.events:
            data = await asyncio.wait_for(self.reader.read(65536), timeout)
            self.events += self.session.receive_data(data)
            self.writer.write(self.session.data_to_send())
        return self.events.pop(0)

    async def response(self) -> Pdu:
        event = await self.next()
        assert isinstance(event, ResponseReceived), event
        return event.pdu

    async def request(self) -> Pdu:
        event = await self.next()
        assert isinstance(event, RequestReceived), event
        return event.pdu

    async def bind(self, pdu: Pdu | None = None) -> int:
        self.send(pdu or BindTransceiver(system_id=ACCOUNT, password=PASSWORD))
        return (await self.response()).command_status

    async def submit(self, **fields: object) -> Pdu:
        """Send one submit_sm (to "4512345678" unless told) and return its response."""
        fields.setdefault("destination_addr", "4512345678")
        fields.setdefault("short_message", b"hello")
        self.send(SubmitSm(**fields))  # type: ignore[arg-type]
        return await self.response()

    async def closed(self, timeout: float = WAIT) -> None:
        """Wait until the simulator closes the connection, answering what comes meanwhile."""
        while True:
            event = await self.next(timeout)
            if isinstance(event, ConnectionClosed):
                return

    def close(self) -> None:
        self.writer.close()


async def eventually(check: Callable[[], bool], timeout: float = WAIT) -> None:
    """Wait until ``check()`` holds, polling; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)
