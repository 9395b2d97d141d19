"""Contract: a closed store says so, from every call, with the error a worker stops on."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Callable

import pytest

from smswire.errors import StoreUnavailable
from smswire.message import Outcome
from smswire.outbox import AcceptedPart, Claim, OutboxStore, Settled, Via

from ..support import ROUTE, message, smpp_receipt

CLAIM = Claim("k", ROUTE, message(1), "w1", 1)

CALLS: dict[str, Callable[[OutboxStore], Awaitable[object]]] = {
    "put": lambda s: s.put(ROUTE, [("k", message(1))]),
    "claim": lambda s: s.claim(ROUTE, "w1", 1, 1.0),
    "extend": lambda s: s.extend([CLAIM], 1.0),
    "release": lambda s: s.release([CLAIM]),
    "mark_writing": lambda s: s.mark_writing([CLAIM]),
    "record": lambda s: s.record(
        Via.SMPP, [AcceptedPart(CLAIM, 0, "x")], [Settled(CLAIM, Outcome.ACCEPTED)]
    ),
    "record_inbound": lambda s: s.record_inbound(ROUTE, [smpp_receipt("x")]),
    "status": lambda s: s.status("k"),
    "pending": lambda s: s.pending(ROUTE),
    "read_events": lambda s: s.read_events("c", None, 1, 0.0),
    "ack_events": lambda s: s.ack_events("c", "1"),
    "expire": lambda s: s.expire(),
}


@pytest.mark.parametrize("call", sorted(CALLS))
async def test_every_call_on_a_closed_store_raises_store_unavailable(
    store: OutboxStore, call: str
) -> None:
    await store.close()
    with pytest.raises(StoreUnavailable, match="closed") as caught:
        await CALLS[call](store)
    assert caught.value.operation


async def test_closing_twice_is_harmless(store: OutboxStore) -> None:
    await store.close()
    await store.close()
