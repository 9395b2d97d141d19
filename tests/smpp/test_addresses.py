"""TON/NPI from the address (SMPP 3.4 §5.2.5-6), destinations held to LINK's
rule, and the provider's sender limits: as functions, and over a real socket
to the simulator, where what was refused must never arrive."""

from __future__ import annotations

from pathlib import Path

import pytest

from smswire import AsyncSmppClient, Message, Outcome, SmscSimulator
from smswire.errors import ConfigurationError
from smswire.link.protocol import check_source
from smswire.smpp.addresses import (
    Address,
    Npi,
    Ton,
    classify,
    destination_address,
    source_address,
)

from .support import ACCOUNT, PASSWORD


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


def test_destination_over_the_e164_or_c_octet_limit_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="the limit is 15"):
        destination_address("+" + "1" * 16)
    # SMPP 3.4 §4.4.1: destination_addr is at most 21 octets with its NUL.
    with pytest.raises(ConfigurationError, match="over the limit of 20"):
        destination_address("N" * 21, alphanumeric=True)


# Destinations the issue found going out as alphanumeric addresses, and a "+"
# followed by Arabic-Indic digits (str.isdigit() is true for them).
NOT_NUMBERS = [
    "abc",
    "+47abc",
    "+\u0664\u0667\u0664\u0666\u0669\u0661\u0660\u0668\u0662\u0662",
    "+",
    "+0123",
    "4512\u00b2",
]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("+47 469 10 822", Address("4746910822", Ton.INTERNATIONAL, Npi.ISDN)),
        ("0047-469-10-822", Address("4746910822", Ton.INTERNATIONAL, Npi.ISDN)),
        ("004746910822", Address("4746910822", Ton.INTERNATIONAL, Npi.ISDN)),
        ("469 10 822", Address("46910822", Ton.NATIONAL, Npi.ISDN)),
        ("1919", Address("1919", Ton.NETWORK_SPECIFIC, Npi.UNKNOWN)),
    ],
)
def test_a_destination_is_an_e164_number_without_spaces_or_dashes(
    written: str, expected: Address
) -> None:
    assert destination_address(written) == expected


@pytest.mark.parametrize("written", NOT_NUMBERS)
def test_a_destination_that_is_not_a_number_is_refused_naming_the_rule(written: str) -> None:
    with pytest.raises(ConfigurationError, match="is not a number: '\\+' or '00'"):
        destination_address(written)


def test_an_alphanumeric_destination_only_when_asked_for() -> None:
    assert destination_address("Info", alphanumeric=True) == Address(
        "Info", Ton.ALPHANUMERIC, Npi.UNKNOWN
    )
    # A number stays a number, and a name still follows the sender rule.
    assert destination_address("+47 469", alphanumeric=True).ton is Ton.INTERNATIONAL
    with pytest.raises(ConfigurationError, match="belongs to numbers"):
        destination_address("+47abc", alphanumeric=True)


@pytest.mark.parametrize("name", ["Bløk", "Café", "Åhléns", "Ünal_Ltd"])
def test_a_sender_name_may_use_any_gsm7_character_as_on_link(name: str) -> None:
    assert source_address(name) == Address(name, Ton.ALPHANUMERIC, Npi.UNKNOWN)
    assert check_source(name) == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Shop™", "not in the GSM 7-bit default alphabet"),
        ("A+B", "'\\+' belongs to numbers"),
        ("Line\nfeed", "line feed"),
        ("Euro€", "extension character"),
        # GSM 7-bit, but above U+00FF: no octet in a C-Octet String.
        ("ΩΔ", "C-Octet String"),
    ],
)
def test_a_sender_name_breaking_the_rule_is_refused_with_the_reason(name: str, reason: str) -> None:
    with pytest.raises(ConfigurationError, match=reason):
        source_address(name)


def test_a_longer_name_where_the_route_allows_it_and_truncation_to_that_limit() -> None:
    assert source_address("AcmeShopNordic", alphanumeric_limit=15).value == "AcmeShopNordic"
    cut = source_address("AcmeShopNordic!", alphanumeric_limit=12, truncate=True)
    assert cut.value == "AcmeShopNord"


# -- over the wire -----------------------------------------------------------------


def client(sim: SmscSimulator, ca_file: Path, **options: object) -> AsyncSmppClient:
    return AsyncSmppClient(
        "127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=ca_file, **options
    )


async def test_destinations_go_out_normalised_and_bad_ones_fail_alone_before_writing(
    sim: SmscSimulator, ca_file: Path
) -> None:
    batch = [Message("+47 469 10 822", "spaced", source="Acme")]
    batch += [Message(bad, f"bad {i}", source="Acme") for i, bad in enumerate(NOT_NUMBERS)]
    # A long text whose parts would all be stranded if building failed late.
    batch += [Message("0047-469-10-823", "long " * 200, source="Acme")]
    async with client(sim, ca_file) as smpp:
        results = await smpp.send_many(batch)
        for bad in NOT_NUMBERS:
            with pytest.raises(ConfigurationError, match="is not a number"):
                await smpp.send(bad, "refused before anything goes", source="Acme")
    outcomes = [r.outcome for r in results]
    assert outcomes == [Outcome.ACCEPTED] + [Outcome.NOT_SENT] * len(NOT_NUMBERS) + [
        Outcome.ACCEPTED
    ]
    assert all("is not a number" in (r.error or "") for r in results[1:-1])
    submits = sim.record.submits
    # Nothing of the refused ones was written; the others as E.164, TON international.
    assert {s.destination for s in submits} == {"4746910822", "4746910823"}
    assert {(s.pdu.dest_addr_ton, s.pdu.dest_addr_npi) for s in submits} == {(1, 1)}
    assert len(submits) == 1 + results[-1].parts


async def test_an_alphanumeric_destination_goes_when_the_client_allows_it(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with client(sim, ca_file, alphanumeric_destination=True) as smpp:
        assert (await smpp.send("Info", "to a name", source="Acme")).ok
    (submit,) = sim.record.submits
    assert (submit.destination, submit.pdu.dest_addr_ton) == ("Info", Ton.ALPHANUMERIC)


async def test_empty_text_is_refused_before_anything_goes_as_on_link(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with client(sim, ca_file) as smpp:
        with pytest.raises(ConfigurationError, match="text is empty"):
            await smpp.send("+4746910822", "", source="Acme")
        (result,) = await smpp.send_many([Message("+4746910822", "", source="Acme")])
    assert result.outcome is Outcome.NOT_SENT
    assert sim.record.submits == []


async def test_senders_as_inmobile_keeps_them_names_in_gsm7_and_limits_as_configured(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with client(sim, ca_file, alphanumeric_max=15) as smpp:
        for name in ("Bløk", "Café", "AcmeShopNordic"):
            assert (await smpp.send("+4746910822", f"from {name}", source=name)).ok
        with pytest.raises(ConfigurationError, match="limit is 15"):
            await smpp.send("+4746910822", "too long", source="AcmeShopNordicAB")
    async with client(sim, ca_file, truncate_source=True) as smpp:
        # Cut as it says: a name to its 11, a number to the 15 the SMSC keeps.
        assert (await smpp.send("+4746910822", "cut name", source="AcmeShopNordic")).ok
        assert (await smpp.send("+4746910822", "cut number", source="+4512345678901234")).ok
    kept = {m.text: m.source for m in sim.received}
    assert kept == {
        "from Bløk": "Bløk",
        "from Café": "Café",
        "from AcmeShopNordic": "AcmeShopNordic",
        "cut name": "AcmeShopNor",
        "cut number": "451234567890123",
    }


def test_alphanumeric_max_beyond_what_the_smsc_keeps_is_refused_when_made() -> None:
    with pytest.raises(ConfigurationError, match="alphanumeric_max 16 is over the 15"):
        AsyncSmppClient("127.0.0.1", system_id="a", password="b", alphanumeric_max=16)
