"""smswire's PEP 517 build backend: maturin for the native build, hatchling
for the pure one, and one clear line instead of a toolchain download.

- Native (the default): maturin compiles the Rust extension. With no cargo on
  PATH the build stops at once with one line saying how to get the pure
  wheel, where maturin itself would fetch a Rust toolchain from the internet.
  Builds from source use the ``quick`` Cargo profile; release wheels are built
  by ``maturin build --release`` directly (README: Packaging).
- Pure (``--config-settings pure=true``): hatchling packs python/smswire as a
  py3-none-any wheel of the same name, version and metadata; no compiler.

The optional prepare_metadata hooks are left out: hatchling offers them only
to some frontends, and without them a frontend takes the metadata from the
wheel it builds anyway.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from types import ModuleType
from typing import Any

MATURIN = "maturin>=1.16,<2"
HATCHLING = "hatchling>=1.27"
# Cargo.toml: optimised, but without fat LTO, in a fraction of the time.
SOURCE_BUILD_ARGS = "--profile quick"
NO_RUST = (
    "smswire: no Rust toolchain (cargo not on PATH) to build the native extension;"
    " for pure Python, install the wheel (pip install smswire --only-binary smswire)"
    " or add --config-settings pure=true to this install"
)


def _pure(config_settings: Mapping[str, Any] | None) -> bool:
    return str((config_settings or {}).get("pure", "")).lower() in ("1", "true", "yes", "on")


def _require_rust() -> None:
    if not shutil.which(os.environ.get("CARGO", "cargo")):
        # A SystemExit with a message: pip shows the one line, no traceback.
        raise SystemExit(NO_RUST)
    # Even so, maturin may never install Rust on its own.
    os.environ["MATURIN_NO_INSTALL_RUST"] = "1"


def _maturin() -> ModuleType:
    _require_rust()
    import maturin

    return maturin


def _hatchling() -> ModuleType:
    import hatchling.build

    return hatchling.build


def _source_build(config_settings: Mapping[str, Any] | None) -> dict[str, Any]:
    settings = dict(config_settings or {})
    if "maturin.build-args" not in settings and "build-args" not in settings:
        settings["maturin.build-args"] = SOURCE_BUILD_ARGS
    return settings


def get_requires_for_build_wheel(config_settings: Mapping[str, Any] | None = None) -> list[str]:
    if _pure(config_settings):
        return [HATCHLING]
    _require_rust()
    return [MATURIN]


get_requires_for_build_editable = get_requires_for_build_wheel


def get_requires_for_build_sdist(config_settings: Mapping[str, Any] | None = None) -> list[str]:
    _require_rust()
    return [MATURIN]


def build_wheel(
    wheel_directory: str,
    config_settings: Mapping[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    if _pure(config_settings):
        hatchling = _hatchling()
        return str(hatchling.build_wheel(wheel_directory, config_settings, metadata_directory))
    maturin = _maturin()
    settings = _source_build(config_settings)
    return str(maturin.build_wheel(wheel_directory, settings, metadata_directory))


def build_editable(
    wheel_directory: str,
    config_settings: Mapping[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    if _pure(config_settings):
        hatchling = _hatchling()
        return str(hatchling.build_editable(wheel_directory, config_settings, metadata_directory))
    maturin = _maturin()
    settings = _source_build(config_settings)
    return str(maturin.build_editable(wheel_directory, settings, metadata_directory))


def build_sdist(sdist_directory: str, config_settings: Mapping[str, Any] | None = None) -> str:
    return str(_maturin().build_sdist(sdist_directory))
