"""Instruction counts under callgrind, shared by the callgrind_*.py scripts."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def instructions(child: str, *args: str) -> int:
    """Instructions a fresh interpreter executes running ``child`` with ``args``."""
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            child,
            *args,
        ],
        # Dict probing, and so the count, moves by hundreds of instructions
        # with the hash seed: pin it, or runs cannot be compared.
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    assert match, result.stderr[-500:]
    return int(match.group(1))
