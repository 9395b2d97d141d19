"""Every Python sample in the README runs, as a newcomer would paste it."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from smswire.sim import LocalAuthority
from smswire.smpp import SmscSimulator

README = Path(__file__).resolve().parent.parent / "README.md"
SAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_samples_to_run() -> None:
    assert len(SAMPLES) >= 4


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"sample{i}" for i in range(len(SAMPLES))])
def test_readme_sample_runs(sample: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", sample],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Each sample's comments promise what it prints; hold it to the first value.
    for line, comment in re.findall(r"print\((.*?)\).*?# (.*)", sample):
        promise = next(word for word in comment.split() if "…" not in word).strip("(,)")
        assert promise in result.stdout, f"print({line}) should print {promise!r}"


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
    commands = _campaign_commands()
    # A dry run first, then the real run, then a resume of it.
    assert [("--dry-run" in c, "--resume" in c) for c in commands] == [
        (True, False),
        (False, False),
        (False, True),
    ]
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
    assert accepted == ["+4746910001", "+4746910002"]
    with (tmp_path / "results.csv").open(newline="", encoding="utf-8") as stream:
        last = {r["line"]: r["outcome"] for r in csv.DictReader(stream)}
    assert last == {"2": "accepted", "3": "accepted"}
