"""LINK delivery reports: the model, and reading and writing its four formats.

# LINK guide: Delivery Reports, "Reports can be delivered in JSON, XML, or as
# HTTP GET/POST key-value pairs". The guide shows JSON only; XML and the
# key-value forms carry the same field names (matched without regard to case,
# since the guide itself writes both ``operatorresultCode`` and
# ``operatorResultCode``). Parsing is pure: bytes or pairs in, a
# :class:`DeliveryReport` or :class:`~smswire.link.errors.MalformedReport` out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl, urlencode
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from smswire.encoding import MAX_PARTS
from smswire.link._rfc3339 import format_rfc3339, read_rfc3339
from smswire.link.codes import ResultCode
from smswire.link.errors import MalformedReport

__all__ = [
    "DeliveryReport",
    "ReportFormat",
    "format_rfc3339",
    "parse_report",
    "parse_report_fields",
    "parse_report_json",
    "parse_report_xml",
    "parse_rfc3339",
    "render_report",
    "report_fields",
]

# LINK guide: Delivery Reports, id "{id}${n}" for part n of a multipart message.
PART_SEPARATOR = "$"

_REF_ID, _ID, _OPERATOR, _SENT, _TIMESTAMP = "refId", "id", "operator", "sentTimestamp", "timestamp"
_RESULT, _OPERATOR_RESULT, _SEGMENTS = "resultCode", "operatorResultCode", "segments"
_GATE, _CUSTOM = "gateCustomParameters", "customParameters"
_FIELDS = (_REF_ID, _ID, _OPERATOR, _SENT, _TIMESTAMP, _RESULT, _OPERATOR_RESULT, _SEGMENTS)
_CANONICAL = {name.lower(): name for name in (*_FIELDS, _GATE, _CUSTOM)}
# json.loads with an option builds a decoder per call; one serves every report.
_JSON = json.JSONDecoder(parse_int=str)
# A key-value report spells a parameter "customParameters.source" or
# "customParameters[source]"; a key that is no field at all (the guide's
# source, destination, received) is a custom parameter too.
_PARAMETER_KEY = re.compile(r"(?i)(gateCustomParameters|customParameters)(?:\.(.+)|\[(.+)\])")

# LINK guide: segments, "The number of segments ... the message was split
# into", and the n of "{id}${n}": a message has at most MAX_PARTS parts
# (3GPP TS 23.040 §9.2.3.24.1), so three digits are the most either needs.
_COUNT_MAX_DIGITS = len(str(MAX_PARTS))
_COUNT = re.compile(rf"[0-9]{{1,{_COUNT_MAX_DIGITS}}}")


class ReportFormat(Enum):
    """How the platform sends reports to a callback (# LINK guide: Delivery Reports)."""

    JSON = "json"
    XML = "xml"
    POST = "post"  # application/x-www-form-urlencoded fields
    GET = "get"  # query parameters


@dataclass(frozen=True)
class DeliveryReport:
    """One delivery report; a multipart message gets one per part.

    ``message_id`` is the id the send returned and ``part`` the part's ordinal
    (from 0), or None for a plain id. Timestamps are aware datetimes.
    ``custom_parameters`` carries source and destination among others.
    """

    message_id: str
    result_code: ResultCode
    part: int | None = None
    ref_id: str | None = None
    operator: str | None = None
    sent_at: datetime | None = None
    timestamp: datetime | None = None
    operator_result_code: str | None = None
    segments: int | None = None
    gate_custom_parameters: Mapping[str, str] = field(default_factory=dict, hash=False)
    custom_parameters: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def id(self) -> str:
        """The id as the platform writes it: ``message_id``, or ``{message_id}${part}``."""
        if self.part is None:
            return self.message_id
        return f"{self.message_id}{PART_SEPARATOR}{self.part}"

    @property
    def source(self) -> str | None:
        return self.custom_parameters.get("source")

    @property
    def destination(self) -> str | None:
        return self.custom_parameters.get("destination")


def split_id(raw: str) -> tuple[str, int | None]:
    """``abc123$0`` -> (``abc123``, 0); an id without a numeric part -> (id, None).

    Raises :class:`MalformedReport` for a part number over :data:`MAX_PARTS`."""
    base, sep, ordinal = raw.rpartition(PART_SEPARATOR)
    if not (sep and base and ordinal.isascii() and ordinal.isdigit()):
        return raw, None
    if not _COUNT.fullmatch(ordinal) or int(ordinal) > MAX_PARTS:
        raise MalformedReport(
            f"id part number {_shorten(ordinal)} is over {MAX_PARTS}, the most parts a message has",
            field=_ID,
        )
    return base, int(ordinal)


def parse_rfc3339(value: str, *, field_name: str = _TIMESTAMP) -> datetime:
    """An aware datetime from RFC 3339 text; a time without an offset is UTC,
    which the guide says all its timestamps are (# LINK guide: timestamp)."""
    try:
        return read_rfc3339(value)
    except ValueError as exc:
        raise MalformedReport(f"{field_name} {_shorten(value)} {exc}", field=field_name) from None


def _text(value: object, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise MalformedReport(f"{name} must be a string, got {type(value).__name__}", field=name)
    return str(value)


def _count(value: object, name: str) -> int | None:
    """A count of parts: 0 to MAX_PARTS, written in ASCII digits."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _COUNT.fullmatch(value.strip()):
        count = int(value.strip())
        if count <= MAX_PARTS:
            return count
    raise MalformedReport(
        f"{name} must be a whole number from 0 to {MAX_PARTS}, got {_shorten(value)}", field=name
    )


def _result_code(value: object) -> ResultCode:
    if value is None or value == "":
        raise MalformedReport("the report has no resultCode", field=_RESULT)
    if not isinstance(value, str):
        raise MalformedReport(
            f"resultCode must be an integer, got {type(value).__name__}", field=_RESULT
        )
    try:
        return ResultCode.from_text(value, name=_RESULT)
    except ValueError as exc:
        raise MalformedReport(str(exc), field=_RESULT) from None


# How much of an offending value an error quotes: the reason must stay readable
# (and loggable) however long the value.
_QUOTE_MAX = 40


def _shorten(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= _QUOTE_MAX:
        return repr(text) if isinstance(value, str) else text
    return f"{text[:_QUOTE_MAX]!r}... ({len(text)} characters)"


def _parameters(value: object, name: str) -> dict[str, str]:
    """The guide's ``<List>KeyValue``: an object, or a list of key/value records."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        items: Iterable[tuple[object, object]] = value.items()
    elif isinstance(value, list):
        pairs = []
        for entry in value:
            if not isinstance(entry, Mapping):
                raise MalformedReport(f"{name} entries must be key/value records", field=name)
            lowered = {str(k).lower(): v for k, v in entry.items()}
            if "key" not in lowered:
                raise MalformedReport(f"{name} entry has no key", field=name)
            pairs.append((lowered["key"], lowered.get("value")))
        items = pairs
    else:
        raise MalformedReport(f"{name} must be key/value pairs", field=name)
    return {str(k): "" if v is None else str(v) for k, v in items}


def _build(
    fields: Mapping[str, object], gate: Mapping[str, str], custom: Mapping[str, str]
) -> DeliveryReport:
    raw_id = _text(fields.get(_ID), _ID)
    if not raw_id:
        raise MalformedReport("the report has no id", field=_ID)
    code = _result_code(fields.get(_RESULT))
    message_id, part = split_id(raw_id)
    sent, stamp = _text(fields.get(_SENT), _SENT), _text(fields.get(_TIMESTAMP), _TIMESTAMP)
    return DeliveryReport(
        message_id=message_id,
        result_code=code,
        part=part,
        ref_id=_text(fields.get(_REF_ID), _REF_ID),
        operator=_text(fields.get(_OPERATOR), _OPERATOR),
        sent_at=parse_rfc3339(sent, field_name=_SENT) if sent else None,
        timestamp=parse_rfc3339(stamp, field_name=_TIMESTAMP) if stamp else None,
        operator_result_code=_text(fields.get(_OPERATOR_RESULT), _OPERATOR_RESULT),
        segments=_count(fields.get(_SEGMENTS), _SEGMENTS),
        gate_custom_parameters=dict(gate),
        custom_parameters=dict(custom),
    )


def parse_report_json(body: bytes) -> DeliveryReport:
    """A JSON report, as in the guide's "Delivery Report Example"."""
    try:
        # Numbers stay the digits they were written as: each field reads its
        # own with its own limit, and no huge number is converted whole.
        document = _JSON.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except (ValueError, RecursionError) as exc:
        raise MalformedReport(f"the report is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise MalformedReport("a JSON report must be an object")
    fields: dict[str, object] = {}
    for key, value in document.items():
        name = _CANONICAL.get(str(key).lower())
        if name is not None:
            fields[name] = value
    return _build(
        fields,
        _parameters(fields.pop(_GATE, None), _GATE),
        _parameters(fields.pop(_CUSTOM, None), _CUSTOM),
    )


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _xml_parameters(element: Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for child in element:
        parts = {_local(grand.tag).lower(): grand.text or "" for grand in child}
        if "key" in parts:
            out[parts["key"]] = parts.get("value", "")
        else:
            out[_local(child.tag)] = (child.text or "").strip()
    return out


def parse_report_xml(body: bytes) -> DeliveryReport:
    """An XML report: one element per field, parameters as ``<KeyValue>`` records
    or as one element per key. Parsed with defusedxml: no entity expansion, no
    external entities, no DTD."""
    try:
        root = SafeElementTree.fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedReport(f"the report is not acceptable XML: {exc}") from None
    fields: dict[str, object] = {}
    gate: dict[str, str] = {}
    custom: dict[str, str] = {}
    for child in root:
        name = _CANONICAL.get(_local(child.tag).lower())
        if name == _GATE:
            gate = _xml_parameters(child)
        elif name == _CUSTOM:
            custom = _xml_parameters(child)
        elif name is not None:
            nil = any(_local(k) == "nil" and v == "true" for k, v in child.attrib.items())
            text = (child.text or "").strip()
            fields[name] = None if nil or not text else text
    return _build(fields, gate, custom)


def parse_report_fields(pairs: Iterable[tuple[str, str]]) -> DeliveryReport:
    """A report sent as key-value pairs (form fields of a POST, or a GET query)."""
    fields: dict[str, object] = {}
    gate: dict[str, str] = {}
    custom: dict[str, str] = {}
    for key, value in pairs:
        name = _CANONICAL.get(key.lower())
        if name is not None and name not in (_GATE, _CUSTOM):
            # LINK guide: refId, "If not, this will be null": flat forms spell it.
            fields[name] = None if value in ("", "null") else value
            continue
        match = _PARAMETER_KEY.fullmatch(key)
        if match is not None:
            target = gate if match.group(1).lower() == _GATE.lower() else custom
            target[match.group(2) or match.group(3)] = value
        elif name is not None:
            raise MalformedReport(f"{key} needs a key: {key}.name=value", field=name)
        else:
            custom[key] = value
    return _build(fields, gate, custom)


def parse_report(body: bytes, content_type: str | None) -> DeliveryReport:
    """A report from a POST body, by its Content-Type (or its first character
    when the type says nothing useful)."""
    media = (content_type or "").partition(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return parse_report_json(body)
    if media in ("application/xml", "text/xml") or media.endswith("+xml"):
        return parse_report_xml(body)
    if media == "application/x-www-form-urlencoded":
        return parse_report_fields(_form_pairs(body))
    start = body.lstrip()[:1]
    if start == b"{":
        return parse_report_json(body)
    if start == b"<":
        return parse_report_xml(body)
    return parse_report_fields(_form_pairs(body))


def _form_pairs(body: bytes) -> list[tuple[str, str]]:
    try:
        text = body.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedReport(f"the report is not form fields: {exc}") from None


def _document(report: DeliveryReport) -> dict[str, Any]:
    return {
        _REF_ID: report.ref_id,
        _ID: report.id,
        _OPERATOR: report.operator,
        _SENT: format_rfc3339(report.sent_at) if report.sent_at else None,
        _TIMESTAMP: format_rfc3339(report.timestamp) if report.timestamp else None,
        _RESULT: int(report.result_code),
        _OPERATOR_RESULT: report.operator_result_code,
        _SEGMENTS: report.segments,
        _GATE: dict(report.gate_custom_parameters),
        _CUSTOM: dict(report.custom_parameters),
    }


def report_fields(report: DeliveryReport) -> list[tuple[str, str]]:
    """The report as key-value pairs; an absent value is an empty string."""
    document = _document(report)
    pairs = [(name, "" if document[name] is None else str(document[name])) for name in _FIELDS]
    pairs += [(f"{_GATE}.{k}", v) for k, v in report.gate_custom_parameters.items()]
    pairs += [(f"{_CUSTOM}.{k}", v) for k, v in report.custom_parameters.items()]
    return pairs


def render_report(report: DeliveryReport, fmt: ReportFormat) -> tuple[str, bytes]:
    """(Content-Type, body) of a POSTed report in ``fmt`` (JSON, XML or POST)."""
    if fmt is ReportFormat.JSON:
        return "application/json", json.dumps(_document(report)).encode()
    if fmt is ReportFormat.XML:
        root = Element("DeliveryReport")
        document = _document(report)
        for name in _FIELDS:
            SubElement(root, name).text = None if document[name] is None else str(document[name])
        for name, parameters in (
            (_GATE, report.gate_custom_parameters),
            (_CUSTOM, report.custom_parameters),
        ):
            holder = SubElement(root, name)
            for key, value in parameters.items():
                pair = SubElement(holder, "KeyValue")
                SubElement(pair, "Key").text = key
                SubElement(pair, "Value").text = value
        return "application/xml", tostring(root, encoding="utf-8")
    if fmt is ReportFormat.POST:
        return "application/x-www-form-urlencoded", urlencode(report_fields(report)).encode()
    raise ValueError(f"a {fmt.value.upper()} report has no body; send report_fields as a query")
