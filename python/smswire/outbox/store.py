"""The outbox store contract: what every store (SQLite, Redis) guarantees.

A store keeps messages by the application's key, hands them to workers under
leases, keeps what became of them and every receipt for them, and feeds the
changes to consumers. The contract test suite (``tests/outbox/``) checks each
promise below against every store through this Protocol alone.

**Atomicity.** Each method is one atomic commit: when it returns, all it did
is durable; when it raises, none of it was done. A :class:`StoreError` from
any method means nothing of that call was committed
(:class:`~smswire.errors.StoreBusy`: other processes held the store too long,
try again; :class:`~smswire.errors.StoreUnavailable`: it cannot commit now).
A call cancelled while it runs may or may not have committed; every write is
idempotent (or fenced, below), so repeating it is safe.

**Claims and fencing.** A worker's reports about a message count only while
its claim is the message's current one: once a lease expires *and another
worker claims the message*, the first worker's :meth:`~OutboxStore.extend`,
:meth:`~OutboxStore.release`, :meth:`~OutboxStore.mark_writing` and outcome in
:meth:`~OutboxStore.record` do nothing for it and report its key as lost. An
expired claim nobody took yet is still its worker's. A part's acceptance is
recorded whoever reports it, because it is a fact about what the provider
holds, and receipts need it.

**Time.** Leases and expiry use wall-clock seconds (``time.time()``), the same
in every process on the machine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from smswire.errors import ConfigurationError
from smswire.message import Message
from smswire.outbox.records import (
    AcceptedPart,
    Claim,
    Event,
    Inbound,
    MessageStatus,
    Pending,
    Settled,
    Via,
)

__all__ = [
    "DEFAULT_CORRELATION_TTL",
    "DEFAULT_ROUTE",
    "MAX_CLAIM",
    "MAX_KEY_LENGTH",
    "MAX_NAME_LENGTH",
    "OutboxStore",
    "check_claim",
    "check_key",
    "check_name",
    "check_seconds",
]

# A receipt may legally come days after its message (SMPP validity periods run
# to days; SMSCs retry); jasmin and Kannel keep correlation for a comparable time.
DEFAULT_CORRELATION_TTL = 7 * 24 * 3600.0
# The route a message is put on when the application names none.
DEFAULT_ROUTE = "default"
# Keys are the application's ids (an order number, a row fingerprint, a UUID):
# long enough for any of those, short enough to index.
MAX_KEY_LENGTH = 200
# Routes, worker ids and consumer names.
MAX_NAME_LENGTH = 100
# Messages one claim may take: a few windows' worth; more only holds leases longer.
MAX_CLAIM = 10_000


class OutboxStore(Protocol):
    """The store contract. Every method is a coroutine and one atomic commit."""

    # -- putting messages in -------------------------------------------------

    async def put(self, route: str, items: Sequence[tuple[str, Message]]) -> int:
        """Store each ``(key, message)`` on ``route``, all or none; return how
        many keys were new.

        A key already stored with an equal message on the same route is left
        as it is (it is never sent twice), whatever became of it. A key stored
        with another message or route, or given twice in ``items`` with
        different messages, raises :class:`~smswire.errors.KeyConflict` naming
        it, and nothing of ``items`` is stored.
        """
        ...

    # -- draining ------------------------------------------------------------

    async def claim(self, route: str, worker: str, limit: int, lease: float) -> list[Claim]:
        """Hand ``worker`` up to ``limit`` messages of ``route`` that have no
        outcome and nobody holds (never claimed, released and due, or whose
        lease expired), oldest due first, each under a lease of ``lease``
        seconds. No message is held by two workers at once.

        A message an earlier claimer marked (:meth:`mark_writing`) and left
        without an outcome comes back with ``possibly_written`` set, and the
        store records it so for good (``MessageStatus.possibly_written``, and
        a POSSIBLY_WRITTEN event the first time).
        """
        ...

    async def extend(self, claims: Sequence[Claim], lease: float) -> frozenset[str]:
        """Renew each claim's lease to ``lease`` seconds from now; return the
        keys of claims that are no longer their worker's (lost)."""
        ...

    async def release(self, claims: Sequence[Claim], delay: float = 0.0) -> frozenset[str]:
        """Give claims back, due again after ``delay`` seconds; return the lost keys.

        The worker asserts that no part of these messages was written under
        these claims: a write-ahead mark of theirs is withdrawn. A claim with a
        part recorded as accepted under it cannot be released: that raises
        :class:`~smswire.errors.ClaimError` and nothing is released.
        """
        ...

    async def mark_writing(self, claims: Sequence[Claim]) -> frozenset[str]:
        """The write-ahead mark: record that parts of these messages are about
        to be written to the provider, in one commit for the whole group.
        Return the keys that must not be written: claims lost, or whose lease
        has run out (extend first). After a crash, a marked message without
        an outcome is one that may have been written."""
        ...

    async def record(
        self,
        via: Via,
        parts: Sequence[AcceptedPart] = (),
        settled: Sequence[Settled] = (),
    ) -> frozenset[str]:
        """Record accepted parts (by ``via``'s id scheme) and final outcomes, in
        one commit; return the keys whose outcome was not recorded because the
        claim was lost.

        Parts are recorded even from a lost claim (the provider holds them and
        their receipts must correlate); recording one twice changes nothing.
        Receipts that came before their part's id are matched now. An outcome
        ends the claim: the message is never handed out again. Each outcome,
        and each delivery state its receipts already settle, is an event.
        """
        ...

    # -- receipts and handset messages -------------------------------------

    async def record_inbound(self, route: str, items: Sequence[Inbound]) -> list[str | None]:
        """Store receipts, reports and mobile-originated messages taken on
        ``route``, in one commit (acknowledge them to the provider after this
        returns); return, per item, the key of the message it matched, or None.

        A receipt is matched through the ids recorded on ``route`` in the last
        correlation TTL, by every form its id may take; one whose id is not
        known yet is kept and matched when the id is recorded (within the
        TTL). The same receipt twice is stored once. Each delivery state a
        receipt settles, and each mobile-originated message, is an event.
        """
        ...

    # -- answers -------------------------------------------------------------

    async def status(self, key: str) -> MessageStatus | None:
        """Everything known of the message stored under ``key`` (None: no such key)."""
        ...

    async def pending(self, route: str) -> Pending:
        """How much of ``route`` waits: queued, claimed, and the oldest's put time."""
        ...

    async def read_events(
        self, consumer: str, after: str | None, limit: int, wait: float
    ) -> list[Event]:
        """Up to ``limit`` events for ``consumer``, oldest first: those after
        the event ``after`` (the last one this reader was given), or, for
        ``after=None`` (a reader starting, or restarting), those after the
        consumer's acknowledged position (from the oldest kept, for a new
        consumer). Waits at most ``wait`` seconds for one when there are none,
        then returns an empty list."""
        ...

    async def ack_events(self, consumer: str, event_id: str) -> None:
        """Acknowledge, durably, ``event_id`` and every event before it for
        ``consumer``: a reader starting over begins after it. Acknowledging
        an event at or before the acknowledged position changes nothing."""
        ...

    # -- housekeeping --------------------------------------------------------

    async def expire(self) -> int:
        """Forget what only served correlation (receipts still waiting for
        their id) and events, once older than the store's TTLs; return how
        many records went. Expired data is treated as absent even before this
        runs: a recorded id older than the correlation TTL matches no receipt.
        A message's own story (parts, matched receipts, outcome) stays."""
        ...

    async def close(self) -> None:
        """Close the store; every later call raises
        :class:`~smswire.errors.StoreUnavailable`. Closing twice is harmless."""
        ...


def check_key(key: object) -> str:
    """``key`` if it can name a message, else :class:`ConfigurationError` saying why."""
    if not isinstance(key, str):
        raise ConfigurationError(f"key must be a str, not {type(key).__name__}")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ConfigurationError(
            f"key must be 1 to {MAX_KEY_LENGTH} characters, not {len(key)}: {key[:40]!r}"
        )
    return key


def check_name(what: str, name: object) -> str:
    """A route, worker or consumer name, checked like a key."""
    if not isinstance(name, str):
        raise ConfigurationError(f"{what} must be a str, not {type(name).__name__}")
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ConfigurationError(
            f"{what} must be 1 to {MAX_NAME_LENGTH} characters, not {len(name)}: {name[:40]!r}"
        )
    return name


def check_seconds(what: str, value: object, *, allow_zero: bool = False) -> float:
    """A lease, delay or wait in seconds: a finite number, positive (or zero if allowed)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigurationError(f"{what} must be a finite number of seconds, not {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigurationError(f"{what} must be {'0 or more' if allow_zero else 'positive'}")
    return float(value)


def check_claim(limit: object) -> int:
    """How many messages one claim may take: 1 to :data:`MAX_CLAIM`."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_CLAIM:
        raise ConfigurationError(f"limit must be an integer from 1 to {MAX_CLAIM}, not {limit!r}")
    return limit
