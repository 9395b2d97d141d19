"""User data of received short messages: UDH, SAR TLVs, data_coding, reassembly.

Both sides of the wire need this: the client for mobile-originated messages
(deliver_sm), the simulator for what senders submit (submit_sm).
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass, field

from smswire.encoding import decode_gsm7, decode_ucs2
from smswire.errors import EncodingError
from smswire.pdu import TlvTag

__all__ = [
    "DATA_CODING_FLASH_BIT",
    "ESM_CLASS_UDHI",
    "MobileOriginated",
    "MultipartAssembler",
    "UserData",
    "decode_text",
    "message_body",
    "split_user_data",
]

# SMPP 3.4 §5.2.12: esm_class bit 6, a user data header leads short_message.
ESM_CLASS_UDHI = 0x40
# 3GPP TS 23.038 §4: in the general data coding group, bit 4 says bits 1-0
# carry a message class; class 0 is a flash message (inMobile: 0x10, 0x18).
DATA_CODING_FLASH_BIT = 0x10
# 3GPP TS 23.040 §9.2.3.24.1 and .8: concatenation with 8- and 16-bit references.
IEI_CONCAT_8 = 0x00
IEI_CONCAT_16 = 0x08
# SMPP 3.4 §5.3.2.22-24: the SAR TLVs' value lengths.
_SAR_SIZES = {
    TlvTag.SAR_MSG_REF_NUM: 2,
    TlvTag.SAR_TOTAL_SEGMENTS: 1,
    TlvTag.SAR_SEGMENT_SEQNUM: 1,
}
# Partial multipart messages kept while their other parts are awaited.
MAX_PENDING_MULTIPART = 10_000


@dataclass(frozen=True)
class MobileOriginated:
    """A text a handset sent, reassembled from every part the SMSC delivered.

    ``raw`` is its user data as delivered (the parts' text octets joined, user
    data headers removed). ``error`` says why ``text`` is empty when the
    octets could not be read (a bad header or SAR TLV, octets its data_coding
    refuses): such a message is still handed over, raw octets and all.
    """

    source: str
    destination: str
    text: str
    data_coding: int
    parts: int = 1
    raw: bytes = field(default=b"", repr=False)
    error: str | None = None


@dataclass(frozen=True)
class UserData:
    """A short message's text octets and, for a part of a longer one, where it fits."""

    payload: bytes
    reference: int | None = None
    total: int = 1
    index: int = 1
    # The user data header, UDHL first, kept for decoding (it may name national
    # shift tables); the fields above already say what it means for reassembly.
    udh: bytes = field(default=b"", compare=False)


def message_body(short_message: bytes, tlvs: Iterable[tuple[int, bytes]]) -> bytes:
    """The user data of a PDU: short_message, or the message_payload TLV when it
    is empty (SMPP 3.4 §5.3.2.32: the whole user data in one TLV)."""
    if short_message:
        return short_message
    return next((value for tag, value in tlvs if tag == TlvTag.MESSAGE_PAYLOAD), b"")


def split_user_data(
    body: bytes, esm_class: int, tlvs: Iterable[tuple[int, bytes]] = ()
) -> UserData:
    """Separate the user data header (or SAR TLVs) from the text octets."""
    if esm_class & ESM_CLASS_UDHI:
        if not body or body[0] + 1 > len(body):
            raise EncodingError("the user data header length exceeds short_message", index=0)
        end = body[0] + 1
        udh, header, payload = body[:end], body[1:end], body[end:]
        at = 0
        while at + 2 <= len(header):
            iei, length = header[at], header[at + 1]
            data = header[at + 2 : at + 2 + length]
            if iei == IEI_CONCAT_8 and length == 3:
                return UserData(payload, data[0], data[1], data[2], udh)
            if iei == IEI_CONCAT_16 and length == 4:
                return UserData(payload, int.from_bytes(data[0:2], "big"), data[2], data[3], udh)
            at += 2 + length
        return UserData(payload, udh=udh)
    # SMPP 3.4 §5.3.2.22-24: the SAR TLVs.
    sar = {
        tag: value
        for tag, value in tlvs
        if tag in (TlvTag.SAR_MSG_REF_NUM, TlvTag.SAR_TOTAL_SEGMENTS, TlvTag.SAR_SEGMENT_SEQNUM)
    }
    if len(sar) == 3:
        for tag, size in _SAR_SIZES.items():
            if len(sar[tag]) != size:
                raise EncodingError(
                    f"the {tag.name.lower()} TLV has {len(sar[tag])} octets, not {size}"
                )
        return UserData(
            body,
            int.from_bytes(sar[TlvTag.SAR_MSG_REF_NUM], "big"),
            sar[TlvTag.SAR_TOTAL_SEGMENTS][0],
            sar[TlvTag.SAR_SEGMENT_SEQNUM][0],
        )
    return UserData(body)


def decode_text(payload: bytes, data_coding: int, udh: bytes = b"") -> str:
    """Decode text octets by data_coding (SMPP 3.4 §5.2.19, 3GPP TS 23.038 §4).

    GSM 7-bit arrives unpacked, one septet per octet, as SMPP SMSCs send it, in
    the national language shift tables ``udh`` names (TS 23.040 §9.2.3.24.15-16).
    """
    if data_coding < 0x10:
        # SMPP 3.4 §5.2.19: the SMPP-specific values of the low range.
        if data_coding == 0x00:
            return decode_gsm7(payload, udh=udh)
        if data_coding == 0x08:
            return decode_ucs2(payload)
        if data_coding == 0x01:
            return payload.decode("ascii", errors="replace")
        return payload.decode("latin-1")
    if data_coding & 0xC0 == 0x00:
        # 3GPP TS 23.038 §4 general data coding group: bits 3-2 give the alphabet.
        alphabet = (data_coding >> 2) & 0x03
    elif data_coding & 0xF0 == 0xF0:
        # 3GPP TS 23.038 §4 data coding/message class group: bit 2 is 8-bit data.
        alphabet = (data_coding >> 2) & 0x01
    else:
        alphabet = 1
    if alphabet == 0:
        return decode_gsm7(payload, udh=udh)
    if alphabet == 2:
        return decode_ucs2(payload)
    return payload.decode("latin-1")


class MultipartAssembler:
    """Collects the parts of concatenated messages and returns each whole one once.

    ``add(..., hold=True)`` keeps a completed message's parts until
    :meth:`discard`: a receiver whose application failed to take the message
    completes it again when the SMSC redelivers its last part.
    """

    def __init__(self, limit: int = MAX_PENDING_MULTIPART) -> None:
        self._limit = limit
        self._pending: collections.OrderedDict[tuple[str, str, int, int], dict[int, bytes]] = (
            collections.OrderedDict()
        )

    def add(
        self,
        source: str,
        destination: str,
        data_coding: int,
        part: UserData,
        *,
        hold: bool = False,
    ) -> MobileOriginated | None:
        if part.reference is None or part.total <= 1:
            return _readable(source, destination, part.payload, data_coding, part.udh, 1)
        key = self.key(source, destination, part)
        parts = self._pending.setdefault(key, {})
        parts[part.index] = part.payload
        if len(parts) < part.total:
            while len(self._pending) > self._limit:
                self._pending.popitem(last=False)
            return None
        if not hold:
            del self._pending[key]
        # Joined before decoding: a UCS2 surrogate pair may straddle two parts.
        joined = b"".join(parts[i] for i in sorted(parts))
        # Every part's UDH names the same shift tables (TS 23.040 §9.2.3.24.15-16).
        return _readable(source, destination, joined, data_coding, part.udh, part.total)

    @staticmethod
    def key(source: str, destination: str, part: UserData) -> tuple[str, str, int, int]:
        """What the parts of one concatenated message share."""
        return (source, destination, part.reference or 0, part.total)

    def discard(self, key: tuple[str, str, int, int]) -> None:
        """Forget a message held after completion (its application has it)."""
        self._pending.pop(key, None)


def _readable(
    source: str, destination: str, raw: bytes, data_coding: int, udh: bytes, parts: int
) -> MobileOriginated:
    """The message, with its text when ``data_coding`` can read ``raw``."""
    try:
        text = decode_text(raw, data_coding, udh)
    except EncodingError as exc:
        return MobileOriginated(source, destination, "", data_coding, parts, raw, str(exc))
    return MobileOriginated(source, destination, text, data_coding, parts, raw)
