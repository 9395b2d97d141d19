"""Free loopback ports for the servers tests start by number: a worker's report
receiver or metrics endpoint, a simulator told where to call back, a
redis-server stopped and started again on the same port.

A port found by binding port 0 comes from the kernel's ephemeral range, the
range every connect() on the machine takes its local port from. Between the
probe and the server's bind, or while a server is down between two runs on
the same port, another process's outgoing connection may take it, and the
server then cannot bind it: rare, but real on a machine running several test
suites at once. The kernel never hands out a port below that range by itself,
so only a process that binds one by number can take it.
"""

from __future__ import annotations

import contextlib
import random
import socket
from collections.abc import Iterator
from pathlib import Path

# Linux's ip_local_port_range, where connect() takes local ports from.
_PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Its default start, where the file cannot be read (and below macOS's 49152).
_DEFAULT_EPHEMERAL_LOW = 32768
# Below this are the well-known ports and most registered services'.
_LOWEST = 10000
_TRIES = 200


def _ephemeral_low() -> int:
    try:
        return int(_PORT_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _DEFAULT_EPHEMERAL_LOW


def steady_port() -> int:
    """A port free on 127.0.0.1 now, below the ephemeral range when the
    machine leaves room there (else any free port)."""
    low = _ephemeral_low()
    if low - _LOWEST < _TRIES:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])
    draw = random.SystemRandom()
    for _ in range(_TRIES):
        port = draw.randrange(_LOWEST, low)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # taken: draw again
            return port
    raise RuntimeError(f"no free port on 127.0.0.1 from {_LOWEST} to {low} in {_TRIES} tries")


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A port bound and never listening, for as long as the ``with`` lasts:
    a connection to it is refused, and no server elsewhere can take it
    meanwhile (a port merely found free a moment ago could be, and then
    something answers where the test counted on a refusal)."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])
