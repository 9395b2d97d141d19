"""Cross-check with smpplib (PyPI): its PDU classes encode and decode standalone."""

from __future__ import annotations

import pytest
from smpplib import command, smpp

from smswire.pdu import (
    BindTransceiver,
    DeliverSm,
    EnquireLink,
    SubmitSm,
    SubmitSmResp,
    Tlv,
    TlvTag,
    decode,
    encode,
    message_state,
    receipted_message_id,
)


class _Sequencer:
    """smpplib asks its client for sequence numbers even when parsing."""

    sequence = 1

    def next_sequence(self) -> int:
        return self.sequence


def parse(data: bytes) -> command.Command:
    return smpp.parse_pdu(data, client=_Sequencer())


SUBMITS = [
    SubmitSm(
        source_addr="LINK",
        dest_addr_ton=1,
        dest_addr_npi=1,
        destination_addr="+4746910822",
        registered_delivery=1,
        short_message=b"x" * 160,
        sequence_number=9,
    ),
    SubmitSm(
        source_addr_ton=5,
        source_addr="Sender",
        destination_addr="4712345678",
        esm_class=0x40,
        data_coding=8,
        validity_period="000001000000000R",
        short_message=bytes.fromhex("050003fe0201") + "hej ø".encode("utf-16-be"),
        sequence_number=0x7FFFFFFF,
    ),
]


@pytest.mark.parametrize("pdu", SUBMITS)
def test_submit_sm_we_encode_decodes_identically_in_smpplib(pdu: SubmitSm) -> None:
    theirs = parse(encode(pdu))
    assert theirs.command == "submit_sm"
    assert theirs.sequence == pdu.sequence_number
    assert theirs.source_addr == pdu.source_addr.encode()
    assert theirs.source_addr_ton == pdu.source_addr_ton
    assert theirs.destination_addr == pdu.destination_addr.encode()
    assert (theirs.dest_addr_ton, theirs.dest_addr_npi) == (pdu.dest_addr_ton, pdu.dest_addr_npi)
    assert (theirs.esm_class, theirs.data_coding) == (pdu.esm_class, pdu.data_coding)
    assert theirs.registered_delivery == pdu.registered_delivery
    assert (theirs.validity_period or b"") == pdu.validity_period.encode()
    assert theirs.short_message == pdu.short_message


def test_delivery_receipt_we_encode_decodes_identically_in_smpplib() -> None:
    pdu = DeliverSm(
        source_addr="4712345678",
        destination_addr="LINK",
        esm_class=0x04,
        short_message=b"id:abc sub:001 dlvrd:001 stat:DELIVRD err:000",
        tlvs=(Tlv(TlvTag.RECEIPTED_MESSAGE_ID, b"abc\x00"), Tlv(TlvTag.MESSAGE_STATE, b"\x02")),
        sequence_number=3,
    )
    theirs = parse(encode(pdu))
    assert (theirs.command, theirs.sequence, theirs.esm_class) == ("deliver_sm", 3, 4)
    assert theirs.receipted_message_id == b"abc"
    assert theirs.message_state == 2
    assert theirs.short_message == pdu.short_message


def test_responses_and_binds_we_encode_decode_identically_in_smpplib() -> None:
    resp = parse(encode(SubmitSmResp(message_id="m-17", sequence_number=4)))
    assert (resp.command, resp.message_id, resp.sequence) == ("submit_sm_resp", b"m-17", 4)
    bind = parse(encode(BindTransceiver(system_id="me", password="pw", sequence_number=1)))
    assert (bind.command, bind.system_id, bind.password) == ("bind_transceiver", b"me", b"pw")
    assert bind.interface_version == 0x34
    link = parse(encode(EnquireLink(sequence_number=77)))
    assert (link.command, link.sequence) == ("enquire_link", 77)


def test_submit_sm_smpplib_encodes_decodes_identically_in_ours() -> None:
    theirs = command.SubmitSM(
        "submit_sm",
        client=_Sequencer(),
        source_addr="LINK",
        destination_addr="+4746910822",
        dest_addr_ton=1,
        dest_addr_npi=1,
        registered_delivery=1,
        data_coding=8,
        short_message="hej ø".encode("utf-16-be"),
    )
    data = theirs.generate()
    ours = decode(data)
    assert isinstance(ours, SubmitSm)
    assert (ours.source_addr, ours.destination_addr) == ("LINK", "+4746910822")
    assert (ours.dest_addr_ton, ours.dest_addr_npi, ours.registered_delivery) == (1, 1, 1)
    assert (ours.data_coding, ours.short_message) == (8, "hej ø".encode("utf-16-be"))
    assert encode(ours) == data


def test_delivery_receipt_smpplib_encodes_decodes_identically_in_ours() -> None:
    theirs = command.DeliverSM(
        "deliver_sm",
        client=_Sequencer(),
        source_addr="4712",
        esm_class=4,
        short_message=b"id:abc stat:DELIVRD",
        receipted_message_id="abc",
        message_state=2,
    )
    data = theirs.generate()
    ours = decode(data)
    assert isinstance(ours, DeliverSm)
    assert (ours.source_addr, ours.esm_class, ours.short_message) == (
        "4712",
        4,
        b"id:abc stat:DELIVRD",
    )
    assert receipted_message_id(ours) == "abc"
    assert message_state(ours) == 2
    assert encode(ours) == data


def test_submit_sm_resp_smpplib_encodes_decodes_identically_in_ours() -> None:
    data = command.SubmitSMResp("submit_sm_resp", client=_Sequencer(), message_id="xyz").generate()
    ours = decode(data)
    assert ours == SubmitSmResp(message_id="xyz", sequence_number=ours.sequence_number)
    assert encode(ours) == data
