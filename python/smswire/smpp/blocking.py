"""The blocking SMPP client, for scripts, Django and Flask: no ``await`` anywhere.

:class:`SmppClient` runs an :class:`~smswire.smpp.client.AsyncSmppClient` on an
event loop in a thread of its own, so the bind stays up (enquire_link,
receipts, reconnection) between the caller's calls. Every method blocks until
the asyncio client's answer is there; the arguments, results and errors are
the asyncio client's, and the lifecycle is the LINK sync client's: a context
manager, or :meth:`SmppClient.close`, after which sends raise
:class:`~smswire.errors.ClientClosed`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from typing import Any, Callable

from smswire._blocking import LoopThread
from smswire.alphanumeric import ALPHANUMERIC_SOURCE_MAX
from smswire.encoding import STANDARD, Profile
from smswire.message import Delivery, Message, SendResult
from smswire.options import (
    DEFAULT_BACKOFF,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUTS,
    Backoff,
    Limits,
    Timeouts,
)
from smswire.smpp.addresses import SOURCE_ADDR_LIMIT
from smswire.smpp.client import AsyncSmppClient
from smswire.smpp.receipts import DeliveryReceipt
from smswire.smpp.receiving import Inbound
from smswire.smpp.userdata import MobileOriginated
from smswire.tls import TlsOption

__all__ = ["SmppClient"]


class SmppClient:
    """The blocking twin of :class:`~smswire.smpp.client.AsyncSmppClient`: the
    same arguments, the same methods without ``await``.

    The client's thread starts with :meth:`connect` (or ``with``) and ends
    with :meth:`close`. ``on_progress`` callbacks run on that thread.
    ``on_inbound`` is a plain function here, run in a worker thread (so the
    bind stays up while it works); what it is given is acknowledged when it
    returns, and delivered again when it raises.
    """

    def __init__(
        self,
        host: str,
        port: int = 2775,
        *,
        system_id: str,
        password: str,
        bind: str = "transceiver",
        tls: TlsOption = True,
        system_type: str = "",
        source: str | None = None,
        profile: Profile = STANDARD,
        source_limit: int = SOURCE_ADDR_LIMIT,
        alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX,
        truncate_source: bool = False,
        alphanumeric_destination: bool = False,
        delivery: Delivery = Delivery.AT_LEAST_ONCE,
        reconnect: bool = True,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        limits: Limits = DEFAULT_LIMITS,
        backoff: Backoff = DEFAULT_BACKOFF,
        on_inbound: Callable[[list[Inbound]], None] | None = None,
    ) -> None:
        handler = None
        if on_inbound is not None:
            take = on_inbound

            async def handler(batch: list[Inbound]) -> None:
                await asyncio.get_running_loop().run_in_executor(None, take, batch)

        self._client = AsyncSmppClient(
            host,
            port,
            system_id=system_id,
            password=password,
            bind=bind,
            tls=tls,
            system_type=system_type,
            source=source,
            profile=profile,
            source_limit=source_limit,
            alphanumeric_max=alphanumeric_max,
            truncate_source=truncate_source,
            alphanumeric_destination=alphanumeric_destination,
            delivery=delivery,
            reconnect=reconnect,
            timeouts=timeouts,
            limits=limits,
            backoff=backoff,
            on_inbound=handler,
        )
        self._thread = LoopThread("smswire-smpp")

    def __repr__(self) -> str:
        return repr(self._client).replace("AsyncSmppClient", type(self).__name__, 1)

    @property
    def bound(self) -> bool:
        return self._client.bound

    # -- lifecycle -------------------------------------------------------------

    def __enter__(self) -> SmppClient:
        try:
            self.connect()
        except BaseException:
            self.close()  # no __exit__ follows a failed __enter__: end the thread here
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def connect(self) -> None:
        """Start the client's thread, connect and bind; raises as
        :meth:`AsyncSmppClient.connect` does, and may then be called again
        (:meth:`close` ends the thread either way)."""
        self._thread.run(self._client.connect)

    def close(self, timeout: float | None = None) -> None:
        """Close as :meth:`AsyncSmppClient.close` does, then end the thread. Idempotent."""
        if self._thread.stopped:
            return
        try:
            self._thread.run(lambda: self._client.close(timeout))
        finally:
            self._thread.stop()

    # -- sending ---------------------------------------------------------------

    def send(
        self, destination: str, text: str, *, source: str | None = None, **options: Any
    ) -> SendResult:
        """See :meth:`AsyncSmppClient.send`."""
        return self.send_message(Message(destination, text, source=source, **options))

    def send_message(self, message: Message) -> SendResult:
        """See :meth:`AsyncSmppClient.send_message`."""
        return self._thread.run(lambda: self._client.send_message(message))

    def send_many(
        self,
        messages: Iterable[Message],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[SendResult]:
        """See :meth:`AsyncSmppClient.send_many`."""
        items = list(messages)
        return self._thread.run(lambda: self._client.send_many(items, on_progress=on_progress))

    # -- what the SMSC sends ---------------------------------------------------

    def receipts(self, timeout: float | None = None) -> Iterator[DeliveryReceipt]:
        """Delivery receipts as they come, until the client closes or none
        came for ``timeout`` seconds."""
        return self._thread.iterate(self._client.receipts, timeout)

    def messages(self, timeout: float | None = None) -> Iterator[MobileOriginated]:
        """Mobile-originated messages as they come, until the client closes or
        none came for ``timeout`` seconds."""
        return self._thread.iterate(self._client.messages, timeout)
