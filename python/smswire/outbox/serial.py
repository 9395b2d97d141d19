"""How the outbox writes what it stores: versioned JSON text, stable across releases.

Every payload is a JSON object whose ``"v"`` says which layout wrote it;
version 1 is below. A reader of version N reads every version up to N, with
the defaults of the version that wrote it (not today's), so a stored message
means tomorrow what it meant when it was put. Fields at their version-1
default are left out: most messages are a destination, a text and a sender.

Both stores use these functions, so the text is the same in SQLite and Redis.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
from collections.abc import Mapping
from datetime import datetime
from json.scanner import make_scanner
from typing import Any

from smswire.errors import ConfigurationError, StoreUnavailable
from smswire.link.codes import ResultCode
from smswire.link.reports import DeliveryReport
from smswire.message import LINK_OPTIONS, SMPP_OPTIONS, Concatenation, Message
from smswire.outbox.records import Inbound, ProviderStatus, Receipt
from smswire.pdu import CommandStatus, Tlv
from smswire.smpp.receipts import DeliveryReceipt, ReceiptState
from smswire.smpp.userdata import MobileOriginated

__all__ = [
    "PAYLOAD_VERSION",
    "decode_inbound",
    "decode_message",
    "decode_receipt",
    "decode_status",
    "encode_inbound",
    "encode_message",
    "encode_status",
    "fingerprint",
]

PAYLOAD_VERSION = 1

# Version 1's defaults of every Message field but destination and text. They
# are part of the format: changing Message's defaults must not change what a
# stored message means, so they are written out here, not read from Message.
_MESSAGE_DEFAULTS_V1: Mapping[str, object] = {
    "source": None,
    "national": (),
    "smart": False,
    "flash": False,
    "concatenation": Concatenation.UDH,
    "validity_period": "",
    "service_type": "",
    "registered_delivery": True,
    "tlvs": (),
    "tariff": None,
    "vat": None,
    "charge_only": False,
    "reference_id": None,
    "asynchronous": False,
    "user_data_header": None,
}
MESSAGE_FIELDS_V1 = frozenset(("destination", "text", *_MESSAGE_DEFAULTS_V1))
# The options stored as they are, read in one go and compared with their
# defaults at once: most messages set none of them.
_SCALAR_OPTIONS = (
    "smart",
    "flash",
    "validity_period",
    "service_type",
    "registered_delivery",
    "tariff",
    "vat",
    "charge_only",
    "reference_id",
    "asynchronous",
)
_SCALAR_DEFAULTS = tuple(_MESSAGE_DEFAULTS_V1[name] for name in _SCALAR_OPTIONS)
_scalar_options = operator.attrgetter(*_SCALAR_OPTIONS)
_REQUIRED = frozenset(("destination", "text"))

# ASCII-only text, so any str (a lone surrogate too) comes back as it went in.
_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_string = json.encoder.encode_basestring_ascii
# The C scanner itself: what is read back is this module's own compact text,
# so JSONDecoder.decode's whitespace handling around it is not needed.
# (typeshed types the argument as a scanner; CPython's json passes the decoder.)
_scan = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def _decode(text: str) -> object:
    try:
        document, end = _scan(text, 0)
    except (StopIteration, ValueError):
        document, end = None, -1
    if end != len(text):
        raise StoreUnavailable(f"a stored payload is not JSON: {text[:60]!r}", operation="read")
    return document


_SMPP_RECEIPT, _LINK_REPORT, _MOBILE_ORIGINATED = "smpp_receipt", "link_report", "mo"


def _version(document: object, what: str) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("v") != PAYLOAD_VERSION:
        version = document.get("v") if isinstance(document, dict) else None
        raise StoreUnavailable(
            f"a stored {what} has payload version {version!r}; this smswire reads "
            f"version {PAYLOAD_VERSION}: it was written by a newer smswire, or is damaged",
            operation="read",
        )
    return document


def encode_message(message: Message) -> str:
    """``message`` as version-1 JSON text."""
    # The fields every message has are written directly (put_many writes tens
    # of thousands a second); the options, rarely set, go through the encoder.
    head = (
        f'{{"v":{PAYLOAD_VERSION},"destination":{_string(message.destination)},'
        f'"text":{_string(message.text)}'
    )
    if message.source is not None:
        head += f',"source":{_string(message.source)}'
    document: dict[str, object] = {}
    if message.national:
        document["national"] = list(message.national)
    if message.concatenation is not Concatenation.UDH:
        document["concatenation"] = message.concatenation.value
    if message.tlvs:
        document["tlvs"] = [[tlv.tag, tlv.value.hex()] for tlv in message.tlvs]
    if message.user_data_header is not None:
        document["user_data_header"] = message.user_data_header.hex()
    values = _scalar_options(message)
    if values != _SCALAR_DEFAULTS:
        for name, value, default in zip(_SCALAR_OPTIONS, values, _SCALAR_DEFAULTS):
            if value != default:
                document[name] = value
    if not document:
        return head + "}"
    try:
        return f"{head},{_encode(document)[1:]}"
    except (TypeError, ValueError) as exc:
        # A NaN vat, a tariff that is no str: nothing JSON (or a provider) can carry.
        raise ConfigurationError(f"the message cannot be stored: {exc}") from None


# Message's way-specific fields and their defaults, in declaration order.
_WAY_OPTIONS = tuple(
    (field.name, field.default)
    for field in dataclasses.fields(Message)
    if field.name in SMPP_OPTIONS or field.name in LINK_OPTIONS
)


# What a stored message that sets no option is: version 1's defaults, and the
# way-specific options those set (none, unless Message's defaults change).
_PLAIN_FIELDS = frozenset(("v", "destination", "text", "source"))
_PLAIN_OPTIONS = tuple(
    name for name, default in _WAY_OPTIONS if _MESSAGE_DEFAULTS_V1[name] != default
)


def decode_message(text: str) -> Message:
    """The message ``encode_message`` wrote (of any version up to this one's)."""
    document = _version(_decode(text), "message")
    fields = dict(_MESSAGE_DEFAULTS_V1)
    if document.keys() <= _PLAIN_FIELDS:
        # Most messages: a destination, a text and a sender, nothing else to read.
        fields.update(document)
        del fields["v"]
        return _stored(fields, _PLAIN_OPTIONS)
    for name, value in document.items():
        if name in _MESSAGE_DEFAULTS_V1 or name in _REQUIRED:
            fields[name] = value
    if "national" in document:
        fields["national"] = tuple(document["national"])
    if "concatenation" in document:
        fields["concatenation"] = Concatenation(document["concatenation"])
    if "tlvs" in document:
        fields["tlvs"] = tuple(Tlv(tag, bytes.fromhex(value)) for tag, value in document["tlvs"])
    if "user_data_header" in document:
        fields["user_data_header"] = bytes.fromhex(document["user_data_header"])
    return _stored(fields, tuple(name for name, default in _WAY_OPTIONS if fields[name] != default))


def _stored(fields: dict[str, object], options: tuple[str, ...]) -> Message:
    """The message of ``fields`` (every field), whose way-specific options set are ``options``."""
    if not isinstance(fields.get("destination"), str) or not isinstance(fields.get("text"), str):
        raise StoreUnavailable("a stored message has no destination or text", operation="read")
    # Checked when it was put: the fields go back as they were stored, without
    # Message.__init__'s checks again (a third of a claim's cost otherwise).
    message: Message = object.__new__(Message)
    message.__dict__.update(fields)
    # What Message.__init__ works out once: the way-specific options set, which
    # each way out reads to refuse the other's.
    message.__dict__["_options"] = options
    return message


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _value(value: object) -> str:
    """One value as the encoder writes it; the plain kinds without the encoder."""
    if value is None:
        return "null"
    if type(value) is str:  # not a subclass: those the encoder may write otherwise
        return _string(value)
    if type(value) is int:
        return int.__repr__(value)
    return _encode(value)


def encode_inbound(item: Inbound) -> str:
    """An SMPP receipt, a LINK report or a mobile-originated message as
    version-1 JSON text (a receipt's correlated ``message`` is not kept: the
    store correlates it)."""
    document: dict[str, object]
    if isinstance(item, DeliveryReceipt):
        # Written directly, field by field in the order (so the text) the
        # encoder gives a dict of them: every receipt goes through here.
        network_error = list(item.network_error) if item.network_error else None
        return (
            f'{{"v":{PAYLOAD_VERSION},"type":"{_SMPP_RECEIPT}",'
            f'"message_id":{_value(item.message_id)},"state":{_value(item.state.value)},'
            f'"error":{_value(item.error)},"submit_date":{_value(_time(item.submit_date))},'
            f'"done_date":{_value(_time(item.done_date))},"submitted":{_value(item.submitted)},'
            f'"delivered":{_value(item.delivered)},"text":{_value(item.text)},'
            f'"raw":"{item.raw.hex()}","raw_stat":{_value(item.raw_stat)},'
            f'"raw_err":{_value(item.raw_err)},"source":{_value(item.source)},'
            f'"destination":{_value(item.destination)},"network_error":{_value(network_error)}}}'
        )
    if isinstance(item, DeliveryReport):
        document = {
            "v": PAYLOAD_VERSION,
            "type": _LINK_REPORT,
            "message_id": item.message_id,
            "result_code": int(item.result_code),
            "part": item.part,
            "ref_id": item.ref_id,
            "operator": item.operator,
            "sent_at": _time(item.sent_at),
            "timestamp": _time(item.timestamp),
            "operator_result_code": item.operator_result_code,
            "segments": item.segments,
            "gate_custom_parameters": dict(item.gate_custom_parameters),
            "custom_parameters": dict(item.custom_parameters),
        }
    else:
        document = {
            "v": PAYLOAD_VERSION,
            "type": _MOBILE_ORIGINATED,
            "source": item.source,
            "destination": item.destination,
            "text": item.text,
            "data_coding": item.data_coding,
            "parts": item.parts,
            "raw": item.raw.hex(),
            "error": item.error,
        }
    return _encode(document)


def decode_inbound(text: str) -> Inbound:
    """The receipt, report or message ``encode_inbound`` wrote."""
    document = _version(_decode(text), "receipt")
    kind = document["type"]
    if kind == _SMPP_RECEIPT:
        network_error = document["network_error"]
        return DeliveryReceipt(
            message_id=document["message_id"],
            state=ReceiptState(document["state"]),
            error=document["error"],
            submit_date=_parse_time(document["submit_date"]),
            done_date=_parse_time(document["done_date"]),
            submitted=document["submitted"],
            delivered=document["delivered"],
            text=document["text"],
            raw=bytes.fromhex(document["raw"]),
            # Absent from payloads written before the parser kept them.
            raw_stat=document.get("raw_stat", ""),
            raw_err=document.get("raw_err", ""),
            source=document["source"],
            destination=document["destination"],
            network_error=tuple(network_error) if network_error else None,
        )
    if kind == _LINK_REPORT:
        return DeliveryReport(
            message_id=document["message_id"],
            result_code=ResultCode(document["result_code"]),
            part=document["part"],
            ref_id=document["ref_id"],
            operator=document["operator"],
            sent_at=_parse_time(document["sent_at"]),
            timestamp=_parse_time(document["timestamp"]),
            operator_result_code=document["operator_result_code"],
            segments=document["segments"],
            gate_custom_parameters=document["gate_custom_parameters"],
            custom_parameters=document["custom_parameters"],
        )
    if kind == _MOBILE_ORIGINATED:
        return MobileOriginated(
            source=document["source"],
            destination=document["destination"],
            text=document["text"],
            data_coding=document["data_coding"],
            parts=document["parts"],
            # Absent from payloads written before the client kept them.
            raw=bytes.fromhex(document.get("raw", "")),
            error=document.get("error"),
        )
    raise StoreUnavailable(f"a stored payload has an unknown type {kind!r}", operation="read")


def decode_receipt(text: str) -> Receipt:
    """The receipt or report ``encode_inbound`` wrote (never a handset message)."""
    item = decode_inbound(text)
    if isinstance(item, MobileOriginated):
        raise StoreUnavailable("a stored receipt is a mobile-originated message", operation="read")
    return item


def fingerprint(payload: str) -> str:
    """A short digest of a payload: the same receipt twice has the same one."""
    return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


def encode_status(status: ProviderStatus | None) -> str | None:
    """A provider's status as text that says whose it is: ``smpp:88``, ``link:1001``."""
    if status is None:
        return None
    if isinstance(status, ResultCode):
        return f"link:{int(status)}"
    return f"smpp:{int(status)}"


def decode_status(text: str | None) -> ProviderStatus | None:
    """The status ``encode_status`` wrote."""
    if text is None:
        return None
    way, _, value = text.partition(":")
    return ResultCode(int(value)) if way == "link" else CommandStatus(int(value))
