"""The blocking LINK sender, for scripts, Django and Flask: no ``await`` anywhere.

:class:`LinkMobilityClient` runs an
:class:`~smswire.link.client.AsyncLinkMobilityClient` on an event loop in a
thread of its own, as :class:`~smswire.smpp.SmppClient` runs the asyncio SMPP
client: the same arguments, results and errors, one driver for both.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpx

from smswire._blocking import LoopThread
from smswire.alphanumeric import ALPHANUMERIC_SOURCE_MAX
from smswire.link.client import AsyncLinkMobilityClient, ProgressCallback
from smswire.link.protocol import BaseUrl
from smswire.message import Message, SendResult
from smswire.options import (
    DEFAULT_BACKOFF,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUTS,
    Backoff,
    Limits,
    Timeouts,
)

__all__ = ["LinkMobilityClient"]


class LinkMobilityClient:
    """The blocking twin of :class:`AsyncLinkMobilityClient`: the same
    arguments, the same methods without ``await``, run on an event loop in a
    thread of its own. A context manager, or call :meth:`close`; sends after
    it raise :class:`~smswire.errors.ClientClosed`. ``on_progress`` callbacks
    run on the client's thread, and so does a ``transport`` (an asyncio one)."""

    def __init__(
        self,
        base_url: str | BaseUrl,
        *,
        service_id: int,
        username: str,
        password: str,
        source: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        allow_insecure_http: bool = False,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        limits: Limits = DEFAULT_LIMITS,
        backoff: Backoff = DEFAULT_BACKOFF,
        proxy: str | httpx.Proxy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX,
    ) -> None:
        self._client = AsyncLinkMobilityClient(
            base_url,
            service_id=service_id,
            username=username,
            password=password,
            source=source,
            ssl_context=ssl_context,
            allow_insecure_http=allow_insecure_http,
            timeouts=timeouts,
            limits=limits,
            backoff=backoff,
            proxy=proxy,
            transport=transport,
            alphanumeric_max=alphanumeric_max,
        )
        self._thread = LoopThread("smswire-link")

    def __repr__(self) -> str:
        return repr(self._client).replace("AsyncLinkMobilityClient", type(self).__name__, 1)

    def __enter__(self) -> LinkMobilityClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close as :meth:`AsyncLinkMobilityClient.close` does, then end the thread.
        Idempotent."""
        if self._thread.stopped:
            return
        try:
            self._thread.run(self._client.close)
        finally:
            self._thread.stop()

    def send(
        self, destination: str, text: str, *, source: str | None = None, **options: Any
    ) -> SendResult:
        """See :meth:`AsyncLinkMobilityClient.send`."""
        return self.send_message(Message(destination, text, source=source, **options))

    def send_message(self, message: Message) -> SendResult:
        """See :meth:`AsyncLinkMobilityClient.send_message`."""
        return self._thread.run(lambda: self._client.send_message(message))

    def send_many(
        self, messages: Iterable[Message], *, on_progress: ProgressCallback | None = None
    ) -> list[SendResult]:
        """See :meth:`AsyncLinkMobilityClient.send_many`."""
        items = list(messages)
        return self._thread.run(lambda: self._client.send_many(items, on_progress=on_progress))
