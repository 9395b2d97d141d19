"""HTTPS serving of an ASGI app (the LINK simulator, the report receiver) under
uvicorn, inside the running event loop, on a free port of 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

from smswire.errors import ConfigurationError
from smswire.sim.authority import LocalAuthority

__all__ = ["serve_https"]


@contextlib.asynccontextmanager
async def serve_https(app: Any, authority: LocalAuthority) -> AsyncIterator[str]:
    """Serve an ASGI app over HTTPS on a free port of 127.0.0.1 in this event loop."""
    try:
        import uvicorn
    except ImportError as exc:
        raise ConfigurationError("serving HTTPS needs uvicorn: pip install 'smswire[sim]'") from exc
    # Here, not at the top: the LINK simulator's record is written with
    # smswire.sim.journal, so importing it from this package's import would be circular.
    from smswire.link.simulator import LINK_TLS12_CIPHERS

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        ssl_certfile=str(authority.certfile),
        ssl_keyfile=str(authority.keyfile),
        # Exactly what LINK offers, so the client is tested against it.
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
