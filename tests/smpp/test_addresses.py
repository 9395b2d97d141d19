"""TON/NPI from the address (SMPP 3.4 §5.2.5-6) and the provider's sender limits."""

from __future__ import annotations

import pytest

from smswire.errors import ConfigurationError
from smswire.smpp.addresses import (
    Address,
    Npi,
    Ton,
    classify,
    destination_address,
    source_address,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+4512345678", Address("4512345678", Ton.INTERNATIONAL, Npi.ISDN)),
        ("12345678", Address("12345678", Ton.NATIONAL, Npi.ISDN)),
        ("1919", Address("1919", Ton.NETWORK_SPECIFIC, Npi.UNKNOWN)),
        ("MyShop", Address("MyShop", Ton.ALPHANUMERIC, Npi.UNKNOWN)),
        ("+45 1234", Address("+45 1234", Ton.ALPHANUMERIC, Npi.UNKNOWN)),
    ],
)
def test_ton_and_npi_follow_how_the_address_is_written(text: str, expected: Address) -> None:
    assert classify(text) == expected


def test_inmobile_source_addr_over_15_characters_is_refused_naming_the_limit() -> None:
    with pytest.raises(ConfigurationError, match="limit is 15"):
        source_address("+4512345678901234")


def test_alphanumeric_sender_over_11_characters_is_refused() -> None:
    # 3GPP TS 23.040 §9.1.2.5: an alphanumeric originator holds 11 characters.
    with pytest.raises(ConfigurationError, match="limit is 11"):
        source_address("TwelveChars!")
    assert source_address("ElevenChars").value == "ElevenChars"


def test_truncation_when_the_caller_opts_into_it() -> None:
    assert source_address("+4512345678901234", truncate=True).value == "451234567890123"
    assert source_address("TwelveChars!", truncate=True).value == "TwelveChars"


def test_empty_addresses_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        source_address(" ")
    with pytest.raises(ConfigurationError):
        destination_address("")


def test_destination_over_the_c_octet_limit_is_refused() -> None:
    # SMPP 3.4 §4.4.1: destination_addr is at most 21 octets with its NUL.
    with pytest.raises(ConfigurationError, match="limit is 20"):
        destination_address("+" + "1" * 21)
