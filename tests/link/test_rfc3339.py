"""RFC 3339 date-times as LINK's reports carry them; the report-level cases
(each malformed form, named by its field) are in test_reports.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from smswire.link._rfc3339 import format_rfc3339, read_rfc3339


def test_the_guides_example_reads_as_utc() -> None:
    # LINK guide: Delivery Report Example, "sentTimestamp": "2015-11-19T09:37:35Z".
    assert read_rfc3339("2015-11-19T09:37:35Z") == datetime(
        2015, 11, 19, 9, 37, 35, tzinfo=timezone.utc
    )


def test_an_offset_is_kept_and_its_zone_made_once() -> None:
    first, second = (
        read_rfc3339("2026-02-10T08:00:09+01:00"),
        read_rfc3339("2026-02-11T00:00:00+01:00"),
    )
    assert first.utcoffset() == timedelta(hours=1)
    assert first.tzinfo is second.tzinfo


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2015-11-19T09:37:00+24:00", "offset +24:00"),
        ("2015-11-19T09:37:00-00:60", "offset -00:60"),
        ("2015-02-30T09:37:00Z", "not a valid date-time"),
        ("2015-11-19T09:37Z", "not an RFC 3339 date-time"),
        ("\u0662\u0660\u0661\u0665-11-19T09:37:00Z", "not an RFC 3339 date-time"),
    ],
)
def test_what_is_not_rfc_3339_is_a_value_error_saying_why(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        read_rfc3339(text)


def test_written_in_utc_with_z_and_read_back_the_same() -> None:
    moment = datetime(2026, 2, 10, 9, 0, 1, 250, tzinfo=timezone(timedelta(hours=1)))
    assert format_rfc3339(moment) == "2026-02-10T08:00:01.000250Z"
    assert read_rfc3339(format_rfc3339(moment)) == moment
