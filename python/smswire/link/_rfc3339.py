"""RFC 3339 date-times, as LINK's reports carry them (# LINK guide:
sentTimestamp, timestamp, "UTC time formatted according to RFC3339").

Reading is on every report's path, so it is one regular expression and the
datetime constructor, with the offset's timezone made once per offset.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache

__all__ = ["format_rfc3339", "read_rfc3339"]

# RFC 3339 §5.6 date-time (§5.6 NOTE: a space may stand for "T"); its DIGIT is
# ASCII (RFC 5234 Appendix B.1), so the classes are spelled out, not \d.
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))?"
)
# RFC 3339 §5.6: time-numoffset is time-hour (00-23) ":" time-minute (00-59).
_OFFSET_HOUR_MAX = 23
_OFFSET_MINUTE_MAX = 59
# RFC 3339 §5.7 allows a leap second 60; datetime does not hold one.
_SECOND_MAX = 59
_MICROSECOND_DIGITS = 6
# Distinct offsets in use are few (the world has under 40): cache them all.
_OFFSETS_CACHED = 64


def read_rfc3339(text: str) -> datetime:
    """An aware datetime from RFC 3339 text; raises ``ValueError`` saying why.

    A time without an offset is taken as UTC, which the guide says all its
    timestamps are.
    """
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        raise ValueError("is not an RFC 3339 date-time")
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    microsecond = (
        int(fraction[:_MICROSECOND_DIGITS].ljust(_MICROSECOND_DIGITS, "0")) if fraction else 0
    )
    zone = timezone.utc if sign is None else _offset(sign, off_h, off_m)
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            min(int(second), _SECOND_MAX),
            microsecond,
            tzinfo=zone,
        )
    except ValueError as exc:
        raise ValueError(f"is not a valid date-time: {exc}") from None


@lru_cache(maxsize=_OFFSETS_CACHED)
def _offset(sign: str, hours: str, minutes: str) -> timezone:
    if int(hours) > _OFFSET_HOUR_MAX or int(minutes) > _OFFSET_MINUTE_MAX:
        raise ValueError(
            f"has the offset {sign}{hours}:{minutes}; RFC 3339 allows up to "
            f"{_OFFSET_HOUR_MAX:02d}:{_OFFSET_MINUTE_MAX:02d}"
        )
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-offset if sign == "-" else offset)


def format_rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 text with a ``Z``, as the guide's examples write it."""
    utc = moment.astimezone(timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"
