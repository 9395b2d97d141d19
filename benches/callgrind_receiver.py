"""Instructions per delivery report through the receiver's ASGI application,
in process (no server, no sockets): steadier than wall time on a shared machine.

    python benches/callgrind_receiver.py       # needs valgrind; prints a table

Each body runs twice in a child under callgrind, with N and 2N reports; the
difference divided by N is the cost of one report, start-up cancelled out.
The handler is a coroutine that does nothing, so this is the receiver's own
cost: routing, reading the body, parsing, the answer.
"""

from __future__ import annotations

import _callgrind  # a sibling module: these run as scripts from benches/

N = 1000
_CHILD = """
import asyncio, json, sys
from pathlib import Path
from smswire.link import DeliveryReportReceiver
n, kind = int(sys.argv[1]), sys.argv[2]
guide = Path(sys.argv[3]).read_bytes()
bodies = {
    "json": (b"application/json", json.dumps(json.loads(guide), separators=(",", ":")).encode()),
    "xml": (b"application/xml", Path(sys.argv[4]).read_bytes()),
    "form": (b"application/x-www-form-urlencoded", Path(sys.argv[5]).read_bytes()),
}
content_type, body = bodies[kind]
scope = {
    "type": "http", "method": "POST", "path": "/dlr", "root_path": "", "query_string": b"",
    "client": ("127.0.0.1", 40000), "headers": [
        (b"host", b"127.0.0.1"), (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
    ],
}
async def take(report):
    pass
async def receive():
    return {"type": "http.request", "body": body, "more_body": False}
async def send(message):
    pass
async def main():
    app = DeliveryReportReceiver(take, path="/dlr")
    for _ in range(n):
        await app(scope, receive, send)
asyncio.run(main())
import os
os._exit(0)
"""
_REPORTS = _callgrind.__file__.rsplit("/", 2)[0] + "/tests/link/data/references/reports/"
KINDS = ["json", "xml", "form"]


def instructions(n: int, kind: str) -> int:
    return _callgrind.instructions(
        _CHILD,
        str(n),
        kind,
        _REPORTS + "guide_delivered.json",
        _REPORTS + "multipart_delivered.xml",
        _REPORTS + "not_delivered.form",
    )


def main() -> None:
    for kind in KINDS:
        per_report = (instructions(2 * N, kind) - instructions(N, kind)) / N
        print(f"receiver, one {kind} report {per_report:12.0f} instructions")


if __name__ == "__main__":
    main()
