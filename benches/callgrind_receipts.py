"""Instructions per receipt under callgrind: steadier than wall time on a shared machine.

    python benches/callgrind_receipts.py            # needs valgrind; prints a table

Each workload runs twice in a child under callgrind, with N and 2N
iterations; the difference divided by N is the cost of one call,
interpreter start-up and imports cancelled out. The inputs are
bench_receipts.py's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import _callgrind  # a sibling module: these run as scripts from benches/

N = 2000
_BENCHES = Path(__file__).resolve().parent
_CHILD = """
import sys
sys.path.insert(0, sys.argv[3])
from bench_receipts import APPENDIX_B, INMOBILE, TLVS, UCS2
from smswire import _native as native
from smswire.smpp import _receipt_pure
from smswire.smpp.receipts import _parse_receipt_pure
n, (backend, op) = int(sys.argv[1]), sys.argv[2].split()
parse, keys = {
    "native": (native.parse_receipt, native.message_id_keys),
    "pure": (_parse_receipt_pure, _receipt_pure.message_id_keys),
}[backend]
function = {
    "inMobile": lambda: parse(INMOBILE),
    "appendix_b+tlvs": lambda: parse(APPENDIX_B, TLVS),
    "ucs2": lambda: parse(UCS2, data_coding=8),
    "message_id_keys": lambda: keys("0059113978"),
}[op]
for _ in range(n):
    function()
import os
os._exit(0)
"""
OPS = [
    f"{backend} {op}"
    for op in ("inMobile", "appendix_b+tlvs", "ucs2", "message_id_keys")
    for backend in ("native", "pure")
]


def instructions(n: int, op: str) -> int:
    return _callgrind.instructions(_CHILD, str(n), op, str(_BENCHES))


def main() -> None:
    for op in sys.argv[1:] or OPS:
        per_op = (instructions(2 * N, op) - instructions(N, op)) / N
        print(f"{op:32} {per_op:10.0f} instructions")


if __name__ == "__main__":
    main()
