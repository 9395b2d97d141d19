"""Errors of the LINK sender and the report receiver, each one a caller acts on.

They subclass the package's classes (drawn in :mod:`smswire.errors`), so
``except ConfigurationError`` or ``except OutcomeUnknown`` still catches them.
None of their messages carries the password: text that may (an httpx error, a
reply body) is redacted first.
"""

from __future__ import annotations

from smswire.errors import ConfigurationError, OutcomeUnknown, SmswireError

__all__ = [
    "InvalidParameter",
    "LinkResponseError",
    "MalformedReport",
]


class InvalidParameter(ConfigurationError):
    """A query parameter failed validation before any request left.

    ``parameter`` is the guide's name for it (``Source``, ``Tariff``, ...).
    It carries no LINK result code: LINK never saw the request. (The
    simulator answers such input with the code the platform would.)
    """

    def __init__(self, message: str, *, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class LinkResponseError(OutcomeUnknown):
    """The endpoint answered, but not with a 200 ``resultCode;resultDescription;...``.

    ``status_code`` is the HTTP status, ``excerpt`` the start of the body
    (redacted). Whether the message went out is unknown, so this is an
    :class:`OutcomeUnknown`: do not resend blindly.
    """

    def __init__(self, message: str, *, status_code: int, excerpt: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.excerpt = excerpt


class MalformedReport(SmswireError, ValueError):
    """A delivery report cannot be read; ``field`` names the field at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
