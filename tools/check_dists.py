"""Check smswire's release artifacts as a user meets them.

    python tools/check_dists.py dist/     # after tools/build_dists.sh dist/

For the sdist, the native wheel and the pure wheel in that folder: their tags
and contents (py.typed, the extension's .pyi, LICENSE; no tests, no build
junk; the extension stripped and manylinux2014 by auditwheel), the same
metadata in both wheels (a classifier per supported Python, no development
group published as an extra), pip's choice between them per platform, and each
installed into a fresh virtual environment running ``smswire analyze "hi"``
and the README's first sample. The sdist must also stop with one line, and
fetch nothing, where no Rust toolchain is on PATH, install as pure Python when
asked, and otherwise compile in the quick Cargo profile. Exits 1 at the first
broken promise, saying which. Python 3.11+ (tomllib).
"""

from __future__ import annotations

import email
import os
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import NoReturn

import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
VERSION = "0.1.0"
NATIVE_TAG = "cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64"
PURE_TAG = "py3-none-any"
# requires-python >= 3.9: a classifier for each, and the same requirements on each.
SUPPORTED_PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
LICENSE = f"smswire-{VERSION}.dist-info/licenses/LICENSE"
# Nothing of the project's development tree, nor of a build, belongs in an artifact.
JUNK = re.compile(
    r"(^|/)(tests?|benches|tools|\.ci|\.git\w*|target|\.venv|__pycache__|[^/]*\.egg-info)(/|$)"
    r"|\.pyc$|\.orig$|\.rej$|~$"
)
# The metadata both wheels must agree on, so that pip may take either
# (Requires-Dist by what it requires, as maturin and hatchling spell markers apart).
SHARED_FIELDS = (
    "Name",
    "Version",
    "Requires-Python",
    "Provides-Extra",
    "Classifier",
    "Project-URL",
    "License-Expression",
    "License-File",
)


def fail(message: str) -> NoReturn:
    raise SystemExit(f"check_dists: {message}")


def ok(message: str) -> None:
    print(f"ok: {message}", flush=True)


def artifacts(folder: Path) -> tuple[Path, Path, Path]:
    found = {}
    for suffix in (f"{NATIVE_TAG}.whl", f"{PURE_TAG}.whl", ".tar.gz"):
        matches = sorted(folder.glob(f"smswire-{VERSION}*{suffix}"))
        if len(matches) != 1:
            fail(f"want one smswire {VERSION} *{suffix} in {folder}, found {matches}")
        found[suffix] = matches[0]
    return found[f"{NATIVE_TAG}.whl"], found[f"{PURE_TAG}.whl"], found[".tar.gz"]


def wheel_tags(wheel: zipfile.ZipFile) -> list[str]:
    text = wheel.read(f"smswire-{VERSION}.dist-info/WHEEL").decode()
    return [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Tag: ")]


def no_junk(names: list[str], artifact: Path) -> None:
    junk = [name for name in names if JUNK.search(name)]
    if junk:
        fail(f"{artifact.name} carries what users must not get: {junk[:5]}")


def is_stripped(elf: bytes) -> bool:
    """Whether an ELF64 little-endian file has no symbol table (.symtab)."""
    section_offset = struct.unpack_from("<Q", elf, 0x28)[0]
    entry_size, count = struct.unpack_from("<HH", elf, 0x3A)
    sht_symtab = 2
    return all(
        struct.unpack_from("<I", elf, section_offset + i * entry_size + 4)[0] != sht_symtab
        for i in range(count)
    )


def check_native_wheel(path: Path) -> None:
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        tags = wheel_tags(wheel)
        extensions = [n for n in names if n.endswith(".so")]
        if extensions != ["smswire/_native.abi3.so"]:
            fail(f"{path.name}: extensions {extensions}, want smswire/_native.abi3.so")
        if not is_stripped(wheel.read(extensions[0])):
            fail(f"{path.name}: the extension still has its symbol table (not stripped)")
    if tags != ["cp39-abi3-manylinux2014_x86_64", "cp39-abi3-manylinux_2_17_x86_64"]:
        fail(f"{path.name}: WHEEL tags {tags}")
    for needed in ("smswire/py.typed", "smswire/_native.pyi", LICENSE):
        if needed not in names:
            fail(f"{path.name} lacks {needed}")
    no_junk(names, path)
    audit = run([sys.executable, "-m", "auditwheel", "show", str(path)])
    if '"manylinux_2_17_x86_64"' not in " ".join(audit.split()):
        fail(f"auditwheel does not find {path.name} manylinux_2_17_x86_64:\n{audit}")
    ok(f"{path.name}: tags, stripped extension, .pyi, py.typed, LICENSE; auditwheel agrees")


def check_pure_wheel(path: Path) -> None:
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        tags = wheel_tags(wheel)
        purelib = (
            "Root-Is-Purelib: true" in wheel.read(f"smswire-{VERSION}.dist-info/WHEEL").decode()
        )
    if tags != [PURE_TAG] or not purelib:
        fail(f"{path.name}: WHEEL tags {tags}, purelib {purelib}")
    native = [n for n in names if n.endswith((".so", ".pyd")) or "_native" in n]
    if native:
        fail(f"{path.name} carries the extension or its stub: {native}")
    for needed in ("smswire/py.typed", "smswire/encoding/_grapheme_data.py", LICENSE):
        if needed not in names:
            fail(f"{path.name} lacks {needed}")
    no_junk(names, path)
    ok(f"{path.name}: py3-none-any, no extension, py.typed, LICENSE")


def check_sdist(path: Path) -> None:
    top = f"smswire-{VERSION}/"
    with tarfile.open(path) as sdist:
        names = [name.removeprefix(top) for name in sdist.getnames()]
    needed = (
        "PKG-INFO",
        "LICENSE",
        "pyproject.toml",
        "build_backend/smswire_backend.py",
        "Cargo.toml",
        "Cargo.lock",
        "rust/lib.rs",
        "python/smswire/py.typed",
        "python/smswire/_native.pyi",
    )
    missing = [n for n in needed if n not in names]
    if missing:
        fail(f"{path.name} lacks {missing}")
    no_junk(names, path)
    extensions = [n for n in names if n.endswith((".so", ".pyd"))]
    if extensions:
        fail(f"{path.name} carries built extensions: {extensions}")
    ok(f"{path.name}: sources, build backend, LICENSE; no tests, no build output")


def metadata(path: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(path) as wheel:
        message = email.message_from_bytes(wheel.read(f"smswire-{VERSION}.dist-info/METADATA"))
    return {field: sorted(message.get_all(field) or []) for field in SHARED_FIELDS}


def requirements(path: Path, python: str, extra: str) -> list[str]:
    """What installing the wheel with ``extra`` pulls in on CPython ``python``."""
    with zipfile.ZipFile(path) as wheel:
        message = email.message_from_bytes(wheel.read(f"smswire-{VERSION}.dist-info/METADATA"))
    where = {"python_version": python, "python_full_version": f"{python}.0", "extra": extra}
    wanted = [Requirement(r) for r in message.get_all("Requires-Dist") or []]
    return sorted(
        f"{r.name}{r.specifier}" for r in wanted if not r.marker or r.marker.evaluate(where)
    )


def check_same_metadata(native: Path, pure: Path) -> None:
    ours, theirs = metadata(native), metadata(pure)
    differ = [f for f in SHARED_FIELDS if ours[f] != theirs[f]]
    if differ:
        fail(f"the wheels' metadata differ in {differ}: {[(ours[f], theirs[f]) for f in differ]}")
    for python in SUPPORTED_PYTHONS:
        for extra in ("", *ours["Provides-Extra"]):
            if requirements(native, python, extra) != requirements(pure, python, extra):
                fail(f"the wheels require different things on {python} with extra {extra!r}")
    if not ours["Project-URL"] or "Typing :: Typed" not in ours["Classifier"]:
        fail("the metadata lack Project-URLs or Typing :: Typed")
    unclassified = [
        python for python in SUPPORTED_PYTHONS
        if f"Programming Language :: Python :: {python}" not in ours["Classifier"]
    ]  # fmt: skip
    if unclassified:
        fail(f"the metadata lack a classifier for Python {unclassified}")
    # Test, lint and bench tools are development dependency groups (PEP 735), never extras.
    with open(ROOT / "pyproject.toml", "rb") as pyproject:
        groups = set(tomllib.load(pyproject)["dependency-groups"])
    published = groups.intersection(ours["Provides-Extra"])
    if published:
        fail(f"development groups published as extras: {sorted(published)}")
    ok(
        "both wheels: the same name, version, dependencies, extras, classifiers, URLs, licence;"
        f" a classifier per Python {SUPPORTED_PYTHONS[0]}+, no development group as an extra"
    )


def check_pip_picks(folder: Path, native: Path, pure: Path) -> None:
    """pip takes the native wheel where it matches and the pure one elsewhere."""
    platforms: dict[str, tuple[list[str], Path]] = {
        "this machine": ([], native),
        "manylinux_2_17_x86_64": (["--platform", "manylinux_2_17_x86_64"], native),
        "manylinux_2_17_aarch64": (["--platform", "manylinux_2_17_aarch64"], pure),
        "musllinux_1_2_x86_64": (["--platform", "musllinux_1_2_x86_64"], pure),
        "macosx_11_0_arm64": (["--platform", "macosx_11_0_arm64"], pure),
        "win_amd64": (["--platform", "win_amd64"], pure),
    }
    for platform, (options, expected) in platforms.items():
        with tempfile.TemporaryDirectory() as into:
            run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-index",
                 "--find-links", str(folder), "--only-binary", ":all:", *options,
                 "--dest", into, f"smswire=={VERSION}"]
            )  # fmt: skip
            got = [p.name for p in Path(into).iterdir()]
        if got != [expected.name]:
            fail(f"pip on {platform} picked {got}, want {expected.name}")
    ok(f"pip picks the native wheel on x86_64 glibc, the pure one elsewhere ({len(platforms)})")


def readme_first_sample() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    if not match:
        fail("README.md has no python sample")
    return match.group(1)


def without_rust() -> dict[str, str]:
    """This environment with no cargo or rustc on PATH."""
    env = dict(os.environ)
    env.pop("CARGO", None)
    keep = [
        d for d in env["PATH"].split(os.pathsep)
        if not any((Path(d) / tool).exists() for tool in ("cargo", "rustc"))
    ]  # fmt: skip
    env["PATH"] = os.pathsep.join(keep)
    return env


def smoke(
    artifact: Path,
    backend: str,
    *pip_args: str,
    env: dict[str, str] | None = None,
    cargo_profile: str | None = None,
) -> None:
    """Install into a fresh venv; run the CLI and the README's first sample.

    With ``cargo_profile``, the install must compile the extension in that
    Cargo profile (pip's verbose output, on stderr, carries Cargo's "Finished" line).
    """
    with tempfile.TemporaryDirectory(prefix="smswire-smoke-") as tmp:
        venv = Path(tmp) / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        python, cli = venv / "bin" / "python", venv / "bin" / "smswire"
        verbosity = "--verbose" if cargo_profile else "--quiet"
        installed = run(
            [str(python), "-m", "pip", "install", verbosity, f"{artifact}[cli]", *pip_args],
            env=env, merge_stderr=True,
        )  # fmt: skip
        if cargo_profile and f"Finished `{cargo_profile}` profile" not in installed:
            fail(f"{artifact.name} was not built in Cargo's {cargo_profile} profile:\n{installed}")
        # The [cli] extra brings no cryptography: only the simulators' CA (the sim extra) needs it.
        crypto = run(
            [str(python), "-c", "import importlib.util as u; print(u.find_spec('cryptography'))"]
        )
        if crypto.strip() != "None":
            fail(f"{artifact.name}[cli] pulled in cryptography")
        active = run([str(python), "-c", "import smswire; print(smswire.BACKEND)"], cwd=tmp)
        if active.strip() != backend:
            fail(f"{artifact.name} installed runs the {active.strip()} backend, want {backend}")
        analysis = run([str(cli), "analyze", "hi"], cwd=tmp)
        if "gsm7" not in analysis.lower():
            fail(f"smswire analyze hi from {artifact.name} said: {analysis}")
        sample = run([str(python), "-c", readme_first_sample()], cwd=tmp)
        if "ucs2" not in sample:
            fail(f"the README's first sample from {artifact.name} printed: {sample}")
    how = " ".join((f"{artifact.name}[cli]", *pip_args))
    built = f", built in Cargo's {cargo_profile} profile" if cargo_profile else ""
    ok(f"{how}{built}: no cryptography; runs {backend}, smswire analyze, the README's first sample")


def check_sdist_without_rust(sdist: Path) -> None:
    """One clear line, and no toolchain fetched, where cargo is missing."""
    with tempfile.TemporaryDirectory(prefix="smswire-norust-") as tmp:
        venv = Path(tmp) / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        result = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", str(sdist)],
            env=without_rust(), capture_output=True, text=True, check=False,
        )  # fmt: skip
    said = [line.strip() for line in result.stdout.splitlines() + result.stderr.splitlines()]
    ours = [line for line in said if line.startswith("smswire:")]
    if result.returncode == 0 or len(ours) != 1 or "pure=true" not in ours[0]:
        fail(f"the sdist without Rust: exit {result.returncode}, said:\n" + "\n".join(said))
    if any(re.search(r"puccinialin|rustup|installing rust", line, re.I) for line in said):
        fail("the sdist without Rust tried to fetch a toolchain:\n" + "\n".join(said))
    ok(f"{sdist.name} without Rust: stops with one line: {ours[0][:60]}...")


def run(
    command: list[str],
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    merge_stderr: bool = False,
) -> str:
    """The command's output (with its stderr if ``merge_stderr``); fail if it fails."""
    result = subprocess.run(
        command, cwd=cwd, env=env, text=True, check=False, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
    )  # fmt: skip
    if result.returncode != 0:
        said = result.stdout + (result.stderr or "")
        fail(f"{' '.join(command)} exited {result.returncode}:\n{said}")
    return result.stdout


def main(folder: Path) -> None:
    native, pure, sdist = artifacts(folder)
    check_native_wheel(native)
    check_pure_wheel(pure)
    check_sdist(sdist)
    check_same_metadata(native, pure)
    check_pip_picks(folder, native, pure)
    check_sdist_without_rust(sdist)
    smoke(native, "native")
    smoke(pure, "pure", env=without_rust())
    smoke(sdist, "pure", "--config-settings", "pure=true", env=without_rust())
    # A build from source is quick (Cargo.toml's quick profile, no fat LTO).
    smoke(sdist, "native", cargo_profile="quick")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "dist").resolve())
