"""How the package's modules import one another, read from their source.

Issue 11: imports point one way. The SMPP client composes the submit
builder, the send pump, the receive side and the connection supervision, and
none of them imports the client back; a method moved into a module that
reaches back into its caller closes an import circle, and the package has
none. The codec packages keep their insides private: the session and every
other module use ``smswire.pdu``'s public names only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import smswire

PACKAGE = Path(smswire.__file__).parent


def _module_names() -> dict[str, Path]:
    """Every module of the package by dotted name; the extension by its stub."""
    names: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")) + sorted(PACKAGE.rglob("*.pyi")):
        parts = ["smswire", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names.setdefault(".".join(parts), path)
    # The extension, whether or not this install has it or its stub (the pure
    # wheel has neither): an import of it is an import of it, not of smswire.
    names.setdefault("smswire._native", PACKAGE / "_native.pyi")
    return names


MODULES = _module_names()


def _imported(module: str, path: Path) -> set[str]:
    """The package's modules ``module`` imports, at its top or inside a function
    (a lazy import back is still a reach back); not those for type checkers only."""
    package = module if path.stem == "__init__" else module.rpartition(".")[0]
    found: set[str] = set()

    def known(name: str) -> str:
        while name not in MODULES:
            name = name.rpartition(".")[0]
        return name

    for node in ast.walk(_without_type_checking(ast.parse(path.read_text(encoding="utf-8")))):
        if isinstance(node, ast.Import):
            found.update(known(a.name) for a in node.names if a.name.startswith("smswire"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            if base.startswith("smswire"):
                for alias in node.names:
                    name = f"{base}.{alias.name}"
                    found.add(name if name in MODULES else known(base))
    found.discard(module)
    return found


def _for_type_checkers(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _without_type_checking(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                block[:] = [child for child in block if not _for_type_checkers(child)]
    return tree


# The extension's stub imports for type checkers only: the extension imports none.
IMPORTS = {
    module: set() if path.suffix == ".pyi" else _imported(module, path)
    for module, path in MODULES.items()
}


def _circles() -> list[list[str]]:
    """Each import circle found by a depth-first walk, as the path around it."""
    circles: list[list[str]] = []
    state: dict[str, str] = {}
    path: list[str] = []

    def walk(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for imported in sorted(IMPORTS[module]):
            if state.get(imported) == "open":
                circles.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                walk(imported)
        path.pop()
        state[module] = "done"

    for module in sorted(IMPORTS):
        if module not in state:
            walk(module)
    return circles


def test_the_package_has_no_import_circle() -> None:
    assert [" -> ".join(circle) for circle in _circles()] == []


def _reached(module: str) -> set[str]:
    """Every module ``module`` imports, directly or through others."""
    reached: set[str] = set()
    todo = [module]
    while todo:
        for imported in IMPORTS[todo.pop()] - reached:
            reached.add(imported)
            todo.append(imported)
    return reached


def test_the_smpp_client_s_parts_never_import_the_client() -> None:
    parts = ("prepare", "pump", "receiving", "connection")
    client = "smswire.smpp.client"
    assert IMPORTS[client] >= {f"smswire.smpp.{part}" for part in parts}
    reaching_back = [part for part in parts if client in _reached(f"smswire.smpp.{part}")]
    assert reaching_back == []


def test_nothing_outside_the_codec_packages_imports_their_insides() -> None:
    private = [
        f"{module} imports {imported}"
        for module, imports in IMPORTS.items()
        for imported in sorted(imports)
        for codec in ("smswire.pdu", "smswire.encoding")
        if imported.startswith(f"{codec}._")
        and not module.startswith(codec)
        # A pure twin of a native call that spans the codecs (the fused submit
        # window) builds its bytes from their pure halves, as the core does.
        and not module.rsplit(".", 1)[-1].endswith("_pure")
    ]
    assert private == []
