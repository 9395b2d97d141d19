"""The little of ASGI the receiver and the simulator need, framework-free."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, MutableMapping
from typing import Any, Callable

Scope = MutableMapping[str, Any]
AsgiMessage = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[AsgiMessage]]
Send = Callable[[AsgiMessage], Awaitable[None]]

TEXT = "text/plain; charset=utf-8"
_TEXT_OCTETS = TEXT.encode("latin-1")


class BodyTooLarge(Exception):
    """The request body is over the limit; answer 413."""


class BodyIncomplete(Exception):
    """The body ended before it was whole: the client went away before its
    Content-Length or its final chunk (RFC 9112 §6.3: an incomplete message).
    What did arrive must not be read as the message the client meant."""

    def __init__(self, received: int, declared: int | None) -> None:
        expected = "its final chunk" if declared is None else f"its {declared} declared"
        super().__init__(f"the body ended after {received} octets, before {expected}")
        self.received = received
        self.declared = declared


def header(scope: Scope, name: str) -> list[str]:
    """Every value of the header ``name`` (lower case), decoded as latin-1."""
    key = name.encode("latin-1")
    return [value.decode("latin-1") for k, value in scope.get("headers", ()) if k.lower() == key]


def declared_length(scope: Scope) -> int | None:
    """The Content-Length, or None when there is none (a chunked body).

    RFC 9110 §8.6: Content-Length = 1*DIGIT, ASCII digits. The server has
    already refused a malformed one; one too long to read is simply too large.
    """
    for value in header(scope, "content-length"):
        digits = value.strip()
        if digits.isascii() and digits.isdigit():
            return int(digits) if len(digits) <= _LENGTH_MAX_DIGITS else _TOO_LONG
    return None


# Far past any limit a receiver sets, and short enough to convert at once.
_LENGTH_MAX_DIGITS = 18
_TOO_LONG = 10**_LENGTH_MAX_DIGITS


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The whole request body, refused once it passes ``limit`` octets.

    Raises :class:`BodyIncomplete` when the client disconnects first, or when
    the octets received are not the Content-Length the request declared.
    """
    declared = declared_length(scope)
    if declared is not None and declared > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BodyIncomplete(size, declared)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if declared is not None and size != declared:
        raise BodyIncomplete(size, declared)
    return b"".join(chunks)


async def respond(
    send: Send,
    status: int,
    body: str,
    *,
    content_type: str = TEXT,
    headers: Iterable[tuple[str, str]] = (),
) -> None:
    extra = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await respond_octets(send, status, body.encode("utf-8"), content_type.encode("latin-1"), extra)


async def respond_octets(
    send: Send,
    status: int,
    payload: bytes,
    content_type: bytes = _TEXT_OCTETS,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer with ``payload`` as it is: the hot path's form of :func:`respond`.
    Each call sends new message objects: middleware may change them in place."""
    raw_headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(payload))]
    if headers:
        raw_headers += headers
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
