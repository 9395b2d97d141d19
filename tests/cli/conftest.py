"""Fixtures of the CLI tests: child processes that never outlive their test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .processes import Processes


@pytest.fixture
async def processes() -> AsyncIterator[Processes]:
    children = Processes()
    try:
        yield children
    finally:
        await children.kill_all()
