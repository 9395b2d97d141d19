"""The CLI runs as users run it: a child process (`python -m smswire`) talking
to simulators that the test's event loop serves on 127.0.0.1 over TLS."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

# Bounds a broken run; never what a test asserts.
PATIENCE = 120.0


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def cli_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SMSWIRE_") or k == "SMSWIRE_BACKEND"
    }
    env.update(extra)
    return env


async def start_cli(*args: str | Path, env: Mapping[str, str] = {}) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "smswire",
        *map(str, args),
        env=cli_env(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_cli(*args: str | Path, env: Mapping[str, str] = {}) -> Run:
    process = await start_cli(*args, env=env)
    stdout, stderr = await asyncio.wait_for(process.communicate(), PATIENCE)
    assert process.returncode is not None
    return Run(process.returncode, stdout.decode(), stderr.decode())


def wait_until(condition: Callable[[], object], *, what: str) -> None:
    """Poll ``condition`` until it holds, for at most :data:`PATIENCE` seconds."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)
