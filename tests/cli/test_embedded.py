"""The demo's HTTPS serving offers what LINK offers (# LINK guide: Appendix 2)."""

from __future__ import annotations

import asyncio
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from smswire.cli.embedded import LocalAuthority, serve_https
from smswire.link import LinkSimulator
from smswire.link.simulator import LINK_TLS12_CIPHERS

_REMOVED_CBC = "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA"
_PATIENCE = 10.0


async def _handshake(url: str, context: ssl.SSLContext) -> tuple[str, bytes]:
    host, port = url[len("https://") :].split(":")
    _, writer = await asyncio.wait_for(
        asyncio.open_connection(host, int(port), ssl=context, server_hostname=host), _PATIENCE
    )
    try:
        tls = writer.get_extra_info("ssl_object")
        return tls.cipher()[0], tls.getpeercert(binary_form=True)
    finally:
        writer.close()
        await writer.wait_closed()


def _tls12(authority: LocalAuthority, ciphers: str) -> ssl.SSLContext:
    context = authority.client_context()
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(ciphers)
    return context


async def test_the_simulator_is_served_with_rsa_and_only_the_guides_suites(
    authority: LocalAuthority,
) -> None:
    async with serve_https(LinkSimulator(), authority) as url:
        cipher, certificate = await _handshake(url, _tls12(authority, "DEFAULT"))
        assert cipher in LINK_TLS12_CIPHERS.split(":")
        key = x509.load_der_x509_certificate(certificate).public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        # The server hangs up mid-handshake: asyncio reports a reset or an SSL error.
        with pytest.raises((ssl.SSLError, ConnectionError)):
            await _handshake(url, _tls12(authority, _REMOVED_CBC))
