"""Reading receipts for the outbox: whom they name, and what they say.

Pure functions both stores share, so a receipt correlates and reads the same
whichever store holds it:

- the key under which an accepted part can be found again (:func:`part_key`)
  and the keys a receipt looks it up by (:func:`receipt_keys`);
- the state a receipt gives its part (:func:`receipt_state`), whether it says
  the part was billed (:func:`receipt_billed`), and the state a message's
  parts give the message (:func:`message_state`, :func:`message_billed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from smswire.link.codes import ResultCode
from smswire.link.reports import PART_SEPARATOR, DeliveryReport
from smswire.outbox.records import DeliveryState, Receipt, Via
from smswire.smpp.receipts import DeliveryReceipt, ReceiptState, message_id_keys

__all__ = [
    "combine_part",
    "message_billed",
    "message_state",
    "part_key",
    "receipt_billed",
    "receipt_keys",
    "receipt_message_id",
    "receipt_state",
]

# SMPP 3.4 §5.2.28 and Appendix B: the receipt states, as delivery states.
_SMPP_STATES = {
    ReceiptState.ENROUTE: DeliveryState.PENDING,
    ReceiptState.ACCEPTED: DeliveryState.PENDING,
    ReceiptState.DELIVERED: DeliveryState.DELIVERED,
    ReceiptState.EXPIRED: DeliveryState.EXPIRED,
    ReceiptState.DELETED: DeliveryState.DELETED,
    ReceiptState.UNDELIVERABLE: DeliveryState.UNDELIVERABLE,
    ReceiptState.REJECTED: DeliveryState.REJECTED,
    ReceiptState.UNKNOWN: DeliveryState.UNKNOWN,
}
# LINK guide: Result Codes, the final codes whose name says more than "not delivered".
_LINK_STATES = {
    ResultCode.EXPIRED: DeliveryState.EXPIRED,
    ResultCode.EXPIRED_BY_LINK: DeliveryState.EXPIRED,
    ResultCode.DELETED: DeliveryState.DELETED,
}


def _canonical(form: str) -> str:
    # Stored with every part: it must never change, or stored ids stop matching.
    return form.strip().lower().lstrip("0") or "0"


def part_key(via: Via, message_id: str, index: int) -> str:
    """The one key part ``index`` of ``message_id`` is found again by.

    SMPP: the id lower-cased, without leading zeros; a receipt looks it up by
    every form its own id may take (:func:`receipt_keys`), which covers an
    SMSC quoting it in decimal, hex, zero-padded or another case. LINK:
    ``{id}${n}`` (# LINK guide: Delivery Reports).
    """
    if via is Via.SMPP:
        return _canonical(message_id)
    return f"{message_id}{PART_SEPARATOR}{index}"


def receipt_keys(receipt: Receipt) -> tuple[str, ...]:
    """The keys ``receipt`` looks its part up by, most exact first.

    SMPP: every form :func:`~smswire.smpp.receipts.message_id_keys` gives
    (SMSCs quote an id in decimal, hex or zero-padded), as :func:`part_key`
    writes them. LINK: ``{id}${n}``, with n 0 for a single-part message's
    report (the guide gives it the bare id).
    """
    if isinstance(receipt, DeliveryReceipt):
        forms = message_id_keys(receipt.message_id)
        return tuple(dict.fromkeys(_canonical(form) for form in forms))
    return (f"{receipt.message_id}{PART_SEPARATOR}{receipt.part or 0}",)


def receipt_message_id(receipt: Receipt) -> str:
    """The id the receipt names, as it came (LINK: with its ``$n``)."""
    if isinstance(receipt, DeliveryReceipt):
        return receipt.message_id
    return receipt.id


def receipt_state(receipt: Receipt) -> DeliveryState:
    """What ``receipt`` says about its part."""
    if isinstance(receipt, DeliveryReceipt):
        return _SMPP_STATES[receipt.state]
    return _link_state(receipt)


def _link_state(report: DeliveryReport) -> DeliveryState:
    code = report.result_code
    if code.delivered:
        # "Delivered, Billed delayed" is not final for billing, but delivered it is.
        return DeliveryState.DELIVERED
    if code.is_final is False:
        return DeliveryState.PENDING
    if code in _LINK_STATES:
        return _LINK_STATES[code]
    if code.is_final is None or code.delivered is None:
        # A code the guide does not list, or one it calls UNKNOWN (Timeout, ...).
        return DeliveryState.UNKNOWN
    return DeliveryState.UNDELIVERABLE


def receipt_billed(receipt: Receipt) -> bool | None:
    """LINK: whether the report says the part was billed (None: it does not say).
    SMPP receipts say nothing of billing."""
    if isinstance(receipt, DeliveryReport):
        return receipt.result_code.billed
    return None


def combine_part(
    old: tuple[DeliveryState, bool | None], new: tuple[DeliveryState, bool | None]
) -> tuple[DeliveryState, bool | None]:
    """A part's (state, billed) after a receipt that says ``new``: the first
    final state stands (a late intermediate receipt does not undo it), and
    billing, once said to have happened, stays said."""
    old_state, old_billed = old
    new_state, new_billed = new
    state = old_state if old_state.final else new_state
    billed = old_billed if new_billed is None or old_billed is True else new_billed
    return state, billed


def message_state(states: Sequence[DeliveryState]) -> DeliveryState:
    """The state of a message whose parts (all of them, in order) are in ``states``."""
    # Once per message settled: compared by identity, not through .final.
    if not states or DeliveryState.PENDING in states:
        return DeliveryState.PENDING
    delivered = states.count(DeliveryState.DELIVERED)
    if delivered == len(states):
        return DeliveryState.DELIVERED
    if delivered:
        return DeliveryState.PARTIALLY_DELIVERED
    first = states[0]
    return first if all(state is first for state in states) else DeliveryState.UNDELIVERABLE


def message_billed(billed: Iterable[bool | None]) -> bool | None:
    """True when any part was billed, False when every part was said not to be,
    None otherwise."""
    seen = set(billed)
    if True in seen:
        return True
    if seen == {False}:
        return False
    return None
