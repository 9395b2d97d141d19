"""The backend is chosen once, at import, from SMSWIRE_BACKEND."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run(code: str, backend: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("SMSWIRE_BACKEND", None)
    if backend is not None:
        env["SMSWIRE_BACKEND"] = backend
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_pure_is_used_when_asked_for() -> None:
    result = _run("import smswire; print(smswire.BACKEND)", "pure")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"


def test_native_is_the_default_when_the_extension_loads() -> None:
    pytest.importorskip("smswire._native", reason="the native extension is not installed")
    result = _run("import smswire; print(smswire.BACKEND)", None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "native"


def test_missing_extension_falls_back_to_pure_and_says_so_at_debug_level() -> None:
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout)\n"
        "sys.modules['smswire._native'] = None\n"
        "import smswire; print(smswire.BACKEND)\n"
    )
    result = _run(code, None)
    assert result.returncode == 0, result.stderr
    assert "native extension unavailable" in result.stdout
    assert result.stdout.strip().endswith("pure")


def test_native_asked_for_but_missing_raises() -> None:
    code = "import sys; sys.modules['smswire._native'] = None\nimport smswire\n"
    result = _run(code, "native")
    assert result.returncode != 0
    assert "SMSWIRE_BACKEND=native" in result.stderr


def test_unknown_backend_name_raises_naming_the_choices() -> None:
    result = _run("import smswire", "turbo")
    assert result.returncode != 0
    assert "'turbo' is not a backend" in result.stderr
    assert "auto, native, pure" in result.stderr
