"""The two clients of bench_smpp.py with receipts on: every submit_sm asks for
one, and a message counts once its receipt is taken and acknowledged. The
simulator sends each receipt as soon as it answers the submit
(``--receipt-delay 0``). CPU per message covers the submit, its response,
the receipt and its deliver_sm_resp.

smswire hands over each receipt parsed and correlated with its message
(``receipts()``); smpp34 yields the raw deliver_sm (its Rust core acknowledges
it) and parses nothing, which flatters it: a sender would still parse the
receipt's text.

Both run as the bench's other clients do (``python -c SCRIPT ...``) and print
one JSON line.
"""

from __future__ import annotations

# python -c OURS_WITH_RECEIPTS port ca window n warmup
OURS_WITH_RECEIPTS = """
import asyncio, json, resource, sys, time
from smswire import AsyncSmppClient, Limits, Message

async def main(port, ca, window, n, warmup):
    tls = ca if ca != "-" else False
    async with AsyncSmppClient("127.0.0.1", port, system_id="bench", password="bench",
                               tls=tls, limits=Limits(window=window)) as smpp:
        receipts = smpp.receipts().__aiter__()

        async def take(count):
            for _ in range(count):
                await receipts.__anext__()

        async def run(count, tag):
            messages = [Message("+4512345678", f"bench {tag} {i}", source="Bench")
                        for i in range(count)]
            taking = asyncio.ensure_future(take(count))
            results = await smpp.send_many(messages)
            await taking
            return results

        await run(warmup, "w")
        usage, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        results = await run(n, "m")
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    ok = sum(r.ok for r in results)
    print(json.dumps({"n": n, "ok": ok, "wall": wall, "cpu": cpu}), flush=True)

asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                 int(sys.argv[5])))
"""

# python -c SMPP34_WITH_RECEIPTS port window n warmup
SMPP34_WITH_RECEIPTS = """
import asyncio, json, resource, sys, time
import smpp34

async def main(port, window, n, warmup):
    # A deep inbound queue: with the default, a burst of receipts is refused.
    client = smpp34.Client("127.0.0.1", port, "bench", "bench", window_size=window,
                           inbound_capacity=1 << 20)
    smsc = await client.connect()

    async def receive(count):
        got = 0
        while got < count:
            if isinstance(await smsc.next(), smpp34.DeliverSmEvent):
                got += 1

    async def run(count, tag):
        async def one(i):
            response = await smsc.submit_sm(
                "4512345678", f"bench {tag} {i}".encode(), source_addr="Bench",
                source_addr_ton=5, dest_addr_ton=1, dest_addr_npi=1, registered_delivery=1)
            return response.is_success
        receiving = asyncio.ensure_future(receive(count))
        results = await asyncio.gather(*(one(i) for i in range(count)))
        await receiving
        return results

    await run(warmup, "w")
    usage, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    results = await run(n, "m")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    print(json.dumps({"n": n, "ok": sum(results), "wall": wall, "cpu": cpu}), flush=True)
    await smsc.unbind()

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
"""
