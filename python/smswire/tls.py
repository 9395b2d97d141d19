"""TLS for both ways out: certificates verified, host names checked, TLS 1.2 at least.

The SMPP client takes ``tls=`` (True for the system trust store, the path of a
CA file to trust, as inMobile asks its customers to, an ``ssl.SSLContext``, or
False for plain TCP); the LINK client takes an ``ssl_context=``. Either way the
context comes from here, so both hold the same floor and the same checks.
"""

from __future__ import annotations

import functools
import ssl
from os import PathLike
from typing import Union

from smswire.errors import ConfigurationError

__all__ = ["TLS_FLOOR", "TlsOption", "client_context", "system_context", "verifying_context"]

# LINK guide: Appendix 2, TLS 1.2 is the floor ("legacy"), 1.3 preferred;
# inMobile's SMPP endpoints serve TLS 1.2 and 1.3.
TLS_FLOOR = ssl.TLSVersion.TLSv1_2

# OpenSSL's X509_V_FLAG_PARTIAL_CHAIN: a certificate in the trust store ends
# the chain even when it is not self-signed. ssl names it from Python 3.10.
VERIFY_X509_PARTIAL_CHAIN = getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0x80000)

# What an SMPP client's ``tls=`` accepts.
TlsOption = Union[bool, ssl.SSLContext, str, "PathLike[str]", None]


def verifying_context(
    context: ssl.SSLContext | None = None, *, ca_file: str | PathLike[str] | None = None
) -> ssl.SSLContext:
    """A client context that verifies the certificate and the host name, with
    :data:`TLS_FLOOR` as its floor; 1.3 is negotiated where the server offers it.

    Without ``context``, one trusting the system store, or ``ca_file`` alone:
    a root CA, or, as inMobile asks its customers to trust the certificate its
    portal serves, an intermediate or the server's own certificate, which then
    ends the chain (partial-chain verification; the host name is still
    checked against the server's certificate). A given context must already
    verify both (a :class:`ConfigurationError` says which it does not); a
    floor below TLS 1.2 is raised to it.
    """
    if context is None:
        try:
            context = ssl.create_default_context(cafile=None if ca_file is None else str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise ConfigurationError(
                f"cannot load the CA file {str(ca_file)!r}: {exc.strerror or exc}"
            ) from None
        if ca_file is not None:
            context.verify_flags |= VERIFY_X509_PARTIAL_CHAIN
    elif ca_file is not None:
        raise ConfigurationError("give either an SSLContext or a CA file, not both")
    if not context.check_hostname or context.verify_mode != ssl.CERT_REQUIRED:
        raise ConfigurationError(
            "the SSLContext must verify the certificate and the host name "
            "(verify_mode CERT_REQUIRED, check_hostname True)"
        )
    if context.minimum_version < TLS_FLOOR:
        context.minimum_version = TLS_FLOOR
    return context


@functools.cache
def system_context() -> ssl.SSLContext:
    """The :func:`verifying_context` that trusts the system store, made once a
    process and shared by every client that asks for no other: loading the
    store costs 30 to 50 ms, which a client made for each job would otherwise
    pay each time (aiohttp and httpx's own defaults are shared the same way).
    Never changed after it is made."""
    return verifying_context()


def client_context(tls: TlsOption) -> ssl.SSLContext | None:
    """The context an SMPP client's ``tls=`` asks for; ``None`` for plain TCP."""
    if tls is None or tls is False:
        return None
    if tls is True:
        return system_context()
    if isinstance(tls, ssl.SSLContext):
        return verifying_context(tls)
    if isinstance(tls, (str, PathLike)):
        return verifying_context(ca_file=tls)
    raise ConfigurationError(
        f"tls must be True, False, an SSLContext or the path of a CA file, not {tls!r}"
    )
