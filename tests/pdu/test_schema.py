"""The three descriptions of the PDU bodies agree, field by field.

- the dataclasses of ``smswire.pdu._types``: field names, order and defaults;
- ``BODIES``: each field's kind and limit, which the pure codec walks;
- the Rust schema the native codec walks (rust/pdu/schema.rs), read from
  the built extension through ``smswire._native.pdu_schema()``.

A field renamed, moved, re-kinded, re-limited or given another default in
any one of them fails here. The native decoder leans on the defaults: a
field whose decoded value is the schema's default keeps the class's own
default object, so the two must be equal.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

import pytest

from smswire.pdu import PDU_CLASSES
from smswire.pdu._types import (
    BODIES,
    CSTRING,
    DEST_ADDRESS,
    SHORT_MESSAGE,
    TIME,
    UINT8,
    UNSUCCESS_SME,
)

# The schema is compiled into the extension; the pure backend's run checks
# it too whenever the extension is built.
native: Any = pytest.importorskip("smswire._native")

# What the native decoder takes a field the wire left empty to be; a UINT8
# field's default is the schema's own.
EMPTY = {CSTRING: "", TIME: "", SHORT_MESSAGE: b"", DEST_ADDRESS: (), UNSUCCESS_SME: ()}
# After the body, every PDU class has these, which the native decoder sets
# only when the header or body differs from them.
HEADER_DEFAULTS = {"command_status": 0, "sequence_number": 0, "tlvs": ()}

SCHEMA = {command_id: (name, body) for command_id, name, body in native.pdu_schema()}


def native_body(cls: type) -> tuple[tuple[str, int, int, Any], ...]:
    name, body = SCHEMA[cls.command_id]  # type: ignore[attr-defined]
    assert name == cls.__name__
    return body  # type: ignore[no-any-return]


def test_the_native_schema_has_every_pdu_class_in_order() -> None:
    ids = [command_id for command_id, _, _ in native.pdu_schema()]
    assert ids == [cls.command_id for cls in PDU_CLASSES]  # type: ignore[attr-defined]
    assert list(BODIES) == list(PDU_CLASSES)


@pytest.mark.parametrize("cls", PDU_CLASSES, ids=lambda cls: cls.__name__)
def test_bodies_is_the_native_schema(cls: type) -> None:
    native_fields = [(name, kind, limit) for name, kind, limit, _ in native_body(cls)]
    assert native_fields == list(BODIES[cls])


@pytest.mark.parametrize("cls", PDU_CLASSES, ids=lambda cls: cls.__name__)
def test_the_dataclass_fields_are_the_native_schema_then_the_header(cls: type) -> None:
    body = native_body(cls)
    dataclass_fields = fields(cls)
    assert [f.name for f in dataclass_fields] == [name for name, _, _, _ in body] + list(
        HEADER_DEFAULTS
    )
    for field, (name, kind, _, default) in zip(dataclass_fields, body):
        assert field.default is not MISSING, name
        assert (type(field.default), field.default) == (type(default), default), name
        if kind != UINT8:
            assert default == EMPTY[kind], name
    header = {f.name: f.default for f in dataclass_fields[len(body) :]}
    assert header == HEADER_DEFAULTS
