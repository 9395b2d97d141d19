"""TLS as inMobile requires it ("ssl is required for all connections"), with a
throw-away certificate authority when no certificate is given.

The authority is the demo's (``smswire.cli.embedded.LocalAuthority``, trustme
underneath): its CA file is what a client trusts, as inMobile's customers
trust the certificate it publishes.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["ServerTls"]


class ServerTls:
    """What the simulator serves TLS with, and what a client needs to trust it.

    ``tls`` True mints an authority on :meth:`server_context` (into ``ca_dir``,
    or a temporary directory :meth:`close` removes); an ``SSLContext`` is
    served as given; False means plain TCP.
    """

    def __init__(self, tls: ssl.SSLContext | bool, ca_dir: str | Path | None) -> None:
        self._tls = tls
        self._ca_dir = Path(ca_dir) if ca_dir is not None else None
        self._temporary: Path | None = None
        self.ca_file: Path | None = None
        self._client_context: Callable[[], ssl.SSLContext] | None = None

    @property
    def enabled(self) -> bool:
        return self._tls is not False

    def server_context(self) -> ssl.SSLContext | None:
        if self._tls is False:
            return None
        if isinstance(self._tls, ssl.SSLContext):
            return self._tls
        from smswire.cli.embedded import LocalAuthority

        directory = self._ca_dir
        if directory is None:
            directory = self._temporary = Path(tempfile.mkdtemp(prefix="smswire-smsc-ca-"))
        authority = LocalAuthority(directory)
        self.ca_file = authority.ca_file
        self._client_context = authority.client_context
        return authority.server_context()

    def client_context(self) -> ssl.SSLContext:
        """A client SSLContext that trusts the minted authority."""
        if self._client_context is None:
            raise RuntimeError(
                "no certificate authority was minted: start the simulator with tls=True"
            )
        return self._client_context()

    def close(self) -> None:
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None
            self.ca_file = None
