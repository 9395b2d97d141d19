"""A real redis-server for the tests: started on a free loopback port in a
temporary directory with the append-only file on, stopped (or killed, and
started again on the same directory and port) by the test that owns it.

Debian's ``redis-server`` package (Redis 7) provides the binary; ``.ci/run``
installs it when it is missing.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from ports import steady_port

# Bounds on waiting for the server to answer, or to stop. They bound a failing
# test; no test asserts them.
START_PATIENCE = 15.0
STOP_PATIENCE = 15.0


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def free_port() -> int:
    """A port for a server restarted on it: see tests/ports.py."""
    return steady_port()


class RedisServer:
    """One redis-server process in ``directory`` on ``port`` (AOF on), with
    more ``options`` (``--name``, ``value``, ...)."""

    def __init__(
        self, directory: Path, port: int | None = None, options: tuple[str, ...] = ()
    ) -> None:
        self.directory = directory
        self.options = options
        self.port = free_port() if port is None else port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.directory / "redis.log"),
            *self.options,
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_PATIENCE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server exited with {self.process.returncode}: {log}")
            if self._answers():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} in {START_PATIENCE} s")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as connection:
                connection.sendall(b"PING\r\n")
                # A server wanting a password answers too, refusing the PING.
                return connection.recv(16).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        """Stop it: SIGTERM (a clean shutdown) or SIGKILL (a crash)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(how)
        try:
            process.wait(STOP_PATIENCE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_PATIENCE)

    def restart(self, how: signal.Signals = signal.SIGKILL) -> None:
        """Stop it and start it again on the same directory and port."""
        self.stop(how)
        self.start()
