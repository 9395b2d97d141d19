"""One LINK request on the wire: whether it left, and its reply, read with a cap.

:class:`ExchangeTrace` follows httpcore's trace events, or is marked by a
wire that knows its phases (:mod:`smswire.link.wire`), so the client can tell
a request that provably never left (retried) from one that may have (never
retried). :func:`read_reply` reads the reply body a chunk at a time and stops
at :data:`REPLY_MAX_OCTETS`: the guide's reply is one short line, and a server
that sends 200 MiB is not read whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from smswire.link.errors import LinkResponseError

__all__ = [
    "IDENTITY",
    "REPLY_MAX_OCTETS",
    "ExchangeTrace",
    "check_reply_head",
    "read_reply",
    "reply_too_long",
]

# LINK guide: Returns, "resultCode;resultDescription;messageId": one line of a
# code, a short description and an id. 4 KiB holds any such line many times
# over; more is not a LINK reply.
REPLY_MAX_OCTETS = 4096
# The reply is read as sent: no compression to inflate past the cap.
IDENTITY = "identity"
# How many digits of an announced length an error quotes.
_SHOWN_DIGITS = 12

# httpcore's trace events: connecting (TCP, TLS) is "connection.*"; once the
# request starts to leave, a failure may follow a request the server has.
_CONNECTING = "connection."
_WRITING = "send_request_headers.started"
_CONNECT = b"CONNECT"


class ExchangeTrace:
    """One attempt's trace: whether it was still connecting when it stopped.

    Only that proves the request never left; an exchange the trace says
    nothing about (a pooled connection's wait, a trace that changed its
    names, a transport that does not trace) counts as one that may have, so
    it is never sent twice.
    """

    __slots__ = ("connecting", "written")

    def __init__(self) -> None:
        self.connecting = False
        self.written = False

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event.endswith(_WRITING):
            # A proxy's CONNECT is part of connecting, not the request.
            request = info.get("request")
            if getattr(request, "method", None) != _CONNECT:
                self.written = True
        elif event.startswith(_CONNECTING):
            self.connecting = True

    def mark_connecting(self) -> None:
        """A transport that knows its phases: connecting starts (or waiting
        for a pooled connection)."""
        self.connecting = True

    def mark_leaving(self) -> None:
        """A transport that knows its phases: a connection is in hand, the
        request is written next."""
        self.written = True

    @property
    def never_left(self) -> bool:
        return self.connecting and not self.written


def reply_too_long(status_code: int, what: str) -> LinkResponseError:
    return LinkResponseError(
        f"LINK reply is {what}, over the {REPLY_MAX_OCTETS} octets a "
        "'resultCode;resultDescription;messageId' line can need; not read further",
        status_code=status_code,
        excerpt="",
    )


def check_reply_head(status: int, headers: Mapping[str, str]) -> None:
    """Raises :class:`LinkResponseError` for a reply compressed against the
    request's ``Accept-Encoding: identity`` or announced longer than
    :data:`REPLY_MAX_OCTETS`."""
    encoding = headers.get("content-encoding", IDENTITY).strip().lower()
    if encoding != IDENTITY:
        raise LinkResponseError(
            f"LINK reply is compressed ({encoding}) though identity was asked for; not read",
            status_code=status,
            excerpt="",
        )
    announced = headers.get("content-length", "").strip().lstrip("0")
    # Compared as text: int() of a 5,000-digit length raises in Python 3.11+.
    # ASCII digits only: "²".isdigit() is true and int("²") raises; a length
    # that is not one is left to the capped read, as a missing one is.
    if (
        announced.isascii()
        and announced.isdigit()
        and (len(announced) > len(str(REPLY_MAX_OCTETS)) or int(announced) > REPLY_MAX_OCTETS)
    ):
        shown = announced if len(announced) <= _SHOWN_DIGITS else announced[:_SHOWN_DIGITS] + "..."
        raise reply_too_long(status, f"announced as {shown} octets")


async def read_reply(response: httpx.Response) -> bytes:
    """The body of a streamed httpx reply, at most :data:`REPLY_MAX_OCTETS`
    of it; raises as :func:`check_reply_head` does, and for a longer body."""
    status = response.status_code
    check_reply_head(status, response.headers)
    body = bytearray()
    # aiter_bytes, not aiter_raw: a transport may hand over a reply already
    # read. With identity (checked above) nothing is inflated.
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > REPLY_MAX_OCTETS:
            raise reply_too_long(status, f"over {len(body)} octets")
    return bytes(body)
