"""Instructions per message for the SQLite outbox store, under callgrind.

    python benches/callgrind_outbox.py          # needs valgrind; prints a table

Wall time on a shared 2-core machine moves by several times with the load;
instruction counts do not. Each workload runs in a child under callgrind
with N and 2N messages; the difference divided by N is the cost of one
message, start-up, imports and schema creation cancelled out. The store runs
as it does in a worker (asyncio, the store's own thread, WAL with
``synchronous=normal``: fsync is a system call, not instructions). Every
thread is counted.

Each workload does the one above it first, and every one builds its messages
and receipts (the application's and the client's work, not the store's), so
each row is the difference from the row above. The figures to hold against
the SMPP client's per-submit cost (callgrind, issue 17: about 166,000
instructions per message) are ``drain`` plus ``receipt``: what the outbox
adds to each message a worker sends.
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
STEPS = ("build", "put", "drain", "receipts")

async def main():
    messages = [(f"k{i}", Message(f"+4791{i:06d}", TEXT.format(i=i), source="Shop"))
                for i in range(n)]
    receipts = [DeliveryReceipt(f"k{i}-id", ReceiptState.DELIVERED, error=0, submitted=1,
                                delivered=1, raw=b"id:k%d-id stat:DELIVRD" % i)
                for i in range(n)]
    path = os.path.join(tempfile.mkdtemp(), "outbox.db")
    store = await SqliteStore.open(path, synchronous="normal")
    steps = STEPS[:STEPS.index(op.split()[0]) + 1]
    if "put" in steps:
        await store.put("smpp", messages)
    if "drain" in steps:
        ok = CommandStatus.ESME_ROK
        while claims := await store.claim("smpp", "worker", WINDOW, 60.0):
            await store.mark_writing(claims)
            parts = [AcceptedPart(c, 0, f"{c.key}-id") for c in claims]
            settled = [Settled(c, Outcome.ACCEPTED, ok, parts=1) for c in claims]
            await store.record(Via.SMPP, parts, settled)
    if "receipts" in steps:
        per_read = int(op.split()[1])
        for start in range(0, n, per_read):
            await store.record_inbound("smpp", receipts[start:start + per_read])
    os._exit(0)

asyncio.run(main())
"""

WORKLOADS = {
    "build": "messages and receipts built (the baseline)",
    "put": "put (one put_many of N)",
    "drain": "drain (claim+mark+record, 256 a window)",
    "receipts 32": "receipt (32 a commit)",
    "receipts 1": "receipt (1 a commit)",
}


def main() -> None:
    costs = {}
    for op in WORKLOADS:
        once = _callgrind.instructions(_CHILD, str(N), op)
        twice = _callgrind.instructions(_CHILD, str(2 * N), op)
        costs[op] = (twice - once) / N
    before = {"put": "build", "drain": "put", "receipts 32": "drain", "receipts 1": "drain"}
    print(f"{'per message':44} {'instructions':>14}")
    for op, label in WORKLOADS.items():
        cost = costs[op] - costs[before[op]] if op in before else costs[op]
        print(f"{label:44} {cost:>14,.0f}")


if __name__ == "__main__":
    main()
