"""A small asyncio HTTP/1.1 server on 127.0.0.1 that answers what a test scripts.

uvicorn answers only well-formed HTTP; a hostile or broken endpoint does not:
a 5,000-digit Content-Length, a status line trickled one octet at a time, a
reply that never ends. Each request is parsed just enough to hand the test its
query, and its arrival time is logged, so a test can read the pace of a
sender from the server's side.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

# The longest request head this server reads; the client's is well under it.
_HEAD_MAX = 64 * 1024
# Bounds the wait for connections to end; never what a test asserts.
_PATIENCE = 10.0


@dataclass
class Request:
    """One request as it arrived: its target, query and arrival (monotonic) time."""

    method: str
    target: str
    arrived: float
    query: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


class RawHttpServer:
    """Serves ``handler`` for every request; the handler writes the raw reply.

    A handler that closes the writer ends the connection; otherwise the next
    request on it (keep-alive) is read. Use as an async context manager.
    """

    def __init__(self, handler: Handler, *, tls: ssl.SSLContext | None = None) -> None:
        self._handler = handler
        self._tls = tls
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self.requests: list[Request] = []

    async def __aenter__(self) -> RawHttpServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self._tls)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        # Closing each connection ends its task at its next read or write.
        for writer in self._connections.values():
            writer.transport.abort()
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=_PATIENCE)
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{port}/smscsimplehttp"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        try:
            while not writer.is_closing():
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
                    return
                if len(head) > _HEAD_MAX:
                    return
                request = _parse(head)
                length = _content_length(head)
                if length:
                    await reader.readexactly(length)
                self.requests.append(request)
                await self._handler(request, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            self._connections.pop(task, None)
            writer.close()


def _parse(head: bytes) -> Request:
    request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    method, target, _ = request_line.split(" ", 2)
    query = {k: v[0] for k, v in parse_qs(urlsplit(target).query, keep_blank_values=True).items()}
    return Request(method, target, time.monotonic(), query)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def reply(status: int, body: bytes, *, headers: tuple[str, ...] = ()) -> bytes:
    """A whole HTTP/1.1 reply with its Content-Length."""
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1") + body
