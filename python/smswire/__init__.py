"""smswire: high-volume SMS for Python.

GSM 03.38 and UCS2 encoding with exact segmentation, an SMPP 3.4 codec and
client, and LINK Mobility's SMSC Simple HTTP interface, on a Rust core with a
pure-Python twin.
"""

from __future__ import annotations

from smswire._backend import BACKEND
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

# Names both ways out share (Message, SendResult) stay in smswire.smpp and
# smswire.link; only the unambiguous ones are lifted here.
from smswire.smpp import (
    Delivery,
    DeliveryReceipt,
    ReceiptState,
    SendState,
    SmppClient,
    SmscSimulator,
)

__version__ = "0.1.0"

__all__ = [
    "BACKEND",
    "LINK_MOBILITY",
    "STANDARD",
    "Analysis",
    "AsyncLinkMobilityClient",
    "ConfigurationError",
    "Delivery",
    "DeliveryReceipt",
    "DeliveryReport",
    "DeliveryReportReceiver",
    "EncodingError",
    "LinkMobilityClient",
    "LinkSimulator",
    "MessageTooLong",
    "NationalLanguage",
    "Profile",
    "ProtocolError",
    "ReceiptState",
    "ResultCode",
    "Segment",
    "SendState",
    "SmppClient",
    "SmscError",
    "SmscSimulator",
    "SmswireError",
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
