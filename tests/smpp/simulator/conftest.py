"""Every connection a simulator test opened is closed before its loop ends."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .support import finish_closing


@pytest.fixture(autouse=True)
async def connections_closed() -> AsyncIterator[None]:
    yield
    await finish_closing()
