"""A lean HTTP/1.1 load generator for the receiver and simulator benchmarks.

Run in its own process so it does not share an interpreter with the server it
measures: ``python benches/_http_load.py HOST PORT REQUEST_FILE COUNT CONNECTIONS``.
Each of CONNECTIONS keep-alive connections sends one request, reads the whole
response (Content-Length framing), and sends the next, as LINK's report sender
does: no pipelining. Prints one JSON line: requests answered, seconds from the
first request to the last response, and the count of each status.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

_END_OF_HEAD = b"\r\n\r\n"
_LENGTH = b"\r\ncontent-length:"


class _Load:
    def __init__(self, request: bytes, count: int) -> None:
        self.request = request
        self.unsent = count
        self.pending = count
        self.statuses: Counter[int] = Counter()
        self.done = asyncio.get_running_loop().create_future()


class _Connection(asyncio.Protocol):
    def __init__(self, load: _Load) -> None:
        self._load = load
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._send()

    def _send(self) -> None:
        assert self._transport is not None
        if self._load.unsent > 0:
            self._load.unsent -= 1
            self._transport.write(self._load.request)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            head_end = self._buffer.find(_END_OF_HEAD)
            if head_end < 0:
                return
            head = self._buffer[:head_end].lower()
            at = head.find(_LENGTH)
            length = 0 if at < 0 else int(head[at + len(_LENGTH) :].split(b"\r\n", 1)[0])
            end = head_end + len(_END_OF_HEAD) + length
            if len(self._buffer) < end:
                return
            self._load.statuses[int(self._buffer[9:12])] += 1
            self._buffer = self._buffer[end:]
            self._load.pending -= 1
            if self._load.pending == 0 and not self._load.done.done():
                self._load.done.set_result(None)
            self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._load.done.done():
            self._load.done.set_exception(ConnectionError(f"connection lost: {exc}"))


async def run(
    host: str, port: int, request: bytes, count: int, connections: int
) -> dict[str, object]:
    load = _Load(request, count)
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    transports = [
        (await loop.create_connection(lambda: _Connection(load), host, port))[0]
        for _ in range(connections)
    ]
    await asyncio.wait_for(load.done, timeout=600)
    seconds = time.perf_counter() - started
    for transport in transports:
        transport.close()
    return {"requests": count, "seconds": seconds, "statuses": dict(load.statuses)}


def main(argv: list[str]) -> None:
    host, port, request_file, count, connections = argv
    with open(request_file, "rb") as handle:
        request = handle.read()
    result = asyncio.run(run(host, int(port), request, int(count), int(connections)))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
