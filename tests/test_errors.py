"""The exception tree drawn at the top of errors.py is the tree the classes form."""

from __future__ import annotations

import re

import smswire.errors as errors
import smswire.link
from smswire.errors import (
    ClaimError,
    ConfigurationError,
    KeyConflict,
    OutboxError,
    SmswireError,
    StoreBusy,
    StoreError,
    StoreUnavailable,
)

# "    │   ├── Name   text": the depth is the drawing's indent, four columns a level.
_NODE = re.compile(r"^(?P<indent>[ │]*)(?:[├└]── )?(?P<name>[A-Z]\w+)\b")


def drawn_parents() -> dict[str, str]:
    """Each class the drawing shows, with the class drawn above it."""
    drawing = (errors.__doc__ or "").split("::", 1)[1].split("\n\n")[1]
    parents: dict[str, str] = {}
    stack: list[str] = []
    for line in drawing.splitlines():
        match = _NODE.match(line.strip("\n"))
        assert match is not None, line
        depth = (len(line) - len(line.lstrip(" │├└─"))) // 4 - 1
        del stack[max(depth, 0) :]
        if stack:
            parents[match.group("name")] = stack[-1]
        stack.append(match.group("name"))
    return parents


# Classes the drawing shows that live with their way out, not in smswire.errors.
_ELSEWHERE = {"LinkResponseError": smswire.link}


def drawn_class(name: str) -> type:
    return getattr(_ELSEWHERE.get(name, errors), name)  # type: ignore[no-any-return]


def test_the_drawing_shows_every_class_under_its_base() -> None:
    parents = drawn_parents()
    exported = {name for name in errors.__all__ if name != "SmswireError"}
    assert set(parents) == exported | set(_ELSEWHERE)
    for name, parent in parents.items():
        assert drawn_class(name).__bases__[0] is drawn_class(parent), name


def test_the_outbox_errors_are_smswire_errors_a_worker_can_tell_apart() -> None:
    assert issubclass(OutboxError, SmswireError)
    assert issubclass(KeyConflict, ConfigurationError) and issubclass(KeyConflict, ValueError)
    assert issubclass(StoreBusy, StoreError) and issubclass(StoreUnavailable, StoreError)
    assert not issubclass(StoreBusy, StoreUnavailable)
    assert not issubclass(ClaimError, StoreError)
    assert KeyConflict("taken", key="order-1").key == "order-1"
    assert StoreUnavailable("full", operation="put").operation == "put"
