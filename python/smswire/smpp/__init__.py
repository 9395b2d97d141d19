"""SMPP 3.4: the sans-I/O session, the submit_sm builder, the asyncio client and
its blocking twin, a pool of binds under one account's cap, receipts and an
SMSC simulator."""

from __future__ import annotations

from smswire.smpp.addresses import Address, Npi, Ton, classify, source_address
from smswire.smpp.blocking import SmppClient
from smswire.smpp.client import AsyncSmppClient
from smswire.smpp.pool import AsyncSmppPool
from smswire.smpp.receipts import DeliveryReceipt, ReceiptState, parse_receipt
from smswire.smpp.session import Role, Session, SessionState
from smswire.smpp.simulator import ReceivedMessage, RejectedSubmit, SmscSimulator
from smswire.smpp.submit import build_submits
from smswire.smpp.userdata import MobileOriginated

__all__ = [
    "Address",
    "AsyncSmppClient",
    "AsyncSmppPool",
    "DeliveryReceipt",
    "MobileOriginated",
    "Npi",
    "ReceiptState",
    "ReceivedMessage",
    "RejectedSubmit",
    "Role",
    "Session",
    "SessionState",
    "SmppClient",
    "SmscSimulator",
    "Ton",
    "build_submits",
    "classify",
    "parse_receipt",
    "source_address",
]
