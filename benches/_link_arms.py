"""One LINK sender arm, in a process of its own, for benches/bench_link_wires.py.

``python benches/_link_arms.py ARM URL COUNT CONCURRENCY [CA_FILE]`` sends COUNT
messages to the LINK simulator at URL, CONCURRENCY at once, and prints one JSON
line: messages accepted, wall seconds and the client's CPU seconds for the
sending alone (start-up and imports left out). ARM is one of :data:`ARMS`:

- ``httpcore``: smswire's client on httpx's own pool, as a user without
  sniffio has it: httpcore then retries a failed ``import sniffio`` on every
  lock (encode/httpcore#1103); a finder that searches sys.path and finds
  nothing stands in for the package's absence.
- ``httpcore-sniffio``: the same with sniffio importable.
- ``httpcore-tuned``: the same with sniffio importable and 16 pooled
  connections for the 64 requests at once (fewer connections for the pool to
  re-examine on every assignment, encode/httpcore#1035).
- ``httpx-aiohttp``: smswire's client over httpx-aiohttp's AiohttpTransport.
- ``smswire``: smswire's client as it comes (its default transport).
- ``aiohttp``: bare aiohttp, one ClientSession, the same queries, the reply
  read whole: what an HTTP client costs with nothing of smswire's.
- ``smswire-sync``: the blocking LinkMobilityClient's send_many.

With CA_FILE the URL is https and the client trusts that CA.
"""

from __future__ import annotations

import asyncio
import importlib.abc
import importlib.machinery
import json
import ssl
import sys
import time
import warnings
from collections.abc import Sequence
from typing import Any, Callable

import httpx

from smswire import Limits, Message, Outcome
from smswire.link import AsyncLinkMobilityClient, InsecureTransportWarning, LinkMobilityClient
from smswire.link.protocol import Credentials, build_query, prepare

PASSWORD = "bench-secret"


class _Absent(importlib.abc.MetaPathFinder):
    """Makes one module unimportable at the cost of a real failed search."""

    def __init__(self, name: str) -> None:
        self._name = name

    def find_spec(self, name: str, path: Sequence[str] | None, target: Any = None) -> None:
        if name == self._name:
            # What a missing package costs: every sys.path entry is looked in.
            importlib.machinery.PathFinder.find_spec(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def messages(count: int) -> list[Message]:
    """A fixed mix: mostly single GSM7 parts, some long, some UCS2."""
    import random

    rng = random.Random(2026)
    words = "The quick brown fox jumps over the lazy dog 0123456789 "
    out = []
    for n in range(count):
        kind = rng.random()
        if kind < 0.7:
            text = words[: rng.randint(10, 55)] * 2
        elif kind < 0.9:
            text = words * rng.randint(4, 10)
        else:
            text = "Привет, как дела? " * rng.randint(1, 6)
        out.append(Message(f"+4670{n:07d}", text, source="LINK"))
    return out


def _client(
    url: str, concurrency: int, context: ssl.SSLContext | None, **kw: Any
) -> dict[str, Any]:
    options: dict[str, Any] = {
        "service_id": 1,
        "username": "user",
        "password": PASSWORD,
        "limits": Limits(window=concurrency),
        "allow_insecure_http": url.startswith("http:"),
        **kw,
    }
    if context is not None and "transport" not in kw:
        options["ssl_context"] = context
    return options


async def _smswire(url: str, batch: list[Message], **options: Any) -> int:
    async with AsyncLinkMobilityClient(url, **options) as client:
        results = await client.send_many(batch)
    return sum(r.outcome is Outcome.ACCEPTED for r in results)


async def _bare_aiohttp(
    url: str, batch: list[Message], concurrency: int, context: ssl.SSLContext | None
) -> int:
    import aiohttp

    credentials = Credentials(1, "user", PASSWORD)
    pending = iter([build_query(credentials, prepare(m)) for m in batch])
    accepted = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal accepted
        for query in pending:
            async with session.post(url, params=query) as response:
                body = await response.read()
                if body.startswith(b"1000;"):
                    accepted += 1
                else:
                    print(response.status, body[:200], file=sys.stderr)

    connector = aiohttp.TCPConnector(limit=concurrency, ssl=context if context else True)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return accepted


def _arm(
    arm: str, url: str, concurrency: int, context: ssl.SSLContext | None
) -> Callable[[list[Message]], int]:
    def over(**kw: Any) -> Callable[[list[Message]], int]:
        return lambda batch: asyncio.run(
            _smswire(url, batch, **_client(url, concurrency, context, **kw))
        )

    if arm == "httpcore":
        sys.meta_path.insert(0, _Absent("sniffio"))
        sys.modules.pop("sniffio", None)
        return over(
            transport=httpx.AsyncHTTPTransport(verify=context or True, limits=_limits(concurrency))
        )
    if arm == "httpcore-sniffio":
        import sniffio

        return over(
            transport=httpx.AsyncHTTPTransport(verify=context or True, limits=_limits(concurrency))
        )
    if arm == "httpcore-tuned":
        import sniffio  # noqa: F401  (present: httpcore finds it once)

        return over(transport=httpx.AsyncHTTPTransport(verify=context or True, limits=_limits(16)))
    if arm == "httpx-aiohttp":
        from httpx_aiohttp import AiohttpTransport

        async def run(batch: list[Message]) -> int:
            transport = AiohttpTransport(
                verify=context or True, limits=_limits(concurrency), trust_env=False
            )
            try:
                return await _smswire(
                    url, batch, **_client(url, concurrency, None, transport=transport)
                )
            finally:
                await transport.aclose()

        return lambda batch: asyncio.run(run(batch))
    if arm == "smswire":
        return over()
    if arm == "aiohttp":
        return lambda batch: asyncio.run(_bare_aiohttp(url, batch, concurrency, context))
    if arm == "smswire-sync":

        def blocking(batch: list[Message]) -> int:
            with LinkMobilityClient(url, **_client(url, concurrency, context)) as client:
                results = client.send_many(batch)
            return sum(r.outcome is Outcome.ACCEPTED for r in results)

        return blocking
    raise SystemExit(f"unknown arm {arm!r}; one of {', '.join(ARMS)}")


ARMS = (
    "httpcore",
    "httpcore-sniffio",
    "httpcore-tuned",
    "httpx-aiohttp",
    "smswire",
    "aiohttp",
    "smswire-sync",
)


def _limits(connections: int) -> httpx.Limits:
    return httpx.Limits(max_connections=connections, max_keepalive_connections=connections)


def main(argv: list[str]) -> None:
    arm, url, count, concurrency, *ca = argv
    context = None
    if ca:
        context = ssl.create_default_context(cafile=ca[0])
    warnings.simplefilter("ignore", InsecureTransportWarning)
    send = _arm(arm, url, int(concurrency), context)
    # A short warm-up (connections, first-call costs), then the measured batch.
    send(messages(int(concurrency)))
    batch = messages(int(count))
    started, started_cpu = time.perf_counter(), time.process_time()
    accepted = send(batch)
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(json.dumps({"arm": arm, "accepted": accepted, "seconds": wall, "cpu": cpu}))


if __name__ == "__main__":
    main(sys.argv[1:])
