"""The records: one word for where a message stands, one for what an event says."""

from __future__ import annotations

import pytest

from smswire.message import Outcome, SendResult
from smswire.outbox import Claim, DeliveryState, Event, EventKind, MessageStatus, Settled
from smswire.pdu import CommandStatus

from .support import ROUTE, message


def status(**changes: object) -> MessageStatus:
    fields: dict[str, object] = {
        "key": "k",
        "route": ROUTE,
        "message": message(1),
        "put_at": 1.0,
        "attempts": 0,
        "claimed_by": None,
        "claimed_at": None,
        "marked_at": None,
        "possibly_written": False,
        "outcome": None,
        "status": None,
        "error": None,
        "part_count": 0,
        "settled_attempt": None,
        "settled_at": None,
        "delivery": None,
        "delivered_at": None,
        "billed": None,
        "parts": (),
        "receipts": (),
    }
    fields.update(changes)
    return MessageStatus(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({}, "queued"),
        ({"claimed_by": "w1", "attempts": 1}, "claimed"),
        ({"claimed_by": "w1", "attempts": 1, "marked_at": 2.0}, "writing"),
        ({"outcome": Outcome.REJECTED}, "rejected"),
        ({"outcome": Outcome.UNKNOWN}, "unknown"),
        ({"outcome": Outcome.ACCEPTED, "delivery": DeliveryState.PENDING}, "accepted"),
        ({"outcome": Outcome.ACCEPTED, "delivery": DeliveryState.EXPIRED}, "expired"),
    ],
)
def test_a_status_says_in_one_word_where_the_message_stands(
    changes: dict[str, object], state: str
) -> None:
    assert status(**changes).state == state


def test_an_event_names_what_changed() -> None:
    assert Event("1", EventKind.OUTCOME, 1.0, ROUTE, "k", outcome=Outcome.NOT_SENT).name == (
        "not_sent"
    )
    delivered = Event("2", EventKind.DELIVERY, 1.0, ROUTE, "k", delivery=DeliveryState.DELIVERED)
    assert delivered.name == "delivered"
    assert Event("3", EventKind.MOBILE_ORIGINATED, 1.0, ROUTE).name == "mobile_originated"


def test_settled_takes_a_clients_send_result() -> None:
    claim = Claim("k", ROUTE, message(1), "w1", 1)
    result = SendResult(message(1), Outcome.REJECTED, (), CommandStatus.ESME_RINVDSTADR, "bad", 2)
    assert Settled.of(claim, result) == Settled(
        claim, Outcome.REJECTED, CommandStatus.ESME_RINVDSTADR, "bad", 2
    )
    assert DeliveryState.DELIVERED.final and not DeliveryState.PENDING.final
