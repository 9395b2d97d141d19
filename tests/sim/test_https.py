"""smswire.sim.serve_https: an ASGI app over real TLS on 127.0.0.1."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from smswire.errors import ConfigurationError
from smswire.sim import LocalAuthority, serve_https


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["path"].encode()})


async def test_an_asgi_app_is_served_over_https(tmp_path: Path) -> None:
    authority = LocalAuthority(tmp_path)
    async with serve_https(_hello, authority) as url:
        assert url.startswith("https://127.0.0.1:")
        async with httpx.AsyncClient(verify=authority.client_context(), timeout=10) as client:
            response = await client.get(f"{url}/ping")
    assert (response.status_code, response.text) == (200, "/ping")


async def test_a_client_that_does_not_trust_the_authority_is_refused(tmp_path: Path) -> None:
    authority = LocalAuthority(tmp_path)
    (tmp_path / "stranger").mkdir()
    stranger = LocalAuthority(tmp_path / "stranger")
    async with serve_https(_hello, authority) as url:
        client = httpx.AsyncClient(verify=stranger.client_context(), timeout=10)
        async with client:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.get(url)


async def test_without_uvicorn_the_error_names_the_sim_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'smswire\[sim\]'"):
        async with serve_https(_hello, LocalAuthority(tmp_path)):
            pass
