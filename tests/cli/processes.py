"""Simulators and workers in processes of their own, for the fault tests.

Each is started as a user starts it (``python -m ...``), every wait on one is
bounded, and none outlives its test: the ``processes`` fixture (conftest.py)
kills whatever a test started and left running, a failed wait or assertion
included.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from .support import cli_env

# Bounds a process's start and its end after a signal; never what a test asserts.
START_PATIENCE = 30.0


class Processes:
    """Every child process a test started, so that none is left behind."""

    def __init__(self) -> None:
        self._children: list[asyncio.subprocess.Process] = []

    async def start(
        self, *args: str | Path, env: Mapping[str, str] = {}
    ) -> asyncio.subprocess.Process:
        """``python ARGS...`` with the CLI's environment plus ``env``, its output piped."""
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            *map(str, args),
            env=cli_env(env),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self._children.append(child)
        return child

    async def kill_all(self) -> None:
        while self._children:
            child = self._children.pop()
            if child.returncode is None:
                child.kill()
                await asyncio.wait_for(child.communicate(), START_PATIENCE)


async def ready_line(child: asyncio.subprocess.Process) -> dict[str, Any]:
    """The JSON line a simulator prints once it listens."""
    assert child.stdout is not None
    line = await asyncio.wait_for(child.stdout.readline(), START_PATIENCE)
    assert line, "the simulator ended before it listened"
    ready: dict[str, Any] = json.loads(line)
    return ready


async def stop(child: asyncio.subprocess.Process) -> None:
    """SIGTERM, and wait (bounded) for the end: a simulator closes its record."""
    if child.returncode is None:
        child.terminate()
        await asyncio.wait_for(child.communicate(), START_PATIENCE)


@asynccontextmanager
async def smpp_smsc(
    processes: Processes, tmp_path: Path, accounts: Mapping[str, str], *options: str
) -> AsyncIterator[tuple[dict[str, Any], Path]]:
    """``python -m smswire.smpp.simulator`` over plain TCP, recording to a file:
    yields its ready line and the record's path."""
    accounts_file = tmp_path / "smpp-accounts.json"
    accounts_file.write_text(json.dumps(dict(accounts)))
    record = tmp_path / "smsc.record"
    child = await processes.start(
        "-m", "smswire.smpp.simulator", "--no-tls", "--record", record,
        "--accounts", accounts_file, *options,
    )  # fmt: skip
    try:
        yield await ready_line(child), record
    finally:
        await stop(child)


@asynccontextmanager
async def link_smsc(
    processes: Processes, tmp_path: Path, credentials: Mapping[str, object], *options: str
) -> AsyncIterator[tuple[dict[str, Any], Path]]:
    """``python -m smswire.link.simulator`` over HTTPS (its CA minted into
    ``tmp_path``), recording to a file: yields its ready line (``url`` the
    endpoint, ``ca_file`` the CA to trust) and the record's path."""
    accounts_file = tmp_path / "link-accounts.json"
    accounts_file.write_text(json.dumps(dict(credentials)))
    record = tmp_path / "link.record"
    child = await processes.start(
        "-m", "smswire.link.simulator", "--ca-dir", tmp_path, "--record", record,
        "--accounts", accounts_file, *options,
    )  # fmt: skip
    try:
        yield await ready_line(child), record
    finally:
        await stop(child)
