"""Shared test configuration: report which backend this run exercises, and say
loudly when the native extension is missing, since the native-vs-pure
differential tests then skip (CI runs them against the native wheel); one
throw-away certificate authority per session for every TLS test; Hypothesis
without its timing checks."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

import smswire
from smswire.sim import LocalAuthority

# Hypothesis fails an example slower than 200 ms, and a run whose data is slow
# to generate: timing assertions, which a loaded 2-core CI machine trips at
# random (speed lives in benches/). What each property checks is unchanged.
settings.register_profile("smswire", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("smswire")

NO_EXTENSION = (
    "smswire's native extension is not installed: the native-vs-pure differential "
    "tests are skipped (-rs lists them)"
)


def _extension_installed() -> bool:
    return importlib.util.find_spec("smswire._native") is not None


def pytest_report_header() -> list[str]:
    lines = [f"smswire backend: {smswire.BACKEND}"]
    if not _extension_installed():
        lines.append(NO_EXTENSION)
    return lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _extension_installed():
        terminalreporter.write_sep("!", NO_EXTENSION, yellow=True, bold=True)


@pytest.fixture(scope="session")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAuthority]:
    yield LocalAuthority(tmp_path_factory.mktemp("tls"))
