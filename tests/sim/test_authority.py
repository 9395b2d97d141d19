"""smswire.sim.LocalAuthority: a throw-away CA whose certificate a client trusts."""

from __future__ import annotations

import asyncio
import ssl
import sys
from pathlib import Path

import pytest

from smswire.errors import ConfigurationError
from smswire.sim import LocalAuthority

PATIENCE = 10.0


async def _handshake(authority: LocalAuthority, server_hostname: str) -> bytes:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readexactly(5))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=authority.server_context())
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                "127.0.0.1",
                port,
                ssl=authority.client_context(),
                server_hostname=server_hostname,
            ),
            PATIENCE,
        )
        writer.write(b"hello")
        reply = await asyncio.wait_for(reader.readexactly(5), PATIENCE)
        writer.close()
        return reply
    finally:
        server.close()
        await server.wait_closed()


async def test_a_client_that_trusts_the_authority_talks_to_its_server(tmp_path: Path) -> None:
    authority = LocalAuthority(tmp_path)
    assert await _handshake(authority, "127.0.0.1") == b"hello"


async def test_the_certificate_is_for_the_hosts_asked_for_only(tmp_path: Path) -> None:
    authority = LocalAuthority(tmp_path, hosts=("smsc.example",))
    assert await _handshake(authority, "smsc.example") == b"hello"
    with pytest.raises(ssl.SSLCertVerificationError, match=r"127\.0\.0\.1"):
        await _handshake(authority, "127.0.0.1")


def test_the_pem_files_are_written_for_servers_that_take_files(tmp_path: Path) -> None:
    authority = LocalAuthority(tmp_path)
    assert authority.ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert authority.certfile.read_text().count("-----BEGIN CERTIFICATE-----") >= 1
    assert "PRIVATE KEY-----" in authority.keyfile.read_text()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(authority.certfile, authority.keyfile)


def test_without_trustme_the_error_names_the_sim_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "trustme", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'smswire\[sim\]'"):
        LocalAuthority(tmp_path)
