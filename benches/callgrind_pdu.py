"""Instructions per operation under callgrind: steadier than wall time on a shared machine.

    python benches/callgrind_pdu.py            # needs valgrind; prints a table

Each workload runs twice in a child under callgrind, with N and 2N
iterations; the difference divided by N is the cost of one operation,
interpreter start-up and imports cancelled out.
"""

from __future__ import annotations

import _callgrind  # a sibling module: these run as scripts from benches/

N = 5000
_CHILD = """
import sys
from smswire.pdu import SubmitSm, SubmitSmResp, Framer, decode, encode, encode_many
import smpp34, smpplib.command, smpplib.smpp
n, op = int(sys.argv[1]), sys.argv[2]
submit = SubmitSm(source_addr="LINK", destination_addr="+4746910822", short_message=b"x" * 160)
data = encode(submit)
responses = [SubmitSmResp(message_id="%032x" % i, sequence_number=i + 1) for i in range(1000)]
buffer, frames = encode_many(responses), [encode(r) for r in responses]
ops = {
    "smswire construct+encode": lambda: encode(
        SubmitSm(source_addr="LINK", destination_addr="+4746910822", short_message=b"x" * 160)
    ),
    "smswire decode": lambda: decode(data),
    "smswire 1000 resp, Framer (per PDU)": lambda: Framer().feed(buffer),
    "smswire 1000 resp, decode each (per PDU)": lambda: [decode(f) for f in frames],
    "smpp34 construct+encode": lambda: smpp34.SubmitSm(
        "LINK", "+4746910822", b"x" * 160, sequence_number=1
    ).encode(),
    "smpp34 decode": lambda: smpp34.decode(data),
}
function = ops[op]
for _ in range(n // 1000 if "1000" in op else n):
    function()
import os
os._exit(0)
"""
OPS = [
    "smswire construct+encode",
    "smpp34 construct+encode",
    "smswire decode",
    "smpp34 decode",
    "smswire 1000 resp, Framer (per PDU)",
    "smswire 1000 resp, decode each (per PDU)",
]


def instructions(n: int, op: str) -> int:
    return _callgrind.instructions(_CHILD, str(n), op)


def main() -> None:
    for op in OPS:
        per_op = (instructions(2 * N, op) - instructions(N, op)) / N
        print(f"{op:44} {per_op:10.0f} instructions")


if __name__ == "__main__":
    main()
