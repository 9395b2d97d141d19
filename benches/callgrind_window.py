"""Instructions per 160-character GSM message for segment + build + encode +
stamp: the fused submit path against the client's path today.

    python benches/callgrind_window.py        # needs valgrind; prints a table

Each workload sends windows of 64 messages, in a child under callgrind, N and
2N messages; the difference divided by N is the cost of one message,
interpreter start-up and imports cancelled out. Issue 17's target for the
fused call: at most 12,000 instructions a message.

- fused, the native call: ``submit_window`` on tuples already made;
- fused, encode_window: the front, whose shared fields are checked once a window;
- fused, from Message objects: what a client would pay, classifying each
  message's addresses (``resolve_source``, ``destination_address``) first;
- prepare, from Message objects: ``smswire.smpp.prepare`` as a client would
  call it, checking each message as build_submits does and classifying each
  distinct source and destination once in the call (here 64 destinations a
  window, one source);
- today: ``build_submits`` per message, each part stamped with
  ``with_sequence_number`` as the session does, ``encode_many`` per window.
"""

from __future__ import annotations

import _callgrind  # a sibling module: these run as scripts from benches/

N = 6400
WINDOW = 64
TARGET = 12_000
_CHILD = """
import sys
from smswire._backend import NATIVE
from smswire.message import Message
from smswire.pdu import encode_many, with_sequence_number
from smswire.smpp.addresses import destination_address
from smswire.smpp.submit import build_submits, resolve_source
from smswire.smpp.window import encode_window, submit_window, window_message
from smswire.encoding import STANDARD
from smswire.smpp.prepare import SubmitRules, prepare
n, op, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
TEXT = ("The quick brown fox jumps over the lazy dog; " * 4)[:160]
messages = [Message(f"+47469{i:05d}", TEXT, source="Acme") for i in range(size)]
tuples = [(5, 0, "Acme", 1, 1, f"47469{i:05d}", TEXT) for i in range(size)]
assert len(submit_window(tuples, 1)[1]) == 16 * size  # one part each, none refused

def native_call():
    submit_window(tuples, 1)

def front():
    encode_window(tuples, 1)

def from_messages():
    encode_window(
        [
            window_message(resolve_source(m), destination_address(m.destination), m.text)
            for m in messages
        ],
        1,
    )

RULES = SubmitRules(None, STANDARD, 15, 11, False, False)

def prepared():
    prepare(messages, RULES, 0)

def today():
    sequence = 1
    stamped = []
    for reference, message in enumerate(messages):
        for pdu in build_submits(message, reference=reference % 256):
            stamped.append(with_sequence_number(pdu, sequence))
            sequence += 1
    encode_many(stamped)

ops = {
    "fused, the native call": native_call,
    "fused, encode_window": front,
    "fused, from Message objects": from_messages,
    "prepare, from Message objects": prepared,
    "today: build_submits + stamp + encode": today,
}
function = ops[op]
for _ in range(n // size):
    function()
import os
os._exit(0)
"""
OPS = [
    "fused, the native call",
    "fused, encode_window",
    "fused, from Message objects",
    "prepare, from Message objects",
    "today: build_submits + stamp + encode",
]


def instructions(n: int, op: str) -> int:
    return _callgrind.instructions(_CHILD, str(n), op, str(WINDOW))


def main() -> None:
    print(f"window {WINDOW}, 160-character GSM text, instructions per message")
    for op in OPS:
        per_message = (instructions(2 * N, op) - instructions(N, op)) / N
        print(f"{op:40} {per_message:10.0f}   ({per_message / TARGET:.2f}x the 12k target)")


if __name__ == "__main__":
    main()
