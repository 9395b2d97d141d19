"""The SMPP 3.4 PDU types, shared by both backends.

One frozen dataclass per PDU of SMPP 3.4 §4, with the spec's field names in
the spec's order, then ``command_status``, ``sequence_number`` and ``tlvs``.
Each keeps its fields in ``__slots__`` (no instance dict), which the native
backend reads and writes in place.
``BODIES`` describes each body field by field (kind and maximum length); the
pure codec walks it, and the Rust core holds the same table
(rust/pdu/schema.rs). tests/pdu/test_schema.py holds the dataclasses, this
table and the Rust one to each other, field by field.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from typing import Any, ClassVar, TypeVar, Union, cast

from smswire._backend import NATIVE

__all__ = [
    "BODIES",
    "CLASSES",
    "CSTRING",
    "DEST_ADDRESS",
    "FIELD_STATUS",
    "FIELD_VALUES",
    "HEADER_LENGTH",
    "INTERFACE_VERSION",
    "MAX_COMMAND_LENGTH",
    "MAX_DESTINATIONS",
    "MAX_SHORT_MESSAGE",
    "SHORT_MESSAGE",
    "TIME",
    "UINT8",
    "UNSUCCESS_SME",
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
    "GenericNack",
    "Outbind",
    "Pdu",
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
    "Unbind",
    "UnbindResp",
    "UnsuccessSme",
    "with_sequence_number",
]

# SMPP 3.4 §3.2: command_length, command_id, command_status, sequence_number.
HEADER_LENGTH = 16
# SMPP 3.4 §3.2 sets no upper bound on command_length. 64 KiB holds the largest
# legal PDU of interest (a message_payload TLV is at most 64 KiB, §5.3.2.32) and
# follows the precedent of jSMPP, whose default maximum PDU size is 64 KiB;
# cloudhopper and go-smpp choose smaller caps still.
MAX_COMMAND_LENGTH = 65536
# SMPP 3.4 §5.2.4: interface_version 0x34 for version 3.4.
INTERFACE_VERSION = 0x34
# SMPP 3.4 §4.4.1: short_message is at most 254 octets (sm_length 0..254).
MAX_SHORT_MESSAGE = 254
# SMPP 3.4 §4.5.1: number_of_dests, a maximum of 254 destination addresses.
MAX_DESTINATIONS = 254

# Kinds of body fields. The numbers are shared with rust/pdu/schema.rs.
CSTRING = 0  # C-Octet String, NUL-terminated; limit counts the NUL (§3.1)
TIME = 1  # C-Octet String of 0 or 16 characters plus NUL (§7.1)
UINT8 = 2  # one octet integer
SHORT_MESSAGE = 3  # sm_length octet, then that many octets (§4.4.1)
DEST_ADDRESS = 4  # number_of_dests, then dest_address entries (§4.5.1.1)
UNSUCCESS_SME = 5  # no_unsuccess, then unsuccess_sme entries (§4.5.2)


class CommandId(enum.IntEnum):
    """SMPP 3.4 §5.1.2.1: command_id values."""

    GENERIC_NACK = 0x80000000
    BIND_RECEIVER = 0x00000001
    BIND_RECEIVER_RESP = 0x80000001
    BIND_TRANSMITTER = 0x00000002
    BIND_TRANSMITTER_RESP = 0x80000002
    QUERY_SM = 0x00000003
    QUERY_SM_RESP = 0x80000003
    SUBMIT_SM = 0x00000004
    SUBMIT_SM_RESP = 0x80000004
    DELIVER_SM = 0x00000005
    DELIVER_SM_RESP = 0x80000005
    UNBIND = 0x00000006
    UNBIND_RESP = 0x80000006
    REPLACE_SM = 0x00000007
    REPLACE_SM_RESP = 0x80000007
    CANCEL_SM = 0x00000008
    CANCEL_SM_RESP = 0x80000008
    BIND_TRANSCEIVER = 0x00000009
    BIND_TRANSCEIVER_RESP = 0x80000009
    OUTBIND = 0x0000000B
    ENQUIRE_LINK = 0x00000015
    ENQUIRE_LINK_RESP = 0x80000015
    SUBMIT_MULTI = 0x00000021
    SUBMIT_MULTI_RESP = 0x80000021
    ALERT_NOTIFICATION = 0x00000102
    DATA_SM = 0x00000103
    DATA_SM_RESP = 0x80000103


class CommandStatus(enum.IntEnum):
    """SMPP 3.4 §5.1.3: command_status (error code) values.

    ``command_status`` fields stay plain ``int`` so vendor-specific values
    (0x400-0x4FF) and any other unknown value remain readable;
    ``CommandStatus.describe(value)`` names any of them.
    """

    ESME_ROK = 0x00000000
    ESME_RINVMSGLEN = 0x00000001
    ESME_RINVCMDLEN = 0x00000002
    ESME_RINVCMDID = 0x00000003
    ESME_RINVBNDSTS = 0x00000004
    ESME_RALYBND = 0x00000005
    ESME_RINVPRTFLG = 0x00000006
    ESME_RINVREGDLVFLG = 0x00000007
    ESME_RSYSERR = 0x00000008
    ESME_RINVSRCADR = 0x0000000A
    ESME_RINVDSTADR = 0x0000000B
    ESME_RINVMSGID = 0x0000000C
    ESME_RBINDFAIL = 0x0000000D
    ESME_RINVPASWD = 0x0000000E
    ESME_RINVSYSID = 0x0000000F
    ESME_RCANCELFAIL = 0x00000011
    ESME_RREPLACEFAIL = 0x00000013
    ESME_RMSGQFUL = 0x00000014
    ESME_RINVSERTYP = 0x00000015
    ESME_RINVNUMDESTS = 0x00000033
    ESME_RINVDLNAME = 0x00000034
    ESME_RINVDESTFLAG = 0x00000040
    ESME_RINVSUBREP = 0x00000042
    ESME_RINVESMCLASS = 0x00000043
    ESME_RCNTSUBDL = 0x00000044
    ESME_RSUBMITFAIL = 0x00000045
    ESME_RINVSRCTON = 0x00000048
    ESME_RINVSRCNPI = 0x00000049
    ESME_RINVDSTTON = 0x00000050
    ESME_RINVDSTNPI = 0x00000051
    ESME_RINVSYSTYP = 0x00000053
    ESME_RINVREPFLAG = 0x00000054
    ESME_RINVNUMMSGS = 0x00000055
    ESME_RTHROTTLED = 0x00000058
    ESME_RINVSCHED = 0x00000061
    ESME_RINVEXPIRY = 0x00000062
    ESME_RINVDFTMSGID = 0x00000063
    ESME_RX_T_APPN = 0x00000064
    ESME_RX_P_APPN = 0x00000065
    ESME_RX_R_APPN = 0x00000066
    ESME_RQUERYFAIL = 0x00000067
    ESME_RINVOPTPARSTREAM = 0x000000C0
    ESME_ROPTPARNOTALLWD = 0x000000C1
    ESME_RINVPARLEN = 0x000000C2
    ESME_RMISSINGOPTPARAM = 0x000000C3
    ESME_RINVOPTPARAMVAL = 0x000000C4
    ESME_RDELIVERYFAILURE = 0x000000FE
    ESME_RUNKNOWNERR = 0x000000FF

    @property
    def description(self) -> str:
        """The description SMPP 3.4 §5.1.3 gives this status."""
        return _STATUS_DESCRIPTIONS[self.value]

    @classmethod
    def describe(cls, value: int) -> str:
        """``NAME (description)`` for a known status, a plain label otherwise."""
        try:
            status = cls(value)
        except ValueError:
            # SMPP 3.4 §5.1.3: 0x400-0x4FF are reserved for SMSC vendor errors.
            kind = "vendor-specific" if 0x400 <= value <= 0x4FF else "unknown"
            return f"{kind} command_status 0x{value:08X}"
        return f"{status.name} ({status.description})"


# SMPP 3.4 §5.1.3, Table 5-2, in the spec's words.
_STATUS_DESCRIPTIONS: dict[int, str] = {
    0x00: "No Error",
    0x01: "Message Length is invalid",
    0x02: "Command Length is invalid",
    0x03: "Invalid Command ID",
    0x04: "Incorrect BIND Status for given command",
    0x05: "ESME Already in Bound State",
    0x06: "Invalid Priority Flag",
    0x07: "Invalid Registered Delivery Flag",
    0x08: "System Error",
    0x0A: "Invalid Source Address",
    0x0B: "Invalid Dest Addr",
    0x0C: "Message ID is invalid",
    0x0D: "Bind Failed",
    0x0E: "Invalid Password",
    0x0F: "Invalid System ID",
    0x11: "Cancel SM Failed",
    0x13: "Replace SM Failed",
    0x14: "Message Queue Full",
    0x15: "Invalid Service Type",
    0x33: "Invalid number of destinations",
    0x34: "Invalid Distribution List name",
    0x40: "Destination flag is invalid (submit_multi)",
    0x42: "Invalid 'submit with replace' request (i.e. submit_sm with replace_if_present_flag set)",
    0x43: "Invalid esm_class field data",
    0x44: "Cannot Submit to Distribution List",
    0x45: "submit_sm or submit_multi failed",
    0x48: "Invalid Source address TON",
    0x49: "Invalid Source address NPI",
    0x50: "Invalid Destination address TON",
    0x51: "Invalid Destination address NPI",
    0x53: "Invalid system_type field",
    0x54: "Invalid replace_if_present flag",
    0x55: "Invalid number of messages",
    0x58: "Throttling error (ESME has exceeded allowed message limits)",
    0x61: "Invalid Scheduled Delivery Time",
    0x62: "Invalid message validity period (Expiry time)",
    0x63: "Predefined Message Invalid or Not Found",
    0x64: "ESME Receiver Temporary App Error Code",
    0x65: "ESME Receiver Permanent App Error Code",
    0x66: "ESME Receiver Reject Message Error Code",
    0x67: "query_sm request failed",
    0xC0: "Error in the optional part of the PDU Body.",
    0xC1: "Optional Parameter not allowed",
    0xC2: "Invalid Parameter Length.",
    0xC3: "Expected Optional Parameter missing",
    0xC4: "Invalid Optional Parameter Value",
    0xFE: "Delivery Failure (used for data_sm_resp)",
    0xFF: "Unknown Error",
}

_S = CommandStatus
# The status a server answers when a field is malformed (too long, bad
# value); a body that ends inside a field is ESME_RINVCMDLEN whatever the
# field. Fields not listed answer ESME_RSYSERR. Shared with rust/pdu/schema.rs.
FIELD_STATUS: dict[str, int] = {
    "system_id": _S.ESME_RINVSYSID,
    "password": _S.ESME_RINVPASWD,
    "system_type": _S.ESME_RINVSYSTYP,
    "service_type": _S.ESME_RINVSERTYP,
    "source_addr": _S.ESME_RINVSRCADR,
    "destination_addr": _S.ESME_RINVDSTADR,
    "source_addr_ton": _S.ESME_RINVSRCTON,
    "source_addr_npi": _S.ESME_RINVSRCNPI,
    "dest_addr_ton": _S.ESME_RINVDSTTON,
    "dest_addr_npi": _S.ESME_RINVDSTNPI,
    "message_id": _S.ESME_RINVMSGID,
    "esm_class": _S.ESME_RINVESMCLASS,
    "priority_flag": _S.ESME_RINVPRTFLG,
    "registered_delivery": _S.ESME_RINVREGDLVFLG,
    "replace_if_present_flag": _S.ESME_RINVREPFLAG,
    "sm_default_msg_id": _S.ESME_RINVDFTMSGID,
    "schedule_delivery_time": _S.ESME_RINVSCHED,
    "validity_period": _S.ESME_RINVEXPIRY,
    "short_message": _S.ESME_RINVMSGLEN,
    "number_of_dests": _S.ESME_RINVNUMDESTS,
    "dest_flag": _S.ESME_RINVDESTFLAG,
    "dl_name": _S.ESME_RINVDLNAME,
    "message_payload": _S.ESME_ROPTPARNOTALLWD,
    "tlvs": _S.ESME_RINVOPTPARSTREAM,
}

_C = TypeVar("_C", bound=type)


def _frozen_slots(cls: _C) -> _C:
    """Rebuild a frozen dataclass with ``__slots__``, so instances carry no dict.

    ``dataclass(slots=True)`` is Python 3.10+; this does what it does
    (``dataclasses._add_slots``: a new class whose namespace lists the fields
    in ``__slots__`` and drops their class-level defaults) and replaces what
    that leaves wrong for a frozen class: its ``__setattr__`` and
    ``__delattr__`` refer to the class they were generated for, and the
    default pickling would restore the slots through the frozen
    ``__setattr__``. ``__reduce__`` rebuilds an instance through the
    constructor instead, which serves pickle, ``copy`` and ``deepcopy``.

    Under the native backend the class derives from ``_native.PduBase``, whose
    ``tp_new`` fills the slots from the arguments (the dataclass ``__init__``
    is dropped); the pure backend keeps an ``__init__`` that stores each field
    through its slot descriptor, cheaper than ``object.__setattr__`` per field.
    Both keep the dataclass signature, fields, defaults, repr, ``==`` and hash.
    """
    specs = fields(cast(Any, cls))
    names = tuple(f.name for f in specs)
    skipped = {*names, "__dict__", "__weakref__", "__init__"}
    namespace = {key: value for key, value in vars(cls).items() if key not in skipped}
    namespace["__slots__"] = names
    namespace["__signature__"] = inspect.signature(cls)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is slotted or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(slotted, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is slotted or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(slotted, self).__delattr__(name)

    bases = cls.__bases__ if NATIVE is None else (NATIVE.PduBase,)
    slotted: type[Any] = type(cls.__name__, bases, namespace)
    # Generated as dataclasses generates its methods: one statement per
    # field, no loop at call time.
    values = "".join(f"self.{name}, " for name in names)
    source = (
        "def __reduce__(self):\n"
        f"    return (type(self), ({values}), getattr(self, '__dict__', None))\n"
    )
    scope: dict[str, Any] = {}
    if NATIVE is None:
        parameters = ", ".join(
            f.name if f.default is MISSING else f"{f.name}=_d_{f.name}" for f in specs
        )
        source += f"def __init__(self, {parameters}):\n"
        source += "".join(f"    _s_{f.name}(self, {f.name})\n" for f in specs)
        scope.update({f"_d_{f.name}": f.default for f in specs})
        scope.update({f"_s_{name}": vars(slotted)[name].__set__ for name in names})
    exec(source, scope)  # the technique dataclasses itself uses
    methods = {"__setattr__": __setattr__, "__delattr__": __delattr__}
    methods.update((name, scope[name]) for name in ("__reduce__", "__init__") if name in scope)
    for name, method in methods.items():
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        method.__module__ = cls.__module__
        setattr(slotted, name, method)
    return cast(_C, slotted)


@_frozen_slots
@dataclass(frozen=True)
class Tlv:
    """An optional parameter (SMPP 3.4 §3.2.3, §5.3): tag and raw value octets."""

    tag: int
    value: bytes = b""


@_frozen_slots
@dataclass(frozen=True)
class SmeAddress:
    """A submit_multi destination that is an SME address (dest_flag 1, §4.5.1.1)."""

    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""


@_frozen_slots
@dataclass(frozen=True)
class DistributionList:
    """A submit_multi destination that is a distribution list (dest_flag 2, §4.5.1.1)."""

    dl_name: str = ""


@_frozen_slots
@dataclass(frozen=True)
class UnsuccessSme:
    """A destination submit_multi failed for, with its error (§4.5.2)."""

    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    error_status_code: int = 0


# --- Session management (SMPP 3.4 §4.1) -------------------------------------


@_frozen_slots
@dataclass(frozen=True)
class BindTransmitter:
    """SMPP 3.4 §4.1.1 bind_transmitter."""

    command_id: ClassVar[int] = CommandId.BIND_TRANSMITTER
    system_id: str = ""
    password: str = field(default="", repr=False)
    system_type: str = ""
    interface_version: int = INTERFACE_VERSION
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class BindTransmitterResp:
    """SMPP 3.4 §4.1.2 bind_transmitter_resp."""

    command_id: ClassVar[int] = CommandId.BIND_TRANSMITTER_RESP
    system_id: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class BindReceiver:
    """SMPP 3.4 §4.1.3 bind_receiver."""

    command_id: ClassVar[int] = CommandId.BIND_RECEIVER
    system_id: str = ""
    password: str = field(default="", repr=False)
    system_type: str = ""
    interface_version: int = INTERFACE_VERSION
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class BindReceiverResp:
    """SMPP 3.4 §4.1.4 bind_receiver_resp."""

    command_id: ClassVar[int] = CommandId.BIND_RECEIVER_RESP
    system_id: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class BindTransceiver:
    """SMPP 3.4 §4.1.5 bind_transceiver."""

    command_id: ClassVar[int] = CommandId.BIND_TRANSCEIVER
    system_id: str = ""
    password: str = field(default="", repr=False)
    system_type: str = ""
    interface_version: int = INTERFACE_VERSION
    addr_ton: int = 0
    addr_npi: int = 0
    address_range: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class BindTransceiverResp:
    """SMPP 3.4 §4.1.6 bind_transceiver_resp."""

    command_id: ClassVar[int] = CommandId.BIND_TRANSCEIVER_RESP
    system_id: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class Outbind:
    """SMPP 3.4 §4.1.7 outbind."""

    command_id: ClassVar[int] = CommandId.OUTBIND
    system_id: str = ""
    password: str = field(default="", repr=False)
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class Unbind:
    """SMPP 3.4 §4.2.1 unbind."""

    command_id: ClassVar[int] = CommandId.UNBIND
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class UnbindResp:
    """SMPP 3.4 §4.2.2 unbind_resp."""

    command_id: ClassVar[int] = CommandId.UNBIND_RESP
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class GenericNack:
    """SMPP 3.4 §4.3.1 generic_nack."""

    command_id: ClassVar[int] = CommandId.GENERIC_NACK
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


# --- Message submission and delivery (SMPP 3.4 §4.4-§4.7) -------------------


@_frozen_slots
@dataclass(frozen=True)
class SubmitSm:
    """SMPP 3.4 §4.4.1 submit_sm."""

    command_id: ClassVar[int] = CommandId.SUBMIT_SM
    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class SubmitSmResp:
    """SMPP 3.4 §4.4.2 submit_sm_resp."""

    command_id: ClassVar[int] = CommandId.SUBMIT_SM_RESP
    message_id: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class SubmitMulti:
    """SMPP 3.4 §4.5.1 submit_multi; ``dest_address`` holds its
    number_of_dests entries."""

    command_id: ClassVar[int] = CommandId.SUBMIT_MULTI
    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_address: tuple[SmeAddress | DistributionList, ...] = ()
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class SubmitMultiResp:
    """SMPP 3.4 §4.5.2 submit_multi_resp; ``unsuccess_sme`` holds its
    no_unsuccess entries."""

    command_id: ClassVar[int] = CommandId.SUBMIT_MULTI_RESP
    message_id: str = ""
    unsuccess_sme: tuple[UnsuccessSme, ...] = ()
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class DeliverSm:
    """SMPP 3.4 §4.6.1 deliver_sm."""

    command_id: ClassVar[int] = CommandId.DELIVER_SM
    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    esm_class: int = 0
    protocol_id: int = 0
    priority_flag: int = 0
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    replace_if_present_flag: int = 0
    data_coding: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class DeliverSmResp:
    """SMPP 3.4 §4.6.2 deliver_sm_resp."""

    command_id: ClassVar[int] = CommandId.DELIVER_SM_RESP
    message_id: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class DataSm:
    """SMPP 3.4 §4.7.1 data_sm."""

    command_id: ClassVar[int] = CommandId.DATA_SM
    service_type: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    esm_class: int = 0
    registered_delivery: int = 0
    data_coding: int = 0
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class DataSmResp:
    """SMPP 3.4 §4.7.2 data_sm_resp."""

    command_id: ClassVar[int] = CommandId.DATA_SM_RESP
    message_id: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


# --- Ancillary operations (SMPP 3.4 §4.8-§4.12) -----------------------------


@_frozen_slots
@dataclass(frozen=True)
class QuerySm:
    """SMPP 3.4 §4.8.1 query_sm."""

    command_id: ClassVar[int] = CommandId.QUERY_SM
    message_id: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class QuerySmResp:
    """SMPP 3.4 §4.8.2 query_sm_resp."""

    command_id: ClassVar[int] = CommandId.QUERY_SM_RESP
    message_id: str = ""
    final_date: str = ""
    message_state: int = 0
    error_code: int = 0
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class CancelSm:
    """SMPP 3.4 §4.9.1 cancel_sm."""

    command_id: ClassVar[int] = CommandId.CANCEL_SM
    service_type: str = ""
    message_id: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    dest_addr_ton: int = 0
    dest_addr_npi: int = 0
    destination_addr: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class CancelSmResp:
    """SMPP 3.4 §4.9.2 cancel_sm_resp."""

    command_id: ClassVar[int] = CommandId.CANCEL_SM_RESP
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class ReplaceSm:
    """SMPP 3.4 §4.10.1 replace_sm."""

    command_id: ClassVar[int] = CommandId.REPLACE_SM
    message_id: str = ""
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    schedule_delivery_time: str = ""
    validity_period: str = ""
    registered_delivery: int = 0
    sm_default_msg_id: int = 0
    short_message: bytes = b""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class ReplaceSmResp:
    """SMPP 3.4 §4.10.2 replace_sm_resp."""

    command_id: ClassVar[int] = CommandId.REPLACE_SM_RESP
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class EnquireLink:
    """SMPP 3.4 §4.11.1 enquire_link."""

    command_id: ClassVar[int] = CommandId.ENQUIRE_LINK
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class EnquireLinkResp:
    """SMPP 3.4 §4.11.2 enquire_link_resp."""

    command_id: ClassVar[int] = CommandId.ENQUIRE_LINK_RESP
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


@_frozen_slots
@dataclass(frozen=True)
class AlertNotification:
    """SMPP 3.4 §4.12.1 alert_notification (it has no response)."""

    command_id: ClassVar[int] = CommandId.ALERT_NOTIFICATION
    source_addr_ton: int = 0
    source_addr_npi: int = 0
    source_addr: str = ""
    esme_addr_ton: int = 0
    esme_addr_npi: int = 0
    esme_addr: str = ""
    command_status: int = 0
    sequence_number: int = 0
    tlvs: tuple[Tlv, ...] = ()


Pdu = Union[
    BindTransmitter,
    BindTransmitterResp,
    BindReceiver,
    BindReceiverResp,
    BindTransceiver,
    BindTransceiverResp,
    Outbind,
    Unbind,
    UnbindResp,
    GenericNack,
    SubmitSm,
    SubmitSmResp,
    SubmitMulti,
    SubmitMultiResp,
    DeliverSm,
    DeliverSmResp,
    DataSm,
    DataSmResp,
    QuerySm,
    QuerySmResp,
    CancelSm,
    CancelSmResp,
    ReplaceSm,
    ReplaceSmResp,
    EnquireLink,
    EnquireLinkResp,
    AlertNotification,
]

FieldSpec = tuple[str, int, int]  # name, kind, limit (C-strings: octets incl. NUL)

# SMPP 3.4 §4.1.1 (and §4.1.3, §4.1.5)
_BIND: tuple[FieldSpec, ...] = (
    ("system_id", CSTRING, 16),
    ("password", CSTRING, 9),
    ("system_type", CSTRING, 13),
    ("interface_version", UINT8, 0),
    ("addr_ton", UINT8, 0),
    ("addr_npi", UINT8, 0),
    ("address_range", CSTRING, 41),
)
_BIND_RESP: tuple[FieldSpec, ...] = (("system_id", CSTRING, 16),)  # §4.1.2
_MESSAGE_ID: tuple[FieldSpec, ...] = (("message_id", CSTRING, 65),)  # §4.4.2
# SMPP 3.4 §4.4.1 (submit_sm) and §4.6.1 (deliver_sm): the same fields.
_SM: tuple[FieldSpec, ...] = (
    ("service_type", CSTRING, 6),
    ("source_addr_ton", UINT8, 0),
    ("source_addr_npi", UINT8, 0),
    ("source_addr", CSTRING, 21),
    ("dest_addr_ton", UINT8, 0),
    ("dest_addr_npi", UINT8, 0),
    ("destination_addr", CSTRING, 21),
    ("esm_class", UINT8, 0),
    ("protocol_id", UINT8, 0),
    ("priority_flag", UINT8, 0),
    ("schedule_delivery_time", TIME, 17),
    ("validity_period", TIME, 17),
    ("registered_delivery", UINT8, 0),
    ("replace_if_present_flag", UINT8, 0),
    ("data_coding", UINT8, 0),
    ("sm_default_msg_id", UINT8, 0),
    ("short_message", SHORT_MESSAGE, MAX_SHORT_MESSAGE),
)

BODIES: dict[type, tuple[FieldSpec, ...]] = {
    BindTransmitter: _BIND,
    BindTransmitterResp: _BIND_RESP,
    BindReceiver: _BIND,
    BindReceiverResp: _BIND_RESP,
    BindTransceiver: _BIND,
    BindTransceiverResp: _BIND_RESP,
    Outbind: (("system_id", CSTRING, 16), ("password", CSTRING, 9)),  # §4.1.7
    Unbind: (),
    UnbindResp: (),
    GenericNack: (),
    SubmitSm: _SM,
    SubmitSmResp: _MESSAGE_ID,
    # SMPP 3.4 §4.5.1
    SubmitMulti: (
        ("service_type", CSTRING, 6),
        ("source_addr_ton", UINT8, 0),
        ("source_addr_npi", UINT8, 0),
        ("source_addr", CSTRING, 21),
        ("dest_address", DEST_ADDRESS, MAX_DESTINATIONS),
        *_SM[7:],
    ),
    # SMPP 3.4 §4.5.2: no_unsuccess is one octet, so at most 255 entries.
    SubmitMultiResp: (("message_id", CSTRING, 65), ("unsuccess_sme", UNSUCCESS_SME, 255)),
    DeliverSm: _SM,
    DeliverSmResp: _MESSAGE_ID,  # §4.6.2: unused, normally NUL only
    # SMPP 3.4 §4.7.1: data_sm addresses are up to 65 octets.
    DataSm: (
        ("service_type", CSTRING, 6),
        ("source_addr_ton", UINT8, 0),
        ("source_addr_npi", UINT8, 0),
        ("source_addr", CSTRING, 65),
        ("dest_addr_ton", UINT8, 0),
        ("dest_addr_npi", UINT8, 0),
        ("destination_addr", CSTRING, 65),
        ("esm_class", UINT8, 0),
        ("registered_delivery", UINT8, 0),
        ("data_coding", UINT8, 0),
    ),
    DataSmResp: _MESSAGE_ID,
    # SMPP 3.4 §4.8.1
    QuerySm: (
        ("message_id", CSTRING, 65),
        ("source_addr_ton", UINT8, 0),
        ("source_addr_npi", UINT8, 0),
        ("source_addr", CSTRING, 21),
    ),
    # SMPP 3.4 §4.8.2
    QuerySmResp: (
        ("message_id", CSTRING, 65),
        ("final_date", TIME, 17),
        ("message_state", UINT8, 0),
        ("error_code", UINT8, 0),
    ),
    # SMPP 3.4 §4.9.1
    CancelSm: (
        ("service_type", CSTRING, 6),
        ("message_id", CSTRING, 65),
        ("source_addr_ton", UINT8, 0),
        ("source_addr_npi", UINT8, 0),
        ("source_addr", CSTRING, 21),
        ("dest_addr_ton", UINT8, 0),
        ("dest_addr_npi", UINT8, 0),
        ("destination_addr", CSTRING, 21),
    ),
    CancelSmResp: (),
    # SMPP 3.4 §4.10.1
    ReplaceSm: (
        ("message_id", CSTRING, 65),
        ("source_addr_ton", UINT8, 0),
        ("source_addr_npi", UINT8, 0),
        ("source_addr", CSTRING, 21),
        ("schedule_delivery_time", TIME, 17),
        ("validity_period", TIME, 17),
        ("registered_delivery", UINT8, 0),
        ("sm_default_msg_id", UINT8, 0),
        ("short_message", SHORT_MESSAGE, MAX_SHORT_MESSAGE),
    ),
    ReplaceSmResp: (),
    EnquireLink: (),
    EnquireLinkResp: (),
    # SMPP 3.4 §4.12.1: both addresses are up to 65 octets.
    AlertNotification: (
        ("source_addr_ton", UINT8, 0),
        ("source_addr_npi", UINT8, 0),
        ("source_addr", CSTRING, 65),
        ("esme_addr_ton", UINT8, 0),
        ("esme_addr_npi", UINT8, 0),
        ("esme_addr", CSTRING, 65),
    ),
}

CLASSES: dict[int, type] = {cls.command_id: cls for cls in BODIES}  # type: ignore[attr-defined]

# A PDU's field values in field order (the body, command_status,
# sequence_number, tlvs) read in one call; every PDU has at least three
# fields, so each getter returns a tuple.
FIELD_VALUES: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    cls: attrgetter(*(f.name for f in fields(cls))) for cls in BODIES
}


def with_sequence_number(pdu: Pdu, sequence_number: int) -> Pdu:
    """``pdu`` with another sequence_number, every other field as it was.

    A session numbers each request it sends. ``dataclasses.replace`` walks
    ``fields()`` and passes every field by keyword, several times the cost of
    this positional rebuild (sequence_number is the second last field of every
    PDU); every submit_sm passes here.
    """
    values = FIELD_VALUES[type(pdu)](pdu)
    cls: Callable[..., Pdu] = type(pdu)
    return cls(*values[:-2], sequence_number, values[-1])
