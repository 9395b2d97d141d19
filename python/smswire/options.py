"""Durations and limits as option objects with named defaults, shared by both ways out.

As httpx's ``Timeout`` and ``Limits``: each client takes a :class:`Timeouts`, a
:class:`Limits` and a :class:`Backoff`; a field means the same thing for SMPP and
LINK wherever both use it, and says which way out it belongs to where only one does.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from smswire.errors import ConfigurationError

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUTS",
    "Backoff",
    "Limits",
    "Timeouts",
]

# SMPP 3.4 §7.2 leaves the timers to implementations; these are the common values.
DEFAULT_RESPONSE_TIMEOUT = 30.0
DEFAULT_ENQUIRE_LINK_INTERVAL = 30.0
# Connecting (TCP and TLS) is quick or broken.
DEFAULT_CONNECT_TIMEOUT = 10.0
# SMPP 3.4 §2.7 leaves the window to the peers; SMSCs commonly allow 10 to a few
# hundred, and 64 keeps a TLS link of 50 ms round trip busy at over 1,000 submit_sm/s.
DEFAULT_WINDOW = 64


def _positive(name: str, value: float | None, *, allow_none: bool = True) -> None:
    if value is None:
        if not allow_none:
            raise ConfigurationError(f"{name} must be a number of seconds, not None")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{name} must be a number, not {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(f"{name} must be a positive finite number, not {value!r}")


@dataclass(frozen=True)
class Timeouts:
    """How long to wait, in seconds.

    ``connect``: TCP and TLS set-up. ``response``: one request's answer (an SMPP
    response PDU; the LINK reply once the request is written). ``total``: one
    whole LINK exchange, however slowly the server trickles (None: no cap).
    ``close``: how long closing waits for what is queued and in flight.
    ``enquire_link`` (SMPP): keep-alive after that long without traffic (None:
    off). ``receipt_hold`` (SMPP): how long a receipt that overtook its
    submit_sm_resp waits to be correlated.
    """

    connect: float = DEFAULT_CONNECT_TIMEOUT
    response: float = DEFAULT_RESPONSE_TIMEOUT
    total: float | None = 60.0
    close: float = 10.0
    enquire_link: float | None = DEFAULT_ENQUIRE_LINK_INTERVAL
    receipt_hold: float = 5.0

    def __post_init__(self) -> None:
        for name in ("connect", "response", "close", "receipt_hold"):
            _positive(name, getattr(self, name), allow_none=False)
        _positive("total", self.total)
        _positive("enquire_link", self.enquire_link)


@dataclass(frozen=True)
class Limits:
    """How much at once, and how fast.

    ``window``: requests awaiting an answer at once (SMPP submit_sm awaiting
    submit_sm_resp; LINK requests in flight, one pooled connection each).
    ``rate``: requests per second to the provider (SMPP submit_sm, one per part;
    LINK POSTs), held from the very first second; ``burst`` lets that many go at
    once after a pause (1: evenly spaced). ``retries``: how often one message
    (for SMPP, one part) is tried again after the provider provably did not
    take it (ESME_RTHROTTLED included) or, under SMPP's at-least-once
    delivery, resubmitted after its response was lost; then it ends.
    """

    window: int = DEFAULT_WINDOW
    rate: float | None = None
    burst: int = 1
    retries: int = 10

    def __post_init__(self) -> None:
        for name in ("window", "burst"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{name} must be an integer of at least 1, not {value!r}")
        if isinstance(self.retries, bool) or not isinstance(self.retries, int) or self.retries < 0:
            raise ConfigurationError(
                f"retries must be an integer of 0 or more, not {self.retries!r}"
            )
        _positive("rate", self.rate)


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off with jitter, for reconnects and retried requests.

    The n-th retry (from 0) waits ``min(maximum, initial * multiplier**n)``
    less a random share of up to ``jitter`` of it, so clients that lost the
    same provider do not come back in step. ``reset_after``: a connection
    counts as healthy, and the reconnect back-off starts again from
    ``initial``, only after answers have flowed on it for that long.
    """

    initial: float = 0.5
    maximum: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.5
    reset_after: float = 30.0

    def __post_init__(self) -> None:
        for name in ("initial", "maximum", "reset_after"):
            _positive(name, getattr(self, name), allow_none=False)
        if not (math.isfinite(self.multiplier) and self.multiplier >= 1.0):
            raise ConfigurationError(f"multiplier must be at least 1, not {self.multiplier!r}")
        if not 0.0 <= self.jitter <= 1.0:
            raise ConfigurationError(f"jitter must be from 0 to 1, not {self.jitter!r}")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        base = min(self.maximum, self.initial * self.multiplier ** min(attempt, 64))
        return base * (1.0 - self.jitter * (rng or random).random())


DEFAULT_TIMEOUTS = Timeouts()
DEFAULT_LIMITS = Limits()
DEFAULT_BACKOFF = Backoff()
