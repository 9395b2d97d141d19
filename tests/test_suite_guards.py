"""The test run's own promises (pyproject.toml, [tool.pytest.ini_options]):
no test can hang the run, and a warning from smswire's code fails its test.

Each is checked by running pytest on a small test file with the project's
configuration, in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# Long enough for the slowest real test on a loaded machine, short enough that
# a hung one leaves CI time to report.
LONGEST_TEST_SECONDS = 120


def _pytest(tmp_path: Path, source: str, *options: str) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_sample.py"
    test_file.write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(PYPROJECT), "--rootdir", str(tmp_path),
         "-p", "no:cacheprovider", "-q", str(test_file), *options],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_every_test_has_a_timeout() -> None:
    options = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["pytest"]
    assert 0 < options["ini_options"]["timeout"] <= LONGEST_TEST_SECONDS


def test_a_hung_test_fails_with_its_traceback(tmp_path: Path) -> None:
    hung = "import asyncio\n\nasync def test_hangs():\n    await asyncio.Event().wait()\n"
    result = _pytest(tmp_path, hung, "-o", "timeout=1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed: Timeout (>1.0s) from pytest-timeout." in result.stdout
    assert "_____ test_hangs _____" in result.stdout  # its traceback, as a failure
    assert "1 failed" in result.stdout


def test_a_warning_from_smswire_code_fails_the_test(tmp_path: Path) -> None:
    warns = (
        "import warnings\n\n"
        "def test_warns():\n"
        "    warnings.warn_explicit('old', DeprecationWarning, 'x.py', 1, module={module!r})\n"
    )
    ours = _pytest(tmp_path, warns.format(module="smswire.link.client"))
    assert ours.returncode == 1, ours.stdout + ours.stderr
    assert "DeprecationWarning: old" in ours.stdout
    theirs = _pytest(tmp_path, warns.format(module="httpx._client"))
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr
