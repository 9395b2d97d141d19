"""Instructions the SMSC simulator spends per submit_sm, under callgrind, without sockets.

    python benches/callgrind_simulator.py      # needs valgrind; prints a table

A bound connection of the simulator is fed the same read of 64 submit_sm
(160 octets of text, no receipt asked) again and again through its asyncio
protocol methods, as the event loop would feed a socket's reads, and writes
into a transport that only counts. Each workload runs twice in a child under
callgrind, with N and 2N messages; the difference divided by N is the cost of
one submit_sm, start-up cancelled out. ``bench_simulator.py`` measures the same path's CPU time over
real sockets.
"""

from __future__ import annotations

import _callgrind  # a sibling module: these run as scripts from benches/

N = 6400
BATCH = 64
_CHILD = """
import asyncio, os, sys, tempfile
from smswire.pdu import BindTransmitter, SubmitSm, encode
from smswire.smpp.simulator import SmscSimulator

class CountingTransport(asyncio.Transport):
    def __init__(self):
        super().__init__()
        self.written = 0
    def write(self, data):
        self.written += len(data)
    def is_closing(self):
        return False
    def get_extra_info(self, name, default=None):
        return ("127.0.0.1", 40000) if name == "peername" else default

async def main(n, batch, workload):
    record = os.path.join(tempfile.mkdtemp(), "record") if workload == "file record" else None
    async with SmscSimulator(tls=False, receipt_delay=None, record=record) as sim:
        link = sim._new_link()
        link.connection_made(CountingTransport())
        link.data_received(encode(BindTransmitter(system_id="b", password="b", sequence_number=1)))
        # One read's worth, fed again and again: each batch is answered before
        # the next arrives, so its sequence numbers are free again.
        data = b"".join(
            encode(SubmitSm(source_addr_ton=5, source_addr="Bench", dest_addr_ton=1,
                            dest_addr_npi=1, destination_addr="4512345678",
                            short_message=b"x" * 160, sequence_number=2 + i))
            for i in range(batch)
        )
        for _ in range(n // batch):
            link.data_received(data)
        assert sim.accepted_submits == n, sim.accepted_submits
        os._exit(0)

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
"""
WORKLOADS = ["memory record", "file record"]


def instructions(n: int, workload: str) -> int:
    return _callgrind.instructions(_CHILD, str(n), str(BATCH), workload)


def main() -> None:
    for workload in WORKLOADS:
        per_submit = (instructions(2 * N, workload) - instructions(N, workload)) / N
        print(f"submit_sm, batches of {BATCH}, {workload:14} {per_submit:10.0f} instructions")


if __name__ == "__main__":
    main()
