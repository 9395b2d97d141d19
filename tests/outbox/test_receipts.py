"""Reading receipts for the outbox: the keys they match by, and the states they give."""

from __future__ import annotations

import pytest

from smswire.link.codes import ResultCode
from smswire.outbox import DeliveryState, Via
from smswire.outbox.receipts import (
    combine_part,
    message_billed,
    message_state,
    part_key,
    receipt_billed,
    receipt_keys,
    receipt_message_id,
    receipt_state,
)
from smswire.smpp.receipts import ReceiptState, message_id_keys

from .support import link_report, smpp_receipt

D, P, U, E = (
    DeliveryState.DELIVERED,
    DeliveryState.PENDING,
    DeliveryState.UNDELIVERABLE,
    DeliveryState.EXPIRED,
)


def test_an_smpp_part_is_kept_under_its_id_lower_cased_without_leading_zeros() -> None:
    assert part_key(Via.SMPP, "0A1B", 3) == "a1b"
    assert part_key(Via.SMPP, "000", 0) == "0"


def test_a_link_part_is_kept_under_its_numbered_id() -> None:
    # LINK guide: Delivery Reports, "{id}${n}" for part n of a multipart message.
    assert part_key(Via.LINK, "abc123", 0) == "abc123$0"
    assert part_key(Via.LINK, "abc123", 2) == "abc123$2"


@pytest.mark.parametrize(
    ("submitted", "quoted"),
    [("0A1B", "2587"), ("2587", "a1b"), ("2587", "0A1B"), ("00042", "42"), ("42", "0042")],
)
def test_a_receipt_looks_up_every_form_an_smsc_may_quote(submitted: str, quoted: str) -> None:
    assert part_key(Via.SMPP, submitted, 0) in receipt_keys(smpp_receipt(quoted))


def test_receipts_look_up_their_own_form_first() -> None:
    assert message_id_keys("2587") == ("2587", "a1b")
    assert receipt_keys(smpp_receipt("2587")) == ("2587", "a1b")
    assert receipt_keys(smpp_receipt("0A1B")) == ("a1b", "2587")
    # A single-part LINK message's report names the bare id: it is part 0.
    assert receipt_keys(link_report("abc", ResultCode.SENT)) == ("abc$0",)
    assert receipt_keys(link_report("abc", ResultCode.SENT, part=1)) == ("abc$1",)
    assert receipt_message_id(link_report("abc", ResultCode.SENT, part=1)) == "abc$1"
    assert receipt_message_id(smpp_receipt("0A1B")) == "0A1B"


@pytest.mark.parametrize(
    ("stat", "state"),
    [
        ("ENROUTE", P),
        ("ACCEPTD", P),
        ("DELIVRD", D),
        ("EXPIRED", E),
        ("DELETED", DeliveryState.DELETED),
        ("UNDELIV", U),
        ("REJECTD", DeliveryState.REJECTED),
        ("UNKNOWN", DeliveryState.UNKNOWN),
    ],
)
def test_an_smpp_receipt_gives_its_part_the_state_it_says(stat: str, state: DeliveryState) -> None:
    receipt = smpp_receipt("1", stat)
    assert receipt.state is ReceiptState(stat)
    assert receipt_state(receipt) is state
    assert receipt_billed(receipt) is None


@pytest.mark.parametrize("code", list(ResultCode), ids=lambda code: code.name)
def test_every_link_result_code_gives_a_state(code: ResultCode) -> None:
    state = receipt_state(link_report("x", code))
    if code.delivered:
        assert state is D
    elif code.is_final is False:
        assert state is P
    elif code in (ResultCode.EXPIRED, ResultCode.EXPIRED_BY_LINK):
        assert state is E
    elif code is ResultCode.DELETED:
        assert state is DeliveryState.DELETED
    elif code.delivered is None:
        assert state is DeliveryState.UNKNOWN
    else:
        assert state is U
    assert receipt_billed(link_report("x", code)) is code.billed


def test_a_link_code_the_guide_does_not_list_is_unknown() -> None:
    assert receipt_state(link_report("x", ResultCode(7777))) is DeliveryState.UNKNOWN
    assert receipt_billed(link_report("x", ResultCode(7777))) is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ((P, None), (D, None), (D, None)),
        ((D, None), (P, None), (D, None)),  # a late intermediate receipt
        ((D, None), (U, None), (D, None)),  # the first final state stands
        ((P, None), (P, True), (P, True)),  # LINK: billed before delivered
        ((D, True), (D, False), (D, True)),  # billed stays billed
        ((P, False), (D, True), (D, True)),
        ((D, False), (D, None), (D, False)),
    ],
)
def test_a_part_after_one_more_receipt(
    old: tuple[DeliveryState, bool | None],
    new: tuple[DeliveryState, bool | None],
    expected: tuple[DeliveryState, bool | None],
) -> None:
    assert combine_part(old, new) == expected


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([], P),
        ([D], D),
        ([D, P], P),
        ([D, D, D], D),
        ([D, U], DeliveryState.PARTIALLY_DELIVERED),
        ([E, E], E),
        ([E, U], U),
        ([U, P], P),
        ([DeliveryState.REJECTED], DeliveryState.REJECTED),
        ([DeliveryState.UNKNOWN, DeliveryState.UNKNOWN], DeliveryState.UNKNOWN),
    ],
)
def test_a_message_takes_its_state_from_all_its_parts(
    states: list[DeliveryState], expected: DeliveryState
) -> None:
    assert message_state(states) is expected


@pytest.mark.parametrize(
    ("billed", "expected"),
    [([], None), ([True, False], True), ([False, False], False), ([False, None], None)],
)
def test_a_message_is_billed_when_any_part_was(
    billed: list[bool | None], expected: bool | None
) -> None:
    assert message_billed(billed) is expected
