"""``python -m smswire.smpp.simulator``: the simulator in a process of its own,
as the fault tests of the outbox and scale-out issues run it."""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from smswire.pdu import BindReceiver, BindTransmitter, CommandStatus
from smswire.smpp.simulator import SimulatorRecord

from ..support import ACCOUNT, PASSWORD
from .support import WAIT, RawEsme, eventually


@asynccontextmanager
async def simulator_process(*args: str) -> AsyncIterator[tuple[Any, dict[str, Any]]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "smswire.smpp.simulator",
        *args,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(await asyncio.wait_for(process.stdout.readline(), WAIT * 3))
        yield process, ready
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def connect(ready: dict[str, Any]) -> RawEsme:
    context = ssl.create_default_context(cafile=ready["ca_file"])
    reader, writer = await asyncio.open_connection("127.0.0.1", ready["port"], ssl=context)
    return RawEsme(reader, writer)


def acknowledged(record: Path) -> int:
    """Receipts the simulator's record, read as it is being written, shows answered."""
    return sum(d.acknowledged for d in SimulatorRecord.open(record).receipts)


def accounts_file(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({ACCOUNT: PASSWORD}))
    return path


async def test_the_record_of_a_killed_simulator_holds_everything_it_answered(
    tmp_path: Path,
) -> None:
    record = tmp_path / "smsc.record"
    args = ["--record", str(record), "--accounts", str(accounts_file(tmp_path))]
    async with simulator_process(*args, "--receipt-delay", "off") as (process, ready):
        assert ready["tls"] and Path(ready["ca_file"]).is_file()
        assert ready["record"] == str(record)
        esme = await connect(ready)
        assert await esme.bind(BindTransmitter(system_id=ACCOUNT, password=PASSWORD)) == 0
        ids = []
        for i in range(20):
            response = await esme.submit(short_message=b"message %d" % i)
            ids.append(response.message_id)  # type: ignore[union-attr]
        process.send_signal(signal.SIGKILL)
        await process.wait()
        esme.close()
    read = SimulatorRecord.open(record)
    assert [s.message_id for s in read.accepted] == ids
    assert [m.text for m in read.messages()] == [f"message {i}" for i in range(20)]
    assert read.connections[0].system_id == ACCOUNT


async def test_receipts_owed_across_binds_and_a_clean_stop_on_sigterm(tmp_path: Path) -> None:
    record = tmp_path / "smsc.record"
    args = ["--record", str(record), "--accounts", str(accounts_file(tmp_path))]
    async with simulator_process(*args, "--tps-limit", "50") as (process, ready):
        sender = await connect(ready)
        assert await sender.bind(BindTransmitter(system_id=ACCOUNT, password=PASSWORD)) == 0
        ids = []
        for i in range(5):
            response = await sender.submit(short_message=b"r%d" % i, registered_delivery=1)
            ids.append(response.message_id)  # type: ignore[union-attr]
        sender.close()
        # Nothing was bound to take the receipts; a receiver binding now gets them.
        receiver = await connect(ready)
        assert await receiver.bind(BindReceiver(system_id=ACCOUNT, password=PASSWORD)) == 0
        for _ in ids:
            pdu = await receiver.request()
            receiver.writer.write(receiver.session.respond(pdu, 0))
        # The simulator, another process, has read every answer before it is
        # stopped: its record says so (a fixed sleep assumed it had).
        await eventually(lambda: acknowledged(record) == len(ids))
        receiver.close()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), WAIT) == 0
    assert not Path(ready["ca_file"]).exists(), "the throw-away CA went with the process"
    read = SimulatorRecord.open(record)
    assert sorted(d.message_id for d in read.receipts if d.acknowledged) == sorted(ids)
    assert read.settings[0]["tps_limit"] == 50
    assert all(c.closed_at is not None for c in read.connections)


async def test_plain_tcp_when_asked_and_unknown_accounts_are_refused(tmp_path: Path) -> None:
    nobody = tmp_path / "accounts.json"
    nobody.write_text("{}")
    async with simulator_process("--no-tls", "--accounts", str(nobody)) as (_, ready):
        assert not ready["tls"] and ready["ca_file"] is None
        reader, writer = await asyncio.open_connection("127.0.0.1", ready["port"])
        esme = RawEsme(reader, writer)
        status = await esme.bind(BindTransmitter(system_id=ACCOUNT, password="wrong"))
        esme.close()
    assert status == CommandStatus.ESME_RINVSYSID


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--tps-limit", "0"], "tps_limit must be at least 1"),
        (["--accounts", "/nonexistent/accounts.json"], "No such file"),
        (["--failed-binds-per-address", "0"], "per_address"),
    ],
)
def test_bad_settings_are_one_line_and_exit_2(args: list[str], complaint: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smswire.smpp.simulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert complaint in done.stderr and "Traceback" not in done.stderr
