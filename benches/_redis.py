"""A real redis-server for the benchmarks: the tests' own helper
(``tests/outbox/redis_server.py``, AOF on), loaded by path since benches are
scripts, and pinned to the last CPU where ``taskset`` exists."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _redis_server_module() -> Any:
    # It imports the tests' port helper as a top-level module, as the tests
    # see it (their directory is on sys.path under pytest; not for benches).
    sys.modules.setdefault("ports", _load("ports", _ROOT / "tests" / "ports.py"))
    return _load("redis_server", _ROOT / "tests" / "outbox" / "redis_server.py")


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[Any]:
    """A started ``RedisServer`` in ``directory`` (the test is skipped where
    ``redis-server`` is not installed), stopped on leaving."""
    helper = _redis_server_module()
    if helper.redis_server_binary() is None:
        pytest.skip("redis-server is not installed")
    server = helper.RedisServer(directory)
    server.start()
    if shutil.which("taskset") and server.process is not None:
        last_cpu = str((os.cpu_count() or 1) - 1)
        os.system(f"taskset -pc {last_cpu} {server.process.pid} >/dev/null")
    try:
        yield server
    finally:
        server.stop()
