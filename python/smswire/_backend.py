"""The one decision of which backend runs the codecs, taken once at import.

Native (the Rust extension ``smswire._native``) when it loads; the pure-Python
twin when it does not, or when ``SMSWIRE_BACKEND=pure`` asks for it. With
``SMSWIRE_BACKEND=native`` a failed load raises instead of falling back.

This module imports nothing else of the package, so every codec package can
import it without a cycle; nothing but the codec packages reads ``NATIVE``.
"""

from __future__ import annotations

import logging
import os
import sys
from types import ModuleType

__all__ = ["BACKEND", "NATIVE"]

_ENV_VAR = "SMSWIRE_BACKEND"
_CHOICES = ("auto", "native", "pure")

_log = logging.getLogger("smswire")


def _invoked_as_the_command_line() -> bool:
    """Whether this process is the ``smswire`` command: its script, or
    ``python -m smswire`` (while ``-m`` locates its module, ``sys.argv[0]`` is
    ``"-m"``, so importing smswire then means the module is smswire's own)."""
    first = sys.argv[0] if sys.argv else ""
    return first == "-m" or os.path.basename(first) == "smswire"


def _refuse(message: str) -> ImportError:
    """The error for a backend that cannot be had. The command line says it in
    one line and exits: it cannot catch an error raised importing its own package."""
    if _invoked_as_the_command_line():
        print(f"smswire: error: {message}", file=sys.stderr)
        raise SystemExit(2)
    return ImportError(message)


def _choose() -> tuple[str, ModuleType | None]:
    requested = os.environ.get(_ENV_VAR, "auto").strip().lower() or "auto"
    if requested not in _CHOICES:
        raise _refuse(
            f"{_ENV_VAR}={requested!r} is not a backend; choose one of {', '.join(_CHOICES)}"
        )
    if requested == "pure":
        return "pure", None
    try:
        from smswire import _native
    except ImportError as exc:
        if requested == "native":
            raise _refuse(
                f"{_ENV_VAR}=native, but the native extension did not load: {exc}"
            ) from exc
        _log.debug("smswire native extension unavailable, using pure Python: %s", exc)
        return "pure", None
    return "native", _native


BACKEND, NATIVE = _choose()
