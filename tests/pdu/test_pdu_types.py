"""The PDU types: command ids, command statuses and the body schema (SMPP 3.4 §4, §5.1)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest

import smswire
from smswire.pdu import (
    PDU_CLASSES,
    CommandId,
    CommandStatus,
    DistributionList,
    SmeAddress,
    SubmitMulti,
    SubmitSm,
    SubmitSmResp,
    Tlv,
    TlvTag,
    UnsuccessSme,
    with_sequence_number,
)
from smswire.pdu._types import BODIES, CLASSES, FIELD_STATUS


def test_every_command_of_smpp_3_4_has_its_class() -> None:
    assert {cls.command_id for cls in PDU_CLASSES} == set(CommandId)  # type: ignore[attr-defined]
    assert len(PDU_CLASSES) == 27
    assert CLASSES[0x80000021].__name__ == "SubmitMultiResp"


def test_class_names_follow_the_spec_names() -> None:
    for cls in PDU_CLASSES:
        spec_name = CommandId(cls.command_id).name  # type: ignore[attr-defined]
        assert cls.__name__ == spec_name.title().replace("_", "")


@pytest.mark.parametrize("cls", PDU_CLASSES)
def test_fields_are_the_body_then_status_sequence_and_tlvs(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    assert names == [name for name, _, _ in BODIES[cls]] + [
        "command_status",
        "sequence_number",
        "tlvs",
    ]
    instance = cls()
    assert instance == cls(**{f.name: f.default for f in dataclasses.fields(cls)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        instance.sequence_number = 1


def test_positional_and_keyword_construction_agree() -> None:
    assert SubmitSm("CMT", 1, 1, "LINK") == SubmitSm(
        service_type="CMT", source_addr_ton=1, source_addr_npi=1, source_addr="LINK"
    )
    assert dataclasses.replace(SubmitSm(), sequence_number=5).sequence_number == 5
    with pytest.raises(TypeError):
        SubmitSm(not_a_field=1)  # type: ignore[call-arg]


def test_command_status_values_are_those_of_smpp_3_4_section_5_1_3() -> None:
    s = CommandStatus
    assert (s.ESME_ROK, s.ESME_RINVCMDLEN, s.ESME_RINVCMDID, s.ESME_RSYSERR) == (0, 2, 3, 8)
    assert (s.ESME_RINVSRCADR, s.ESME_RINVDSTADR, s.ESME_RINVSYSID) == (0x0A, 0x0B, 0x0F)
    assert (s.ESME_RCANCELFAIL, s.ESME_RREPLACEFAIL, s.ESME_RMSGQFUL) == (0x11, 0x13, 0x14)
    assert (s.ESME_RINVNUMDESTS, s.ESME_RINVDLNAME, s.ESME_RINVDESTFLAG) == (0x33, 0x34, 0x40)
    assert (s.ESME_RINVSUBREP, s.ESME_RSUBMITFAIL, s.ESME_RINVSRCTON) == (0x42, 0x45, 0x48)
    assert (s.ESME_RINVDSTTON, s.ESME_RINVSYSTYP, s.ESME_RTHROTTLED) == (0x50, 0x53, 0x58)
    assert (s.ESME_RINVSCHED, s.ESME_RX_R_APPN, s.ESME_RQUERYFAIL) == (0x61, 0x66, 0x67)
    assert (s.ESME_RINVOPTPARSTREAM, s.ESME_RINVOPTPARAMVAL) == (0xC0, 0xC4)
    assert (s.ESME_RDELIVERYFAILURE, s.ESME_RUNKNOWNERR) == (0xFE, 0xFF)
    assert len(s) == 48


def test_every_status_has_its_description() -> None:
    assert CommandStatus.ESME_RTHROTTLED.description.startswith("Throttling error")
    assert all(status.description for status in CommandStatus)


def test_unknown_statuses_stay_readable() -> None:
    assert CommandStatus.describe(0x58).startswith("ESME_RTHROTTLED (")
    assert CommandStatus.describe(0x401) == "vendor-specific command_status 0x00000401"
    assert CommandStatus.describe(0x99) == "unknown command_status 0x00000099"


def test_field_statuses_are_command_statuses() -> None:
    assert set(FIELD_STATUS.values()) <= set(CommandStatus)


def test_protocol_error_is_exported_at_the_top() -> None:
    assert smswire.ProtocolError is smswire.pdu.ProtocolError


def test_instances_copy_pickle_and_replace_like_dataclasses() -> None:
    pdu = SubmitSm(source_addr="LINK", short_message=b"hi", sequence_number=3)
    assert copy.copy(pdu) == pdu
    assert copy.deepcopy(pdu) == pdu
    assert pickle.loads(pickle.dumps(pdu)) == pdu
    assert dataclasses.replace(pdu, source_addr="X").source_addr == "X"
    assert hash(pdu) == hash(SubmitSm(source_addr="LINK", short_message=b"hi", sequence_number=3))


def test_constructor_errors_are_those_of_a_dataclass() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'source'"):
        SubmitSm(source="LINK")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values"):
        SubmitSm("CMT", service_type="CMT")  # type: ignore[misc]
    with pytest.raises(TypeError, match="positional arguments"):
        SubmitSm(*range(30))  # type: ignore[arg-type]


def test_signature_names_every_field() -> None:
    parameters = inspect.signature(SubmitSm).parameters
    assert list(parameters)[:2] == ["service_type", "source_addr_ton"]
    assert parameters["tlvs"].default == ()


def test_subclasses_construct_with_the_parent_fields() -> None:
    class Tagged(SubmitSm):
        pass

    tagged = Tagged(source_addr="LINK")
    assert (type(tagged), tagged.source_addr, tagged.sequence_number) == (Tagged, "LINK", 0)


_ENTRY_CLASSES = (Tlv, SmeAddress, DistributionList, UnsuccessSme)


def _example(cls: type) -> Any:
    return cls(1) if cls is Tlv else cls()


@pytest.mark.parametrize("cls", [*PDU_CLASSES, *_ENTRY_CLASSES])
def test_instances_keep_their_fields_in_slots_not_a_dict(cls: type) -> None:
    names = tuple(f.name for f in dataclasses.fields(cls))
    assert cls.__slots__ == names
    assert not hasattr(_example(cls), "__dict__")
    assert dataclasses.is_dataclass(cls)


@pytest.mark.parametrize("cls", [*PDU_CLASSES, *_ENTRY_CLASSES])
def test_slotted_instances_stay_frozen(cls: type) -> None:
    instance = _example(cls)
    name = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field"):
        setattr(instance, name, 1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field"):
        delattr(instance, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        instance.not_a_field = 1


def test_slotted_instances_pickle_copy_and_replace_with_every_field() -> None:
    pdu = SubmitMulti(
        source_addr="LINK",
        dest_address=(SmeAddress(1, 1, "4746910822"), DistributionList("staff")),
        short_message=b"hi",
        sequence_number=7,
        tlvs=(Tlv(TlvTag.USER_MESSAGE_REFERENCE, b"\x00\x01"),),
    )
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(pdu, protocol)) == pdu
    deep = copy.deepcopy(pdu)
    assert deep == pdu and deep is not pdu and type(deep.dest_address[0]) is SmeAddress
    assert copy.copy(pdu) == pdu
    changed = dataclasses.replace(pdu, sequence_number=8)
    assert (type(changed), changed.dest_address) == (SubmitMulti, pdu.dest_address)
    assert dataclasses.asdict(changed) == {**dataclasses.asdict(pdu), "sequence_number": 8}
    assert dataclasses.astuple(SubmitSmResp("id", 0, 3)) == ("id", 0, 3, ())


def test_a_subclass_keeps_its_own_attributes_through_copy() -> None:
    class Noted(SubmitSm):
        pass

    noted = Noted(source_addr="LINK")
    noted.note = "kept"  # type: ignore[attr-defined]
    copied = copy.copy(noted)
    assert (type(copied), copied.source_addr, copied.note) == (Noted, "LINK", "kept")


def test_a_required_field_must_be_given() -> None:
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'tag'"):
        Tlv()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes from 2 to 3 positional arguments but 4 were given"):
        Tlv(1, b"", 3)  # type: ignore[call-arg]
    assert Tlv(value=b"x", tag=5) == Tlv(5, b"x")


@pytest.mark.parametrize("cls", PDU_CLASSES, ids=lambda cls: cls.__name__)
def test_with_sequence_number_changes_that_field_and_no_other(cls: type) -> None:
    pdu: Any = cls(
        command_status=3, sequence_number=9, tlvs=(Tlv(TlvTag.SOURCE_PORT, b"\x00\x01"),)
    )
    renumbered = with_sequence_number(pdu, 0x7FFFFFFF)
    assert type(renumbered) is cls
    assert renumbered == dataclasses.replace(pdu, sequence_number=0x7FFFFFFF)
    assert pdu.sequence_number == 9, "the original is left as it was"


def test_a_submit_sm_s_body_survives_renumbering() -> None:
    submit = SubmitSm(destination_addr="4512345678", esm_class=0x40, short_message=b"hi")
    assert with_sequence_number(submit, 42) == dataclasses.replace(submit, sequence_number=42)
