"""Instructions per message under callgrind: steadier than wall time on a shared machine.

    python benches/callgrind_encoding.py            # needs valgrind; prints a table

Each workload runs twice in a child under callgrind, with N and 2N rounds; the
difference divided by the messages of N rounds is the cost of one message,
interpreter start-up, imports and building the inputs cancelled out. The
batch workloads are bench_encoding.py's 10,000 mixed messages; a batch call
spreads them over threads, and callgrind counts every thread's instructions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import _callgrind  # a sibling module: these run as scripts from benches/

_BENCHES = Path(__file__).resolve().parent
_CHILD = """
import sys
sys.path.insert(0, sys.argv[3])
from bench_encoding import BATCH, INPUTS
from smswire import _native as native
rounds, op = int(sys.argv[1]), sys.argv[2]
batch_ops = {
    "segment loop": lambda: [native.segment(text) for text in BATCH],
    "segment_many": lambda: native.segment_many(BATCH),
    "analyze loop": lambda: [native.analyze(text) for text in BATCH],
    "analyze_many": lambda: native.analyze_many(BATCH),
}
if op in batch_ops:
    function = batch_ops[op]
    rounds //= len(BATCH)
else:
    impl, name = op.split()
    text = INPUTS[name]
    function = {
        "segment": lambda: native.segment(text, reference=1),
        "analyze": lambda: native.analyze(text),
    }[impl]
for _ in range(rounds):
    function()
import os
os._exit(0)
"""
BATCH_OPS = ["segment loop", "segment_many", "analyze loop", "analyze_many"]
SINGLE_OPS = [
    f"{impl} {name}"
    for name in ("gsm160", "gsm1377ext", "ucs2_70", "ucs2_567")
    for impl in ("segment", "analyze")
]
# Messages per measurement: one batch, or as many single calls.
BATCH_N = 10_000
SINGLE_N = 2_000


def instructions(messages: int, op: str) -> int:
    return _callgrind.instructions(_CHILD, str(messages), op, str(_BENCHES))


def main() -> None:
    ops = sys.argv[1:] or BATCH_OPS + SINGLE_OPS
    for op in ops:
        n = BATCH_N if op in BATCH_OPS else SINGLE_N
        per_message = (instructions(2 * n, op) - instructions(n, op)) / n
        print(f"{op:24} {per_message:10.0f} instructions per message", flush=True)


if __name__ == "__main__":
    main()
