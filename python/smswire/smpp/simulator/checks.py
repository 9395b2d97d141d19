"""What the simulator checks in a submit_sm the codec decoded, before accepting it.

The codec checks every field's syntax; these are the rules between fields
that an SMSC enforces and a careless or hostile client breaks. Each breach is
answered with the status SMPP 3.4 §5.1.3 names for it, never by dropping the
connection.
"""

from __future__ import annotations

from smswire.pdu import CommandStatus, SubmitSm, TlvTag
from smswire.smpp.userdata import ESM_CLASS_UDHI, message_body

__all__ = ["submit_refusal"]

# SMPP 3.4 §5.3.2.22-24: the SAR TLVs and their sizes in octets.
_SAR_SIZES: dict[int, int] = {
    TlvTag.SAR_MSG_REF_NUM: 2,
    TlvTag.SAR_TOTAL_SEGMENTS: 1,
    TlvTag.SAR_SEGMENT_SEQNUM: 1,
}


def submit_refusal(pdu: SubmitSm) -> int:
    """The command_status a submit_sm must be refused with, or 0 when it is sound."""
    if not pdu.destination_addr:
        # SMPP 3.4 §4.4.1: destination_addr is mandatory.
        return CommandStatus.ESME_RINVDSTADR
    sar: dict[int, bytes] = {}
    for tlv in pdu.tlvs:
        size = _SAR_SIZES.get(tlv.tag)
        if size is None:
            continue
        if len(tlv.value) != size:
            return CommandStatus.ESME_RINVPARLEN
        sar[tlv.tag] = tlv.value
    if sar:
        if len(sar) != len(_SAR_SIZES):
            # The three describe one segment together; one alone says nothing.
            return CommandStatus.ESME_RMISSINGOPTPARAM
        total = sar[TlvTag.SAR_TOTAL_SEGMENTS][0]
        index = sar[TlvTag.SAR_SEGMENT_SEQNUM][0]
        # SMPP 3.4 §5.3.2.23-24: both run from 1, the segment within the total.
        if not 1 <= index <= total:
            return CommandStatus.ESME_RINVOPTPARAMVAL
    if pdu.esm_class & ESM_CLASS_UDHI:
        body = message_body(pdu.short_message, ((t.tag, t.value) for t in pdu.tlvs))
        # 3GPP TS 23.040 §9.2.3.24: the UDHL octet counts the header after it,
        # which must fit in the user data.
        if not body or body[0] + 1 > len(body):
            return CommandStatus.ESME_RINVMSGLEN
    return 0
