"""Instructions per message for the SMPP client's whole submit path: a
160-character GSM message through ``send_many`` to its result, one bind,
window 64, no receipts.

    python benches/callgrind_client.py        # needs valgrind; prints a table

The client runs under callgrind against the simulator (``smswire simulate
smpp``, plain TCP) in a process of its own, which is not counted; the kernel's
side of each read and write is not counted either. Each arm sends N and 2N
messages after its bind; the difference divided by N is the cost of one
message, interpreter start-up, imports, the bind and making the messages
(the application's work) cancelled out. Issue 17's
target for the client: at most 40,000 instructions a message. (The bare
asyncio client's floor is measured in CPU time by bench_smpp.py: under
callgrind its encoding beforehand would count.)

The second row is the same with receipts on: each message asks for one, the
simulator sends it as it answers the submit, and a consumer takes each from
``receipts()`` (which acknowledges it): the submit, its response, the receipt
and its deliver_sm_resp, all of the client's side of a message. Issue 17's
target there is 25 µs-equivalent, 0.2× of the 121 to 127 µs it measured.
"""

from __future__ import annotations

import re
import subprocess
import sys

import _callgrind  # a sibling module: these run as scripts from benches/

N = 2048
WINDOW = 64
TARGET = 40_000
TEXT = ("The quick brown fox jumps over the lazy dog; " * 4)[:160]
CLIENT = """
import asyncio, sys
from smswire import AsyncSmppClient, Limits, Message

async def main(port, window, n, made):
    # The messages are the application's: as many made whatever n is, so
    # making them cancels out of the difference.
    messages = [Message(f"+45{i:08d}", TEXT, source="Bench", registered_delivery=False)
                for i in range(made)]
    async with AsyncSmppClient("127.0.0.1", port, system_id="bench", password="bench",
                               tls=False, limits=Limits(window=window)) as smpp:
        results = await smpp.send_many(messages[:n])
    assert all(r.ok for r in results)

asyncio.run(main(*map(int, sys.argv[1:])))
""".replace("TEXT", repr(TEXT))
CLIENT_WITH_RECEIPTS = """
import asyncio, sys
from smswire import AsyncSmppClient, Limits, Message

async def main(port, window, n, made):
    messages = [Message(f"+45{i:08d}", TEXT, source="Bench") for i in range(made)]
    async with AsyncSmppClient("127.0.0.1", port, system_id="receipts", password="bench",
                               tls=False, limits=Limits(window=window)) as smpp:
        receipts = smpp.receipts().__aiter__()

        async def take():
            for _ in range(n):
                await receipts.__anext__()

        taking = asyncio.ensure_future(take())
        results = await smpp.send_many(messages[:n])
        await taking
    assert all(r.ok for r in results)

asyncio.run(main(*map(int, sys.argv[1:])))
""".replace("TEXT", repr(TEXT))


def per_message(client: str, port: int) -> float:
    def count(n: int) -> int:
        return _callgrind.instructions(client, str(port), str(WINDOW), str(n), str(2 * N))

    return (count(2 * N) - count(N)) / N


def main() -> None:
    simulator = subprocess.Popen(
        [sys.executable, "-m", "smswire", "simulate", "smpp", "--port", "0", "--no-tls"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert simulator.stderr is not None
        line = simulator.stderr.readline()
        match = re.search(r":(\d+)", line)
        assert match, line
        port = int(match.group(1))
        print(f"instructions per message, {N} and {2 * N} messages, window {WINDOW}")
        print(f"send_many to results: {per_message(CLIENT, port):,.0f} (target {TARGET:,})")
        with_receipts = per_message(CLIENT_WITH_RECEIPTS, port)
        print(f"with receipts taken and acknowledged: {with_receipts:,.0f}")
    finally:
        simulator.kill()
        simulator.wait()


if __name__ == "__main__":
    main()
