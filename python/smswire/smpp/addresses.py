"""SMPP addresses: type of number and numbering plan chosen from the text.

A sender writes "+4512345678", "12345678", "1919" or "MyShop"; the SMSC needs
the TON and NPI of SMPP 3.4 §5.2.5-6 besides the digits. Source addresses have
limits a provider enforces in surprising ways: inMobile silently discards
everything after the 15th character of source_addr, so an over-long sender is
refused here unless the caller opts into truncation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from smswire.errors import ConfigurationError

__all__ = [
    "ALPHANUMERIC_SOURCE_LIMIT",
    "DESTINATION_ADDR_LIMIT",
    "SHORT_CODE_MAX_DIGITS",
    "SOURCE_ADDR_LIMIT",
    "Address",
    "Npi",
    "Ton",
    "classify",
    "destination_address",
    "source_address",
]

# inMobile SMPP: "The source_addr parameter has a max length of 15 characters."
# (E.164 §6.1 also caps an international number at 15 digits.)
SOURCE_ADDR_LIMIT = 15
# 3GPP TS 23.040 §9.1.2.5: an alphanumeric originator is at most 11 GSM characters.
ALPHANUMERIC_SOURCE_LIMIT = 11
# SMPP 3.4 §4.4.1: destination_addr is a C-Octet string of at most 21 octets with its NUL.
DESTINATION_ADDR_LIMIT = 20
# Short codes are operator-assigned numbers of a few digits; longer is a national number.
SHORT_CODE_MAX_DIGITS = 6


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
    number, and anything else alphanumeric.
    """
    text = address.strip()
    if text.startswith("+") and text[1:].isdigit():
        return Address(text[1:], Ton.INTERNATIONAL, Npi.ISDN)
    if text.isdigit() and text.isascii():
        if len(text) <= SHORT_CODE_MAX_DIGITS:
            return Address(text, Ton.NETWORK_SPECIFIC, Npi.UNKNOWN)
        return Address(text, Ton.NATIONAL, Npi.ISDN)
    return Address(text, Ton.ALPHANUMERIC, Npi.UNKNOWN)


def source_address(
    address: str,
    *,
    limit: int = SOURCE_ADDR_LIMIT,
    alphanumeric_limit: int = ALPHANUMERIC_SOURCE_LIMIT,
    truncate: bool = False,
) -> Address:
    """Classify a sender and enforce the provider's length limits.

    Over-long senders raise :class:`ConfigurationError` naming the limit,
    since the SMSC would silently alter them; ``truncate=True`` cuts them to
    the limit instead, as the SMSC would.
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
    return classified


def destination_address(address: str) -> Address:
    """Classify a recipient; refuses one that does not fit destination_addr."""
    classified = classify(address)
    if not classified.value:
        raise ConfigurationError("destination address is empty")
    if len(classified.value) > DESTINATION_ADDR_LIMIT:
        raise ConfigurationError(
            f"destination_addr {classified.value!r} has {len(classified.value)} characters; "
            f"the limit is {DESTINATION_ADDR_LIMIT}"
        )
    return classified
