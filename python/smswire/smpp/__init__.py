"""SMPP 3.4: the sans-I/O session, the asyncio client, receipts and an SMSC simulator."""

from __future__ import annotations

from smswire.smpp.addresses import Address, Npi, Ton, classify, source_address
from smswire.smpp.client import Backoff, Delivery, SmppClient
from smswire.smpp.message import Concatenation, Message, MobileOriginated, SendResult, SendState
from smswire.smpp.receipts import DeliveryReceipt, ReceiptState, parse_receipt
from smswire.smpp.session import Role, Session, SessionState
from smswire.smpp.simulator import ReceivedMessage, RejectedSubmit, SmscSimulator

__all__ = [
    "Address",
    "Backoff",
    "Concatenation",
    "Delivery",
    "DeliveryReceipt",
    "Message",
    "MobileOriginated",
    "Npi",
    "ReceiptState",
    "ReceivedMessage",
    "RejectedSubmit",
    "Role",
    "SendResult",
    "SendState",
    "Session",
    "SessionState",
    "SmppClient",
    "SmscSimulator",
    "Ton",
    "classify",
    "parse_receipt",
    "source_address",
]
