"""Every Python sample in the README runs, as a newcomer would paste it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

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
