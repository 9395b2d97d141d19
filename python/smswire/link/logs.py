"""The password out of every log a LINK request passes through.

The password travels in the query string (# LINK guide: How to send SMS), and
more than one library logs what carries it: ``httpx`` logs each request's URL
at INFO, httpcore logs, at DEBUG, every response's headers (where a server
that echoes the URL, a ``Location`` on a redirect, puts the query back), and
aiohttp's loggers and asyncio's report what they could not handle. A
filter on a logger sees only the records that logger makes, not those of its
children, so one is attached to each logger a request passes through.

Besides any ``Password=`` value, the filter removes every password a live
client registered (raw or URL-encoded), wherever a log line holds it.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

from smswire.link.replies import redact

__all__ = ["REQUEST_LOGGERS", "forget_secret", "install_redaction", "watch_secret"]

# Every logger of httpx and httpcore (as of httpx 0.28, httpcore 1.0), of
# aiohttp (aiohttp/log.py, 3.x; its client's request path logs to "aiohttp.client"
# and "aiohttp.internal") and ours. httpcore's are per module; any other
# "httpcore.*" or "aiohttp.*" logger that exists when this runs gets the filter too.
REQUEST_LOGGERS = (
    "aiohttp",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.websocket",
    # The loop's exception handler: what was left unclosed, by its repr (an
    # aiohttp response's holds its URL).
    "asyncio",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "smswire.link",
)

_secrets: Counter[str] = Counter()
_lock = threading.Lock()


def watch_secret(secret: str) -> None:
    """Redact ``secret`` from every request logger until :func:`forget_secret`."""
    if secret:
        with _lock:
            _secrets[secret] += 1


def forget_secret(secret: str) -> None:
    """One fewer client holds ``secret``; the last one takes it off the list."""
    with _lock:
        if _secrets[secret] > 1:
            _secrets[secret] -= 1
        else:
            _secrets.pop(secret, None)


class RedactingFilter(logging.Filter):
    """Rewrites a record whose text holds a password; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        with _lock:
            secrets = tuple(_secrets)
        redacted = redact(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_redaction() -> None:
    """Attach the filter to every request logger (once each)."""
    names = set(REQUEST_LOGGERS)
    names.update(
        name
        for name in logging.Logger.manager.loggerDict
        if name.startswith(("httpcore.", "aiohttp."))
    )
    for name in sorted(names):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
