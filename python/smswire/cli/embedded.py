"""The embedded servers' plumbing: a throw-away certificate authority, and
HTTPS serving of an ASGI app inside the running event loop.

The demo runs the simulators in its own process with these, and the tests
use them to stand up real TLS endpoints on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from smswire.errors import ConfigurationError
from smswire.link.simulator import LINK_TLS12_CIPHERS

__all__ = ["LocalAuthority", "serve_https"]


class LocalAuthority:
    """A throw-away CA and a certificate for 127.0.0.1 it issued.

    The PEM files go to ``directory``: ``ca_file`` for clients to trust,
    ``certfile`` and ``keyfile`` for servers that take files (uvicorn).
    """

    def __init__(self, directory: Path) -> None:
        try:
            import trustme
        except ImportError as exc:  # pragma: no cover - trustme is in the cli extra
            raise ConfigurationError("the demo needs trustme: pip install 'smswire[cli]'") from exc
        # RSA: the LINK simulator's TLS 1.2 suites are ECDHE-RSA (LINK guide: Appendix 2).
        self._ca = trustme.CA(key_type=trustme.KeyType.RSA)
        self._cert = self._ca.issue_cert("127.0.0.1", "localhost", key_type=trustme.KeyType.RSA)
        self.ca_file = directory / "ca.pem"
        self.certfile, self.keyfile = directory / "cert.pem", directory / "key.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))
        self._cert.private_key_pem.write_to_path(str(self.keyfile))
        for i, blob in enumerate(self._cert.cert_chain_pems):
            blob.write_to_path(str(self.certfile), append=i > 0)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self._ca.configure_trust(context)
        return context


@contextlib.asynccontextmanager
async def serve_https(app: Any, authority: LocalAuthority) -> AsyncIterator[str]:
    """Serve an ASGI app over HTTPS on a free port of 127.0.0.1 in this event loop."""
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        ssl_certfile=str(authority.certfile),
        ssl_keyfile=str(authority.keyfile),
        ssl_ciphers=LINK_TLS12_CIPHERS,
        proxy_headers=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        listener.close()
