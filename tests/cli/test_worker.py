"""``smswire worker`` as a user runs it: a child process draining a real store
through the simulators, stopped by a signal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Callable

import pytest
from ports import refusing_port, steady_port

from smswire.cli.worker import CLOSE_AFTER_GRACE
from smswire.link import LinkSimulator
from smswire.link.simulator import LinkSimulatorRecord
from smswire.message import Message, Outcome
from smswire.outbox import DeliveryState, Outbox
from smswire.sim import LocalAuthority, serve_https
from smswire.smpp.simulator import SimulatorRecord

from .processes import Processes, link_smsc, smpp_smsc
from .support import PATIENCE, run_cli, start_cli

LINK_PASSWORD = "link pass&word=1"
LONG = "A text long enough to need more than one part on its way. " * 4


def free_port() -> int:
    """A port for a server started on it by number: see tests/ports.py."""
    return steady_port()


async def test_a_link_worker_stores_every_report_and_stops_on_sigterm(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    store = tmp_path / "outbox.db"
    keys = [f"k{i}" for i in range(12)]
    async with Outbox.open(store) as outbox:
        await outbox.put_many(
            (key, Message(f"+4791{i:06d}", LONG if i % 4 == 0 else f"code {i}", source="Shop"))
            for i, key in enumerate(keys)
        )
    listen = free_port()
    simulator = LinkSimulator(
        service_id=7,
        username="acme",
        password=LINK_PASSWORD,
        callback_url=f"http://127.0.0.1:{listen}/",
        report_delay=0.05,
    )
    async with serve_https(simulator, authority) as url:
        env = {
            "SMSWIRE_LINK_URL": f"{url}/smscsimplehttp",
            "SMSWIRE_LINK_SERVICE_ID": "7",
            "SMSWIRE_LINK_USERNAME": "acme",
            "SMSWIRE_LINK_PASSWORD": LINK_PASSWORD,
        }
        worker = await start_cli(
            "worker", "--via", "link", "--store", store, "--ca-file", authority.ca_file,
            "--listen", f"127.0.0.1:{listen}", "--json", env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + PATIENCE
            async with Outbox.open(store) as outbox:
                while True:
                    states = [(await outbox.status(key)).delivery for key in keys]  # type: ignore[union-attr]
                    if all(state is DeliveryState.DELIVERED for state in states):
                        break
                    assert worker.returncode is None, "the worker stopped on its own"
                    assert time.monotonic() < deadline, f"reports never all stored: {states}"
                    await asyncio.sleep(0.05)
                long = await outbox.status("k0")
            worker.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(worker.communicate(), PATIENCE)
        finally:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    assert worker.returncode == 0, err.decode()
    stats = json.loads(out)
    assert stats["accepted"] == 12 and stats["route"] == "default"
    assert long is not None and long.outcome is Outcome.ACCEPTED
    # LINK: one id, a report per part ({id}$0, {id}$1, ...), each matched to its part.
    assert long.part_count > 1 and len(long.receipts) == long.part_count
    assert {r.index for r in long.receipts} == set(range(long.part_count))
    assert LINK_PASSWORD not in out.decode() + err.decode()


async def test_a_worker_without_a_reachable_smsc_says_why_in_one_line(tmp_path: Path) -> None:
    with refusing_port() as port:
        run = await run_cli(
            "worker", "--via", "smpp", "--store", tmp_path / "outbox.db",
            "--url", f"smpp://acme@127.0.0.1:{port}",
            env={"SMSWIRE_SMPP_PASSWORD": "pw"},
        )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.startswith("smswire: error:") and "Traceback" not in run.stderr


async def test_a_link_worker_whose_listen_port_is_taken_says_why_in_one_line(
    tmp_path: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = await run_cli(
            "worker", "--via", "link", "--store", tmp_path / "outbox.db",
            "--url", "https://127.0.0.1:9/smscsimplehttp", "--listen", f"127.0.0.1:{port}",
            env={
                "SMSWIRE_LINK_SERVICE_ID": "7",
                "SMSWIRE_LINK_USERNAME": "acme",
                "SMSWIRE_LINK_PASSWORD": LINK_PASSWORD,
            },
        )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.startswith("smswire: error: the report receiver cannot listen on")
    assert "Traceback" not in run.stderr


# The grace a stopping worker waits for outstanding responses, in the stop test.
STOP_GRACE = 1.0
# The most a stop may take once SIGTERM is sent: the grace, then closing the
# way out (its answers, its receipts and its unbind, CLOSE_AFTER_GRACE each at
# most), and room for the store's last commits on a loaded machine.
STOP_BOUND = STOP_GRACE + 3 * CLOSE_AFTER_GRACE + 4.0


@asynccontextmanager
async def way_out(
    via: str, processes: Processes, tmp_path: Path
) -> AsyncIterator[tuple[int, list[str], dict[str, str], Callable[[], int]]]:
    """A simulator in its own process: its pid, the worker's options and
    environment to reach it, and how many sends its record accepted so far."""
    if via == "smpp":
        async with smpp_smsc(processes, tmp_path, {"acme": "pw123456"}) as (ready, smpp_record):
            yield (
                ready["pid"],
                ["--via", "smpp", "--url", f"smpp://acme@127.0.0.1:{ready['port']}"],
                {"SMSWIRE_SMPP_PASSWORD": "pw123456"},
                lambda: len(SimulatorRecord.open(smpp_record).accepted),
            )
        return
    credentials = {"service_id": 7, "username": "acme", "password": LINK_PASSWORD}
    async with link_smsc(processes, tmp_path, credentials) as (ready, link_record):
        url = f"{ready['url']}/smscsimplehttp"
        yield (
            ready["pid"],
            ["--via", "link", "--url", url, "--ca-file", ready["ca_file"]],
            {
                "SMSWIRE_LINK_SERVICE_ID": "7",
                "SMSWIRE_LINK_USERNAME": "acme",
                "SMSWIRE_LINK_PASSWORD": LINK_PASSWORD,
            },
            lambda: len(LinkSimulatorRecord.open(link_record).accepted),
        )


@pytest.mark.parametrize("via", ["smpp", "link"])
@pytest.mark.parametrize(
    "fault",
    [signal.SIGKILL, signal.SIGSTOP],
    ids=["the provider vanishes", "the provider freezes with requests unanswered"],
)
async def test_sigterm_stops_a_worker_within_its_bound_whatever_the_provider_does(
    tmp_path: Path, processes: Processes, via: str, fault: signal.Signals
) -> None:
    store = tmp_path / "outbox.db"
    messages = 4000
    async with Outbox.open(store) as outbox:
        await outbox.put_many(
            (f"k{i}", Message(f"+4791{i:06d}", f"code {i}", source="Shop")) for i in range(messages)
        )
    async with way_out(via, processes, tmp_path) as (pid, options, env, accepted):
        worker = await processes.start(
            "-m", "smswire", "worker", "--store", store, *options,
            "--grace", str(STOP_GRACE), "--json", env=env,
        )  # fmt: skip
        # Mid-campaign, batches claimed and parts queued or in flight.
        deadline = time.monotonic() + PATIENCE
        while accepted() < 200:
            assert worker.returncode is None, "the worker stopped on its own"
            assert time.monotonic() < deadline, "the provider never accepted 200 sends"
            await asyncio.sleep(0.02)
        os.kill(pid, fault)
        try:
            await asyncio.sleep(0.5)  # the worker has lost its way out, or waits on it
            worker.send_signal(signal.SIGTERM)
            try:
                out, err = await asyncio.wait_for(worker.communicate(), STOP_BOUND)
            except asyncio.TimeoutError:
                raise AssertionError(f"SIGTERM did not stop the worker in {STOP_BOUND} s") from None
        finally:
            with contextlib.suppress(ProcessLookupError):  # a frozen one cannot stop itself
                os.kill(pid, signal.SIGKILL)
    assert worker.returncode == 0, err.decode()
    stats = json.loads(out)
    assert stats["accepted"] < messages and stats["released"] > 0, json.dumps(stats)
    # Never-written claims went back to the queue; the rest has its outcome.
    async with Outbox.open(store) as outbox:
        pending = await outbox.pending("default")
    assert pending.claimed == 0
    settled = sum(stats[k] for k in ("accepted", "rejected", "unknown", "not_sent"))
    assert pending.queued == messages - settled
