"""Delivery reports in the guide's four formats (# LINK guide: Delivery Reports)."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smswire.link import DeliveryReport, MalformedReport, ReportFormat, ResultCode
from smswire.link.reports import (
    format_rfc3339,
    parse_report,
    parse_report_fields,
    parse_report_json,
    parse_report_xml,
    parse_rfc3339,
    render_report,
    report_fields,
    split_id,
)

_DATA = Path(__file__).parent / "data" / "references" / "reports"
UTC = timezone.utc


def test_guide_example_of_a_delivered_message() -> None:
    report = parse_report_json((_DATA / "guide_delivered.json").read_bytes())
    assert report == DeliveryReport(
        message_id="0",
        part=None,
        result_code=ResultCode.BILLED_AND_DELIVERED,
        ref_id="0",
        operator="no.telenor",
        sent_at=datetime(2015, 11, 19, 9, 37, 35, tzinfo=UTC),
        timestamp=datetime(2015, 11, 19, 9, 37, 0, tzinfo=UTC),
        operator_result_code="2",
        segments=1,
        gate_custom_parameters={},
        custom_parameters={
            "received": "2015-11-19 10:37:36",
            "source": "2333",
            "destination": "+4746910822",
        },
    )
    assert report.result_code.delivered is True
    assert (report.source, report.destination) == ("2333", "+4746910822")


def test_guide_example_of_a_number_that_does_not_exist() -> None:
    report = parse_report_json((_DATA / "guide_number_error.json").read_bytes())
    assert report.result_code is ResultCode.NUMBER_ERROR
    assert report.result_code.is_final and report.result_code.delivered is False
    assert report.operator is None and report.operator_result_code is None
    assert report.sent_at == report.timestamp == datetime(2015, 11, 19, 10, 17, 37, tzinfo=UTC)
    assert report.destination == "+4746910823"


@pytest.mark.parametrize("name", ["guide_delivered.json", "guide_number_error.json"])
@pytest.mark.parametrize("fmt", [ReportFormat.XML, ReportFormat.POST, ReportFormat.JSON])
def test_each_posted_format_carries_the_same_report(name: str, fmt: ReportFormat) -> None:
    report = parse_report_json((_DATA / name).read_bytes())
    content_type, body = render_report(report, fmt)
    assert parse_report(body, content_type) == report
    # The receiver falls back on the body's first character without a useful type.
    assert parse_report(body, None) == report


@pytest.mark.parametrize("name", ["guide_delivered.json", "guide_number_error.json"])
def test_get_query_parameters_carry_the_same_report(name: str) -> None:
    report = parse_report_json((_DATA / name).read_bytes())
    assert parse_report_fields(report_fields(report)) == report


def test_hand_written_xml_with_one_element_per_parameter() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
    <DeliveryReport xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <refId xsi:nil="true"/>
      <id>abc123$2</id>
      <operator>se.telia</operator>
      <sentTimestamp>2026-01-02T03:04:05.123Z</sentTimestamp>
      <timestamp>2026-01-02T04:04:06+01:00</timestamp>
      <resultCode>1006</resultCode>
      <operatorresultCode>X17</operatorresultCode>
      <segments>3</segments>
      <gateCustomParameters><campaign>spring</campaign></gateCustomParameters>
      <customParameters><source>LINK</source><destination>+46700000000</destination></customParameters>
    </DeliveryReport>"""
    report = parse_report_xml(body)
    assert (report.message_id, report.part, report.ref_id) == ("abc123", 2, None)
    assert report.result_code is ResultCode.NOT_DELIVERED
    assert report.operator_result_code == "X17"
    assert report.sent_at == datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)
    assert report.timestamp == datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC)
    assert report.gate_custom_parameters == {"campaign": "spring"}
    assert report.source == "LINK"


def test_flat_fields_with_bare_custom_keys_and_bracketed_ones() -> None:
    pairs = [
        ("refId", "null"),
        ("id", "m1"),
        ("resultCode", "1001"),
        ("segments", "1"),
        ("source", "2333"),
        ("gateCustomParameters[tag]", "x"),
        ("customParameters.destination", "+4746910822"),
    ]
    report = parse_report_fields(pairs)
    assert report.ref_id is None
    assert report.custom_parameters == {"source": "2333", "destination": "+4746910822"}
    assert report.gate_custom_parameters == {"tag": "x"}
    assert parse_report(urlencode(pairs).encode(), "application/x-www-form-urlencoded") == report


def test_json_parameters_as_a_list_of_key_value_records() -> None:
    body = (
        b'{"id": "m", "resultCode": "2104", "customParameters": [{"Key": "source", "Value": "1"}]}'
    )
    report = parse_report_json(body)
    assert report.result_code is ResultCode.UNKNOWN_SUBSCRIBER
    assert report.custom_parameters == {"source": "1"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc123$0", ("abc123", 0)),
        ("abc123$12", ("abc123", 12)),
        ("abc123", ("abc123", None)),
        ("a$b$3", ("a$b", 3)),
        ("price$x", ("price$x", None)),
        ("$4", ("$4", None)),
        ("abc$", ("abc$", None)),
    ],
)
def test_multipart_ids_split_into_message_id_and_part(
    raw: str, expected: tuple[str, int | None]
) -> None:
    assert split_id(raw) == expected


def test_a_report_id_round_trips_through_its_parts() -> None:
    report = parse_report_json(b'{"id": "abc123$0", "resultCode": 1001}')
    assert (report.message_id, report.part, report.id) == ("abc123", 0, "abc123$0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015-11-19T09:37:35Z", datetime(2015, 11, 19, 9, 37, 35, tzinfo=UTC)),
        ("2015-11-19t09:37:35z", datetime(2015, 11, 19, 9, 37, 35, tzinfo=UTC)),
        ("2015-11-19 09:37:35Z", datetime(2015, 11, 19, 9, 37, 35, tzinfo=UTC)),
        ("2015-11-19T09:37:35.5Z", datetime(2015, 11, 19, 9, 37, 35, 500000, tzinfo=UTC)),
        ("2015-11-19T09:37:35.1234567Z", datetime(2015, 11, 19, 9, 37, 35, 123456, tzinfo=UTC)),
        (
            "2015-11-19T09:37:35-05:30",
            datetime(2015, 11, 19, 9, 37, 35, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
        ),
        # The guide says UTC: a missing offset is taken as UTC.
        ("2015-11-19T09:37:35", datetime(2015, 11, 19, 9, 37, 35, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_rfc3339_timestamps_become_aware_datetimes(text: str, expected: datetime) -> None:
    parsed = parse_rfc3339(text)
    assert parsed == expected and parsed.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "2015-11-19",
        "19/11/2015 09:37",
        "2015-13-01T00:00:00Z",
        "x",
        # RFC 3339 §5.6: time-numoffset is time-hour (00-23) ":" time-minute (00-59).
        "2015-11-19T09:37:00+99:00",
        "2015-11-19T09:37:00-24:00",
        "2015-11-19T09:37:00+05:60",
        # RFC 5234 Appendix B.1: DIGIT is ASCII, not any script's digit.
        "\u0662015-11-19T09:37:00Z",
        "2015-11-19T09:37:00+0\u0665:00",
        "\uff12\uff10\uff11\uff15-11-19T09:37:00Z",
    ],
)
def test_other_timestamps_are_malformed(text: str) -> None:
    with pytest.raises(MalformedReport) as info:
        parse_rfc3339(text, field_name="sentTimestamp")
    assert info.value.field == "sentTimestamp"


def test_format_rfc3339_writes_utc_with_z() -> None:
    moment = datetime(2026, 1, 2, 4, 4, 6, 250, tzinfo=timezone(timedelta(hours=1)))
    assert format_rfc3339(moment) == "2026-01-02T03:04:06.000250Z"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"resultCode": 1001}', "id"),
        (b'{"id": "", "resultCode": 1001}', "id"),
        (b'{"id": "m"}', "resultCode"),
        (b'{"id": "m", "resultCode": "abc"}', "resultCode"),
        (b'{"id": "m", "resultCode": true}', "resultCode"),
        (b'{"id": {"x": 1}, "resultCode": 1001}', "id"),
        (b'{"id": "m", "resultCode": 1, "segments": "two"}', "segments"),
        (b'{"id": "m", "resultCode": "--5"}', "resultCode"),
        (b'{"id": "m", "resultCode": -1}', "resultCode"),
        (b'{"id": "m", "resultCode": 1001.0}', "resultCode"),
        (b'{"id": "m", "resultCode": ' + b"9" * 5000 + b"}", "resultCode"),
        (b'{"id": "m", "resultCode": 1, "segments": ' + b"9" * 5000 + b"}", "segments"),
        (b'{"id": "m", "resultCode": 1, "segments": -1}', "segments"),
        (b'{"id": "m", "resultCode": 1, "segments": 256}', "segments"),
        (b'{"id": "m", "resultCode": 1, "segments": "\\u0662"}', "segments"),
        (b'{"id": "m$' + b"9" * 5000 + b'", "resultCode": 1}', "id"),
        (b'{"id": "m$256", "resultCode": 1}', "id"),
        (b'{"id": "m", "resultCode": 1, "timestamp": "yesterday"}', "timestamp"),
        (b'{"id": "m", "resultCode": 1, "customParameters": 5}', "customParameters"),
        (b'{"id": "m", "resultCode": 1, "customParameters": [5]}', "customParameters"),
        (b"[1, 2]", None),
        (b"{not json", None),
    ],
)
def test_malformed_json_names_the_problem(body: bytes, field: str | None) -> None:
    with pytest.raises(MalformedReport) as info:
        parse_report_json(body)
    assert info.value.field == field


def test_xml_entity_expansion_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
    <!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
    <r><id>&b;</id><resultCode>1001</resultCode></r>"""
    with pytest.raises(MalformedReport):
        parse_report_xml(bomb)


def test_xml_external_entities_are_refused() -> None:
    external = b"""<?xml version="1.0"?>
    <!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <r><id>&x;</id><resultCode>1001</resultCode></r>"""
    with pytest.raises(MalformedReport):
        parse_report_xml(external)


@pytest.mark.parametrize("body", [b"", b"<r>", b"<r><id>m</id></r>", b"not xml at all"])
def test_malformed_xml_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedReport):
        parse_report_xml(body)


def test_a_bare_parameter_group_key_in_flat_fields_is_malformed() -> None:
    with pytest.raises(MalformedReport) as info:
        parse_report_fields([("id", "m"), ("resultCode", "1"), ("customParameters", "x")])
    assert info.value.field == "customParameters"


def test_a_get_report_has_no_body_to_render() -> None:
    report = DeliveryReport(message_id="m", result_code=ResultCode.SENT)
    with pytest.raises(ValueError):
        render_report(report, ReportFormat.GET)


def test_a_huge_number_in_custom_parameters_is_kept_as_written() -> None:
    digits = "7" * 5000
    report = parse_report_json(
        f'{{"id": "m", "resultCode": 1001, "customParameters": {{"n": {digits}}}}}'.encode()
    )
    assert report.custom_parameters == {"n": digits}


@pytest.mark.parametrize(
    "pairs",
    [
        [("id", "m"), ("resultCode", "9" * 5000)],
        [("id", "m"), ("resultCode", "1001"), ("segments", "9" * 5000)],
        [("id", "m$" + "9" * 5000), ("resultCode", "1001")],
        [("id", "m"), ("resultCode", "1001"), ("sentTimestamp", "2015-11-19T09:37:00+99:00")],
    ],
)
def test_malformed_fields_are_a_malformed_report(pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(MalformedReport):
        parse_report_fields(pairs)


# Whatever a peer posts, the parser answers a report or a MalformedReport:
# anything else would be a 500, which the platform answers by resending forever.
_DIGITS = st.text(alphabet=st.characters(whitelist_categories=("Nd",)), max_size=8)
# Lengths at the edges that matter: a part count's 3 digits, an Integer's 10,
# CPython's 4,300-digit conversion limit.
_LONG_DIGITS = st.sampled_from([1, 3, 4, 10, 11, 4300, 4301, 5000]).map(lambda n: "9" * n)
# json.dumps cannot write an int of more than 4,300 digits: a placeholder string
# is swapped for the bare number after dumping.
_BARE_NUMBER = "bare-number"
_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    _DIGITS,
    _LONG_DIGITS,
    st.just(_BARE_NUMBER),
    st.builds(
        lambda sign, h, m: f"2015-11-19T09:37:00{sign}{h:02d}:{m:02d}",
        st.sampled_from("+-"),
        st.sampled_from([0, 23, 24, 99]),
        st.sampled_from([0, 59, 60, 99]),
    ),
    st.builds(lambda d: "m$" + d, _DIGITS | _LONG_DIGITS),
    st.lists(st.dictionaries(st.sampled_from(["key", "Value", "x"]), st.text(max_size=5))),
)
_VALID: dict[str, object] = {"id": "m", "resultCode": "1001"}
_FIELD = st.sampled_from(
    [
        "id",
        "resultCode",
        "segments",
        "timestamp",
        "sentTimestamp",
        "refId",
        "operator",
        "operatorResultCode",
        "customParameters",
        "gateCustomParameters",
    ]
)


@settings(max_examples=500, deadline=None)
@given(field=_FIELD, value=_VALUE, others=st.dictionaries(_FIELD, _VALUE, max_size=4))
def test_any_json_report_is_a_report_or_malformed(
    field: str, value: object, others: dict[str, object]
) -> None:
    # One fuzzed field over a valid report, so it is read, not cut short by a missing id.
    for document in ({**_VALID, field: value}, {**_VALID, **others}):
        text = json.dumps(document).replace(f'"{_BARE_NUMBER}"', "9" * 5000)
        for parse in (parse_report_json, lambda b: parse_report(b, None)):
            with contextlib.suppress(MalformedReport):
                parse(text.encode())


@settings(max_examples=500, deadline=None)
@given(field=_FIELD, value=_VALUE, others=st.dictionaries(_FIELD, _VALUE, max_size=4))
def test_any_form_report_is_a_report_or_malformed(
    field: str, value: object, others: dict[str, object]
) -> None:
    for fields in ({**_VALID, field: value}, {**_VALID, **others}):
        pairs = [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in fields.items()]
        body = urlencode(pairs).encode()
        for cut in (body, body[:-3]):
            with contextlib.suppress(MalformedReport):
                parse_report(cut, "application/x-www-form-urlencoded")
