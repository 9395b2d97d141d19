"""A throw-away certificate authority for the simulators' TLS (trustme)."""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from pathlib import Path

from smswire.errors import ConfigurationError

__all__ = ["LocalAuthority"]

# The names a simulator on this machine is reached by.
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class LocalAuthority:
    """A throw-away CA and a certificate it issued for ``hosts``.

    The PEM files go to ``directory``: ``ca_file`` for clients to trust,
    ``certfile`` and ``keyfile`` for servers that take files (uvicorn).
    """

    def __init__(self, directory: Path, hosts: Sequence[str] = LOCAL_HOSTS) -> None:
        try:
            import trustme
        except ImportError as exc:
            raise ConfigurationError(
                "the simulators' certificate authority needs trustme: pip install 'smswire[sim]'"
            ) from exc
        # RSA: the LINK simulator's TLS 1.2 suites are ECDHE-RSA (LINK guide: Appendix 2).
        self._ca = trustme.CA(key_type=trustme.KeyType.RSA)
        self._cert = self._ca.issue_cert(*hosts, key_type=trustme.KeyType.RSA)
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
