"""smswire: high-volume SMS for Python.

GSM 03.38 and UCS2 encoding with exact segmentation, an SMPP 3.4 codec and
client, and LINK Mobility's SMSC Simple HTTP interface, on a Rust core with a
pure-Python twin.
"""

from __future__ import annotations

from smswire._backend import BACKEND
from smswire.errors import (
    ConfigurationError,
    EncodingError,
    MessageTooLong,
    ProtocolError,
    SmscError,
    SmswireError,
    TransportError,
)
from smswire.link import (
    AsyncLinkMobilityClient,
    DeliveryReport,
    DeliveryReportReceiver,
    LinkMobilityClient,
    LinkSimulator,
    ResultCode,
)

__version__ = "0.1.0"

__all__ = [
    "BACKEND",
    "AsyncLinkMobilityClient",
    "ConfigurationError",
    "DeliveryReport",
    "DeliveryReportReceiver",
    "EncodingError",
    "LinkMobilityClient",
    "LinkSimulator",
    "MessageTooLong",
    "ProtocolError",
    "ResultCode",
    "SmscError",
    "SmswireError",
    "TransportError",
    "__version__",
]
