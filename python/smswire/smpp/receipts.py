"""Delivery receipts: the SMPP 3.4 Appendix B text and the receipt TLVs.

A receipt arrives as a deliver_sm whose esm_class marks it as an SMSC
delivery receipt (SMPP 3.4 §5.2.12). Its short_message carries the de facto
text of Appendix B::

    id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm
    stat:DDDDDDD err:E text: . . . . . . . . .

SMSCs differ in the details, so parsing is tolerant, and never raises on
what an SMSC sent: a receipt it cannot read at all comes back with state
UNKNOWN and its raw octets, so nothing is lost. It reads

- the text by the deliver_sm's data_coding: UTF-16BE when it says UCS2,
  Latin-1 otherwise (keys and digits are ASCII in every coding);
- keys in any ASCII case, in any order, missing, repeated (the first counts),
  the date keys as ``submit date``, ``submit_date``, ``submitdate`` or
  wrapped across lines (inMobile's guide);
- fields after ``text:``: taken while their keys are known and not yet seen;
  the text ends where the first of them starts, and keeps everything else;
- a trailing NUL (a C-string terminator) after the last field or the text;
- dates as ``YYMMDDhhmm``, ``YYMMDDhhmmss``, ``YYYYMMDDhhmm`` (only where the
  first reading is no date), ``YYYYMMDDhhmmss`` and SMPP absolute time
  ``YYMMDDhhmmsstnnp`` (§7.1.1, in its own offset; relative times refused),
  two-digit years pivoted as POSIX ``%y`` does (69-99 are 19xx);
- ``stat`` and ``err`` as typed values, with the raw tokens kept beside them
  (a non-standard ``stat:DND_REJECTED`` is state UNKNOWN; ``err:21b`` has no
  numeric error);
- ids in decimal, hex or UUID form (inMobile's); only ASCII digits are
  digits anywhere.

When the receipted_message_id, message_state or network_error_code TLVs
(SMPP 3.4 §5.3.2.12, §5.3.2.35, §5.3.2.31) are present they win over the
text; a malformed one is ignored.

``parse_receipt`` and ``message_id_keys`` are the native ones (rust/receipt/)
or the pure twin (``_receipt_pure``), as ``smswire._backend`` chose; both
build the same ``DeliveryReceipt``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING

from smswire._backend import NATIVE
from smswire.message import Message
from smswire.smpp import _receipt_pure

__all__ = [
    "DeliveryReceipt",
    "ReceiptState",
    "is_receipt",
    "message_id_keys",
    "parse_receipt",
]

# SMPP 3.4 §5.2.12: esm_class bits 5-2 give the message type; 0b0001 is a receipt.
ESM_CLASS_TYPE_MASK = 0x3C
ESM_CLASS_DELIVERY_RECEIPT = 0x04


class ReceiptState(enum.Enum):
    """The final (or intermediate) state of a message, SMPP 3.4 §5.2.28 and Appendix B."""

    ENROUTE = "ENROUTE"
    DELIVERED = "DELIVRD"
    EXPIRED = "EXPIRED"
    DELETED = "DELETED"
    UNDELIVERABLE = "UNDELIV"
    ACCEPTED = "ACCEPTD"
    UNKNOWN = "UNKNOWN"
    REJECTED = "REJECTD"

    @property
    def final(self) -> bool:
        return self not in _NOT_FINAL


# The states a later receipt may follow (a tuple: membership by identity,
# where a set would hash the member through Enum's Python-level __hash__).
_NOT_FINAL = (ReceiptState.ENROUTE, ReceiptState.ACCEPTED)


@dataclass(frozen=True)
class DeliveryReceipt:
    """One delivery receipt.

    ``error`` follows inMobile's rule: the absolute value of the status code
    (``err:005`` is status -5). ``raw_stat`` and ``raw_err`` are the ``stat``
    and ``err`` tokens as the SMSC wrote them ("" when absent), beside the
    typed ``state`` and ``error``. ``network_error`` is the (network type,
    error code) pair of the network_error_code TLV when one came. ``message``
    is the message the receipt belongs to when the client could correlate it.
    """

    message_id: str
    state: ReceiptState
    error: int | None = None
    submit_date: datetime | None = None
    done_date: datetime | None = None
    submitted: int | None = None
    delivered: int | None = None
    text: str = ""
    raw: bytes = b""
    raw_stat: str = ""
    raw_err: str = ""
    source: str = ""
    destination: str = ""
    network_error: tuple[int, int] | None = None
    message: Message | None = None

    @property
    def delivered_ok(self) -> bool:
        return self.state is ReceiptState.DELIVERED

    def naming(self, message: Message) -> DeliveryReceipt:
        """This receipt with its message named: ``dataclasses.replace`` without
        running ``__init__`` again (every field comes from a receipt already
        made)."""
        named = object.__new__(DeliveryReceipt)
        named.__dict__.update(self.__dict__)
        named.__dict__["message"] = message
        return named


def name_unshared(receipt: DeliveryReceipt, message: Message) -> None:
    """Name ``receipt``'s message in the receipt itself, which stays frozen for
    everyone after: only for a receipt nobody else holds yet (the receive side's,
    just parsed and not handed over), where :meth:`DeliveryReceipt.naming`
    would make a second receipt for every receipt."""
    receipt.__dict__["message"] = message


def is_receipt(esm_class: int) -> bool:
    """True when a deliver_sm's esm_class marks an SMSC delivery receipt (SMPP 3.4 §5.2.12)."""
    return esm_class & ESM_CLASS_TYPE_MASK == ESM_CLASS_DELIVERY_RECEIPT


def _parse_receipt_pure(
    short_message: bytes,
    tlvs: Iterable[tuple[int, bytes]] = (),
    *,
    source: str = "",
    destination: str = "",
    tz: tzinfo | None = timezone.utc,
    data_coding: int = 0,
) -> DeliveryReceipt:
    """Parse a receipt from a deliver_sm's short_message (or message_payload) and TLVs.

    ``tlvs`` are (tag, value) pairs, ``data_coding`` the deliver_sm's. Dates
    carry ``tz`` (Appendix B leaves the zone to the SMSC; UTC unless told),
    except SMPP absolute times, which name their own offset.
    """
    reading = _receipt_pure.read_receipt(short_message, tlvs, tz, data_coding)
    return DeliveryReceipt(
        message_id=reading.message_id,
        state=ReceiptState(reading.state),
        error=reading.error,
        submit_date=reading.submit_date,
        done_date=reading.done_date,
        submitted=reading.submitted,
        delivered=reading.delivered,
        text=reading.text,
        raw=short_message,
        raw_stat=reading.raw_stat,
        raw_err=reading.raw_err,
        source=source,
        destination=destination,
        network_error=reading.network_error,
    )


if TYPE_CHECKING or NATIVE is None:
    parse_receipt = _parse_receipt_pure
    message_id_keys = _receipt_pure.message_id_keys
else:
    parse_receipt = NATIVE.parse_receipt
    message_id_keys = NATIVE.message_id_keys
