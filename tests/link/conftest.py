"""Real servers for the LINK tests: uvicorn on 127.0.0.1, TLS from a trustme CA."""

from __future__ import annotations

import importlib.util
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest
import trustme
import uvicorn

from smswire.link.simulator import LINK_TLS12_CIPHERS

# Distinctive, and with characters that URL-encoding changes, so a leak in any
# form (raw, quote_plus, quote) is caught.
PASSWORD = "Sw0rdfish&p@ss word=1"
SERVICE_ID = 4711
USERNAME = "link-user"
# How long a test waits for something that should happen at once. It bounds a
# failing test; it is never what a test asserts.
PATIENCE = 15.0


class Server:
    """A uvicorn server on 127.0.0.1 in a thread of its own, on a free port."""

    def __init__(self, app: Any, *, tls: tuple[Path, Path] | None = None, **options: Any) -> None:
        """``options`` go to uvicorn.Config as they are (``http="h11"``, ``root_path``)."""
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="auto",
            # The receiver decides whose X-Forwarded-For to believe, not uvicorn.
            proxy_headers=False,
            timeout_graceful_shutdown=1,
            ssl_certfile=None if tls is None else str(tls[0]),
            ssl_keyfile=None if tls is None else str(tls[1]),
            # What LINK offers (# LINK guide: Appendix 2), so every TLS test of
            # the client meets the platform's suites.
            ssl_ciphers=LINK_TLS12_CIPHERS,
            **options,
        )
        self.scheme = "https" if tls else "http"
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        wait_until(lambda: self._server.started, what="uvicorn to start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._thread.join(PATIENCE)

    @property
    def port(self) -> int:
        port: int = self._server.servers[0].sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/smscsimplehttp"


def wait_until(condition: Callable[[], object], *, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    # RSA, as LINK's TLS 1.2 suites (ECDHE-RSA-*) need; trustme's default is ECDSA.
    return trustme.CA(key_type=trustme.KeyType.RSA)


@pytest.fixture(scope="session")
def server_tls(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(certificate chain, key) files for 127.0.0.1, issued by ``ca``."""
    directory = tmp_path_factory.mktemp("tls")
    cert = ca.issue_cert("127.0.0.1", "localhost", key_type=trustme.KeyType.RSA)
    chain, key = directory / "chain.pem", directory / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(chain))
    for blob in cert.cert_chain_pems[1:]:
        blob.write_to_path(str(chain), append=True)
    cert.private_key_pem.write_to_path(str(key))
    return chain, key


@pytest.fixture(scope="session")
def client_tls(ca: trustme.CA) -> ssl.SSLContext:
    """A verifying client context that trusts ``ca``."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


# uvicorn's two HTTP/1.1 parsers frame a body each its own way: the receiver
# must hold under both. httptools comes with the sim extra.
HTTP_PARSERS = [
    "h11",
    pytest.param(
        "httptools",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("httptools") is None,
            reason="httptools is not installed (pip install 'smswire[sim]')",
        ),
    ),
]


@pytest.fixture(scope="session")
def server_context(server_tls: tuple[Path, Path]) -> ssl.SSLContext:
    """A server context for 127.0.0.1 with LINK's TLS 1.2 suites, for raw servers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*server_tls)
    context.set_ciphers(LINK_TLS12_CIPHERS)
    return context
