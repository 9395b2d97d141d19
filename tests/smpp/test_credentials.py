"""Who binds: SMPP 3.4 §4.1.1's limits, checked before any connection, and a
password that never shows."""

from __future__ import annotations

import pytest

from smswire.errors import ConfigurationError
from smswire.pdu import BindReceiver, BindTransceiver, BindTransmitter
from smswire.smpp.credentials import Credentials


@pytest.mark.parametrize(
    ("bind", "request_class"),
    [
        ("transceiver", BindTransceiver),
        ("transmitter", BindTransmitter),
        ("receiver", BindReceiver),
    ],
)
def test_each_bind_asks_with_its_own_request(bind: str, request_class: type) -> None:
    request = Credentials("acme", "pw", "VMA", bind).request()
    assert type(request) is request_class
    assert (request.system_id, request.password, request.system_type) == ("acme", "pw", "VMA")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"bind": "sideways"}, "bind must be one of transceiver"),
        ({"system_id": "s" * 16}, "system_id is longer than the 15 octets"),
        ({"password": "nine-char"}, "password is longer than the 8 octets"),
        ({"system_type": "t" * 13}, "system_type is longer than the 12 octets"),
    ],
)
def test_the_limits_are_checked_and_named(fields: dict[str, str], complaint: str) -> None:
    values = {"system_id": "acme", "password": "pw", **fields}
    with pytest.raises(ConfigurationError, match=complaint) as caught:
        Credentials(**values)
    assert "nine-char" not in str(caught.value)


def test_the_password_never_shows_in_the_repr() -> None:
    assert "s3cr3t" not in repr(Credentials("acme", "s3cr3t"))
