"""An SMSC simulator that behaves like inMobile's, for tests, benchmarks and offline demos.

Built from the same codec and :class:`~smswire.smpp.session.Session` as the
client, on real sockets, TLS by default. It keeps its own record of every
submit it accepted or refused and every receipt it delivered, in memory or in
a file another process reads (:class:`SimulatorRecord`), so a test can prove
that no message was lost or duplicated; and it injects the faults a sender
must survive: per-account and per-bind TPS caps, random refusals, inMobile's
controlled restart, receipts owed while no receiver is bound.

Run on its own: ``python -m smswire.smpp.simulator --help``.

The package, one concern a module: :mod:`.smsc` (the simulator), :mod:`.link`
(one connection: its reads, writes and timers), :mod:`.checks` (what a submit_sm must satisfy),
:mod:`.throttle` (rate caps, failed binds), :mod:`.deliveries` (receipts and
mobile-originated messages owed), :mod:`.inmobile` (the provider's habits),
:mod:`.answers` (the SMSC's decisions on binds and submits), :mod:`.tls`,
:mod:`.journal` and :mod:`.record` (the record, written and read).
"""

from __future__ import annotations

from smswire.smpp.simulator.deliveries import DEFAULT_REDELIVERY_DELAY
from smswire.smpp.simulator.inmobile import DEFAULT_RESTART_DOWNTIME, SOURCE_ADDR_KEPT
from smswire.smpp.simulator.link import (
    DEFAULT_BIND_TIMEOUT,
    DEFAULT_DELIVER_TIMEOUT,
    DEFAULT_IDLE_TIMEOUT,
)
from smswire.smpp.simulator.record import (
    Attempt,
    Connection,
    Delivery,
    ReceivedMessage,
    RefusedPdu,
    RejectedSubmit,
    SimulatorRecord,
    Submit,
)
from smswire.smpp.simulator.smsc import SmscSimulator
from smswire.smpp.simulator.throttle import FailedBindLimit, PerSecondCap

__all__ = [
    "DEFAULT_BIND_TIMEOUT",
    "DEFAULT_DELIVER_TIMEOUT",
    "DEFAULT_IDLE_TIMEOUT",
    "DEFAULT_REDELIVERY_DELAY",
    "DEFAULT_RESTART_DOWNTIME",
    "SOURCE_ADDR_KEPT",
    "Attempt",
    "Connection",
    "Delivery",
    "FailedBindLimit",
    "PerSecondCap",
    "ReceivedMessage",
    "RefusedPdu",
    "RejectedSubmit",
    "SimulatorRecord",
    "SmscSimulator",
    "Submit",
]
