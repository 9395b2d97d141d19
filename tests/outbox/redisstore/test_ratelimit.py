"""The account-wide limiter in Redis: GCRA like the local one, shared by real processes."""

from __future__ import annotations

import asyncio
import bisect
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Callable

import pytest
from ports import refusing_port

from smswire.errors import ConfigurationError, StoreUnavailable
from smswire.outbox.redis import RedisRateLimiter
from smswire.ratelimit import RateLimiter

from ..redis_server import RedisServer
from ..support import PATIENCE

AGENT = [sys.executable, str(Path(__file__).with_name("limiter_agent.py"))]
PROCESSES = 3
RATE = 40.0
BURST = 4
SECONDS = 4.0
# Redis's clock is read in whole microseconds (TIME); ours is finer.
CLOCK_SLACK = 1e-3
_names = iter(range(10**9))
Factory = Callable[..., RedisRateLimiter]


@pytest.fixture
async def limiter_factory(redis_server: RedisServer) -> AsyncIterator[Factory]:
    made: list[RedisRateLimiter] = []

    def make(rate: float, burst: int = 1) -> RedisRateLimiter:
        limiter = RedisRateLimiter.from_url(redis_server.url, f"l{next(_names)}", rate, burst)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.close()


async def test_it_spaces_requests_as_the_local_gcra_does(limiter_factory: Factory) -> None:
    rate, burst = 10.0, 3
    shared = limiter_factory(rate, burst)
    local = RateLimiter(rate, burst)
    # The same calls, back to back: the waits agree to within the time the calls took.
    started = time.monotonic()
    pairs = []
    for n in (1, 1, 1, 1, 2, 1):
        pairs.append((await shared.reserve(n), local.reserve(time.monotonic(), n)))
    elapsed = time.monotonic() - started
    assert [local_wait for _, local_wait in pairs][:3] == [0.0, 0.0, 0.0]
    for shared_wait, local_wait in pairs:
        assert abs(shared_wait - local_wait) <= elapsed + 0.002, pairs
    # Past the burst each request waits an interval more: 0.1, 0.3 (two), 0.4.
    assert pairs[-1][0] == pytest.approx(0.4, abs=elapsed + 0.01)


async def test_no_first_second_burst_beyond_burst(limiter_factory: Factory) -> None:
    limiter = limiter_factory(1.0, 5)
    started = time.monotonic()
    waits = [await limiter.reserve() for _ in range(5)]
    assert waits == [0.0] * 5
    # The burst, and not one more: the sixth's slot is a second after the
    # first's, so it waits that second less the time the six calls took (on
    # Redis's clock, which runs no further than ours meanwhile). Bounded from
    # our side, the calls may take as long as a loaded machine makes them.
    sixth = await limiter.reserve()
    took = time.monotonic() - started
    assert sixth >= 1.0 - took - CLOCK_SLACK, (sixth, took)


@pytest.mark.parametrize(("rate", "burst", "problem"), [(0, 1, "rate"), (10, 0, "burst")])
def test_bad_settings_are_refused(
    redis_server: RedisServer, rate: float, burst: int, problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        RedisRateLimiter.from_url(redis_server.url, "x", rate, burst)


async def test_a_bad_count_is_refused(limiter_factory: Factory) -> None:
    with pytest.raises(ConfigurationError, match="n must be"):
        await limiter_factory(10.0).acquire(0)


async def test_without_redis_it_raises_rather_than_guess() -> None:
    with refusing_port() as port:
        limiter = RedisRateLimiter.from_url(
            f"redis://127.0.0.1:{port}/0", "x", 10.0, reconnect_patience=0.2
        )
        with pytest.raises(StoreUnavailable, match="rate limiter 'x'"):
            await asyncio.wait_for(limiter.acquire(), PATIENCE)
        await limiter.close()


async def test_it_waits_for_a_redis_that_comes_back(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    server.start()
    limiter = RedisRateLimiter.from_url(server.url, "x", 10.0)
    try:
        await limiter.acquire()
        server.stop()
        acquiring = asyncio.ensure_future(limiter.acquire())
        await asyncio.sleep(0.3)
        assert not acquiring.done()  # waiting, not failed
        await asyncio.get_running_loop().run_in_executor(None, server.start)
        await asyncio.wait_for(acquiring, PATIENCE)
    finally:
        await limiter.close()
        server.stop()


async def grants(url: str, names: list[str]) -> tuple[float, list[float]]:
    """Start one agent per name, let them go at once; the time they were let
    go, and every grant."""
    children = [
        await asyncio.create_subprocess_exec(
            *AGENT, url, name, str(RATE), str(BURST), str(SECONDS),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        for name in names
    ]  # fmt: skip
    for child in children:
        assert child.stdout is not None
        ready = await asyncio.wait_for(child.stdout.readline(), PATIENCE)
        assert ready == b"ready\n"
    started = time.time()
    for child in children:
        assert child.stdin is not None
        child.stdin.write(b"go\n")
        await child.stdin.drain()
    times: list[float] = []
    for child in children:
        out, _ = await asyncio.wait_for(child.communicate(), SECONDS + PATIENCE)
        assert child.returncode == 0
        lines = out.decode().split()
        assert lines[-1] == "done"
        times += [float(line) for line in lines[:-1]]
    return started, sorted(times)


def busiest_second(times: list[float]) -> int:
    return max(bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times))


async def test_three_processes_sharing_one_limiter_never_exceed_it_together(
    redis_server: RedisServer,
) -> None:
    name = f"account-{next(_names)}"
    started, times = await grants(redis_server.url, [name] * PROCESSES)
    span = times[-1] - started
    # GCRA's bound, whatever the scheduling: n grants need (n - burst) intervals.
    assert len(times) <= RATE * span + BURST
    # They pushed: together they used most of the rate (else this proved nothing).
    assert len(times) >= 0.8 * RATE * SECONDS
    # Per second, from their logs: the cap and the burst, and scheduling noise at most.
    assert busiest_second(times) <= (RATE + BURST) * 1.2, busiest_second(times)
