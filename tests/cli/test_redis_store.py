"""The command line on a Redis outbox, as a user on many machines runs it:
``smswire worker``, ``status`` and ``events`` with ``--store redis://...``,
against a real redis-server that wants a password, which nothing prints."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox.redis_server import RedisServer, redis_server_binary

from smswire.message import Delivery, Message
from smswire.outbox import Outbox

from .processes import Processes, smpp_smsc
from .smpp_campaign import ACCOUNT, PASSWORD, all_receipts_taken, start_worker
from .support import PATIENCE, run_cli

SECRET = "redis-pw-not-for-printing"

pytestmark = pytest.mark.skipif(redis_server_binary() is None, reason="no redis-server")


@pytest.fixture
def location(tmp_path: Path) -> Iterator[str]:
    server = RedisServer(tmp_path / "redis", options=("--requirepass", SECRET))
    server.start()
    yield f"redis://:{SECRET}@127.0.0.1:{server.port}/0?prefix=cli"
    server.stop()


async def test_a_worker_drains_a_redis_outbox_and_status_reads_it(
    tmp_path: Path, location: str, processes: Processes
) -> None:
    async with Outbox.open(location) as outbox:
        await outbox.put(Message("+4791000001", "Your code is 1", source="Shop"), key="order-1")
    smsc = smpp_smsc(processes, tmp_path, {ACCOUNT: PASSWORD}, "--receipt-delay", "0")
    async with smsc as (ready, record_path):
        worker = await start_worker(
            processes, location, ready["port"], Delivery.AT_LEAST_ONCE, "--until-empty"
        )
        out, err = await asyncio.wait_for(worker.communicate(), PATIENCE)
        assert worker.returncode == 0, err.decode()
        await all_receipts_taken(record_path, PATIENCE)
    printed = out.decode() + err.decode()
    assert json.loads(out.decode().splitlines()[-1])["accepted"] == 1
    status = await run_cli("status", "order-1", "--store", location, "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["outcome"] == "accepted"
    missing = await run_cli("status", "order-9", "--store", location)
    assert missing.returncode == 1 and "no message under the key 'order-9'" in missing.stderr
    printed += status.stdout + status.stderr + missing.stdout + missing.stderr
    assert "127.0.0.1" in printed  # where the store is, shown
    assert SECRET not in printed  # its password, never


def readme_worker_command() -> list[str]:
    """The README's ``smswire worker`` on Redis, as written."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    [block] = [b for b in blocks if 'smswire worker --store "redis://' in b]
    return shlex.split(block.replace("\\\n", " "))


async def test_the_readme_worker_on_redis_runs_as_written(
    tmp_path: Path, location: str, processes: Processes
) -> None:
    command = readme_worker_command()
    assert command[:2] == ["smswire", "worker"]
    options = dict(zip(command[2::2], command[3::2]))
    assert options["--store"].startswith("redis://") and "?prefix=" in options["--store"]
    async with Outbox.open(location) as outbox:
        await outbox.put(Message("+4791000002", "Your code is 2", source="Shop"), key="order-2")
    smsc = smpp_smsc(processes, tmp_path, {ACCOUNT: PASSWORD}, "--receipt-delay", "0")
    async with smsc as (ready, _):
        # Pointed at this test's Redis and simulator; every other option as written.
        options["--store"] = location
        options["--url"] = f"smpp://{ACCOUNT}@127.0.0.1:{ready['port']}"
        argv = [arg for pair in options.items() for arg in pair]
        worker = await processes.start(
            "-m", "smswire", "worker", *argv, "--until-empty", "--json",
            env={"SMSWIRE_SMPP_PASSWORD": PASSWORD},
        )  # fmt: skip
        out, err = await asyncio.wait_for(worker.communicate(), PATIENCE)
    assert worker.returncode == 0, err.decode()
    assert json.loads(out.decode().splitlines()[-1])["accepted"] == 1
