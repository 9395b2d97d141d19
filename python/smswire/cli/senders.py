"""The two ways out, as a campaign drives them: SMPP and LINK Mobility HTTP.

Each adapter prices a row without touching the network (so ``--dry-run``
needs no connection) and sends a batch through its client's pipelined
``send_many``, mapping each client's own outcome onto the campaign's three
states: accepted, failed (provably not sent, or refused) and unknown (may
have been sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smswire.campaign import ACCEPTED, FAILED, UNKNOWN, CampaignRow, Price, SendOutcome
from smswire.encoding import STANDARD, analyze
from smswire.errors import ConfigurationError
from smswire.link import AsyncLinkMobilityClient, Outcome
from smswire.link import Message as LinkMessage
from smswire.link import SendOutcome as LinkOutcome
from smswire.link.protocol import prepare
from smswire.smpp import Message as SmppMessage
from smswire.smpp import SendState, SmppClient
from smswire.smpp.addresses import destination_address, source_address

__all__ = ["LinkSender", "SmppSender"]

_SMPP_STATES = {
    SendState.ACCEPTED: ACCEPTED,
    SendState.FAILED: FAILED,
    SendState.UNKNOWN: UNKNOWN,
}
_LINK_STATES = {
    Outcome.ACCEPTED: ACCEPTED,
    Outcome.REJECTED: FAILED,
    Outcome.NOT_SENT: FAILED,
    Outcome.UNKNOWN: UNKNOWN,
}


def _source(row: CampaignRow, default: str | None) -> str:
    source = row.source or default
    if not source:
        raise ConfigurationError("no source: give the row a source or pass --source")
    return source


@dataclass
class SmppSender:
    """Sends campaign rows through an :class:`SmppClient` (None for a dry run)."""

    client: SmppClient | None
    default_source: str | None = None
    flash: bool = False

    def price(self, row: CampaignRow) -> Price:
        # The checks the client makes before submitting, without a connection.
        source_address(_source(row, self.default_source))
        destination_address(row.destination)
        analysis = analyze(row.text, profile=self.client.profile if self.client else STANDARD)
        return Price(analysis.encoding, analysis.segments)

    async def send(self, rows: Sequence[CampaignRow]) -> list[SendOutcome]:
        if self.client is None:
            raise ConfigurationError("a dry run sends nothing")
        results = await self.client.send_many(
            SmppMessage(
                row.destination, row.text, _source(row, self.default_source), flash=self.flash
            )
            for row in rows
        )
        return [
            SendOutcome(_SMPP_STATES[result.state], result.message_ids, result.error or "")
            for result in results
        ]


@dataclass
class LinkSender:
    """Sends campaign rows through an :class:`AsyncLinkMobilityClient` (None for a dry run)."""

    client: AsyncLinkMobilityClient | None
    default_source: str | None = None
    concurrency: int = 64
    rate: float | None = None

    def _message(self, row: CampaignRow) -> LinkMessage:
        return LinkMessage(_source(row, self.default_source), row.destination, row.text)

    def price(self, row: CampaignRow) -> Price:
        prepared = prepare(self._message(row))
        return Price(prepared.encoding, prepared.segments)

    async def send(self, rows: Sequence[CampaignRow]) -> list[SendOutcome]:
        if self.client is None:
            raise ConfigurationError("a dry run sends nothing")
        outcomes = await self.client.send_many(
            [self._message(row) for row in rows], concurrency=self.concurrency, rate=self.rate
        )
        return [
            SendOutcome(
                _LINK_STATES[outcome.outcome],
                (outcome.message_id,) if outcome.message_id else (),
                _link_error(outcome),
            )
            for outcome in outcomes
        ]


def _link_error(outcome: LinkOutcome) -> str:
    if outcome.error is not None:
        return str(outcome.error)
    if outcome.result is not None and not outcome.result.accepted:
        return f"{int(outcome.result.code)} {outcome.result.code.description}"
    return ""
