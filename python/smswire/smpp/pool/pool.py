"""A pool of binds to one SMSC account, used where one AsyncSmppClient would be.

:class:`AsyncSmppPool` holds ``binds`` sending binds (transceivers, or
transmitters beside ``receivers`` receiver binds), each an
:class:`~smswire.smpp.client.AsyncSmppClient` with its own window. Messages go
to the bound bind with the least work; a bind that dies is bound again or
replaced (:mod:`.binds`) while the others keep sending, and what it never
wrote goes out on another. Every submit_sm of every bind passes one
:class:`~.account.AccountGate`, so the account's cap holds across the binds
from the first second; ``bind_rate`` caps each bind as well. Receipts
arriving on any bind find their message in one shared table
(:class:`~smswire.smpp.shared.SharedReceiving`) and come out of
:meth:`receipts`, or go to one ``on_inbound`` handler; each is acknowledged
on the bind it came on, once the application has it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any, Callable, cast

from smswire.encoding import STANDARD, Profile
from smswire.errors import ClientClosed, ConfigurationError, SmswireError
from smswire.message import Delivery, Message, Outcome, SendResult
from smswire.options import (
    DEFAULT_BACKOFF,
    DEFAULT_LIMITS,
    DEFAULT_TIMEOUTS,
    Backoff,
    Limits,
    Timeouts,
)
from smswire.ratelimit import RateLimit, RateLimiter
from smswire.smpp.addresses import SOURCE_ADDR_LIMIT
from smswire.smpp.client import AsyncSmppClient
from smswire.smpp.gate import ChainedGate, SubmitGate
from smswire.smpp.pool.account import AccountGate, per_second_of
from smswire.smpp.pool.binds import BindSlot
from smswire.smpp.pool.dispatch import Dispatcher
from smswire.smpp.pool.hooks import BindState, PoolHooks, PoolState
from smswire.smpp.receipts import DeliveryReceipt
from smswire.smpp.receiving import RECEIPT_CORRELATION_LIMIT, Inbound, InboundHandler
from smswire.smpp.shared import SharedReceiving
from smswire.smpp.userdata import MobileOriginated
from smswire.tls import TlsOption

if TYPE_CHECKING:
    from smswire.smpp.pool.metrics import PoolMetrics

__all__ = ["AsyncSmppPool"]

_log = logging.getLogger("smswire.smpp.pool")


class AsyncSmppPool:
    """Several binds to one SMSC account behind one client's API, as an async
    context manager.

    ``binds``: sending binds; ``receivers``: receiver binds beside them (0:
    the sending binds are transceivers and receive too; otherwise they are
    transmitters). ``send_only``: transmitters and no receivers, leaving the
    account's receipts with the SMSC for another process to take. ``rate``:
    the account's cap in submit_sm per second across all binds, held from the
    first second, at most ``burst`` at once after a pause; ``limiter``: a
    shared limiter to space them instead of a local one (one held in Redis for
    several processes; ``rate`` then still bounds this pool's binds by the
    SMSC's count). ``bind_rate``: each bind's own cap.
    ``metrics``: a :class:`~smswire.smpp.pool.metrics.PoolMetrics` to count
    into (the ``metrics`` extra), labelled ``route``; or, without Prometheus,
    ``hooks``, a :class:`~smswire.smpp.pool.hooks.PoolHooks` of your own. ``on_inbound`` and
    ``receipt_correlation`` as for one client, across the binds. The rest is
    each bind's, as for :class:`~smswire.smpp.client.AsyncSmppClient`
    (``limits.window`` is per bind).
    """

    def __init__(
        self,
        host: str,
        port: int = 2775,
        *,
        system_id: str,
        password: str,
        binds: int = 2,
        receivers: int = 0,
        send_only: bool = False,
        rate: float | None = None,
        burst: int = 1,
        limiter: RateLimit | None = None,
        bind_rate: float | None = None,
        tls: TlsOption = True,
        system_type: str = "",
        source: str | None = None,
        profile: Profile = STANDARD,
        source_limit: int = SOURCE_ADDR_LIMIT,
        truncate_source: bool = False,
        delivery: Delivery = Delivery.AT_LEAST_ONCE,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        limits: Limits = DEFAULT_LIMITS,
        backoff: Backoff = DEFAULT_BACKOFF,
        on_inbound: InboundHandler | None = None,
        receipt_correlation: int = RECEIPT_CORRELATION_LIMIT,
        metrics: PoolMetrics | None = None,
        hooks: PoolHooks | None = None,
        route: str = "smpp",
    ) -> None:
        for name, value, least in (("binds", binds, 1), ("receivers", receivers, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ConfigurationError(
                    f"{name} must be an integer of at least {least}, not {value!r}"
                )
        if send_only and receivers:
            raise ConfigurationError(f"a send_only pool has no receivers, not {receivers}")
        if limiter is not None and not isinstance(limiter, RateLimit):
            raise ConfigurationError(f"limiter must have an async acquire(n), not {limiter!r}")
        if rate is not None and limiter is None:
            limiter = RateLimiter(rate, burst)
        # Without a cap, no gate: each bind then writes whole windows at once.
        self.account_gate: AccountGate | None = None
        if limiter is not None:
            self.account_gate = AccountGate(limiter, None if rate is None else per_second_of(rate))
        self.shared = SharedReceiving(receipt_correlation)
        self.route = route
        if hooks is not None and not isinstance(hooks, PoolHooks):
            raise ConfigurationError(f"hooks must be a PoolHooks, not {hooks!r}")
        if hooks is not None and metrics is not None:
            raise ConfigurationError("give metrics or hooks, not both (PoolMetrics is hooks)")
        self._hooks = hooks if metrics is None else metrics.attach(self)
        self._on_inbound = on_inbound
        rng = random.Random()
        options: dict[str, Any] = {
            "system_id": system_id,
            "password": password,
            "tls": tls,
            "system_type": system_type,
            "source": source,
            "profile": profile,
            "source_limit": source_limit,
            "truncate_source": truncate_source,
            "delivery": delivery,
            "timeouts": timeouts,
            "limits": limits,
            "backoff": backoff,
            "shared": self.shared,
            "on_inbound": None if on_inbound is None else self._inbound,
        }
        self.host = host
        self.port = port
        # What a message's checks need of its sender (as a client has them).
        self.source = source
        self.profile = profile
        self.source_limit = source_limit
        self.truncate_source = truncate_source
        sending = "transceiver" if receivers == 0 and not send_only else "transmitter"
        self._slots = [
            BindSlot(
                number,
                self._factory(options, sending, bind_rate),
                backoff=backoff,
                rng=rng,
                on_change=self._changed,
            )
            for number in range(binds)
        ] + [
            BindSlot(
                binds + number,
                self._factory(options, "receiver", None),
                backoff=backoff,
                rng=rng,
                on_change=self._changed,
            )
            for number in range(receivers)
        ]
        self._dispatch = Dispatcher(
            self._slots[:binds], window=limits.window, delivery=delivery, metrics=self._hooks
        )
        self._timeouts = timeouts
        self._closed = False

    def _factory(
        self, options: dict[str, Any], bind: str, bind_rate: float | None
    ) -> Callable[[], AsyncSmppClient]:
        def make_client() -> AsyncSmppClient:
            gate: SubmitGate | None = None
            if bind != "receiver":
                gate = self.account_gate
                if bind_rate is not None:
                    # A gate of the bind's own, made afresh with each client.
                    own = AccountGate(RateLimiter(bind_rate), per_second_of(bind_rate))
                    gate = own if gate is None else ChainedGate(own, gate)
            return AsyncSmppClient(
                self.host, self.port, bind=bind, reconnect=True, gate=gate, **options
            )

        return make_client

    def __repr__(self) -> str:
        up = sum(slot.usable for slot in self._slots)
        return f"<{type(self).__name__} {self.host}:{self.port} binds={len(self._slots)} up={up}>"

    # -- what the pool is made of -------------------------------------------------

    @property
    def slots(self) -> list[BindSlot]:
        """Every bind of the pool, sending ones first."""
        return list(self._slots)

    @property
    def clients(self) -> list[AsyncSmppClient]:
        """The clients of the binds that have one now."""
        return [slot.client for slot in self._slots if slot.client is not None]

    @property
    def binds_up(self) -> int:
        return sum(slot.usable for slot in self._slots)

    def state(self) -> PoolState:
        """The pool's numbers now (see :mod:`smswire.smpp.pool.hooks`)."""
        binds = []
        throttles = times_bound = 0
        for slot in self._slots:
            client = slot.client
            binds.append(BindState(slot.number, slot.usable, client.in_flight if client else 0))
            for each in [*slot.retired, *([client] if client else [])]:
                throttles += each.throttles
                times_bound += each.times_bound
        return PoolState(tuple(binds), throttles, times_bound)

    def _changed(self) -> None:
        self._dispatch.wake()

    # -- lifecycle ----------------------------------------------------------------

    async def __aenter__(self) -> AsyncSmppPool:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Bind every bind at once. Returns when at least one sending bind is up
        (the others keep trying, with back-off); raises the first error when none is."""
        if self._closed:
            raise ClientClosed()
        outcomes = await asyncio.gather(
            *(slot.first_bind() for slot in self._slots), return_exceptions=True
        )
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        for error in errors:
            if not isinstance(error, SmswireError):
                await self.close(0)
                raise error
        if not any(self._slots[i].usable for i in range(self._dispatch.size)):
            await self.close(0)
            raise errors[0]
        for error in errors:
            _log.warning("a bind of the pool is not up yet: %s", error)

    async def close(self, timeout: float | None = None) -> None:
        """Close every bind (each waits up to ``timeout`` for what it has in
        flight, see :meth:`AsyncSmppClient.close`); receipts end after."""
        if self._closed:
            return
        self._closed = True
        self._dispatch.close()
        await asyncio.gather(*(slot.close(timeout) for slot in self._slots))
        self.shared.end()

    # -- sending ------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosed()

    async def send(
        self, destination: str, text: str, *, source: str | None = None, **options: Any
    ) -> SendResult:
        """Send one text; see :class:`~smswire.message.Message` for the options."""
        return await self.send_message(Message(destination, text, source=source, **options))

    async def send_message(self, message: Message) -> SendResult:
        """Send one message on the least busy bind; as
        :meth:`AsyncSmppClient.send_message`. A message its bind never wrote
        before failing goes out on another."""
        self._check_open()
        (result,) = await self._dispatch.send([message], strict=True)
        return result.raise_for_outcome()

    async def send_many(
        self,
        messages: Iterable[Message],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[SendResult]:
        """Send many messages across the binds; one result per message, in order,
        as :meth:`AsyncSmppClient.send_many`."""
        self._check_open()
        items = list(messages)
        for item in items:
            if not isinstance(item, Message):
                raise ConfigurationError(f"a Message is needed, not {type(item).__name__}")
        return await self._dispatch.send(items, on_progress=on_progress)

    # -- what the SMSC sends ------------------------------------------------------

    async def _inbound(self, items: list[Inbound]) -> None:
        """Every bind's ``on_inbound``: the application's handler, counted."""
        assert self._on_inbound is not None
        await self._on_inbound(items)
        hooks = self._hooks
        if hooks is not None:
            for item in items:
                if isinstance(item, DeliveryReceipt):
                    hooks.receipt(item)

    async def receipts(self) -> AsyncIterator[DeliveryReceipt]:
        """Delivery receipts from every bind, each with its message, until the
        pool closes; each acknowledged when the next is asked for."""
        hooks = self._hooks
        receipts = cast("AsyncGenerator[DeliveryReceipt, None]", self.shared.receipts.items())
        try:
            async for receipt in receipts:
                if hooks is not None:
                    hooks.receipt(receipt)
                yield receipt
        finally:
            # At once, so one held when the consumer stopped is refused now.
            await receipts.aclose()

    def messages(self) -> AsyncIterator[MobileOriginated]:
        """Mobile-originated messages from every bind, until the pool closes."""
        return self.shared.messages.items()

    @property
    def outcomes(self) -> dict[Outcome, int]:
        """How many messages ended in each outcome so far."""
        return dict(self._dispatch.outcomes)
