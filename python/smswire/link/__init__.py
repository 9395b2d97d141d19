"""LINK Mobility SMSC Simple HTTP: the sender, result codes, delivery reports,
a report receiver and a simulator (# LINK guide: SMSC Simple HTTP, v5.2)."""

from __future__ import annotations

from smswire.link.blocking import LinkMobilityClient
from smswire.link.client import AsyncLinkMobilityClient, InsecureTransportWarning
from smswire.link.codes import ResultCode
from smswire.link.errors import InvalidParameter, LinkResponseError, MalformedReport
from smswire.link.protocol import BaseUrl
from smswire.link.receiver import LINK_REPORT_SOURCES, DeliveryReportReceiver
from smswire.link.replies import LinkReply
from smswire.link.reports import DeliveryReport, ReportFormat
from smswire.link.simulator import LinkSimulator

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
