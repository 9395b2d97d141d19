"""What the receive sides of several clients share: the binds of a pool.

A receipt may come on another bind than the one its message was submitted
on, so the binds of one account keep one
:class:`~smswire.smpp.correlation.Correlation` table, and their receipts and
mobile-originated messages come out of one pair of
:class:`~smswire.smpp.inbox.Inbox` es. Each item there carries the
acknowledgement of the bind it came on, which answers on that bind alone; an
item whose bind's connection closed before it was taken is skipped (the SMSC
delivers it again). The clients never end the inboxes: their owner does,
once every bind has closed.
"""

from __future__ import annotations

from smswire.smpp.correlation import RECEIPT_CORRELATION_LIMIT, Correlation
from smswire.smpp.inbox import Inbox
from smswire.smpp.receipts import DeliveryReceipt
from smswire.smpp.userdata import MobileOriginated

__all__ = ["SharedReceiving"]


class SharedReceiving:
    """One correlation table and one inbox each for receipts and messages.

    ``correlation_limit``: how many message ids are kept (0: none, for an
    application that correlates receipts itself).
    """

    def __init__(self, correlation_limit: int = RECEIPT_CORRELATION_LIMIT) -> None:
        self.correlation_limit = correlation_limit
        self.correlation = Correlation(correlation_limit)
        self.receipts: Inbox[DeliveryReceipt] = Inbox("the receipt inbox")
        self.messages: Inbox[MobileOriginated] = Inbox("the message inbox")

    def end(self) -> None:
        """No more items: what waits is refused (delivered again later), and
        the iterations end."""
        self.receipts.end()
        self.messages.end()
