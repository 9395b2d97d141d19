"""LINK SMSC Simple HTTP without I/O: what a send asks (its replies: replies.py).

Everything a sender decides lives here as pure functions, so the sync and the
async driver share one implementation and the simulator validates with the very
same rules: :func:`prepare` checks a :class:`~smswire.message.Message` before
anything leaves and :func:`build_query` renders the guide's query parameters.

Of the shared message's options, LINK takes its own (tariff, VAT, charge-only,
reference id, asynchronous, a raw user data header) and ``smart``, applied
here before the text leaves. ``national`` it refuses: LINK encodes Userdata
itself, in GSM7 or UCS2, and the query has no way to name national language
shift tables; a message that may use them goes by SMPP.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import quote_plus

from smswire.alphanumeric import (
    ALPHANUMERIC_SOURCE_MAX,
    alphanumeric_problem,
    check_alphanumeric_max,
)
from smswire.encoding import LINK_MOBILITY, MAX_PARTS, analyze, apply_replacements, encode_gsm7
from smswire.errors import ConfigurationError, EncodingError, MessageTooLong
from smswire.link.errors import InvalidParameter
from smswire.message import LINK_OPTIONS, Message

__all__ = [
    "USERDATA_MAX_GSM7_SEPTETS",
    "USERDATA_MAX_UCS2_CHARACTERS",
    "BaseUrl",
    "Credentials",
    "PreparedMessage",
    "build_query",
    "prepare",
    "render_query",
]


class BaseUrl(str, Enum):
    """The endpoints a LINK account is assigned (# LINK guide: Base URL:s)."""

    N_EU = "https://n-eu.linkmobility.io/smscsimplehttp"
    C_EU = "https://c-eu.linkmobility.io/smscsimplehttp"
    S_EU = "https://s-eu.linkmobility.io/smscsimplehttp"
    SE = "https://se.linkmobility.io/smscsimplehttp"
    DE = "https://de.linkmobility.io/smscsimplehttp"
    ES = "https://es.linkmobility.io/smscsimplehttp"
    LEGACY = "https://wsx.sp247.net/smscsimplehttp"
    # Plain HTTP is deprecated (# LINK guide: Appendix 2); the client refuses it
    # unless told allow_insecure_http=True.
    LEGACY_HTTP = "http://wsx.sp247.net/smscsimplehttp"


# LINK guide: Userdata. "maximum length of 1377 bytes" counts GSM7 septets (an
# extension character takes two); UCS2 messages at most 567 characters.
USERDATA_MAX_GSM7_SEPTETS = 1377
USERDATA_MAX_UCS2_CHARACTERS = 567
# ITU-T E.164 §6.1: an international number has at most 15 digits.
E164_MAX_DIGITS = 15
# LINK guide: Vat, "0.0 means no Vat, 25.0 a Vat of 25%": a percentage.
VAT_MIN = 0.0
VAT_MAX = 100.0
# 3GPP TS 23.040 §9.2.3.24: the UDH is UDHL (one octet) plus UDHL octets, inside
# the 140 octets of TP-User-Data.
USER_DATA_MAX_OCTETS = 140
# 3GPP TS 23.038 §6.2.1: seven bits a septet, 0x1B the escape to the extension table.
_SEPTET_BITS = 7
_ESCAPE = 0x1B
_BMP_MAX = 0xFFFF

_INTERNATIONAL = re.compile(rf"\+[1-9][0-9]{{1,{E164_MAX_DIGITS - 1}}}")
_DIGITS = re.compile(rf"[0-9]{{1,{E164_MAX_DIGITS}}}")
# LINK guide: Tariff, "To charge 10 SEK use tariff SEK1000": an ISO 4217 code
# followed by the amount in minor units; "Set to null or SEK0 for bulk messages".
_TARIFF = re.compile(r"([A-Z]{3})([0-9]+)")
TARIFF_BULK = "null"
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


@dataclass(frozen=True)
class Credentials:
    """ServiceId, Username and Password (# LINK guide: Before you begin).

    The password never shows in the repr."""

    service_id: int
    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        # LINK guide: Query parameters, ServiceId is an Integer.
        if isinstance(self.service_id, bool) or not isinstance(self.service_id, int):
            raise ConfigurationError("service_id must be an integer (LINK guide: ServiceId)")
        if self.service_id < 0:
            raise ConfigurationError(f"service_id must not be negative, got {self.service_id}")
        if not self.username:
            raise ConfigurationError("username must not be empty")
        if not self.password:
            raise ConfigurationError("password must not be empty")


@dataclass(frozen=True)
class PreparedMessage:
    """A validated :class:`~smswire.message.Message` as it will leave: its
    ``source`` (the client's default where it named none), its ``text`` (with
    look-alikes replaced when ``smart``), and what it will cost: ``segments``
    is the number of SMS it is billed as, ``encoding`` "gsm7" or "ucs2"."""

    message: Message
    source: str
    text: str
    encoding: str
    units: int
    segments: int


def check_source(source: str, *, alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX) -> str:
    """# LINK guide: Source, "full international numbers (+46732594084), short
    numbers (72401) or text (LINK)". Text is any characters of the GSM 7-bit
    default alphabet (Bløk, Åhléns, Café), at most ``alphanumeric_max`` of them."""
    check_alphanumeric_max(alphanumeric_max)
    if _INTERNATIONAL.fullmatch(source) or _DIGITS.fullmatch(source):
        return source
    if source.startswith("+") or (source.isascii() and source.isdigit()):
        raise InvalidParameter(
            f"Source {source!r} is not a number: '+' and 2 to {E164_MAX_DIGITS} digits "
            f"(ITU-T E.164), or a short number of at most {E164_MAX_DIGITS} digits",
            parameter="Source",
        )
    problem = alphanumeric_problem(source, alphanumeric_max)
    if problem is not None:
        raise InvalidParameter(
            f"Source {source!r} is not a valid alphanumeric sender: {problem}",
            parameter="Source",
        )
    return source


def check_destination(destination: str) -> str:
    """# LINK guide: Destination, "the destination number"."""
    if _INTERNATIONAL.fullmatch(destination) or _DIGITS.fullmatch(destination):
        return destination
    raise InvalidParameter(
        f"Destination {destination!r} is not a number: '+' and 2 to {E164_MAX_DIGITS} "
        f"digits, or 1 to {E164_MAX_DIGITS} digits",
        parameter="Destination",
    )


def check_tariff(tariff: str) -> str:
    """# LINK guide: Tariff, a currency code and the amount in minor units, or
    "null" (bulk, as SEK0 is)."""
    if tariff != TARIFF_BULK and not _TARIFF.fullmatch(tariff):
        raise InvalidParameter(
            f"Tariff {tariff!r} is not a currency code followed by an amount in minor "
            f"units (SEK1000 charges 10 SEK; SEK0 or {TARIFF_BULK} for bulk)",
            parameter="Tariff",
        )
    return tariff


def check_vat(vat: float) -> float:
    """# LINK guide: Vat, a Double percentage from 0.0 to 100.0."""
    if isinstance(vat, bool) or not isinstance(vat, (int, float)):
        raise InvalidParameter(
            f"Vat must be a number from {VAT_MIN} to {VAT_MAX}, got {type(vat).__name__}",
            parameter="Vat",
        )
    if not math.isfinite(vat) or not VAT_MIN <= vat <= VAT_MAX:
        raise InvalidParameter(
            f"Vat {vat!r} is outside {VAT_MIN} to {VAT_MAX} (a percentage)",
            parameter="Vat",
        )
    return float(vat)


def check_user_data_header(udh: bytes) -> bytes:
    """# 3GPP TS 23.040 §9.2.3.24: UDHL counts the octets that follow it."""
    if not udh or udh[0] != len(udh) - 1 or len(udh) > USER_DATA_MAX_OCTETS:
        raise InvalidParameter(
            f"UserdataHeader {udh.hex().upper()!r} is not a user data header: its first "
            f"octet (UDHL) must count the octets after it, at most "
            f"{USER_DATA_MAX_OCTETS} octets in all",
            parameter="UserdataHeader",
        )
    return udh


def parse_user_data_header(value: str) -> bytes:
    """The hexadecimal form the query carries, back to octets."""
    if not _HEX.fullmatch(value):
        raise InvalidParameter(
            f"UserdataHeader {value!r} is not hexadecimal octets",
            parameter="UserdataHeader",
        )
    return check_user_data_header(bytes.fromhex(value))


def check_user_data(
    text: str, *, charge_only: bool = False, user_data_header: bytes | None = None
) -> tuple[str, int, int]:
    """(encoding, units, segments) of the Userdata, within the guide's limits.

    # LINK guide: Userdata, at most 1377 GSM7 septets or 567 UCS2 characters.
    With a ``user_data_header`` every part carries it, so each holds that much
    less text (# 3GPP TS 23.040 §9.2.3.24: header and text share a part's
    140 octets) and the segments are counted that way.
    """
    if not text and not charge_only:
        raise InvalidParameter(
            "Userdata is empty; only a ChargeOnly request may carry no text",
            parameter="Userdata",
        )
    try:
        analysis = analyze(text, profile=LINK_MOBILITY)
    except MessageTooLong as exc:
        what = (
            "GSM7 septets"
            if exc.limit == USERDATA_MAX_GSM7_SEPTETS
            else "UCS2 characters"
            if exc.limit == USERDATA_MAX_UCS2_CHARACTERS
            else "units"
        )
        raise MessageTooLong(
            f"Userdata needs {exc.units} {what}, {exc.units - exc.limit} over the LINK "
            f"limit of {exc.limit} {what}",
            limit=exc.limit,
            units=exc.units,
            profile=exc.profile,
        ) from None
    except EncodingError as exc:
        raise InvalidParameter(
            f"Userdata cannot be encoded: {exc}",
            parameter="Userdata",
        ) from None
    segments = analysis.segments
    if user_data_header is not None and text:
        segments = _parts_beside(user_data_header, text, analysis.encoding == "ucs2")
    return analysis.encoding, analysis.units, segments


def _parts_beside(header: bytes, text: str, ucs2: bool) -> int:
    """How many parts ``text`` takes when each part also carries ``header``.

    # 3GPP TS 23.040 §9.2.3.24: the header takes the first octets of the 140;
    # GSM7 text starts at the next septet boundary (fill bits), UCS2 text at
    # the next octet. An extension character (ESC and its septet) or a
    # surrogate pair never straddles two parts.
    """
    room_bits = (USER_DATA_MAX_OCTETS - len(header)) * 8
    if ucs2:
        capacity = room_bits // 16
        units = [2 if ord(ch) > _BMP_MAX else 1 for ch in text]
    else:
        capacity = room_bits // _SEPTET_BITS
        septets = encode_gsm7(text)
        units = [2 if septet == _ESCAPE else 1 for septet in septets]
        # The septet after ESC belongs to its pair: count the pair once.
        units = [cost for cost, prior in zip(units, (0, *septets)) if prior != _ESCAPE]
    parts, used = 1, 0
    for cost in units:
        if cost > capacity:
            raise InvalidParameter(
                f"UserdataHeader of {len(header)} octets leaves {capacity} "
                f"{'UCS2 units' if ucs2 else 'septets'} a part, too few for the Userdata",
                parameter="UserdataHeader",
            )
        if used + cost > capacity:
            parts, used = parts + 1, 0
        used += cost
    if parts > MAX_PARTS:
        raise InvalidParameter(
            f"Userdata beside a UserdataHeader of {len(header)} octets needs {parts} parts, "
            f"over the {MAX_PARTS} a message can have",
            parameter="UserdataHeader",
        )
    return parts


def prepare(
    message: Message,
    *,
    default_source: str | None = None,
    alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX,
) -> PreparedMessage:
    """Check every parameter of ``message`` as the guide defines it.

    ``default_source`` is the Source of a message that names none;
    ``alphanumeric_max`` is the longest text Source accepted (default 11).
    Raises :class:`~smswire.errors.ConfigurationError` for an option LINK does
    not take (SMPP's, or ``national``), :class:`InvalidParameter` naming the
    parameter, or :class:`~smswire.errors.MessageTooLong` for Userdata over the
    guide's limit.
    """
    message.refuse_options("LINK", LINK_OPTIONS)
    if message.national:
        raise ConfigurationError(
            "national is not an option LINK understands: LINK encodes Userdata itself "
            "(GSM7 or UCS2) and its query cannot name national language shift tables; "
            "send the message by SMPP to use them, or without national"
        )
    source = message.source if message.source is not None else default_source
    if source is None:
        raise ConfigurationError("no source: give the message a source or the client a default")
    check_source(source, alphanumeric_max=alphanumeric_max)
    check_destination(message.destination)
    text = message.text
    if message.smart:
        replacements = analyze(text, profile=LINK_MOBILITY, smart=True).replacements
        text = apply_replacements(text, replacements)
    if message.user_data_header is not None:
        check_user_data_header(message.user_data_header)
    encoding, units, segments = check_user_data(
        text, charge_only=message.charge_only, user_data_header=message.user_data_header
    )
    if message.tariff is not None:
        check_tariff(message.tariff)
    if message.vat is not None:
        check_vat(message.vat)
    return PreparedMessage(message, source, text, encoding, units, segments)


def _flag(value: bool) -> str:
    # LINK guide: ChargeOnly, "Set to true ... otherwise false".
    return "true" if value else "false"


def build_query(credentials: Credentials, prepared: PreparedMessage) -> tuple[tuple[str, str], ...]:
    """The query parameters of the POST, in the guide's order (# LINK guide:
    Query parameters); optional ones only when set."""
    message = prepared.message
    query = [
        ("ServiceId", str(credentials.service_id)),
        ("Username", credentials.username),
        ("Password", credentials.password),
        ("Source", prepared.source),
        ("Destination", message.destination),
        ("Userdata", prepared.text),
    ]
    if message.user_data_header is not None:
        # The guide leaves the UDH format to support; octets travel as hex.
        query.append(("UserdataHeader", message.user_data_header.hex().upper()))
    if message.reference_id is not None:
        query.append(("ReferenceId", message.reference_id))
    if message.tariff is not None:
        query.append(("Tariff", message.tariff))
    if message.vat is not None:
        query.append(("Vat", repr(float(message.vat))))
    query.append(("ChargeOnly", _flag(message.charge_only)))
    query.append(("Async", _flag(message.asynchronous)))
    return tuple(query)


def render_query(credentials: Credentials, prepared: PreparedMessage) -> str:
    """:func:`build_query` encoded for the URL as ``urlencode`` would (``+``
    for a space); the names need no encoding, so only the values are."""
    return "&".join(
        f"{name}={quote_plus(value)}" for name, value in build_query(credentials, prepared)
    )
