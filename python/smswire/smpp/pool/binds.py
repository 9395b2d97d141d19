"""One bind of a pool: its client while it lives, and a new one when it dies.

A client keeps its own bind up: after a lost connection it binds again with
back-off, and what it had queued or in flight goes out on the new bind. A
:class:`BindSlot` handles what the client cannot: a first bind that fails
(the SMSC is down, or refuses binds for a while) and a client that gave up for
good (a rebind refused, reconnect off). Then the slot makes a new client, with
back-off, while the pool's other binds keep sending.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Callable

from smswire.errors import SmswireError
from smswire.options import Backoff
from smswire.smpp.client import AsyncSmppClient

__all__ = ["BindSlot"]

_log = logging.getLogger("smswire.smpp.pool")

ClientFactory = Callable[[], AsyncSmppClient]


class BindSlot:
    """Keeps one of the pool's binds up, replacing its client when it fails for good.

    ``number`` names it in logs and metrics; ``on_change`` runs whenever its
    client comes or goes (the pool wakes senders waiting for a bind).
    """

    def __init__(
        self,
        number: int,
        make_client: ClientFactory,
        *,
        backoff: Backoff,
        rng: random.Random,
        on_change: Callable[[], None],
    ) -> None:
        self.number = number
        self._make_client = make_client
        self._backoff = backoff
        self._rng = rng
        self._on_change = on_change
        self.client: AsyncSmppClient | None = None
        # Clients made, the first included: more than one means it was replaced.
        self.clients_made = 0
        self.last_error: SmswireError | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._retired: list[AsyncSmppClient] = []

    def __repr__(self) -> str:
        state = "up" if self.usable else "down"
        return f"<BindSlot {self.number} {state}>"

    @property
    def usable(self) -> bool:
        """Bound now, and not giving up: a message handed to it goes at once."""
        client = self.client
        return client is not None and client.bound and client.failure is None

    @property
    def retired(self) -> list[AsyncSmppClient]:
        """The clients this slot replaced (their counts still belong to the pool)."""
        return self._retired

    async def first_bind(self) -> None:
        """Bind once; raises what the SMSC or the network said. Either way the
        slot then keeps (or keeps trying to get) its bind up."""
        try:
            await self._bind()
        finally:
            self._task = asyncio.get_running_loop().create_task(self._keep_up())

    async def _bind(self) -> None:
        client = self._make_client()
        self.clients_made += 1
        try:
            await client.connect()
        except BaseException:
            await client.close(0)
            raise
        self.client = client
        self._on_change()

    async def _keep_up(self) -> None:
        attempt = 0
        while not self._closing:
            client = self.client
            if client is not None:
                await client.wait_ended()
                if self._closing:
                    return
                _log.warning("bind %d gave up (%s); replacing it", self.number, client.failure)
                self.client = None
                self._retired.append(client)
                self._on_change()
                # Its unsettled messages went back to their callers as NOT_SENT
                # (the pool sends them again elsewhere) or UNKNOWN.
                await client.close(0)
                attempt = 0
            await asyncio.sleep(self._backoff.delay(attempt, self._rng))
            attempt += 1
            try:
                await self._bind()
            except SmswireError as exc:
                self.last_error = exc
                _log.info("bind %d: binding again failed (%s); retrying", self.number, exc)

    async def close(self, timeout: float | None) -> None:
        """Stop replacing, and close the client (see :meth:`AsyncSmppClient.close`)."""
        self._closing = True
        task = self._task
        if task is not None:
            task.cancel()
            await asyncio.wait([task])
        client, self.client = self.client, None
        if client is not None:
            await client.close(timeout)
