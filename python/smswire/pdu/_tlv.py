"""Optional parameters (TLVs) of SMPP 3.4 §5.3: tags, and typed reading and building.

Decoding keeps every TLV as raw octets, in wire order, unknown and vendor
tags (0x1400-0x3FFF) included; the accessors below interpret the standard
ones a sender reads and raise ``ProtocolError(ESME_RINVPARLEN)`` when a value
has the wrong size, so one odd TLV never costs the whole PDU.
"""

from __future__ import annotations

import enum
from typing import Any, NamedTuple

from smswire.errors import ProtocolError
from smswire.pdu._types import CommandStatus, Tlv

__all__ = [
    "NetworkErrorCode",
    "TlvTag",
    "additional_status_info_text",
    "cstring_tlv",
    "delivery_failure_reason",
    "destination_port",
    "dpf_result",
    "find_tlv",
    "int_tlv",
    "message_payload",
    "message_state",
    "more_messages_to_send",
    "ms_availability_status",
    "network_error_code",
    "payload_type",
    "receipted_message_id",
    "sar_msg_ref_num",
    "sar_segment_seqnum",
    "sar_total_segments",
    "sc_interface_version",
    "source_port",
    "user_message_reference",
]


class TlvTag(enum.IntEnum):
    """SMPP 3.4 §5.3.2: optional parameter tags (Table 5-4)."""

    DEST_ADDR_SUBUNIT = 0x0005
    DEST_NETWORK_TYPE = 0x0006
    DEST_BEARER_TYPE = 0x0007
    DEST_TELEMATICS_ID = 0x0008
    SOURCE_ADDR_SUBUNIT = 0x000D
    SOURCE_NETWORK_TYPE = 0x000E
    SOURCE_BEARER_TYPE = 0x000F
    SOURCE_TELEMATICS_ID = 0x0010
    QOS_TIME_TO_LIVE = 0x0017
    PAYLOAD_TYPE = 0x0019
    ADDITIONAL_STATUS_INFO_TEXT = 0x001D
    RECEIPTED_MESSAGE_ID = 0x001E
    MS_MSG_WAIT_FACILITIES = 0x0030
    PRIVACY_INDICATOR = 0x0201
    SOURCE_SUBADDRESS = 0x0202
    DEST_SUBADDRESS = 0x0203
    USER_MESSAGE_REFERENCE = 0x0204
    USER_RESPONSE_CODE = 0x0205
    SOURCE_PORT = 0x020A
    DESTINATION_PORT = 0x020B
    SAR_MSG_REF_NUM = 0x020C
    LANGUAGE_INDICATOR = 0x020D
    SAR_TOTAL_SEGMENTS = 0x020E
    SAR_SEGMENT_SEQNUM = 0x020F
    SC_INTERFACE_VERSION = 0x0210
    CALLBACK_NUM_PRES_IND = 0x0302
    CALLBACK_NUM_ATAG = 0x0303
    NUMBER_OF_MESSAGES = 0x0304
    CALLBACK_NUM = 0x0381
    DPF_RESULT = 0x0420
    SET_DPF = 0x0421
    MS_AVAILABILITY_STATUS = 0x0422
    NETWORK_ERROR_CODE = 0x0423
    MESSAGE_PAYLOAD = 0x0424
    DELIVERY_FAILURE_REASON = 0x0425
    MORE_MESSAGES_TO_SEND = 0x0426
    MESSAGE_STATE = 0x0427
    USSD_SERVICE_OP = 0x0501
    DISPLAY_TIME = 0x1201
    SMS_SIGNAL = 0x1203
    MS_VALIDITY = 0x1204
    ALERT_ON_MESSAGE_DELIVERY = 0x130C
    ITS_REPLY_TYPE = 0x1380
    ITS_SESSION_INFO = 0x1383


_T = TlvTag
# SMPP 3.4 §5.3.2.*: the fixed sizes of integer-valued parameters, in octets.
INT_SIZES: dict[int, int] = {
    _T.DEST_ADDR_SUBUNIT: 1,
    _T.DEST_NETWORK_TYPE: 1,
    _T.DEST_BEARER_TYPE: 1,
    _T.DEST_TELEMATICS_ID: 2,
    _T.SOURCE_ADDR_SUBUNIT: 1,
    _T.SOURCE_NETWORK_TYPE: 1,
    _T.SOURCE_BEARER_TYPE: 1,
    _T.SOURCE_TELEMATICS_ID: 1,
    _T.QOS_TIME_TO_LIVE: 4,
    _T.PAYLOAD_TYPE: 1,
    _T.MS_MSG_WAIT_FACILITIES: 1,
    _T.PRIVACY_INDICATOR: 1,
    _T.USER_MESSAGE_REFERENCE: 2,
    _T.USER_RESPONSE_CODE: 1,
    _T.SOURCE_PORT: 2,
    _T.DESTINATION_PORT: 2,
    _T.SAR_MSG_REF_NUM: 2,
    _T.LANGUAGE_INDICATOR: 1,
    _T.SAR_TOTAL_SEGMENTS: 1,
    _T.SAR_SEGMENT_SEQNUM: 1,
    _T.SC_INTERFACE_VERSION: 1,
    _T.CALLBACK_NUM_PRES_IND: 1,
    _T.NUMBER_OF_MESSAGES: 1,
    _T.DPF_RESULT: 1,
    _T.SET_DPF: 1,
    _T.MS_AVAILABILITY_STATUS: 1,
    _T.DELIVERY_FAILURE_REASON: 1,
    _T.MORE_MESSAGES_TO_SEND: 1,
    _T.MESSAGE_STATE: 1,
    _T.USSD_SERVICE_OP: 1,
    _T.DISPLAY_TIME: 1,
    _T.SMS_SIGNAL: 2,
    _T.MS_VALIDITY: 1,
    _T.ITS_REPLY_TYPE: 1,
    _T.ITS_SESSION_INFO: 2,
}
# SMPP 3.4 §5.3.2.12 and §5.3.2.11: C-Octet String values, limit counts the NUL.
CSTRING_LIMITS: dict[int, int] = {
    _T.RECEIPTED_MESSAGE_ID: 65,
    _T.ADDITIONAL_STATUS_INFO_TEXT: 256,
}


class NetworkErrorCode(NamedTuple):
    """SMPP 3.4 §5.3.2.31: network type (1 = ANSI-136, 2 = IS-95, 3 = GSM, ...) and its code."""

    network_type: int
    error_code: int


def find_tlv(pdu: Any, tag: int) -> bytes | None:
    """The value of the first TLV with ``tag`` in ``pdu.tlvs``, or None."""
    for tlv in pdu.tlvs:
        if tlv.tag == tag:
            value: bytes = tlv.value
            return value
    return None


def _bad_length(pdu: Any, tag: TlvTag, got: int, expected: str) -> ProtocolError:
    name = tag.name.lower()
    return ProtocolError(
        f"{name}: TLV 0x{tag.value:04X} holds {got} octets, expected {expected}",
        status=CommandStatus.ESME_RINVPARLEN,
        field=name,
        command_id=pdu.command_id,
        sequence_number=pdu.sequence_number,
    )


def _int(pdu: Any, tag: TlvTag) -> int | None:
    value = find_tlv(pdu, tag)
    if value is None:
        return None
    size = INT_SIZES[tag]
    if len(value) != size:
        raise _bad_length(pdu, tag, len(value), str(size))
    return int.from_bytes(value, "big")


def _cstring(pdu: Any, tag: TlvTag) -> str | None:
    value = find_tlv(pdu, tag)
    if value is None:
        return None
    limit = CSTRING_LIMITS[tag]
    # Lenient on receive: SMSCs omit the NUL now and then; the text is intact.
    text = value[:-1] if value.endswith(b"\0") else value
    if len(text) >= limit or b"\0" in text:
        raise _bad_length(pdu, tag, len(value), f"a C-Octet String of at most {limit}")
    return text.decode("latin-1")


def receipted_message_id(pdu: Any) -> str | None:
    """SMPP 3.4 §5.3.2.12: the SMSC message ID a delivery receipt is about."""
    return _cstring(pdu, _T.RECEIPTED_MESSAGE_ID)


def additional_status_info_text(pdu: Any) -> str | None:
    """SMPP 3.4 §5.3.2.11: free text about a status."""
    return _cstring(pdu, _T.ADDITIONAL_STATUS_INFO_TEXT)


def message_state(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.35: the message's state (2 = DELIVERED, ... §5.2.28)."""
    return _int(pdu, _T.MESSAGE_STATE)


def network_error_code(pdu: Any) -> NetworkErrorCode | None:
    """SMPP 3.4 §5.3.2.31: network type (one octet) and error code (two octets)."""
    value = find_tlv(pdu, _T.NETWORK_ERROR_CODE)
    if value is None:
        return None
    if len(value) != 3:
        raise _bad_length(pdu, _T.NETWORK_ERROR_CODE, len(value), "3")
    return NetworkErrorCode(value[0], int.from_bytes(value[1:], "big"))


def message_payload(pdu: Any) -> bytes | None:
    """SMPP 3.4 §5.3.2.32: user data that replaces short_message."""
    return find_tlv(pdu, _T.MESSAGE_PAYLOAD)


def sar_msg_ref_num(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.22: reference number of a concatenated message."""
    return _int(pdu, _T.SAR_MSG_REF_NUM)


def sar_total_segments(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.23: number of parts of a concatenated message."""
    return _int(pdu, _T.SAR_TOTAL_SEGMENTS)


def sar_segment_seqnum(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.24: this part's number, from 1."""
    return _int(pdu, _T.SAR_SEGMENT_SEQNUM)


def user_message_reference(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.17: the ESME's own reference for the message."""
    return _int(pdu, _T.USER_MESSAGE_REFERENCE)


def source_port(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.20: application port of the source."""
    return _int(pdu, _T.SOURCE_PORT)


def destination_port(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.21: application port of the destination."""
    return _int(pdu, _T.DESTINATION_PORT)


def more_messages_to_send(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.34: 1 when more messages follow for the destination."""
    return _int(pdu, _T.MORE_MESSAGES_TO_SEND)


def sc_interface_version(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.25: the SMPP version the SMSC supports (0x34)."""
    return _int(pdu, _T.SC_INTERFACE_VERSION)


def delivery_failure_reason(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.33: why a data_sm failed."""
    return _int(pdu, _T.DELIVERY_FAILURE_REASON)


def dpf_result(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.28: whether a delivery pending flag was set."""
    return _int(pdu, _T.DPF_RESULT)


def ms_availability_status(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.30: the MS's availability (alert_notification)."""
    return _int(pdu, _T.MS_AVAILABILITY_STATUS)


def payload_type(pdu: Any) -> int | None:
    """SMPP 3.4 §5.3.2.10: 0 WDP, 1 WCMP."""
    return _int(pdu, _T.PAYLOAD_TYPE)


def int_tlv(tag: int, value: int) -> Tlv:
    """A TLV of a standard integer parameter, sized as SMPP 3.4 §5.3.2 says."""
    size = INT_SIZES.get(tag)
    if size is None:
        raise ValueError(f"0x{tag:04X} is not an integer-valued SMPP 3.4 parameter")
    if not 0 <= value < 1 << (8 * size):
        raise ValueError(f"{TlvTag(tag).name.lower()}: {value} does not fit {size} octet(s)")
    return Tlv(tag, value.to_bytes(size, "big"))


def cstring_tlv(tag: int, text: str) -> Tlv:
    """A TLV of a standard C-Octet String parameter, NUL-terminated (§5.3.2.12)."""
    limit = CSTRING_LIMITS.get(tag)
    if limit is None:
        raise ValueError(f"0x{tag:04X} is not a C-Octet String SMPP 3.4 parameter")
    octets = text.encode("latin-1")
    if len(octets) >= limit or b"\0" in octets:
        raise ValueError(
            f"{TlvTag(tag).name.lower()}: at most {limit - 1} octets without NUL, got {len(octets)}"
        )
    return Tlv(tag, octets + b"\0")
