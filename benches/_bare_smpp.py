"""The floor a Python SMPP client can reach: a bare asyncio protocol writing
submit_sm PDUs encoded and numbered before the clock starts, a window at a
time, decoding the answers (the Framer) and keeping the message_id of each
one accepted. Issue 17 holds the client's CPU per submit_sm to at most twice
this.

It keeps nothing else per message and retries nothing: what a real client
does on top of it (building the PDUs, results, retries, timers, receipts)
is what the ratio measures.

Run as a script (``python -c BARE_CLIENT port ca window n warmup``, ``ca``
always ``-``: plain TCP), it prints one JSON line as the bench's other
clients do.
"""

from __future__ import annotations

BARE_CLIENT = """
import asyncio, json, resource, sys, time
from smswire.pdu import BindTransceiver, Framer, SubmitSm, encode

# The window is refilled once an eighth of it is free, as the client does.
REFILL_SHARE = 8


class Bare(asyncio.Protocol):
    def __init__(self, window):
        self.window, self.refill = window, max(1, window // REFILL_SHARE)
        self.framer = Framer()
        self.bound = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport

    def run(self, pdus):
        self.pdus, self.next, self.in_flight, self.left = pdus, 0, 0, len(pdus)
        self.ids = []
        self.done = asyncio.get_running_loop().create_future()
        if pdus:
            self.fill()
        else:
            self.done.set_result(0)
        return self.done

    def fill(self):
        room = min(self.window - self.in_flight, len(self.pdus) - self.next)
        if room > 0 and (room >= self.refill or not self.in_flight):
            self.transport.write(b"".join(self.pdus[self.next:self.next + room]))
            self.next += room
            self.in_flight += room

    def data_received(self, data):
        answers = self.framer.feed(data)
        if not self.bound.done():
            self.bound.set_result(None)
            answers = answers[1:]
        if answers:
            ids = self.ids
            for answer in answers:
                if answer.command_status == 0:
                    ids.append(answer.message_id)
            self.in_flight -= len(answers)
            self.left -= len(answers)
            if self.left == 0:
                self.done.set_result(len(ids))
            else:
                self.fill()


def submits(count, tag, first):
    return [encode(SubmitSm(source_addr_ton=5, source_addr="Bench", dest_addr_ton=1,
                            dest_addr_npi=1, destination_addr="4512345678",
                            short_message=f"bench {tag} {i}".encode(),
                            sequence_number=first + i))
            for i in range(count)]


async def main(port, window, n, warmup):
    loop = asyncio.get_running_loop()
    transport, bare = await loop.create_connection(lambda: Bare(window), "127.0.0.1", port)
    transport.write(encode(BindTransceiver(system_id="bench", password="bench",
                                           sequence_number=1)))
    await bare.bound
    await bare.run(submits(warmup, "w", 2))
    pdus = submits(n, "m", 2 + warmup)
    usage, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    ok = await bare.run(pdus)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    print(json.dumps({"n": n, "ok": ok, "wall": wall, "cpu": cpu}), flush=True)
    transport.close()

asyncio.run(main(int(sys.argv[1]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])))
"""
