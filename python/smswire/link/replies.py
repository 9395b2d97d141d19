"""LINK SMSC Simple HTTP without I/O: what the endpoint answers a send.

:func:`parse_send_response` reads ``resultCode;resultDescription;messageId``
into a :class:`LinkReply`; :func:`redact` keeps the password out of anything a
reply or a URL puts into an error or a log line, and :func:`excerpt` quotes a
reply body redacted before it is cut.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from smswire.link.codes import ResultCode
from smswire.link.errors import LinkResponseError
from smswire.message import Outcome

__all__ = ["EXCERPT_MAX", "LinkReply", "excerpt", "parse_send_response", "redact", "reply_outcome"]

# How much of an unexpected reply body an error quotes.
EXCERPT_MAX = 200
# The passwords whose encoded forms redact() keeps at hand: a process's clients.
_SECRETS_CACHED = 16
_PASSWORD_IN_QUERY = re.compile(r"(?i)(password=)[^&\s'\"#]*")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every ``Password=`` query value and every secret (raw or
    URL-encoded) replaced by ``***``."""
    text = _PASSWORD_IN_QUERY.sub(r"\1***", text)
    for secret in secrets:
        if secret:
            for form in _forms(secret):
                text = text.replace(form, "***")
    return text


@functools.lru_cache(maxsize=_SECRETS_CACHED)
def _forms(secret: str) -> frozenset[str]:
    # Every reply is redacted with the client's password: encode it once.
    return frozenset((secret, quote_plus(secret), quote(secret, safe="")))


def reply_outcome(code: ResultCode) -> Outcome:
    """What a send's result code says of the message (# LINK guide: Result codes):
    a TEMP code or a delivered one took it, a FINAL not-delivered one refused it,
    and a code the guide does not list leaves it unknown."""
    if code.is_final is False or code.delivered is True:
        return Outcome.ACCEPTED
    if code.is_final is None or code.delivered is None:
        return Outcome.UNKNOWN
    return Outcome.REJECTED


@dataclass(frozen=True)
class LinkReply:
    """The endpoint's answer to a send (# LINK guide: Returns), as it came."""

    code: ResultCode
    description: str
    message_id: str | None

    @property
    def outcome(self) -> Outcome:
        return reply_outcome(self.code)


def excerpt(body: bytes, secrets: Iterable[str] = ()) -> str:
    """The start of a reply body, decoded leniently and redacted, for an error.

    Redacted before it is cut, over enough of the body that a secret which
    straddles the cut is still whole when it is looked for: a cut secret would
    match nothing and leak its first characters."""
    secrets = tuple(secrets)
    longest = max((len(quote(s, safe="")) for s in secrets), default=0)
    # UTF-8 takes at most 4 octets a character.
    window = (EXCERPT_MAX + longest) * 4
    text = redact(body[:window].decode("utf-8", errors="replace"), secrets)
    if len(text) > EXCERPT_MAX:
        text = text[:EXCERPT_MAX] + "..."
    return text


def parse_send_response(status_code: int, body: bytes, *, secrets: Iterable[str] = ()) -> LinkReply:
    """Read ``resultCode;resultDescription;messageId`` (# LINK guide: Returns).

    The id comes "if successful": for a code that accepted the message the last
    field is the id, so a description may itself hold ';'. For a code that
    refused it everything after the code is the description. For a code the
    guide does not list, a last field without spaces is taken as the id.
    Raises :class:`LinkResponseError` for a non-200 reply or a body of another
    shape, with the status and a redacted excerpt.
    """
    secrets = tuple(secrets)
    if status_code != 200:
        quoted = excerpt(body, secrets)
        raise LinkResponseError(
            f"LINK answered HTTP {status_code}: {quoted!r}",
            status_code=status_code,
            excerpt=quoted,
        )
    text = body.decode("utf-8", errors="replace").strip()
    head, sep, rest = text.partition(";")
    try:
        if not sep:
            raise ValueError("there is no ';' after the result code")
        code = ResultCode.from_text(head)
    except ValueError as exc:
        quoted = excerpt(body, secrets)
        raise LinkResponseError(
            f"LINK reply is not 'resultCode;resultDescription;messageId' ({exc}): {quoted!r}",
            status_code=status_code,
            excerpt=quoted,
        ) from None
    description, message_id = rest, ""
    if rest.endswith(";"):
        description = rest[:-1]
    elif ";" in rest:
        before, _, last = rest.rpartition(";")
        takes_id = (
            reply_outcome(code) is Outcome.ACCEPTED
            if code.is_known
            else bool(last) and not any(c.isspace() for c in last)
        )
        if takes_id:
            description, message_id = before, last
    return LinkReply(code, redact(description.strip(), secrets), message_id.strip() or None)
