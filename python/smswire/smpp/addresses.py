"""SMPP addresses: type of number and numbering plan chosen from the text.

A sender writes "+4512345678", "12345678", "1919" or "MyShop"; the SMSC needs
the TON and NPI of SMPP 3.4 §5.2.5-6 besides the digits. Destinations are held
to the rule LINK holds them to (an E.164 number, ASCII digits only), after the
spaces and dashes people write in numbers are taken out; an alphanumeric
destination goes only when the caller says so. Source addresses have limits a
provider enforces in surprising ways: inMobile silently discards everything
after the 15th character of source_addr, so an over-long sender is refused
here unless the caller opts into truncation; a name follows the sender rule
both ways out share (:mod:`smswire.alphanumeric`).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from smswire.alphanumeric import ALPHANUMERIC_SOURCE_MAX, alphanumeric_problem
from smswire.errors import ConfigurationError

__all__ = [
    "DESTINATION_ADDR_LIMIT",
    "E164_MAX_DIGITS",
    "SHORT_CODE_MAX_DIGITS",
    "SOURCE_ADDR_LIMIT",
    "Address",
    "Npi",
    "Ton",
    "classify",
    "destination_address",
    "destination_fields",
    "source_address",
]

# inMobile SMPP: "The source_addr parameter has a max length of 15 characters."
# (E.164 §6.1 also caps an international number at 15 digits.)
SOURCE_ADDR_LIMIT = 15
# SMPP 3.4 §4.4.1: destination_addr is a C-Octet string of at most 21 octets with its NUL.
DESTINATION_ADDR_LIMIT = 20
# Short codes are operator-assigned numbers of a few digits; longer is a national number.
SHORT_CODE_MAX_DIGITS = 6
# ITU-T E.164 §6.1: an international number has at most 15 digits, and no
# country code starts with 0.
E164_MAX_DIGITS = 15
# ITU-T E.164 §6.2.1: an international number has a country code of 1 to 3
# digits, so at least 2 digits in all.
E164_MIN_DIGITS = 2
# What people write inside a number ("+47 469 10 822", "0045-1234-5678").
_SEPARATORS = str.maketrans("", "", " -")
# SMPP 3.4 §3.1: C-Octet Strings are octets; the codec writes Latin-1.
_OCTET_MAX = 0xFF
# Sender names checked lately, with what is wrong with them: a bulk run
# repeats a handful of senders, and the GSM 7-bit check is not free.
_NAMES_REMEMBERED = 1024


class Ton(enum.IntEnum):
    """Type of number, SMPP 3.4 §5.2.5."""

    UNKNOWN = 0x00
    INTERNATIONAL = 0x01
    NATIONAL = 0x02
    NETWORK_SPECIFIC = 0x03
    SUBSCRIBER_NUMBER = 0x04
    ALPHANUMERIC = 0x05
    ABBREVIATED = 0x06


class Npi(enum.IntEnum):
    """Numbering plan indicator, SMPP 3.4 §5.2.6."""

    UNKNOWN = 0x00
    ISDN = 0x01  # E.163/E.164
    DATA = 0x03  # X.121
    TELEX = 0x04  # F.69
    LAND_MOBILE = 0x06  # E.212
    NATIONAL = 0x08
    PRIVATE = 0x09
    ERMES = 0x0A
    INTERNET = 0x0E
    WAP = 0x12


@dataclass(frozen=True)
class Address:
    """An address as SMPP carries it: the characters, TON and NPI."""

    value: str
    ton: Ton
    npi: Npi


def classify(address: str) -> Address:
    """Choose TON/NPI from how an address is written.

    "+digits" is international (the "+" dropped, SMPP 3.4 §5.2.5 carries the
    digits alone), up to :data:`SHORT_CODE_MAX_DIGITS` digits a short code
    (network specific, the usual choice of SMSCs), other digits a national
    number, and anything else alphanumeric. Digits are ASCII digits.
    """
    text = address.strip()
    if text[:1] == "+" and _ascii_digits(text[1:]):
        return Address(text[1:], Ton.INTERNATIONAL, Npi.ISDN)
    if _ascii_digits(text):
        return _national(text)
    return Address(text, Ton.ALPHANUMERIC, Npi.UNKNOWN)


def _ascii_digits(text: str) -> bool:
    # str.isdigit() alone is true for "²" and "٤"; only ASCII digits are digits
    # on the wire.
    return text.isdigit() and text.isascii()


# The TON and NPI of each kind of number, bound once: on CPython 3.11 an enum
# member's lookup costs as much as the rest of a digit check.
_INTERNATIONAL = (Ton.INTERNATIONAL, Npi.ISDN)
_SHORT_CODE = (Ton.NETWORK_SPECIFIC, Npi.UNKNOWN)
_NATIONAL = (Ton.NATIONAL, Npi.ISDN)


def _national_kind(digits: str) -> tuple[Ton, Npi]:
    return _SHORT_CODE if len(digits) <= SHORT_CODE_MAX_DIGITS else _NATIONAL


def _national(digits: str) -> Address:
    return Address(digits, *_national_kind(digits))


def _e164(digits: str) -> bool:
    return (
        E164_MIN_DIGITS <= len(digits) <= E164_MAX_DIGITS
        and digits[0] != "0"
        and _ascii_digits(digits)
    )


def source_address(
    address: str,
    *,
    limit: int = SOURCE_ADDR_LIMIT,
    alphanumeric_limit: int = ALPHANUMERIC_SOURCE_MAX,
    truncate: bool = False,
) -> Address:
    """Classify a sender and enforce the provider's length limits.

    A number has at most ``limit`` characters (what the SMSC keeps of
    source_addr), a name at most ``alphanumeric_limit`` characters of the GSM
    7-bit default alphabet that source_addr can carry. An over-long sender
    raises :class:`ConfigurationError` naming the limit, since the SMSC would
    silently alter it; ``truncate=True`` cuts it to that limit instead.
    """
    classified = classify(address)
    if not classified.value:
        raise ConfigurationError("source address is empty")
    alphanumeric = classified.ton is Ton.ALPHANUMERIC
    cap = min(limit, alphanumeric_limit) if alphanumeric else limit
    if len(classified.value) > cap:
        if not truncate:
            kind = "an alphanumeric source address" if alphanumeric else "source_addr"
            raise ConfigurationError(
                f"{kind} {classified.value!r} has {len(classified.value)} characters; "
                f"the limit is {cap} (pass truncate_source=True to cut it)"
            )
        classified = Address(classified.value[:cap], classified.ton, classified.npi)
    if alphanumeric:
        problem = _name_problem(classified.value, cap)
        if problem is not None:
            raise ConfigurationError(
                f"source address {classified.value!r} is not a valid alphanumeric sender: {problem}"
            )
    return classified


def destination_address(address: str, *, alphanumeric: bool = False) -> Address:
    """A recipient as destination_addr carries it.

    Spaces and dashes are taken out; then "+" or "00" and 2 to 15 ASCII
    digits is an international number (ITU-T E.164), 1 to 15 ASCII digits a
    short code or a national number. Anything else is refused with a
    :class:`ConfigurationError`, unless ``alphanumeric`` allows a name (the
    sender rule, within destination_addr's 20 octets).
    """
    ton, npi, value = destination_fields(address, alphanumeric=alphanumeric)
    return Address(value, ton, npi)


def destination_fields(address: str, *, alphanumeric: bool = False) -> tuple[Ton, Npi, str]:
    """:func:`destination_address` as ``(ton, npi, value)``, the order a
    submit_sm writes them in, without building an :class:`Address`: a send
    classifies every message's destination, and most are numbers."""
    number = address.strip()
    if " " in number or "-" in number:
        number = number.translate(_SEPARATORS)
    if number[:1] == "+":
        if _e164(number[1:]):
            return (*_INTERNATIONAL, number[1:])
    elif number[:2] == "00" and _e164(number[2:]):
        return (*_INTERNATIONAL, number[2:])
    elif len(number) <= E164_MAX_DIGITS and _ascii_digits(number):
        return (*_national_kind(number), number)
    digits = number[1:] if number[:1] == "+" else number
    if len(digits) > E164_MAX_DIGITS and _ascii_digits(digits):
        raise ConfigurationError(
            f"destination {address!r} has {len(digits)} digits; "
            f"the limit is {E164_MAX_DIGITS} (ITU-T E.164)"
        )
    if alphanumeric:
        name = address.strip()
        problem = _name_problem(name, DESTINATION_ADDR_LIMIT)
        if problem is None:
            return (Ton.ALPHANUMERIC, Npi.UNKNOWN, name)
        raise ConfigurationError(
            f"destination {address!r} is neither a number nor a valid name: {problem}"
        )
    raise ConfigurationError(
        f"destination {address!r} is not a number: '+' or '00' and 2 to {E164_MAX_DIGITS} "
        f"digits (ITU-T E.164), or 1 to {E164_MAX_DIGITS} digits; spaces and dashes "
        "are taken out (an alphanumeric destination needs alphanumeric_destination=True)"
    )


@functools.lru_cache(maxsize=_NAMES_REMEMBERED)
def _name_problem(name: str, limit: int) -> str | None:
    """The shared sender rule, and source_addr's own: octets, one per character."""
    problem = alphanumeric_problem(name, limit)
    if problem is None:
        for character in name:
            if ord(character) > _OCTET_MAX:
                # Δ, Ω and the other Greek capitals of GSM 7-bit have no octet
                # in the Latin-1 that C-Octet Strings are written in.
                return f"{character!r} cannot be written in a C-Octet String (SMPP 3.4 §3.1)"
    return problem
