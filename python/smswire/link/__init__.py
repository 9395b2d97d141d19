"""LINK Mobility SMSC Simple HTTP: the sender, result codes, delivery reports,
a report receiver and a simulator (# LINK guide: SMSC Simple HTTP, v5.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smswire._lazy import lazy_exports
from smswire.link.codes import ResultCode
from smswire.link.errors import InvalidParameter, LinkResponseError, MalformedReport
from smswire.link.protocol import BaseUrl
from smswire.link.replies import LinkReply
from smswire.link.reports import DeliveryReport, ReportFormat

if TYPE_CHECKING:
    from smswire.link.blocking import LinkMobilityClient
    from smswire.link.client import AsyncLinkMobilityClient, InsecureTransportWarning
    from smswire.link.receiver import LINK_REPORT_SOURCES, DeliveryReportReceiver
    from smswire.link.simulator import LinkSimulator

# The sender (aiohttp, httpx), the receiver and the simulator load when first
# named: the outbox reads reports and result codes without them.
if not TYPE_CHECKING:  # type checkers read the imports above, so a misspelt name fails
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "smswire.link.blocking": ("LinkMobilityClient",),
            "smswire.link.client": ("AsyncLinkMobilityClient", "InsecureTransportWarning"),
            "smswire.link.receiver": ("LINK_REPORT_SOURCES", "DeliveryReportReceiver"),
            "smswire.link.simulator": ("LinkSimulator",),
        },
    )

__all__ = [
    "LINK_REPORT_SOURCES",
    "AsyncLinkMobilityClient",
    "BaseUrl",
    "DeliveryReport",
    "DeliveryReportReceiver",
    "InsecureTransportWarning",
    "InvalidParameter",
    "LinkMobilityClient",
    "LinkReply",
    "LinkResponseError",
    "LinkSimulator",
    "MalformedReport",
    "ReportFormat",
    "ResultCode",
]
