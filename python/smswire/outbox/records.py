"""The records the outbox and its stores hand each other and the application.

Small frozen values, the same whichever store holds the data: what a worker
claims (:class:`Claim`), what it reports (:class:`AcceptedPart`,
:class:`Settled`), and what the application reads back (:class:`MessageStatus`,
:class:`Event`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Union

from smswire.link.codes import ResultCode
from smswire.link.reports import DeliveryReport
from smswire.message import Message, Outcome, SendResult
from smswire.pdu import CommandStatus
from smswire.smpp.receipts import DeliveryReceipt
from smswire.smpp.userdata import MobileOriginated

__all__ = [
    "AcceptedPart",
    "Claim",
    "DeliveryState",
    "Event",
    "EventKind",
    "Inbound",
    "MessageStatus",
    "PartStatus",
    "Pending",
    "ReceiptRecord",
    "Settled",
    "Via",
]

# What arrives from a provider: an SMPP receipt, a LINK report, a handset's message.
Inbound = Union[DeliveryReceipt, DeliveryReport, MobileOriginated]
Receipt = Union[DeliveryReceipt, DeliveryReport]
ProviderStatus = Union[CommandStatus, ResultCode]


class Via(enum.Enum):
    """The way out a message's parts were accepted by; it decides how a receipt
    names them (SMPP: one id per part, quoted in several forms; LINK: one id
    per message, ``{id}${n}`` per part)."""

    SMPP = "smpp"
    LINK = "link"


class DeliveryState(enum.Enum):
    """Where a part, or a whole accepted message, stands by its receipts.

    ``PENDING`` until every part has a final receipt (SMPP ENROUTE and ACCEPTD,
    LINK's non-final codes, or no receipt yet). A message is ``DELIVERED`` when
    every part is, ``PARTIALLY_DELIVERED`` when some are and the rest failed;
    when none was delivered it takes the state its parts share, or
    ``UNDELIVERABLE`` when they differ.
    """

    PENDING = "pending"
    DELIVERED = "delivered"
    PARTIALLY_DELIVERED = "partially_delivered"
    EXPIRED = "expired"
    DELETED = "deleted"
    UNDELIVERABLE = "undeliverable"
    REJECTED = "rejected"
    UNKNOWN = "unknown"

    @property
    def final(self) -> bool:
        return self is not DeliveryState.PENDING


# Claim, AcceptedPart and Settled are made once per message a worker sends: their
# __init__ fills the instance dict in one step, a third of what the generated
# frozen __init__ (one object.__setattr__ per field) costs.


@dataclass(frozen=True, init=False)
class Claim:
    """A message a worker holds under a lease, to send.

    ``attempt`` counts the claims of this message, this one included; the
    store accepts this worker's reports only while the claim is still its
    own. ``possibly_written`` is True when an earlier claimer marked the
    message as about to be written and left no outcome: it may already have
    reached the provider (``earlier_message_ids`` are the ids the provider
    gave parts of it then, if any came back). ``ref`` is the store's own
    handle on the message (a row id, a stream entry id), to find it again
    without a lookup by key; a claim is still judged by its key, worker and
    attempt.
    """

    key: str
    route: str
    message: Message
    worker: str
    attempt: int
    possibly_written: bool = False
    earlier_message_ids: tuple[str, ...] = ()
    ref: int | str | None = field(default=None, compare=False, repr=False)

    def __init__(
        self,
        key: str,
        route: str,
        message: Message,
        worker: str,
        attempt: int,
        possibly_written: bool = False,
        earlier_message_ids: tuple[str, ...] = (),
        ref: int | str | None = None,
    ) -> None:
        self.__dict__.update(
            key=key,
            route=route,
            message=message,
            worker=worker,
            attempt=attempt,
            possibly_written=possibly_written,
            earlier_message_ids=earlier_message_ids,
            ref=ref,
        )


@dataclass(frozen=True, init=False)
class AcceptedPart:
    """The provider accepted part ``index`` (from 0) of a claimed message and
    named it ``message_id`` (for LINK, the message's one id, recorded for each
    of its parts)."""

    claim: Claim
    index: int
    message_id: str

    def __init__(self, claim: Claim, index: int, message_id: str) -> None:
        self.__dict__.update(claim=claim, index=index, message_id=message_id)


@dataclass(frozen=True, init=False)
class Settled:
    """A claimed message's final outcome, as the way out reported it.

    ``status`` is the provider's answer, ``error`` why it is not ACCEPTED and
    ``parts`` how many SMS it went out as (0 when unknown).
    """

    claim: Claim
    outcome: Outcome
    status: ProviderStatus | None = None
    error: str | None = None
    parts: int = 0

    def __init__(
        self,
        claim: Claim,
        outcome: Outcome,
        status: ProviderStatus | None = None,
        error: str | None = None,
        parts: int = 0,
    ) -> None:
        self.__dict__.update(claim=claim, outcome=outcome, status=status, error=error, parts=parts)

    @classmethod
    def of(cls, claim: Claim, result: SendResult) -> Settled:
        """The outcome a client's :class:`~smswire.message.SendResult` reports."""
        status = result.status
        # SendResult types its status as any IntEnum so that smswire.message
        # imports neither way out; a client only ever puts one of these there.
        if status is not None and not isinstance(status, (CommandStatus, ResultCode)):
            raise TypeError(
                f"a SendResult status must be a CommandStatus or ResultCode, not {status!r}"
            )
        return cls(claim, result.outcome, status, result.error, result.parts)


@dataclass(frozen=True)
class Pending:
    """What waits in the outbox: ``queued`` messages nobody holds (due now or
    later), ``claimed`` ones a worker holds, and the put time of the oldest
    of them (None when there are none)."""

    queued: int
    claimed: int
    oldest_put_at: float | None


@dataclass(frozen=True)
class ReceiptRecord:
    """A receipt (SMPP) or report (LINK) stored for a message.

    ``attempt`` and ``index`` name the part it belongs to, ``state`` is what it
    says about that part, ``billed`` (LINK) whether the part was charged
    (None: not said). ``received_at`` is a Unix time.
    """

    receipt: Receipt
    attempt: int
    index: int
    state: DeliveryState
    billed: bool | None
    received_at: float


@dataclass(frozen=True)
class PartStatus:
    """One accepted part: the attempt that sent it, its index and message id,
    and what its receipts said so far."""

    attempt: int
    index: int
    message_id: str
    accepted_at: float
    state: DeliveryState
    billed: bool | None


@dataclass(frozen=True)
class MessageStatus:
    """Everything the store knows of one message, as ``Outbox.status`` gives it.

    Times are Unix times (None: not yet). ``claimed_by`` names the worker
    holding it now. ``outcome`` is None until a worker records one;
    ``settled_attempt`` is the claim that recorded it; ``part_count`` how many
    SMS it went out as. ``delivery`` is None unless the outcome is ACCEPTED; ``billed`` is LINK's
    word on charging (True when any part was billed). ``parts`` lists the
    parts of every attempt (more than one attempt's only after a resend);
    ``receipts`` every receipt or report matched to them, in arrival order.
    """

    key: str
    route: str
    message: Message
    put_at: float
    attempts: int
    claimed_by: str | None
    claimed_at: float | None
    marked_at: float | None
    possibly_written: bool
    outcome: Outcome | None
    status: ProviderStatus | None
    error: str | None
    part_count: int
    settled_attempt: int | None
    settled_at: float | None
    delivery: DeliveryState | None
    delivered_at: float | None
    billed: bool | None
    parts: tuple[PartStatus, ...]
    receipts: tuple[ReceiptRecord, ...]

    @property
    def message_ids(self) -> tuple[str, ...]:
        """The message ids of the attempt that settled it (or of the current
        one, before an outcome), by part."""
        attempt = self.attempts if self.settled_attempt is None else self.settled_attempt
        return tuple(part.message_id for part in self.parts if part.attempt == attempt)

    @property
    def state(self) -> str:
        """One word for where the message stands: queued, claimed, writing, an
        outcome (``rejected``, ...) or, once accepted, its delivery state."""
        if self.outcome is None:
            if self.claimed_by is None:
                return "queued"
            return "writing" if self.marked_at is not None else "claimed"
        if self.outcome is Outcome.ACCEPTED and self.delivery is not None:
            return "accepted" if self.delivery is DeliveryState.PENDING else self.delivery.value
        return self.outcome.value


class EventKind(enum.Enum):
    """What changed: a message's outcome, its delivery state (from receipts),
    its being found possibly written after a worker stopped, or a message a
    handset sent."""

    OUTCOME = "outcome"
    DELIVERY = "delivery"
    POSSIBLY_WRITTEN = "possibly_written"
    MOBILE_ORIGINATED = "mobile_originated"


@dataclass(frozen=True)
class Event:
    """One state change, in the order the store committed them.

    ``id`` is the store's position of the event (opaque, ordered); ``at`` a
    Unix time. OUTCOME events carry ``outcome``, ``status`` and ``error``;
    DELIVERY events the message's new ``delivery`` state with the receipt that
    made it (its ``part`` and ``message_id``, ``billed``); MOBILE_ORIGINATED
    events the ``mobile_originated`` message and no key.
    """

    id: str
    kind: EventKind
    at: float
    route: str
    key: str | None = None
    outcome: Outcome | None = None
    delivery: DeliveryState | None = None
    status: ProviderStatus | None = None
    error: str | None = None
    part: int | None = None
    message_id: str | None = None
    billed: bool | None = None
    receipt: Receipt | None = None
    mobile_originated: MobileOriginated | None = None

    @property
    def name(self) -> str:
        """One word: the outcome (``accepted``, ...), the delivery state
        (``delivered``, ...), ``possibly_written`` or ``mobile_originated``."""
        if self.outcome is not None:
            return self.outcome.value
        if self.delivery is not None:
            return self.delivery.value
        return self.kind.value
