"""Fixtures: a certificate authority minted by trustme and the simulator over TLS."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import trustme

from smswire.smpp import SmscSimulator

from .support import ACCOUNT, PASSWORD


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    yield path


@pytest.fixture
async def sim(server_tls: ssl.SSLContext) -> AsyncIterator[SmscSimulator]:
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=server_tls) as simulator:
        yield simulator
