"""Helpers the SMPP tests share: the account, and a scripted SMSC for the orders
of events the simulator never produces."""

from __future__ import annotations

import asyncio
from typing import Callable

from smswire.pdu import BindTransceiverResp, CommandId, Pdu, SubmitSm
from smswire.smpp.session import RequestReceived, Role, Session

ACCOUNT = "acme"
PASSWORD = "s3cr3tPw"


Script = Callable[[Session, SubmitSm], bytes]


class ScriptedSmsc:
    """An SMSC on the session whose answer to each submit_sm the test writes."""

    def __init__(self, on_submit: Script) -> None:
        self.on_submit = on_submit
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self.transports: list[asyncio.Transport] = []

    async def __aenter__(self) -> ScriptedSmsc:
        smsc = self

        class Link(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                assert isinstance(transport, asyncio.Transport)
                self.transport = transport
                self.session = Session(Role.SMSC, enquire_link_interval=None)
                smsc.transports.append(transport)

            def data_received(self, data: bytes) -> None:
                out = []
                for event in self.session.receive_data(data):
                    if isinstance(event, RequestReceived):
                        out.append(smsc._answer(self.session, event.pdu))
                out.append(self.session.data_to_send())
                self.transport.write(b"".join(out))

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(Link, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def _answer(self, session: Session, pdu: Pdu) -> bytes:
        if isinstance(pdu, SubmitSm):
            return self.on_submit(session, pdu)
        if pdu.command_id == CommandId.BIND_TRANSCEIVER:
            return session.send(BindTransceiverResp(sequence_number=pdu.sequence_number))
        return b""

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for transport in self.transports:
            transport.abort()
        await self._server.wait_closed()
