"""Which message a delivery receipt belongs to, by the id the SMSC gave it.

SMPP 3.4 leaves a message id's form to the SMSC, and some quote it in the
receipt in another base than the submit_sm_resp gave, or padded with zeros
(:func:`~smswire.smpp.receipts.message_id_keys`). The table keeps one key per
id, the id without its padding, and finds a receipt's id under any of its
forms, reading an id of digits as hexadecimal too (an SMSC that answered
``16`` in decimal may quote ``10``, its hex form, in the receipt).

It keeps only what correlation needs: the key, and a weak reference to the
:class:`~smswire.message.Message`, so the table never keeps a message alive;
a receipt names its message while the application still holds it (its
:class:`~smswire.message.SendResult`). An id is forgotten once the
application has taken its final receipt, and the oldest go beyond :data:`RECEIPT_CORRELATION_LIMIT`
ids: about 250 bytes each, some 50 MB at the bound. A receipt whose id is no
longer known still carries its ``message_id``, for the caller (or the outbox,
which correlates in its store for days) to match.
"""

from __future__ import annotations

import collections
import weakref

from smswire.message import Message
from smswire.smpp.receipts import message_id_keys

__all__ = ["RECEIPT_CORRELATION_LIMIT", "Correlation", "correlation_key", "receipt_keys"]

# How many message ids (parts) the client remembers for correlating receipts.
RECEIPT_CORRELATION_LIMIT = 200_000
# The most hex digits read as a 64-bit id (as message_id_keys does).
_MAX_HEX_ID = 16


def correlation_key(message_id: str) -> str:
    """The one form an id is kept under: trimmed, ASCII-lowered, unpadded."""
    normal = message_id_keys(message_id)[0]
    return (normal.lstrip("0") or "0") if normal else ""


def receipt_keys(message_id: str) -> tuple[str, ...]:
    """Every key a receipt's id may have been kept under."""
    keys = message_id_keys(message_id)
    unpadded = correlation_key(message_id)
    if unpadded.isascii() and unpadded.isdigit() and len(unpadded) <= _MAX_HEX_ID:
        as_hex = str(int(unpadded, 16))
        if as_hex not in keys:
            keys += (as_hex,)
    return keys


class Correlation:
    """Message ids and the messages they name, bounded, oldest forgotten first."""

    def __init__(self, limit: int = RECEIPT_CORRELATION_LIMIT) -> None:
        self._limit = limit
        self._messages: collections.OrderedDict[str, weakref.ReferenceType[Message]] = (
            collections.OrderedDict()
        )

    def __len__(self) -> int:
        return len(self._messages)

    def remember(self, message_id: str, message: Message) -> str:
        """Keep ``message_id`` for ``message``; returns its key."""
        key = correlation_key(message_id)
        messages = self._messages
        messages[key] = weakref.ref(message)
        if len(messages) > self._limit:
            messages.popitem(last=False)
        return key

    def find(self, message_id: str) -> tuple[str, Message | None] | None:
        """The key a receipt's id was kept under, and its message if the
        application still holds it; None for an id not known."""
        messages = self._messages
        # Most SMSCs quote the id as they gave it: its own key finds it.
        key = correlation_key(message_id)
        reference = messages.get(key)
        if reference is not None:
            return key, reference()
        for key in receipt_keys(message_id):
            reference = messages.get(key)
            if reference is not None:
                return key, reference()
        return None

    def forget(self, key: str) -> None:
        """Its final receipt has been taken: no more are due."""
        self._messages.pop(key, None)
