"""Break each promise of the README's Security and Delivery semantics sections,
one at a time, and check that the tests catch it.

    python tools/mutants.py                 # every mutant; a table, exit 1 on a survivor
    python tools/mutants.py --list          # the mutants and what each breaks
    python tools/mutants.py --check         # each applies once and compiles; no tests (CI)
    python tools/mutants.py tls-floor ...   # only these

Each mutant is a named, hand-written change to one file of the installed
``smswire`` package (the wheel CI tests, or an editable checkout): the
package is copied to a temporary directory, the change applied there, and the
tests that guard the promise run with that copy first on ``PYTHONPATH``, so
the checkout itself is never touched. A mutant is *killed* when its tests
fail, and *survives* when they pass: a promise no test holds. A mutant whose
original text is no longer in its file is *stale* (the code moved on; update
the mutant), which fails the run too, so the list cannot rot silently. A
mutant is *invalid* when its file no longer compiles or the tests cannot even
be collected with it (pytest's exit status other than 1, "tests failed"): that
is a broken mutant, not a caught one, and fails the run as well.

Before any mutant, the same tests run on the unchanged copy; they must pass,
or every "killed" below would mean nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mutant import Mutant
from mutants_delivery import DELIVERY_MUTANTS
from mutants_security import SECURITY_MUTANTS

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = SECURITY_MUTANTS + DELIVERY_MUTANTS
TEST_TIMEOUT = 600  # seconds for one mutant's tests; a hang counts as killed
# pytest's exit status when it ran the tests and some failed; any other
# non-zero status (collection error, usage error, no tests) proves nothing.
TESTS_FAILED = 1
TIMED_OUT = -1


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    result: str  # "killed", "survived", "stale", "invalid"
    seconds: float
    detail: str = ""


def installed_package() -> Path:
    """The ``smswire`` package the tests would import (wheel or editable)."""
    found = subprocess.run(
        [sys.executable, "-c", "import smswire, os; print(os.path.dirname(smswire.__file__))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),  # not the checkout's python/ by accident
    )
    return Path(found.stdout.strip())


def run_tests(pythonpath: Path, tests: Iterable[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TEST_TIMEOUT
        )
    except subprocess.TimeoutExpired as expired:
        return subprocess.CompletedProcess(
            command, TIMED_OUT, str(expired.stdout or ""), "timed out"
        )


def last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def apply(package: Path, mutant: Mutant, work: Path) -> tuple[Path, str]:
    """Copy the package under ``work`` with ``mutant`` applied; returns the
    copy's parent (for PYTHONPATH) and "" or why the mutant cannot be judged."""
    copy = work / mutant.name / "smswire"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / mutant.path
    text = target.read_text(encoding="utf-8")
    found = text.count(mutant.original)
    if found != 1:
        return copy.parent, f"stale: original text found {found}×"
    mutated = text.replace(mutant.original, mutant.mutated)
    try:
        compile(mutated, str(target), "exec")
    except SyntaxError as exc:
        return copy.parent, f"invalid: the mutated file does not compile: {exc}"
    target.write_text(mutated, encoding="utf-8")
    return copy.parent, ""


def try_mutant(package: Path, mutant: Mutant, work: Path) -> Verdict:
    began = time.monotonic()
    pythonpath, problem = apply(package, mutant, work)
    if problem:
        result, _, detail = problem.partition(": ")
        return Verdict(mutant, result, 0.0, detail)
    outcome = run_tests(pythonpath, mutant.tests)
    seconds = time.monotonic() - began
    shown = last_line(outcome.stdout) or last_line(outcome.stderr)
    if outcome.returncode == 0:
        return Verdict(mutant, "survived", seconds, shown)
    if outcome.returncode in (TESTS_FAILED, TIMED_OUT):
        return Verdict(mutant, "killed", seconds, shown)
    detail = f"pytest exit status {outcome.returncode}: {shown}"
    return Verdict(mutant, "invalid", seconds, detail)


def check(package: Path, mutants: Sequence[Mutant]) -> int:
    """Each mutant still applies to exactly one place and compiles (no tests run)."""
    problems = 0
    with tempfile.TemporaryDirectory(prefix="smswire-mutants.") as tmp:
        for mutant in mutants:
            _, problem = apply(package, mutant, Path(tmp))
            if problem:
                problems += 1
                print(f"{mutant.name}: {problem}")
    print(f"{len(mutants) - problems} of {len(mutants)} mutants apply and compile")
    return 1 if problems else 0


def baseline(package: Path, mutants: Sequence[Mutant], work: Path) -> None:
    copy = work / "baseline" / "smswire"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    tests = sorted({test for mutant in mutants for test in mutant.tests})
    outcome = run_tests(copy.parent, tests)
    if outcome.returncode != 0:
        sys.exit(
            "the unchanged package fails its tests, so no mutant can be judged:\n"
            + outcome.stdout[-3000:]
        )
    print(f"baseline: {last_line(outcome.stdout)}")


def table(verdicts: Sequence[Verdict]) -> str:
    rows = [
        "| mutant | promise broken | section | file | result | tests |",
        "|---|---|---|---|---|---|",
    ]
    for verdict in verdicts:
        mutant = verdict.mutant
        rows.append(
            f"| {mutant.name} | {mutant.promise} | {mutant.section} | {mutant.path} "
            f"| {verdict.result} ({verdict.seconds:.0f} s) | {verdict.detail} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only these mutants")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument(
        "--check", action="store_true", help="only check that each mutant applies and compiles"
    )
    args = parser.parse_args(argv)
    unknown = set(args.names) - {mutant.name for mutant in MUTANTS}
    if unknown:
        parser.error(f"no such mutant: {', '.join(sorted(unknown))}")
    mutants = [mutant for mutant in MUTANTS if not args.names or mutant.name in args.names]
    if args.list:
        for mutant in mutants:
            print(f"{mutant.name:28} {mutant.section:20} {mutant.promise}")
        return 0
    package = installed_package()
    if args.check:
        return check(package, mutants)
    print(f"mutating copies of {package}")
    with tempfile.TemporaryDirectory(prefix="smswire-mutants.") as tmp:
        work = Path(tmp)
        baseline(package, mutants, work)
        verdicts = []
        for mutant in mutants:
            verdict = try_mutant(package, mutant, work)
            print(f"{mutant.name}: {verdict.result} {verdict.detail}", flush=True)
            verdicts.append(verdict)
    print()
    print(table(verdicts))
    bad = [verdict for verdict in verdicts if verdict.result != "killed"]
    print(f"\n{len(verdicts) - len(bad)} killed, {len(bad)} survived, stale or invalid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
