"""One sender for both ways out: rows become Messages, priced offline by each way's
own rules, sent through the client's send_many."""

from __future__ import annotations

import pytest

from smswire.campaign import CampaignRow, Price
from smswire.cli.senders import PRICES, ClientSender
from smswire.errors import ConfigurationError


def row(text: str, source: str | None = None) -> CampaignRow:
    return CampaignRow(2, "+4746910822", text, source)


def test_each_way_prices_by_its_own_rules() -> None:
    smpp, link = (ClientSender(None, PRICES[via], "ACME") for via in ("smpp", "link"))
    long_gsm, long_ucs2 = row("x" * 200), row("я" * 130)
    assert smpp.price(long_gsm) == link.price(long_gsm) == Price("gsm7", 2)
    # 3GPP parts hold 67 UCS2 characters; LINK bills concatenated UCS2 at 63.
    assert smpp.price(long_ucs2) == Price("ucs2", 2)
    assert link.price(long_ucs2) == Price("ucs2", 3)


def test_the_row_s_source_wins_over_the_default_and_one_is_needed() -> None:
    sender = ClientSender(None, PRICES["smpp"], "ACME")
    assert sender.message(row("hi", "SHOP")).source == "SHOP"
    assert sender.message(row("hi")).source == "ACME"
    with pytest.raises(ConfigurationError, match="no source"):
        ClientSender(None, PRICES["smpp"]).price(row("hi"))


def test_each_way_checks_what_its_client_would_before_anything_leaves() -> None:
    with pytest.raises(ConfigurationError, match="limit is 11"):
        ClientSender(None, PRICES["smpp"], "ACME-CORPORATION").price(row("hi"))
    with pytest.raises(ConfigurationError, match=r"^flash is not an option LINK"):
        ClientSender(None, PRICES["link"], "ACME", {"flash": True}).price(row("hi"))
    assert ClientSender(None, PRICES["smpp"], "ACME", {"flash": True}).price(row("hi")).parts == 1


async def test_a_dry_run_sender_sends_nothing() -> None:
    with pytest.raises(ConfigurationError, match="dry run"):
        await ClientSender(None, PRICES["smpp"], "ACME").send([row("hi")])
