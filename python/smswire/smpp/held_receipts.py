"""Receipts that overtook their submit_sm_resp, held a short while for it.

An SMSC may send a receipt before the response that gives its message id
(the two travel apart on some SMSCs), so the receive side holds a receipt it
cannot correlate until the requests sent before it are answered, or until
``receipt_hold`` has passed. It is not acknowledged meanwhile.

The held receipts share one timer, set for the one held longest: a burst of
receipts no response will name (those an SMSC queued while no client ran,
delivered at the next bind) would otherwise keep a timer each until they
fire. Each is held under its correlation key, in the order it came, and
every hold is as long as the next, so the first held is always the first due.
"""

from __future__ import annotations

import asyncio
from collections.abc import KeysView
from typing import Callable

from smswire.smpp.handing import Delivered

__all__ = ["HeldReceipts"]


class HeldReceipts:
    """Receipts held for their response, each under its key; ``expire`` takes
    one whose ``hold`` (seconds) passed with its response still missing."""

    def __init__(self, hold: float, expire: Callable[[Delivered], None]) -> None:
        self._hold = hold
        self._expire = expire
        self._held: dict[str, Delivered] = {}
        self._timer: asyncio.TimerHandle | None = None

    def keys(self) -> KeysView[str]:
        """The keys held under, live: asked on every response and receipt
        whether any receipt is held, which a view answers without a call
        into Python."""
        return self._held.keys()

    def hold(self, key: str, delivered: Delivered) -> Delivered | None:
        """Hold ``delivered`` under ``key``; the receipt held under it before
        (the same receipt delivered again), no longer held, if any."""
        loop = asyncio.get_running_loop()
        previous = self._held.pop(key, None)
        delivered.held_until = loop.time() + self._hold
        self._held[key] = delivered
        if self._timer is None:
            self._timer = loop.call_at(delivered.held_until, self._sweep)
        return previous

    def pop(self, key: str) -> Delivered | None:
        """The receipt held under ``key``, no longer held; None if none is."""
        return self._held.pop(key, None)

    def answered(self) -> list[Delivered]:
        """The receipts whose every possible response has come, no longer held."""
        done = []
        for key, held in list(self._held.items()):
            oldest = held.session.oldest_outstanding()
            if oldest is None or oldest > held.waits_for:
                del self._held[key]
                done.append(held)
        return done

    def take_all(self) -> list[Delivered]:
        """Every held receipt, no longer held."""
        taken = list(self._held.values())
        self._held.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return taken

    def _sweep(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        held = self._held
        while held:
            key = next(iter(held))
            first = held[key]
            if first.held_until > now:
                self._timer = loop.call_at(first.held_until, self._sweep)
                return
            del held[key]
            self._expire(first)
