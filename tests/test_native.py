"""The extension's own promises, beside what the differential tests prove."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import smswire.errors
from smswire.encoding import Profile

native: Any = pytest.importorskip("smswire._native")

RAISES: dict[str, Callable[[], object]] = {
    "ProtocolError": lambda: native.pdu_decode(b"\x00" * 4),
    "EncodingError": lambda: native.encode_gsm7("中"),
    "MessageTooLong": lambda: native.analyze("x" * 161, profile=Profile("one", max_parts=1)),
    "ConfigurationError": lambda: native.PduFramer(None),
}


@pytest.mark.parametrize("name", RAISES)
def test_exception_classes_are_looked_up_once_not_per_raise(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raise_it = RAISES[name]
    original = getattr(smswire.errors, name)
    with pytest.raises(original):
        raise_it()  # the first raise looks the class up
    impostor = type("Impostor", (original,), {})
    monkeypatch.setattr(smswire.errors, name, impostor)
    with pytest.raises(original) as raised:
        raise_it()
    assert type(raised.value) is original
