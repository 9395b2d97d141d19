"""Bind pools: several binds to one SMSC account under one account-wide cap.

:class:`AsyncSmppPool` is used where one :class:`~smswire.smpp.AsyncSmppClient`
would be (``send``, ``send_message``, ``send_many``, ``receipts``, ``close``).
Its parts: :mod:`.account` (the cap, held against the SMSC's own count),
:mod:`.binds` (one bind, replaced when it dies), :mod:`.dispatch` (messages
spread across the binds), :mod:`.hooks` (what it tells an application, and its
numbers now), :mod:`.metrics` (Prometheus, the ``metrics`` extra; imported
only when used).
"""

from __future__ import annotations

from smswire.smpp.pool.account import AccountGate
from smswire.smpp.pool.binds import BindSlot
from smswire.smpp.pool.hooks import BindState, PoolHooks, PoolState
from smswire.smpp.pool.pool import AsyncSmppPool

__all__ = ["AccountGate", "AsyncSmppPool", "BindSlot", "BindState", "PoolHooks", "PoolState"]
