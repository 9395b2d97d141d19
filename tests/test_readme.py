"""Every Python sample in the README runs as a newcomer would paste it, and
every result it promises in a comment is what it shows, whole.

The convention (tests/readme_results.py records it): a comment after a
``print(...)`` is the line it prints; a comment after a bare expression is the
value's repr. ``…`` stands for text that differs from run to run (a message
id); `` — `` starts an explanation that is not part of the result; when the
statement runs more than once its results are listed in order, `` | `` between
them. Any other statement's comment (an assignment's) is prose.
"""

from __future__ import annotations

import ast
import asyncio
import csv
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from readme_results import commented_lines

from smswire.sim import LocalAuthority
from smswire.smpp import SmscSimulator

README = Path(__file__).resolve().parent.parent / "README.md"
SAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
DRIVER = Path(__file__).resolve().parent / "readme_results.py"


def promised_results(sample: str) -> dict[int, str]:
    """The result each commented expression statement promises, by line."""
    comments = commented_lines(sample)
    statements = {node.lineno for node in ast.walk(ast.parse(sample)) if isinstance(node, ast.Expr)}
    return {
        line: comment.split(" — ", 1)[0] for line, comment in comments.items() if line in statements
    }


def matches(promise: str, shown: list[str]) -> bool:
    """Whether what a statement showed is its promise, ``…`` matching anything."""
    pattern = ".*?".join(re.escape(piece) for piece in promise.split("…"))
    return re.fullmatch(pattern, " | ".join(shown), re.S) is not None


def test_the_readme_has_samples_with_results_to_check() -> None:
    assert len(SAMPLES) >= 4
    assert sum(len(promised_results(sample)) for sample in SAMPLES) >= 10


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"sample{i}" for i in range(len(SAMPLES))])
def test_readme_sample_shows_what_it_promises(sample: str, tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(sample, encoding="utf-8")
    shown_file = tmp_path / "shown.json"
    result = subprocess.run(
        [sys.executable, str(DRIVER), str(source), str(shown_file)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    shown = {int(line): outputs for line, outputs in json.loads(shown_file.read_text()).items()}
    for line, promise in promised_results(sample).items():
        code = sample.splitlines()[line - 1].split("  #", 1)[0].strip()
        assert line in shown, f"{code} never ran, so it cannot show {promise!r}"
        assert matches(promise, shown[line]), f"{code} showed {shown[line]!r}, not {promise!r}"


@pytest.mark.parametrize(
    ("promise", "shown", "holds"),
    [
        ("1 0x10", ["1 0x10"], True),
        ("1 0x10", ["1 0x10 extra"], False),  # whole, not a prefix
        ("1 0x10", ["2 0x10"], False),
        ("Outcome.ACCEPTED ('…',)", ["Outcome.ACCEPTED ('7F3A',)"], True),
        ("a | b", ["a", "b"], True),
        ("a | b", ["a"], False),
    ],
)
def test_a_promise_is_held_whole(promise: str, shown: list[str], holds: bool) -> None:
    assert matches(promise, shown) is holds


def test_the_two_commands_are_the_ones_ci_and_the_demo_run() -> None:
    text = README.read_text(encoding="utf-8")
    assert "bash .ci/run" in text
    assert 'pip install ".[cli,sim]" && smswire demo' in text


def _campaign_commands() -> list[list[str]]:
    """The `smswire send-csv` lines of the README's command-line section, in order."""
    section = README.read_text(encoding="utf-8").split("## The command line", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [
        shlex.split(line.split("#", 1)[0])
        for line in block.group(1).splitlines()
        if line.startswith("smswire send-csv ")
    ]


async def test_the_readme_campaign_sequence_runs_as_written(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    dry_run, run = _campaign_commands()
    # A dry run first, then the real run; the README says to run that again to
    # resume, so it runs twice here: the second run must send nothing again.
    assert "--dry-run" in dry_run and "--dry-run" not in run
    commands = [dry_run, run, run]
    (tmp_path / "campaign.csv").write_text(
        "destination,text\n+4746910001,Hello\n+4746910002,Hello again\n", encoding="utf-8"
    )
    async with SmscSimulator(accounts={"acme": "pw"}, tls=authority.server_context()) as sim:
        # The README's export, pointed at the simulator and its CA.
        env = {
            **os.environ,
            "SMSWIRE_SMPP_URL": f"smpps://acme@127.0.0.1:{sim.port}",
            "SMSWIRE_SMPP_PASSWORD": "pw",
            "SMSWIRE_SMPP_CA_FILE": str(authority.ca_file),
        }
        for command in commands:
            assert command[0] == "smswire"
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "smswire", *command[1:],
                cwd=tmp_path, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
            assert process.returncode == 0, (command, stdout.decode(), stderr.decode())
        accepted = sorted("+" + m.destination for m in sim.received if m.times_accepted)
        assert all(m.times_accepted == 1 for m in sim.received)
    assert accepted == ["+4746910001", "+4746910002"]
    with (tmp_path / "results.csv").open(newline="", encoding="utf-8") as stream:
        last = {r["line"]: r["outcome"] for r in csv.DictReader(stream)}
    assert last == {"2": "accepted", "3": "accepted"}
