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
from types import ModuleType

__all__ = ["BACKEND", "NATIVE"]

_ENV_VAR = "SMSWIRE_BACKEND"
_CHOICES = ("auto", "native", "pure")

_log = logging.getLogger("smswire")


def _choose() -> tuple[str, ModuleType | None]:
    requested = os.environ.get(_ENV_VAR, "auto").strip().lower() or "auto"
    if requested not in _CHOICES:
        raise ImportError(
            f"{_ENV_VAR}={requested!r} is not a backend; choose one of {', '.join(_CHOICES)}"
        )
    if requested == "pure":
        return "pure", None
    try:
        from smswire import _native
    except ImportError as exc:
        if requested == "native":
            raise ImportError(
                f"{_ENV_VAR}=native, but the native extension did not load: {exc}"
            ) from exc
        _log.debug("smswire native extension unavailable, using pure Python: %s", exc)
        return "pure", None
    return "native", _native


BACKEND, NATIVE = _choose()
