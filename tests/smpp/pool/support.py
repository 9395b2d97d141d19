"""What the pool tests share: a pool on the test account, fast back-off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smswire import Backoff, Message
from smswire.smpp import SmscSimulator
from smswire.smpp.pool import AsyncSmppPool

from ..support import ACCOUNT, PASSWORD

# Rebinds and replacements come quickly in tests; production defaults are slower.
FAST = Backoff(initial=0.01, maximum=0.1)
# Bounds a test that would otherwise hang; never what a test asserts.
PATIENCE = 30.0


def pool_for(sim: SmscSimulator, ca_file: Path, **options: Any) -> AsyncSmppPool:
    settings: dict[str, Any] = {"backoff": FAST, "source": "Acme"}
    settings.update(options)
    return AsyncSmppPool(
        "127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=ca_file, **settings
    )


def numbered(count: int, prefix: str = "m") -> list[Message]:
    """``count`` messages, each text naming it, to find in the simulator's record."""
    return [Message(f"+4512{i:06d}", f"{prefix}{i}") for i in range(count)]
