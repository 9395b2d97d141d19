"""Programs the process tests start as real subprocesses (and SIGKILL).

    python agents.py consume LOCATION CONSUMER PACE OPTIONS_JSON
        Follow the consumer's events; per event print "got KEY", acknowledge
        it, print "acked KEY", and rest PACE seconds (a consumer doing some
        work). Ends after a second without events.
    python agents.py put LOCATION ROUTE PREFIX COUNT OPTIONS_JSON
        Print "start", put COUNT messages in one put_many, print "done".
    python agents.py work LOCATION ROUTE WORKER OPTIONS_JSON
        Print "ready", then claim, mark, record accepted and settle until the
        route is empty for a second; print "settled KEY" per message.
    python agents.py watch LOCATION KEY OPTIONS_JSON
        Ask status(KEY) until it has an outcome; print the number of looks.

Every line is flushed at once, so the parent sees progress as it happens.
"""

from __future__ import annotations

import asyncio
import json
import sys

from smswire.message import Message, Outcome
from smswire.outbox import AcceptedPart, Outbox, Settled, Via, open_store
from smswire.pdu import CommandStatus


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def consume(location: str, consumer: str, pace: float, options: dict[str, object]) -> None:
    async with Outbox.open(location, **options) as outbox:
        feed = outbox.events(consumer, batch=20, idle_timeout=1.0)
        async for event in feed:
            say(f"got {event.key}")
            await feed.ack(event)
            say(f"acked {event.key}")
            await asyncio.sleep(pace)


async def put(
    location: str, route: str, prefix: str, count: int, options: dict[str, object]
) -> None:
    async with Outbox.open(location, **options) as outbox:
        items = [(f"{prefix}{i}", Message(f"+4791{i:06d}", f"Message {i}")) for i in range(count)]
        say("start")
        await outbox.put_many(items, route=route)
        say("done")


async def work(location: str, route: str, worker: str, options: dict[str, object]) -> None:
    store = await open_store(location, **options)
    say("ready")
    idle_since = asyncio.get_running_loop().time()
    try:
        while asyncio.get_running_loop().time() - idle_since < 1.0:
            claims = await store.claim(route, worker, 50, 30.0)
            if not claims:
                await asyncio.sleep(0.02)
                continue
            idle_since = asyncio.get_running_loop().time()
            await store.mark_writing(claims)
            parts = [AcceptedPart(c, 0, f"{c.key}@{worker}") for c in claims]
            ok = CommandStatus.ESME_ROK
            settled = [Settled(c, Outcome.ACCEPTED, ok, parts=1) for c in claims]
            lost = await store.record(Via.SMPP, parts, settled)
            for c in claims:
                if c.key not in lost:
                    say(f"settled {c.key}")
    finally:
        await store.close()


async def watch(location: str, key: str, options: dict[str, object]) -> None:
    store = await open_store(location, **options)
    looks = 0
    try:
        while True:
            looks += 1
            status = await store.status(key)
            if status is not None and status.outcome is not None:
                break
            await asyncio.sleep(0.01)
    finally:
        await store.close()
    say(f"looks {looks}")


def main(argv: list[str]) -> None:
    command, *args = argv
    options = json.loads(args[-1])
    if command == "consume":
        asyncio.run(consume(args[0], args[1], float(args[2]), options))
    elif command == "put":
        asyncio.run(put(args[0], args[1], args[2], int(args[3]), options))
    elif command == "work":
        asyncio.run(work(args[0], args[1], args[2], options))
    elif command == "watch":
        asyncio.run(watch(args[0], args[1], options))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
