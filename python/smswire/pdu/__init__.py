"""The SMPP 3.4 PDU codec: every PDU and TLV, stream framing, strict validation.

``encode``, ``encode_many``, ``decode`` and ``Framer`` come from the Rust
extension when ``smswire._backend`` chose it and from the pure-Python twin
otherwise; both take and return the very same dataclasses and raise the same
``ProtocolError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

from smswire._backend import NATIVE
from smswire.errors import ProtocolError
from smswire.pdu._tlv import (
    NetworkErrorCode,
    TlvTag,
    additional_status_info_text,
    cstring_tlv,
    delivery_failure_reason,
    destination_port,
    dpf_result,
    find_tlv,
    int_tlv,
    message_payload,
    message_state,
    more_messages_to_send,
    ms_availability_status,
    network_error_code,
    payload_type,
    receipted_message_id,
    sar_msg_ref_num,
    sar_segment_seqnum,
    sar_total_segments,
    sc_interface_version,
    source_port,
    user_message_reference,
)
from smswire.pdu._types import (
    HEADER_LENGTH,
    INTERFACE_VERSION,
    MAX_COMMAND_LENGTH,
    MAX_DESTINATIONS,
    MAX_SHORT_MESSAGE,
    AlertNotification,
    BindReceiver,
    BindReceiverResp,
    BindTransceiver,
    BindTransceiverResp,
    BindTransmitter,
    BindTransmitterResp,
    CancelSm,
    CancelSmResp,
    CommandId,
    CommandStatus,
    DataSm,
    DataSmResp,
    DeliverSm,
    DeliverSmResp,
    DistributionList,
    EnquireLink,
    EnquireLinkResp,
    GenericNack,
    Outbind,
    Pdu,
    QuerySm,
    QuerySmResp,
    ReplaceSm,
    ReplaceSmResp,
    SmeAddress,
    SubmitMulti,
    SubmitMultiResp,
    SubmitSm,
    SubmitSmResp,
    Tlv,
    Unbind,
    UnbindResp,
    UnsuccessSme,
    with_sequence_number,
)

if TYPE_CHECKING or NATIVE is None:
    from smswire.pdu._pure import Framer, decode, encode, encode_many
else:
    Framer = NATIVE.PduFramer
    decode = NATIVE.pdu_decode
    encode = NATIVE.pdu_encode
    encode_many = NATIVE.pdu_encode_many

# Every PDU class, in the order of the spec's §4; the union Pdu already lists them.
PDU_CLASSES: tuple[type, ...] = get_args(Pdu)

__all__ = [
    "HEADER_LENGTH",
    "INTERFACE_VERSION",
    "MAX_COMMAND_LENGTH",
    "MAX_DESTINATIONS",
    "MAX_SHORT_MESSAGE",
    "PDU_CLASSES",
    "AlertNotification",
    "BindReceiver",
    "BindReceiverResp",
    "BindTransceiver",
    "BindTransceiverResp",
    "BindTransmitter",
    "BindTransmitterResp",
    "CancelSm",
    "CancelSmResp",
    "CommandId",
    "CommandStatus",
    "DataSm",
    "DataSmResp",
    "DeliverSm",
    "DeliverSmResp",
    "DistributionList",
    "EnquireLink",
    "EnquireLinkResp",
    "Framer",
    "GenericNack",
    "NetworkErrorCode",
    "Outbind",
    "Pdu",
    "ProtocolError",
    "QuerySm",
    "QuerySmResp",
    "ReplaceSm",
    "ReplaceSmResp",
    "SmeAddress",
    "SubmitMulti",
    "SubmitMultiResp",
    "SubmitSm",
    "SubmitSmResp",
    "Tlv",
    "TlvTag",
    "Unbind",
    "UnbindResp",
    "UnsuccessSme",
    "additional_status_info_text",
    "cstring_tlv",
    "decode",
    "delivery_failure_reason",
    "destination_port",
    "dpf_result",
    "encode",
    "encode_many",
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
    "with_sequence_number",
]
