"""The simulator's own record: durable, readable from another process, and honest."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from smswire.pdu import BindReceiver, BindTransmitter, CommandStatus, DeliverSm, SubmitSm
from smswire.smpp import SmscSimulator
from smswire.smpp.simulator import SimulatorRecord
from smswire.smpp.simulator.journal import HEADER, MAGIC, Kind
from smswire.smpp.simulator.link import SmscLink

from ..support import ACCOUNT, PASSWORD
from .support import RawEsme, eventually

# Another process reads the record and prints what a fault test would ask of it.
READER = """
import json, sys
from smswire.smpp.simulator import SimulatorRecord
from smswire.smpp.simulator.journal import HEADER, MAGIC, Kind
from smswire.smpp.simulator.link import SmscLink
record = SimulatorRecord.open(sys.argv[1])
print(json.dumps({
    "accepted": [s.message_id for s in record.accepted],
    "texts": sorted(m.text for m in record.messages()),
    "duplicates": [m.text for m in record.duplicates()],
    "receipts": {d.message_id: d.acknowledged for d in record.receipts},
    "busiest": record.busiest_second("acme"),
    "connections": [(c.system_id, c.bind) for c in record.connections],
}))
"""


async def send_with_receipts(sim: SmscSimulator, texts: list[str]) -> list[str]:
    sender = await RawEsme.connect(sim)
    await sender.bind(BindTransmitter(system_id=ACCOUNT, password=PASSWORD))
    receiver = await RawEsme.connect(sim)
    await receiver.bind(BindReceiver(system_id=ACCOUNT, password=PASSWORD))
    ids = []
    for text in texts:
        response = await sender.submit(short_message=text.encode(), registered_delivery=1)
        ids.append(response.message_id)  # type: ignore[union-attr]
    for _ in texts:
        pdu = await receiver.request()
        receiver.writer.write(receiver.session.respond(pdu, 0))
    await eventually(lambda: sim.receipts_delivered == len(texts))
    sender.close()
    receiver.close()
    return ids


async def test_the_record_outlives_the_simulator_and_another_process_reads_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "smsc.record"
    async with SmscSimulator(tls=False, accounts={ACCOUNT: PASSWORD}, record=path) as sim:
        ids = await send_with_receipts(sim, ["one", "two", "three"])
    read = subprocess.run(
        [sys.executable, "-c", READER, str(path)], capture_output=True, text=True, timeout=60
    )
    assert read.returncode == 0, read.stderr
    seen = json.loads(read.stdout)
    assert seen["accepted"] == ids
    assert seen["texts"] == ["one", "three", "two"]
    assert seen["duplicates"] == []
    assert seen["receipts"] == {i: True for i in ids}
    assert seen["busiest"] == 3
    assert seen["connections"] == [[ACCOUNT, "transmitter"], [ACCOUNT, "receiver"]]


async def test_a_reader_sees_each_new_write_while_the_simulator_runs(tmp_path: Path) -> None:
    path = tmp_path / "smsc.record"
    async with SmscSimulator(tls=False, record=path, receipt_delay=None) as sim:
        record = SimulatorRecord.open(path)
        assert record.submits == []
        esme = await RawEsme.connect(sim)
        await esme.bind()
        await esme.submit(short_message=b"first")
        assert [m.text for m in record.refresh().messages()] == ["first"]
        await esme.submit(short_message=b"second")
        assert [m.text for m in record.refresh().messages()] == ["first", "second"]
        esme.close()


async def test_a_torn_last_record_is_left_unread_until_it_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "smsc.record"
    async with SmscSimulator(tls=False, record=path, receipt_delay=None) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        for text in (b"a", b"b"):
            await esme.submit(short_message=text)
        esme.close()
    whole = path.read_bytes()
    # Tear the file in the middle of the record of the second submit.
    starts, at = [], len(MAGIC)
    while at < len(whole):
        length, kind, _, _ = HEADER.unpack_from(whole, at)
        starts.append((at, length, kind))
        at += length
    second_start, second_length, _ = [r for r in starts if r[2] == Kind.SUBMITS][1]
    cut = second_start + second_length // 2
    torn = tmp_path / "torn.record"
    torn.write_bytes(whole[:cut])
    record = SimulatorRecord.open(torn)
    assert [m.text for m in record.messages()] == ["a"]
    with torn.open("ab") as rest:
        rest.write(whole[cut:])
    assert [m.text for m in record.refresh().messages()] == ["a", "b"]


async def test_a_second_run_appends_and_keeps_its_connections_apart(tmp_path: Path) -> None:
    path = tmp_path / "smsc.record"
    for text in (b"from run 1", b"from run 2"):
        async with SmscSimulator(tls=False, record=path, receipt_delay=None) as sim:
            esme = await RawEsme.connect(sim)
            await esme.bind()
            await esme.submit(short_message=text)
            esme.close()
    record = SimulatorRecord.open(path)
    assert len(record.settings) == 2
    assert [c.number for c in record.connections] == [1, 2]
    assert [(s.connection, s.pdu.short_message) for s in record.submits] == [
        (1, b"from run 1"),
        (2, b"from run 2"),
    ]


async def test_a_resubmitted_part_is_a_duplicate_not_a_new_message() -> None:
    async with SmscSimulator(tls=False, receipt_delay=None) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        first = await esme.submit(short_message=b"again")
        second = await esme.submit(short_message=b"again")
        await esme.submit(short_message=b"once")
        esme.close()
    (duplicate,) = sim.record.duplicates()
    assert duplicate.text == "again" and duplicate.times_accepted == 2
    assert duplicate.message_ids == (second.message_id,)  # type: ignore[union-attr]
    assert first.message_id != second.message_id  # type: ignore[union-attr]
    assert [m.times_accepted for m in sim.received] == [2, 1]


async def test_refusals_are_recorded_with_their_status() -> None:
    async with SmscSimulator(tls=False, receipt_delay=None, tps_limit=1) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        await esme.submit(short_message=b"in")
        await esme.submit(short_message=b"out")
        esme.close()
    (refused,) = sim.record.refused
    assert refused.status == CommandStatus.ESME_RTHROTTLED
    assert refused.pdu.short_message == b"out" and refused.message_id == ""
    assert sim.record.per_second(ACCOUNT) == {int(refused.time): 2}


async def test_the_record_holds_no_password_and_only_its_owner_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "smsc.record"
    async with SmscSimulator(
        tls=False, accounts={ACCOUNT: PASSWORD}, record=path, receipt_delay=None
    ) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        wrong = await RawEsme.connect(sim)
        await wrong.bind(BindTransmitter(system_id=ACCOUNT, password="Wr0ngPw!"))
        esme.close()
        wrong.close()
    data = path.read_bytes()
    assert PASSWORD.encode() not in data and b"Wr0ngPw!" not in data
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [c.bind_attempts for c in SimulatorRecord.open(path).connections] == [
        [(ACCOUNT, 0)],
        [(ACCOUNT, CommandStatus.ESME_RINVPASWD)],
    ]


def test_a_file_that_is_not_a_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other"
    path.write_bytes(b"id,text\n1,hello\n")
    with pytest.raises(ValueError, match="not a smswire simulator record"):
        SimulatorRecord.open(path)


async def test_mobile_originated_and_receipt_deliveries_are_told_apart() -> None:
    async with SmscSimulator(tls=False) as sim:
        sim.send_mo("4587654321", "1919", "Stop", system_id=ACCOUNT)
        sender = await RawEsme.connect(sim)
        await sender.bind(BindTransmitter(system_id=ACCOUNT, password=PASSWORD))
        await sender.submit(short_message=b"hi", registered_delivery=1)
        receiver = await RawEsme.connect(sim)
        await receiver.bind(BindReceiver(system_id=ACCOUNT, password=PASSWORD))
        for _ in range(2):
            pdu = await receiver.request()
            assert isinstance(pdu, DeliverSm)
            receiver.writer.write(receiver.session.respond(pdu, 0))
        await eventually(lambda: sim.receipts_pending == 0)
        sender.close()
        receiver.close()
    kinds = sorted(d.kind for d in sim.record.deliveries)
    assert kinds == ["mobile-originated", "receipt"]
    assert all(d.acknowledged_at is not None for d in sim.record.deliveries)
    assert sim.record.unacknowledged() == []


async def test_each_submit_is_in_the_record_before_its_response_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "smsc.record"
    unrecorded: list[bytes] = []
    write = SmscLink.write

    def checked_write(link: SmscLink, data: bytes) -> None:
        recorded = {s.message_id.encode() for s in SimulatorRecord.open(path).submits}
        for at in range(0, len(data) - 16, 1):
            # A submit_sm_resp: command_id 0x80000004, then a 36-octet UUID after the header.
            if data[at + 4 : at + 8] == b"\x80\x00\x00\x04":
                message_id = data[at + 16 : at + 52]
                if message_id not in recorded:
                    unrecorded.append(message_id)
        write(link, data)

    monkeypatch.setattr(SmscLink, "write", checked_write)
    async with SmscSimulator(tls=False, record=path, receipt_delay=None) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        for i in range(10):
            esme.send(SubmitSm(destination_addr="45", short_message=b"%d" % i))
        for _ in range(10):
            assert (await esme.response()).command_status == 0
        esme.close()
    assert unrecorded == []
    assert len(SimulatorRecord.open(path).accepted) == 10


async def test_a_long_message_missing_a_part_is_reported_incomplete() -> None:
    part = b"\x05\x00\x03\x2a\x02\x01" + b"first half"
    async with SmscSimulator(tls=False, receipt_delay=None) as sim:
        esme = await RawEsme.connect(sim)
        await esme.bind()
        await esme.submit(esm_class=0x40, short_message=part)
        await esme.submit(short_message=b"whole")
        esme.close()
    (incomplete,) = sim.record.incomplete()
    assert incomplete.text == "first half" and incomplete.parts == 2
