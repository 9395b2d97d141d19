"""One TLS helper for both ways out: TLS 1.2 at least, certificates verified, host names checked."""

from __future__ import annotations

import ssl
import warnings
from pathlib import Path

import pytest
import trustme

from smswire import AsyncLinkMobilityClient, AsyncSmppClient
from smswire.errors import ConfigurationError
from smswire.tls import TLS_FLOOR, client_context, system_context, verifying_context


def test_the_default_context_verifies_and_holds_the_floor() -> None:
    context = verifying_context()
    assert context.minimum_version is TLS_FLOOR is ssl.TLSVersion.TLSv1_2
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname


def test_a_given_context_s_floor_is_raised_to_tls_1_2() -> None:
    old = ssl.create_default_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the very point: TLS 1.0
        old.minimum_version = ssl.TLSVersion.TLSv1
    assert verifying_context(old) is old
    assert old.minimum_version is ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize("weaken", ["hostname", "verify"])
def test_a_context_that_does_not_verify_is_refused(weaken: str) -> None:
    lax = ssl.create_default_context()
    lax.check_hostname = False
    if weaken == "verify":
        lax.verify_mode = ssl.CERT_NONE
    with pytest.raises(ConfigurationError, match="host name"):
        verifying_context(lax)
    with pytest.raises(ConfigurationError):
        client_context(lax)


def test_a_ca_file_is_trusted(tmp_path: Path) -> None:
    ca = trustme.CA()
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    for tls in (path, str(path)):
        context = client_context(tls)
        assert context is not None and context.check_hostname
        assert context.get_ca_certs(), "the CA file's certificate is trusted"


def test_a_ca_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"missing\.pem"):
        client_context(tmp_path / "missing.pem")
    with pytest.raises(ConfigurationError, match="either"):
        verifying_context(ssl.create_default_context(), ca_file=tmp_path / "x.pem")


def test_plain_tcp_only_when_asked_for() -> None:
    assert client_context(False) is None
    assert client_context(None) is None
    assert client_context(True) is not None
    with pytest.raises(ConfigurationError, match="tls must be"):
        client_context(443)  # type: ignore[arg-type]


async def test_clients_that_trust_the_system_store_load_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Loading the store costs tens of milliseconds: a client made per job
    # would pay it each time.
    made: list[ssl.SSLContext] = []
    create = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        context = create(*args, **kwargs)  # type: ignore[arg-type]
        made.append(context)
        return context

    monkeypatch.setattr(ssl, "create_default_context", counted)
    system_context.cache_clear()
    try:
        links = [
            AsyncLinkMobilityClient(
                "https://link.example/smscsimplehttp", service_id=1, username="u", password="p"
            )
            for _ in range(2)
        ]
        smpps = [
            AsyncSmppClient("smpp.example", 2775, system_id="u", password="p", tls=True)
            for _ in range(2)
        ]
        assert len(made) == 1
        (context,) = made
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
        assert context.minimum_version >= TLS_FLOOR
        for client in links:
            await client.close()
        for smpp in smpps:
            await smpp.close()
    finally:
        system_context.cache_clear()
