"""The little of ASGI the receiver and the simulator need, framework-free."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, MutableMapping
from typing import Any, Callable

Scope = MutableMapping[str, Any]
AsgiMessage = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[AsgiMessage]]
Send = Callable[[AsgiMessage], Awaitable[None]]

TEXT = "text/plain; charset=utf-8"


class BodyTooLarge(Exception):
    """The request body is over the limit; answer 413."""


def header(scope: Scope, name: str) -> list[str]:
    """Every value of the header ``name`` (lower case), decoded as latin-1."""
    key = name.encode("latin-1")
    return [value.decode("latin-1") for k, value in scope.get("headers", ()) if k.lower() == key]


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The whole request body, refused once it passes ``limit`` octets."""
    for length in header(scope, "content-length"):
        if length.strip().isdigit() and int(length) > limit:
            raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def respond(
    send: Send,
    status: int,
    body: str,
    *,
    content_type: str = TEXT,
    headers: Iterable[tuple[str, str]] = (),
) -> None:
    payload = body.encode("utf-8")
    raw_headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(payload)).encode("latin-1")),
    ]
    raw_headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


async def lifespan(
    receive: Receive,
    send: Send,
    shutdown: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Answer the lifespan protocol; run ``shutdown`` before the server stops."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if shutdown is not None:
                await shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return
