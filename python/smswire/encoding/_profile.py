"""Profiles: how many units a message may take, per part and in all.

A profile is plain data read by both backends. The per-part capacity itself is
not stored here: it follows from the 140-octet TP-User-Data and the octets the
UDH takes (see ``part_capacity`` in either backend); a profile can only lower it.
"""

from __future__ import annotations

from dataclasses import dataclass

from smswire.errors import ConfigurationError

__all__ = ["LINK_MOBILITY", "MAX_PARTS", "STANDARD", "Profile"]

# 3GPP TS 23.040 §9.2.3.24.1: the part count and sequence number are one octet.
MAX_PARTS = 255


@dataclass(frozen=True)
class Profile:
    """Limits a destination puts on a message.

    ``max_parts`` caps the number of parts; ``gsm7_limit`` / ``ucs2_limit`` cap
    the septets (extension characters counting 2) or UTF-16 units in all
    (``None``: ``max_parts`` full parts); ``gsm7_part_cap`` / ``ucs2_part_cap``
    cap a concatenated part below what its UDH leaves (``None``: no cap).
    """

    name: str
    max_parts: int = MAX_PARTS
    gsm7_limit: int | None = None
    ucs2_limit: int | None = None
    gsm7_part_cap: int | None = None
    ucs2_part_cap: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.max_parts <= MAX_PARTS:
            raise ConfigurationError(
                f"Profile.max_parts must be 1..{MAX_PARTS}, got {self.max_parts}"
            )
        for field in ("gsm7_limit", "ucs2_limit", "gsm7_part_cap", "ucs2_part_cap"):
            value = getattr(self, field)
            if value is not None and value < 1:
                raise ConfigurationError(f"Profile.{field} must be positive, got {value}")


STANDARD = Profile("standard")

# LINK guide: Userdata. "GSM default alphabet encoded messages has a maximum
# length of 1377 bytes ... 153 non-extended characters for GSM7 if the message
# is concatenated"; "UCS2 encoded messages has a maximum length of 567
# characters ... 63 characters if the message is concatenated". The guide's
# UCS2 "characters" are counted here as UTF-16 units, as they travel.
LINK_MOBILITY = Profile(
    "link_mobility",
    gsm7_limit=1377,
    ucs2_limit=567,
    gsm7_part_cap=153,
    ucs2_part_cap=63,
)
