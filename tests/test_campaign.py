"""Campaign rows as read from CSV: lines, headers, and bytes that are not UTF-8.

Sending a campaign (through the outbox, resumable by running again) is
``smswire send-csv``'s, exercised against the simulators in tests/cli.
"""

from __future__ import annotations

import io

import pytest

from smswire.campaign import (
    CSV_ENCODING,
    CSV_ERRORS,
    CampaignRow,
    InvalidRow,
    read_campaign,
)
from smswire.errors import ConfigurationError

CSV = (
    "Destination,Text,Source\n"
    "+4746910822,hello,LINK\n"
    "\n"
    'x123,"two\nlines",\n'
    ",no destination,\n"
    "+4746910823,reject me,\n"
    "+4746910824,bye,\n"
)


def _rows(text: str = CSV) -> list[CampaignRow | InvalidRow]:
    return list(read_campaign(io.StringIO(text)))


def test_rows_carry_the_line_their_record_starts_on() -> None:
    rows = _rows()
    assert [row.line for row in rows] == [2, 4, 6, 7, 8]
    assert rows[0] == CampaignRow(2, "+4746910822", "hello", "LINK")
    assert rows[1] == CampaignRow(4, "x123", "two\nlines", None)
    assert rows[2] == InvalidRow(6, "destination is empty")


def test_header_must_name_destination_and_text() -> None:
    with pytest.raises(ConfigurationError, match="lacks the column\\(s\\) text"):
        _rows("destination,message\n1,2\n")
    with pytest.raises(ConfigurationError, match="empty"):
        _rows("")


def test_a_byte_that_is_not_utf8_fails_its_row_by_line_and_column() -> None:
    raw = b"destination,text\n+4746910001,caf\xe9 ok\n+4746910002,fine\n+47469\xff,x\n"
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding=CSV_ENCODING, errors=CSV_ERRORS)
    rows = list(read_campaign(stream))
    assert rows == [
        InvalidRow(2, "byte 0xE9 in column 'text' is not UTF-8 (save the file as UTF-8)"),
        CampaignRow(3, "+4746910002", "fine", None),
        InvalidRow(4, "byte 0xFF in column 'destination' is not UTF-8 (save the file as UTF-8)"),
    ]
