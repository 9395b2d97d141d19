"""What the simulator copies from inMobile's SMSC, as its SMPP notes describe it
(each rule quoted where it is used).

Message ids are UUIDs, source_addr keeps 15 characters, receipts follow its
documented text, and a restart refuses submits, unbinds, disconnects and
refuses binds for about two seconds.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone

__all__ = [
    "DEFAULT_RESTART_DOWNTIME",
    "MESSAGE_ID_LENGTH",
    "SMSC_SYSTEM_ID",
    "SOURCE_ADDR_KEPT",
    "MessageIds",
    "kept_source",
    "receipt_text",
]

# inMobile: "The source_addr parameter has a max length of 15 characters. If
# the source_addr parameter is any longer, anything after the 15th character,
# will be discarded."
SOURCE_ADDR_KEPT = 15
# inMobile: "A typical restart of an SMPP server takes 2 seconds".
DEFAULT_RESTART_DOWNTIME = 2.0
# A UUID's text: 32 hex digits and 4 hyphens.
MESSAGE_ID_LENGTH = 36
# The system_id the simulator answers binds with.
SMSC_SYSTEM_ID = "smswire-sim"
# The bits of a UUID that say version 4 and the RFC 4122 variant.
_UUID_VERSION_4 = 0x4000
_UUID_VARIANT = 0x8000
_FIRST_COUNT = 10**11


def kept_source(source_addr: str) -> str:
    """The source_addr as inMobile keeps it: the first 15 characters."""
    return source_addr[:SOURCE_ADDR_KEPT]


class MessageIds:
    """inMobile's message ids are UUIDs; these are, too, without a random draw each.

    The first 80 bits are drawn once per simulator (version and variant bits
    set as in a random UUID); the last group is a 12-digit decimal count, its
    digits being hex digits too. Ids are unique within a run, practically
    unique across runs, and cost one concatenation each.
    """

    __slots__ = ("_count", "_prefix")

    def __init__(self) -> None:
        head = int.from_bytes(os.urandom(10), "big")
        time_low, time_mid = head >> 48, (head >> 32) & 0xFFFF
        version = (head >> 16) & 0x0FFF | _UUID_VERSION_4
        variant = head & 0x3FFF | _UUID_VARIANT
        self._prefix = f"{time_low:08x}-{time_mid:04x}-{version:04x}-{variant:04x}-"
        # Twelve digits from the first id to the 9 * 10**11th.
        self._count = _FIRST_COUNT

    def next(self) -> str:
        self._count += 1
        return self._prefix + str(self._count)


def receipt_text(message_id: str, state: str) -> str:
    """inMobile's receipt: ``id:… sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:…
    stat:DELIVRD err:000``, err being the absolute value of its status code."""
    now = _RECEIPT_CLOCK.now()
    delivered = "001" if state == "DELIVRD" else "000"
    return (
        f"id:{message_id} sub:001 dlvrd:{delivered} submit date:{now} done date:{now} "
        f"stat:{state} err:000"
    )


class _ReceiptClock:
    """The UTC time as receipts give it, YYMMDDhhmm: formatted once a minute, not
    once a receipt (strftime costs more than the rest of a receipt's text)."""

    def __init__(self) -> None:
        self._minute = -1
        self._stamp = ""

    def now(self) -> str:
        minute = int(time.time()) // 60
        if minute != self._minute:
            at = datetime.fromtimestamp(minute * 60, timezone.utc)
            self._minute, self._stamp = minute, at.strftime("%y%m%d%H%M")
        return self._stamp


_RECEIPT_CLOCK = _ReceiptClock()
