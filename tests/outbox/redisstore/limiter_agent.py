"""A process sharing an account-wide limiter: the rate limiter test starts three.

    python limiter_agent.py URL NAME RATE BURST SECONDS

Prints "ready" and waits for a line on stdin (so that all start together),
then acquires one slot after another for SECONDS and prints the Unix time
of each grant, one a line; then "done".
"""

from __future__ import annotations

import asyncio
import sys
import time

from smswire.outbox.redis import RedisRateLimiter


async def run(url: str, name: str, rate: float, burst: int, seconds: float) -> None:
    limiter = RedisRateLimiter.from_url(url, name, rate, burst)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    end = time.time() + seconds
    try:
        while time.time() < end:
            await limiter.acquire()
            print(repr(time.time()), flush=True)
    finally:
        await limiter.close()
    print("done", flush=True)


if __name__ == "__main__":
    url, name, rate, burst, seconds = sys.argv[1:]
    asyncio.run(run(url, name, float(rate), int(burst), float(seconds)))
