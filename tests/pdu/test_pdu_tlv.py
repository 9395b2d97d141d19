"""Optional parameters (SMPP 3.4 §5.3): tags and typed accessors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import smswire
from smswire import ProtocolError
from smswire.pdu import (
    CommandStatus,
    DeliverSm,
    NetworkErrorCode,
    SubmitSm,
    Tlv,
    TlvTag,
    cstring_tlv,
    decode,
    destination_port,
    encode,
    find_tlv,
    int_tlv,
    message_payload,
    message_state,
    more_messages_to_send,
    network_error_code,
    receipted_message_id,
    sar_msg_ref_num,
    sar_segment_seqnum,
    sar_total_segments,
    source_port,
    user_message_reference,
)

RECEIPT = DeliverSm(
    esm_class=0x04,
    tlvs=(
        Tlv(TlvTag.RECEIPTED_MESSAGE_ID, b"38601fa\x00"),
        Tlv(TlvTag.MESSAGE_STATE, b"\x02"),
        Tlv(TlvTag.NETWORK_ERROR_CODE, b"\x03\x00\x2a"),
    ),
    sequence_number=3,
)


def test_tags_are_those_of_smpp_3_4_table_5_4() -> None:
    assert TlvTag.RECEIPTED_MESSAGE_ID == 0x001E
    assert TlvTag.MESSAGE_PAYLOAD == 0x0424
    assert TlvTag.MESSAGE_STATE == 0x0427
    assert TlvTag.SAR_MSG_REF_NUM == 0x020C
    assert TlvTag.ITS_SESSION_INFO == 0x1383
    assert len(TlvTag) == 44


def test_delivery_receipt_parameters_read_as_typed_values() -> None:
    pdu = decode(encode(RECEIPT))
    assert receipted_message_id(pdu) == "38601fa"
    assert message_state(pdu) == 2
    assert network_error_code(pdu) == NetworkErrorCode(network_type=3, error_code=42)


def test_absent_parameters_read_as_none() -> None:
    pdu = DeliverSm()
    assert receipted_message_id(pdu) is None
    assert message_payload(pdu) is None
    assert more_messages_to_send(pdu) is None
    assert find_tlv(pdu, 0x1400) is None


def test_receipted_message_id_without_its_nul_is_tolerated() -> None:
    pdu = DeliverSm(tlvs=(Tlv(TlvTag.RECEIPTED_MESSAGE_ID, b"abc"),))
    assert receipted_message_id(pdu) == "abc"


def test_integer_parameter_of_the_wrong_size_is_esme_rinvparlen() -> None:
    pdu = DeliverSm(tlvs=(Tlv(TlvTag.MESSAGE_STATE, b"\x00\x02"),), sequence_number=9)
    assert decode(encode(pdu)) == pdu  # decoding keeps it; reading it complains
    with pytest.raises(ProtocolError) as info:
        message_state(pdu)
    error = info.value
    assert (error.status, error.field) == (CommandStatus.ESME_RINVPARLEN, "message_state")
    assert (error.command_id, error.sequence_number) == (0x05, 9)


def test_concatenation_and_port_parameters_round_trip_through_builders() -> None:
    pdu = SubmitSm(
        tlvs=(
            int_tlv(TlvTag.SAR_MSG_REF_NUM, 0x1234),
            int_tlv(TlvTag.SAR_TOTAL_SEGMENTS, 3),
            int_tlv(TlvTag.SAR_SEGMENT_SEQNUM, 2),
            int_tlv(TlvTag.USER_MESSAGE_REFERENCE, 7),
            int_tlv(TlvTag.SOURCE_PORT, 2948),
            int_tlv(TlvTag.DESTINATION_PORT, 9200),
            int_tlv(TlvTag.MORE_MESSAGES_TO_SEND, 1),
        )
    )
    back = decode(encode(pdu))
    assert back.tlvs[0] == Tlv(0x020C, b"\x12\x34")
    assert (sar_msg_ref_num(back), sar_total_segments(back), sar_segment_seqnum(back)) == (
        0x1234,
        3,
        2,
    )
    assert user_message_reference(back) == 7
    assert (source_port(back), destination_port(back)) == (2948, 9200)
    assert more_messages_to_send(back) == 1


def test_message_payload_reads_its_octets() -> None:
    pdu = SubmitSm(tlvs=(Tlv(TlvTag.MESSAGE_PAYLOAD, b"x" * 1000),))
    assert message_payload(decode(encode(pdu))) == b"x" * 1000


def test_builders_refuse_values_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match="sar_total_segments"):
        int_tlv(TlvTag.SAR_TOTAL_SEGMENTS, 256)
    with pytest.raises(ValueError):
        int_tlv(TlvTag.MESSAGE_PAYLOAD, 1)
    with pytest.raises(ValueError):
        cstring_tlv(TlvTag.RECEIPTED_MESSAGE_ID, "x" * 65)
    assert cstring_tlv(TlvTag.RECEIPTED_MESSAGE_ID, "id").value == b"id\x00"


def test_tlv_tags_are_named_once_in_tlvtag() -> None:
    # Issue 11: every module uses TlvTag; a second spelling of a tag (a TAG_*
    # constant, a bare 0x0424) can drift from the table of SMPP 3.4 §5.3.2.
    package = Path(smswire.__file__).parent
    tags = {int(tag) for tag in TlvTag}
    spelled = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "pdu" / "_tlv.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            literals = [int(m, 16) for m in re.findall(r"\b0x([0-9A-Fa-f]{4})\b", code)]
            if re.search(r"\bTAG_\w+\s*=", code) or tags.intersection(literals):
                spelled.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    assert spelled == []
