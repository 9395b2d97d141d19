"""An offline LINK SMSC Simple HTTP endpoint, for tests, benchmarks and demos.

:class:`LinkSimulator` is an ASGI application that answers as the guide
describes the platform and posts delivery reports to a callback URL. It keeps
its own record of every send it accepted or refused and every report it
posted, in memory or in a file another process reads
(:class:`LinkSimulatorRecord`), so a test can prove from the provider's side
that no message and no report was lost.

Run on its own: ``python -m smswire.link.simulator --help``.

The package, one concern a module: :mod:`.endpoint` (the application),
:mod:`.reports` (posting delivery reports), :mod:`.journal` and
:mod:`.record` (the record, written and read).
"""

from __future__ import annotations

from smswire.link.simulator.endpoint import (
    LINK_TLS12_CIPHERS,
    LINK_TLS13_CIPHERS,
    LinkSimulator,
    SimulatedMessage,
)
from smswire.link.simulator.record import (
    AcceptedSend,
    LinkSimulatorRecord,
    OwedReport,
    RefusedSend,
    ReportAttempt,
)
from smswire.link.simulator.reports import DEFAULT_REPORT_ATTEMPTS, DEFAULT_REPORT_RETRY_INTERVAL

__all__ = [
    "DEFAULT_REPORT_ATTEMPTS",
    "DEFAULT_REPORT_RETRY_INTERVAL",
    "LINK_TLS12_CIPHERS",
    "LINK_TLS13_CIPHERS",
    "AcceptedSend",
    "LinkSimulator",
    "LinkSimulatorRecord",
    "OwedReport",
    "RefusedSend",
    "ReportAttempt",
    "SimulatedMessage",
]
