"""smswire: high-volume SMS for Python.

GSM 03.38 and UCS2 encoding with exact segmentation, an SMPP 3.4 codec and
client, and LINK Mobility's SMSC Simple HTTP interface, on a Rust core with a
pure-Python twin. Both ways out speak one vocabulary: a :class:`Message` goes
in, a :class:`SendResult` with its :class:`Outcome` comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smswire._backend import BACKEND
from smswire._lazy import lazy_exports
from smswire.encoding import (
    LINK_MOBILITY,
    STANDARD,
    Analysis,
    NationalLanguage,
    Profile,
    Segment,
    analyze,
    analyze_many,
    decode_gsm7,
    decode_ucs2,
    encode_gsm7,
    encode_ucs2,
    pack_septets,
    segment,
    segment_many,
    unpack_septets,
)
from smswire.errors import (
    ClientClosed,
    ConfigurationError,
    EncodingError,
    LocalProtocolError,
    MessageTooLong,
    OutcomeUnknown,
    ProtocolError,
    RemoteProtocolError,
    RequestNotSent,
    SmscError,
    SmswireError,
    TransportError,
)
from smswire.link.codes import ResultCode
from smswire.link.reports import DeliveryReport
from smswire.message import Concatenation, Delivery, Message, Outcome, SendResult
from smswire.options import Backoff, Limits, Timeouts
from smswire.smpp import (
    AsyncSmppClient,
    AsyncSmppPool,
    DeliveryReceipt,
    ReceiptState,
    SmppClient,
    SmscSimulator,
)

if TYPE_CHECKING:
    from smswire.link import (
        AsyncLinkMobilityClient,
        DeliveryReportReceiver,
        LinkMobilityClient,
        LinkSimulator,
    )

# LINK Mobility's sender brings aiohttp and httpx: loaded when first named,
# so an SMPP sender, a worker or `smswire status` starts without them.
if not TYPE_CHECKING:  # type checkers read the imports above, so a misspelt name fails
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "smswire.link": (
                "AsyncLinkMobilityClient",
                "DeliveryReportReceiver",
                "LinkMobilityClient",
                "LinkSimulator",
            ),
        },
    )

__version__ = "0.1.0"

__all__ = [
    "BACKEND",
    "LINK_MOBILITY",
    "STANDARD",
    "Analysis",
    "AsyncLinkMobilityClient",
    "AsyncSmppClient",
    "AsyncSmppPool",
    "Backoff",
    "ClientClosed",
    "Concatenation",
    "ConfigurationError",
    "Delivery",
    "DeliveryReceipt",
    "DeliveryReport",
    "DeliveryReportReceiver",
    "EncodingError",
    "Limits",
    "LinkMobilityClient",
    "LinkSimulator",
    "LocalProtocolError",
    "Message",
    "MessageTooLong",
    "NationalLanguage",
    "Outcome",
    "OutcomeUnknown",
    "Profile",
    "ProtocolError",
    "ReceiptState",
    "RemoteProtocolError",
    "RequestNotSent",
    "ResultCode",
    "Segment",
    "SendResult",
    "SmppClient",
    "SmscError",
    "SmscSimulator",
    "SmswireError",
    "Timeouts",
    "TransportError",
    "__version__",
    "analyze",
    "analyze_many",
    "decode_gsm7",
    "decode_ucs2",
    "encode_gsm7",
    "encode_ucs2",
    "pack_septets",
    "segment",
    "segment_many",
    "unpack_septets",
]
