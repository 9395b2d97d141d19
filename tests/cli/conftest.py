"""Fixtures of the CLI tests: one throw-away certificate authority per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smswire.sim import LocalAuthority


@pytest.fixture(scope="session")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAuthority]:
    yield LocalAuthority(tmp_path_factory.mktemp("tls"))
