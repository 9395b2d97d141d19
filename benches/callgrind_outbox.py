"""Instructions per message for the SQLite outbox store, under callgrind.

    python benches/callgrind_outbox.py          # needs valgrind; prints a table

Wall time on a shared 2-core machine moves by several times with the load;
instruction counts do not. Each workload runs in a child under callgrind
with N and 2N messages; the difference divided by N is the cost of one
message, start-up, imports and schema creation cancelled out. The store runs
as it does in a worker (asyncio, the store's own thread, WAL with
``synchronous=normal``: fsync is a system call, not instructions). Every
thread is counted.

The figures to hold against the SMPP client's per-submit cost (callgrind,
issue 17: about 166,000 instructions per message) are ``drain`` plus
``receipt``: what the outbox adds to each message a worker sends.
"""

from __future__ import annotations

import _callgrind  # a sibling module: these run as scripts from benches/

N = 512
_CHILD = """
import asyncio, os, sys, tempfile
from smswire.message import Message, Outcome
from smswire.outbox import AcceptedPart, Settled, SqliteStore, Via
from smswire.pdu import CommandStatus
from smswire.smpp.receipts import DeliveryReceipt, ReceiptState

n, op = int(sys.argv[1]), sys.argv[2]
WINDOW, READ = 256, 32
TEXT = "Your verification code is {i}. It expires in 10 minutes. Do not share it."

async def main():
    path = os.path.join(tempfile.mkdtemp(), "outbox.db")
    store = await SqliteStore.open(path, synchronous="normal")
    messages = [(f"k{i}", Message(f"+4791{i:06d}", TEXT.format(i=i), source="Shop"))
                for i in range(n)]
    if op == "put (batch of N)":
        await store.put("smpp", messages)
        os._exit(0)
    for start in range(0, n, 10_000):
        await store.put("smpp", messages[start:start + 10_000])
    ok = CommandStatus.ESME_ROK
    while True:
        claims = await store.claim("smpp", "worker", WINDOW, 60.0)
        if not claims:
            break
        await store.mark_writing(claims)
        parts = [AcceptedPart(c, 0, f"{c.key}-id") for c in claims]
        settled = [Settled(c, Outcome.ACCEPTED, ok, parts=1) for c in claims]
        await store.record(Via.SMPP, parts, settled)
    if op == "drain (claim+mark+record)":
        os._exit(0)
    per_read = READ if op == "receipt (32 a read)" else 1
    # Built, not parsed: parsing is the client's cost, not the store's.
    receipts = [DeliveryReceipt(f"k{i}-id", ReceiptState.DELIVERED, error=0, submitted=1,
                                delivered=1, raw=b"id:k%d-id stat:DELIVRD" % i)
                for i in range(n)]
    for start in range(0, n, per_read):
        await store.record_inbound("smpp", receipts[start:start + per_read])
    os._exit(0)

asyncio.run(main())
"""

WORKLOADS = (
    "put (batch of N)",
    "drain (claim+mark+record)",
    "receipt (32 a read)",
    "receipt (1 a read)",
)


def main() -> None:
    costs = {}
    for op in WORKLOADS:
        once = _callgrind.instructions(_CHILD, str(N), op)
        twice = _callgrind.instructions(_CHILD, str(2 * N), op)
        costs[op] = (twice - once) / N
    # Each workload does the one before it first: take that away.
    put = costs["put (batch of N)"]
    drained = costs["drain (claim+mark+record)"]
    print(f"{'per message':36} {'instructions':>14}")
    print(f"{'put (batch of N)':36} {put:>14,.0f}")
    print(f"{'drain (claim+mark+record)':36} {drained - put:>14,.0f}")
    for op in WORKLOADS[2:]:
        print(f"{op:36} {costs[op] - drained:>14,.0f}")


if __name__ == "__main__":
    main()
