"""The demo's sample batch: messages that exercise every path of an SMS stack.

Plain GSM 7-bit text, text with extension-table characters (two septets
each), UCS2 text in several scripts, emoji outside the Basic Multilingual
Plane (surrogate pairs), long messages that need concatenation, and flash
(class 0) messages, in a fixed, reproducible mix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import cycle, islice

__all__ = ["SampleMessage", "sample_batch"]

_SHORT_GSM = (
    "Your code is 482913. It expires in 10 minutes.",
    "Hi Ola, your parcel is ready for pick-up at Storgata 12 until Friday.",
    "Reminder: dentist appointment tomorrow at 09:30. Reply STOP to opt out.",
    "Paid: 249.00 NOK to Kiwi Grünerløkka. Balance 1 204.50 NOK.",
    "Ça va? Åpent til kl. 21 i dag @ Møllergata!",
)
_EXTENSION = (
    "Total: €12.50 [incl. VAT] ~ see {terms} at example.com/tos",
    "Use the pipe | and the caret ^ and a backslash \\ in your password hint.",
    "Price per unit: €4; bulk {1000+}: €3.20 | contact sales",
)
_UCS2 = (
    "Привет! Ваш заказ №4821 отправлен.",
    "您的验证码是 482913，10分钟内有效。",
    "مرحبا، تم تأكيد حجزك ليوم الجمعة.",
    "Merhaba, siparişiniz yola çıktı.",
    "Γεια σας! Το ραντεβού σας είναι αύριο.",
)
_EMOJI = (
    "Happy birthday! 🎉🎂 Enjoy your day 🥳",
    "Your order is on its way 🚚💨 ETA 14:00",
    "Family dinner tonight 👨‍👩‍👧‍👦 at 19:00 🇳🇴",
)
_LONG_GSM = (
    "Dear customer, this is a long notice about the planned maintenance of our network "
    "on Saturday night between 01:00 and 05:00. During this window some services may be "
    "unavailable for a few minutes at a time. We apologise for the inconvenience and thank "
    "you for your patience. For details and updates, see our status page or call support "
    "at 815 00 000, open every day from 08:00 to 22:00. Best regards, the operations team."
)
_LONG_UCS2 = (
    "Уважаемый клиент! Сообщаем о плановых работах в ночь на субботу с 01:00 до 05:00. "
    "В это время некоторые услуги могут быть недоступны. Приносим извинения за "
    "неудобства и благодарим за терпение. Подробности на нашем сайте. 🙏"
)
_FLASH = (
    "ALERT: severe weather warning for your area tonight. Stay indoors.",
    "Your one-time login code: 771204",
)


@dataclass(frozen=True)
class SampleMessage:
    """One message of the sample batch."""

    destination: str
    text: str
    kind: str
    flash: bool = False


def _kinds() -> list[tuple[str, str, bool]]:
    # Weighted like real traffic: mostly short GSM text, a tail of the rest.
    mix: list[tuple[str, str, bool]] = []
    mix += [("gsm7", text, False) for text in _SHORT_GSM] * 4
    mix += [("extension", text, False) for text in _EXTENSION] * 2
    mix += [("ucs2", text, False) for text in _UCS2] * 2
    mix += [("emoji", text, False) for text in _EMOJI]
    mix += [("long-gsm7", _LONG_GSM, False), ("long-ucs2", _LONG_UCS2, False)]
    mix += [("flash", text, True) for text in _FLASH]
    return mix


def sample_batch(count: int = 300) -> list[SampleMessage]:
    """``count`` messages to distinct Norwegian mobile numbers, in a fixed order."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    order = _kinds()
    # A fixed shuffle, so every kind shows up early even in a short batch and
    # every run sends the same batch.
    random.Random(2026).shuffle(order)
    return [
        SampleMessage(f"+47469{10000 + i:05d}", text, kind, flash)
        for i, (kind, text, flash) in enumerate(islice(cycle(order), count))
    ]
