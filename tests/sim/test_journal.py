"""The simulators' record files: appended records read back, in memory or from
a file another process reads while it is written; a torn tail left unread."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from smswire.sim.journal import HEADER, RecordFile, RecordReader, file_reader, frame

MAGIC = b"test-record 1\n"


def test_records_written_to_a_file_are_read_back_in_order(tmp_path: Path) -> None:
    path = tmp_path / "record"
    journal = RecordFile(path, MAGIC)
    journal.open()
    journal.write(frame(ord("A"), 1.5, 7, b"first") + frame(ord("B"), 2.5, 0))
    reader = RecordReader(file_reader(path), MAGIC)
    assert list(reader.read()) == [(ord("A"), 1.5, 7, b"first"), (ord("B"), 2.5, 0, b"")]
    journal.write(frame(ord("C"), 3.0, 1, b"later"))
    assert list(reader.read()) == [(ord("C"), 3.0, 1, b"later")]  # only what is new
    assert list(reader.read()) == []
    journal.close()
    # Owner-only: records hold message contents.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_run_appending_to_an_existing_file_writes_the_magic_line_once(tmp_path: Path) -> None:
    path = tmp_path / "record"
    for run in range(2):
        journal = RecordFile(path, MAGIC)
        journal.open()
        journal.write(frame(ord("R"), float(run), 0))
        journal.close()
    assert path.read_bytes().count(MAGIC) == 1
    assert [r[1] for r in RecordReader(file_reader(path), MAGIC).read()] == [0.0, 1.0]


def test_in_memory_the_record_is_read_through_its_reader() -> None:
    journal = RecordFile(None, MAGIC)
    journal.open()  # a no-op in memory
    journal.write(frame(ord("A"), 1.0, 0, b"x"))
    assert list(RecordReader(journal.reader(), MAGIC).read()) == [(ord("A"), 1.0, 0, b"x")]


def test_a_torn_last_record_is_left_unread_until_it_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "record"
    whole = frame(ord("A"), 1.0, 0, b"payload")
    path.write_bytes(MAGIC[:4])  # the writer has not finished the magic line
    reader = RecordReader(file_reader(path), MAGIC)
    assert list(reader.read()) == []
    path.write_bytes(MAGIC + whole[: HEADER.size + 3])  # killed mid-write
    assert list(reader.read()) == []
    path.write_bytes(MAGIC + whole)
    assert list(reader.read()) == [(ord("A"), 1.0, 0, b"payload")]


def test_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "record"
    path.write_bytes(b"smswire-smsc-record 1\n")
    with pytest.raises(ValueError, match="magic line"):
        list(RecordReader(file_reader(path), MAGIC).read())


def test_a_header_shorter_than_itself_is_refused_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "record"
    path.write_bytes(MAGIC + HEADER.pack(3, ord("A"), 0.0, 0))
    with pytest.raises(ValueError, match="corrupt"):
        list(RecordReader(file_reader(path), MAGIC).read())


def test_a_stopped_writer_refuses_to_write_rather_than_lose_records(tmp_path: Path) -> None:
    journal = RecordFile(tmp_path / "record", MAGIC)
    journal.open()
    journal.close()
    with pytest.raises(RuntimeError, match="not open"):
        journal.write(frame(ord("A"), 1.0, 0))
