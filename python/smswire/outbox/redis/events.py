"""Reading the Redis outbox's event feed: one stream, a consumer group per consumer.

Events are appended (``XADD``) in the same script or transaction as the
change they report, so the stream's order is commit order. A consumer's
acknowledged position is its consumer group's last-delivered id, moved
forward only by ``ack_events`` (scripts.ACK_EVENTS); reading does not move
it, so a reader that dies before acknowledging reads the same events again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.exceptions import ResponseError

from smswire.outbox.records import Event
from smswire.outbox.redis.keys import Keys
from smswire.outbox.redis.rows import parse_event

__all__ = ["position", "read"]

# Before every stream id: where a consumer with no position starts.
_START = "0-0"
# One blocking read's longest wait, well inside the store's reply timeout; a
# longer wait is several of them.
MAX_BLOCK = 10.0


async def position(client: Any, keys: Keys, consumer: str) -> str:
    """The last event ``consumer`` acknowledged (``0-0``: none)."""
    try:
        groups = await client.xinfo_groups(keys.events)
    except ResponseError:
        return _START  # no event yet, so no position either
    for group in groups:
        if group["name"] == consumer:
            return str(group["last-delivered-id"])
    return _START


async def read(
    client: Any, keys: Keys, consumer: str, after: str | None, limit: int, wait: float
) -> list[Event]:
    """Up to ``limit`` events after ``after`` (or the consumer's position),
    waiting up to ``wait`` seconds for the first when there are none."""
    start = after if after is not None else await position(client, keys, consumer)
    found = await client.xrange(keys.events, min=f"({start}", count=limit)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not found:
        block_ms = round(min(deadline - loop.time(), MAX_BLOCK) * 1000)
        if block_ms <= 0:
            break  # (XREAD BLOCK 0 would wait for ever)
        # XREAD BLOCK wakes at the first event any client appends after start.
        streams = await client.xread({keys.events: start}, count=limit, block=block_ms)
        found = streams[0][1] if streams else []
    return [parse_event(entry_id, fields) for entry_id, fields in found]
