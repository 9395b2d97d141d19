"""The durable outbox: messages put in by key, drained by workers, answered from a store.

An application puts messages in (:meth:`Outbox.put`), each under its own key,
and reads what became of them (:meth:`Outbox.status`, :meth:`Outbox.events`).
Workers drain it through SMPP or LINK (:class:`Drain`); receivers store what
providers send back (:meth:`Outbox.record_inbound`, :class:`InboundRecorder`);
:class:`OutboxWorker` drains a route through a client, end to end. What it
holds lives in a store behind one contract (:class:`OutboxStore`): SQLite,
embedded, by default (:class:`SqliteStore`).
"""

from smswire.outbox.drain import DEFAULT_LEASE, Drain, new_worker_id
from smswire.outbox.facade import Outbox, open_store, shown_location
from smswire.outbox.feed import EventFeed
from smswire.outbox.inbound import InboundRecorder
from smswire.outbox.records import (
    AcceptedPart,
    Claim,
    DeliveryState,
    Event,
    EventKind,
    MessageStatus,
    PartStatus,
    Pending,
    ReceiptRecord,
    Settled,
    Via,
)
from smswire.outbox.sqlite import SqliteStore
from smswire.outbox.store import DEFAULT_CORRELATION_TTL, DEFAULT_ROUTE, OutboxStore
from smswire.outbox.worker import OutboxWorker, Sender, WorkerStats

__all__ = [
    "DEFAULT_CORRELATION_TTL",
    "DEFAULT_LEASE",
    "DEFAULT_ROUTE",
    "AcceptedPart",
    "Claim",
    "DeliveryState",
    "Drain",
    "Event",
    "EventFeed",
    "EventKind",
    "InboundRecorder",
    "MessageStatus",
    "Outbox",
    "OutboxStore",
    "OutboxWorker",
    "PartStatus",
    "Pending",
    "ReceiptRecord",
    "Sender",
    "Settled",
    "SqliteStore",
    "Via",
    "WorkerStats",
    "new_worker_id",
    "open_store",
    "shown_location",
]
