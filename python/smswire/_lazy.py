"""Names a package exports whose modules load only when first used.

``import smswire`` should not cost what one way out needs: the LINK sender
brings aiohttp and httpx (with the ``cli`` extra, httpx also imports rich),
about half a second together, which an SMPP sender, a worker or a short
``smswire status`` would pay on every start. A package lists such names
here; its module's ``__getattr__`` (PEP 562) imports the one module a name
lives in the first time the name is read, and keeps the value, so later
reads are plain attribute reads. Type checkers see the names through the
package's ``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, Iterable[str]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, which exports the
    names of each ``{module: names}`` entry from that module, loaded when
    one of them is first read."""
    home = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> object:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *home})

    return __getattr__, __dir__
