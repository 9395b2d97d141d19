"""The two ways out, as a campaign drives them: SMPP and LINK Mobility HTTP.

Both clients take a :class:`~smswire.message.Message` and give back a
:class:`~smswire.message.SendResult`, so one :class:`ClientSender` serves
both; what differs is how a row is priced without touching the network (so
``--dry-run`` needs no connection): by the SMPP submit_sm builder, or by the
LINK query's own checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Union

from smswire.campaign import CampaignRow, Price
from smswire.encoding import analyze
from smswire.errors import ConfigurationError
from smswire.link.protocol import prepare
from smswire.message import Message, SendResult
from smswire.smpp.submit import build_submits

__all__ = ["PRICES", "ClientSender", "price_link", "price_smpp"]

if TYPE_CHECKING:
    # Only named here: the clients load when a command makes one.
    from smswire.link import AsyncLinkMobilityClient
    from smswire.smpp import AsyncSmppClient

    Client = Union[AsyncSmppClient, AsyncLinkMobilityClient]


def price_smpp(message: Message) -> Price:
    """What the SMPP client checks before submitting, and the parts it bills."""
    build_submits(message)
    analysis = analyze(message.text, national=message.national, smart=message.smart)
    return Price(analysis.encoding, analysis.segments)


def price_link(message: Message) -> Price:
    """What the LINK client checks before sending, and the segments LINK bills."""
    prepared = prepare(message)
    return Price(prepared.encoding, prepared.segments)


# How each way out prices a message, by its --via name.
PRICES: dict[str, Callable[[Message], Price]] = {"smpp": price_smpp, "link": price_link}


@dataclass
class ClientSender:
    """Sends campaign rows through a client's ``send_many`` (no client: a dry run).

    ``source`` is the sender of rows that name none; ``options`` are the
    :class:`Message` options every row gets (``flash=True``, ...).
    """

    client: Client | None
    price_message: Callable[[Message], Price]
    source: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def message(self, row: CampaignRow) -> Message:
        source = row.source or self.source
        if not source:
            raise ConfigurationError("no source: give the row a source or pass --source")
        return Message(row.destination, row.text, source=source, **self.options)

    def price(self, row: CampaignRow) -> Price:
        return self.price_message(self.message(row))

    async def send(self, rows: Sequence[CampaignRow]) -> list[SendResult]:
        if self.client is None:
            raise ConfigurationError("a dry run sends nothing")
        return await self.client.send_many([self.message(row) for row in rows])
