"""Serve the LINK report receiver or the LINK simulator under uvicorn, for the
benchmarks: ``python benches/_serve.py APP PORT HTTP [CERT KEY]``, APP one of
the keys of ``APPS``, HTTP ``h11`` or ``httptools`` (uvicorn's two HTTP/1.1
parsers); with CERT and KEY (PEM files) it serves HTTPS."""

from __future__ import annotations

import sys
from typing import Any, Callable

import uvicorn

from smswire.link import DeliveryReport, DeliveryReportReceiver, LinkSimulator

_taken = 0


async def _take(report: DeliveryReport) -> None:
    global _taken
    _taken += 1


def _take_blocking(report: DeliveryReport) -> None:
    global _taken
    _taken += 1


async def _bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    # What uvicorn costs alone: read the body, answer 200, nothing else.
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": _BARE_HEADERS})
    await send({"type": "http.response.body", "body": b""})


_BARE_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", b"0")]

APPS: dict[str, Callable[[], Any]] = {
    "bare": lambda: _bare,
    # A coroutine handler: what the receiver itself costs.
    "receiver": lambda: DeliveryReportReceiver(_take, path="/dlr"),
    # A plain handler runs in a worker thread (it may block): the hop it costs.
    "receiver-sync": lambda: DeliveryReportReceiver(_take_blocking, path="/dlr"),
    "simulator": lambda: LinkSimulator(service_id=1, username="user", password="bench-secret"),
}


def main(argv: list[str]) -> None:
    app, port, http, *tls = argv
    uvicorn.run(
        APPS[app](),
        host="127.0.0.1",
        port=int(port),
        http=http,
        # The event loop the sim extra gives (uvloop would take about a quarter off).
        loop="asyncio",
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
