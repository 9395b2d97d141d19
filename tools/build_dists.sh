#!/usr/bin/env bash
# Build smswire's three release artifacts into dist/ (or the folder given):
#   the sdist; the native wheel (abi3 for CPython >= 3.9, manylinux2014 through
#   zig, fat LTO, stripped); the pure-Python wheel (py3-none-any).
# Needs a Rust toolchain and the release tools (maturin, ziglang, auditwheel),
# all from PyPI:   pip install --group release   (pip >= 25.1)
# tools/check_dists.py then checks what was built.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}

# maturin runs zig from the ziglang package, through the Python that has it.
CARGO_ZIGBUILD_PYTHON_PATH=${CARGO_ZIGBUILD_PYTHON_PATH:-$(command -v python)}
export CARGO_ZIGBUILD_PYTHON_PATH

maturin sdist --out "$out"
maturin build --release --zig --compatibility manylinux2014 --out "$out"
python -m pip wheel . --no-deps --config-settings pure=true --wheel-dir "$out"
