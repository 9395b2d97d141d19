"""A small SMSC on 127.0.0.1 that does only what a test tells it to, and notes
when every PDU arrived: for the connection's timers, binds and back-off.

It frames and answers PDUs itself (no Session), so it can leave an
enquire_link unanswered, refuse binds, or hang up a while after each bind.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Callable

from smswire.pdu import (
    BindTransceiverResp,
    CommandId,
    EnquireLinkResp,
    Framer,
    Pdu,
    SubmitSm,
    SubmitSmResp,
    UnbindResp,
    encode,
)

# What the stub answers a submit_sm with; b"" leaves it unanswered.
SubmitAnswer = Callable[[SubmitSm], bytes]


def accept(pdu: SubmitSm) -> bytes:
    return encode(
        SubmitSmResp(message_id=f"m{pdu.sequence_number}", sequence_number=pdu.sequence_number)
    )


def ignore(pdu: SubmitSm) -> bytes:
    return b""


class ScriptedSmsc:
    """``bind_status``: the bind_transceiver_resp's command_status for each bind
    in turn (the last one for all later binds). ``answer_enquire_link``: answer
    them or not. ``hang_up_after``: close each connection that long after its
    bind. ``arrivals``: (loop time, command_id) of every PDU, in order."""

    def __init__(
        self,
        *,
        on_submit: SubmitAnswer = accept,
        bind_status: tuple[int, ...] = (0,),
        answer_enquire_link: bool = True,
        hang_up_after: float | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.on_submit = on_submit
        self.bind_status = bind_status
        self.answer_enquire_link = answer_enquire_link
        self.hang_up_after = hang_up_after
        self.tls = tls
        self.port = 0
        self.binds = 0
        self.arrivals: list[tuple[float, int]] = []
        self.transports: list[asyncio.Transport] = []
        self._server: asyncio.AbstractServer | None = None

    def times(self, command_id: CommandId) -> list[float]:
        return [at for at, cid in self.arrivals if cid == command_id]

    def count(self, command_id: CommandId) -> int:
        return len(self.times(command_id))

    async def __aenter__(self) -> ScriptedSmsc:
        stub = self
        loop = asyncio.get_running_loop()

        class Link(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                assert isinstance(transport, asyncio.Transport)
                self.transport = transport
                self.framer = Framer()
                stub.transports.append(transport)

            def data_received(self, data: bytes) -> None:
                out = [stub._answer(self.transport, pdu) for pdu in self.framer.feed(data)]
                self.transport.write(b"".join(out))

        self._server = await loop.create_server(Link, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def _answer(self, transport: asyncio.Transport, pdu: Pdu) -> bytes:
        loop = asyncio.get_running_loop()
        self.arrivals.append((loop.time(), pdu.command_id))
        seq = pdu.sequence_number
        if pdu.command_id == CommandId.BIND_TRANSCEIVER:
            status = self.bind_status[min(self.binds, len(self.bind_status) - 1)]
            self.binds += 1
            if status == 0 and self.hang_up_after is not None:
                loop.call_later(self.hang_up_after, transport.abort)
            return encode(BindTransceiverResp(command_status=status, sequence_number=seq))
        if pdu.command_id == CommandId.ENQUIRE_LINK:
            return encode(EnquireLinkResp(sequence_number=seq)) if self.answer_enquire_link else b""
        if isinstance(pdu, SubmitSm):
            return self.on_submit(pdu)
        if pdu.command_id == CommandId.UNBIND:
            loop.call_soon(transport.close)
            return encode(UnbindResp(sequence_number=seq))
        return b""

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for transport in self.transports:
            transport.abort()
        await self._server.wait_closed()
