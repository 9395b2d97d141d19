"""How the simulator answers a bind and a submit_sm: the SMSC's decisions.

A bind is refused during a restart, when its address has failed too often
(:class:`~.throttle.FailedBindGuard`), or for its credentials. A submit_sm is
refused during a restart, when its fields contradict each other
(:func:`~.checks.submit_refusal`), beyond a rate cap, or by injected failure;
otherwise it gets a message id, its record, and the receipt it asked for.
Every decision is journalled before the response is written.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING, Callable

from smswire.pdu import (
    BindReceiverResp,
    BindTransceiverResp,
    BindTransmitterResp,
    CommandId,
    CommandStatus,
    DeliverSm,
    Pdu,
    SubmitSm,
    SubmitSmResp,
    encode,
)
from smswire.smpp.receipts import ESM_CLASS_DELIVERY_RECEIPT
from smswire.smpp.simulator.checks import submit_refusal
from smswire.smpp.simulator.inmobile import (
    MESSAGE_ID_LENGTH,
    SMSC_SYSTEM_ID,
    MessageIds,
    kept_source,
    receipt_text,
)
from smswire.smpp.simulator.journal import RECEIPT, SUBMIT_ENTRY, Journal
from smswire.smpp.simulator.throttle import FailedBindGuard, PerSecondCap

if TYPE_CHECKING:
    from smswire.smpp.simulator.link import SmscLink
    from smswire.smpp.simulator.smsc import SmscSimulator

__all__ = ["BIND_COMMANDS", "Answers"]

_log = logging.getLogger("smswire.smpp.simulator")

BIND_COMMANDS: dict[int, Callable[..., Pdu]] = {
    CommandId.BIND_TRANSMITTER: BindTransmitterResp,
    CommandId.BIND_RECEIVER: BindReceiverResp,
    CommandId.BIND_TRANSCEIVER: BindTransceiverResp,
}
_RECEIVER_BINDS = (CommandId.BIND_RECEIVER, CommandId.BIND_TRANSCEIVER)
# Binds refused for their credentials: these count as failed binds.
_CREDENTIAL_FAILURES = (CommandStatus.ESME_RINVSYSID, CommandStatus.ESME_RINVPASWD)
# SMPP 3.4 §5.2.17: registered_delivery bits 1-0; 01 asks for a receipt on
# the final outcome, 10 only on failure (11 is reserved: taken as 01).
_RECEIPT_BITS = 0x03
_RECEIPT_ON_FAILURE = 0x02
# The journal entry of a submit_sm accepted, up to its message id: answered or not.
_ANSWERED = SUBMIT_ENTRY.pack(1, 0, MESSAGE_ID_LENGTH)
_WITHHELD = SUBMIT_ENTRY.pack(0, 0, MESSAGE_ID_LENGTH)


class Answers:
    """The SMSC's side of each bind and submit_sm, and what it counts."""

    def __init__(self, smsc: SmscSimulator, seed: int | None) -> None:
        self._smsc = smsc
        self._rng = random.Random(seed)
        self._ids = MessageIds()
        self._account_caps: dict[str, PerSecondCap] = {}
        self._guard = FailedBindGuard(smsc.failed_binds)
        self.restarting = False
        # Submits still to accept without an answer, as a crash mid-write would.
        self.losing = 0
        self.lost_all: asyncio.Event | None = None
        self.accepted = 0
        self.responses_lost = 0
        self.binds = 0

    # -- bind ------------------------------------------------------------------------

    def bind(self, link: SmscLink, pdu: Pdu, clock: float, records: list[bytes]) -> Pdu:
        smsc = self._smsc
        system_id: str = getattr(pdu, "system_id", "")
        password: str = getattr(pdu, "password", "")
        host = link.peer.rpartition(":")[0]
        accounts = smsc.accounts
        status = CommandStatus.ESME_ROK
        if self.restarting:
            # inMobile: a bind during a restart gets "a generic ESME_RBINDFAIL reply".
            status = CommandStatus.ESME_RBINDFAIL
        elif link.failed_binds >= smsc.failed_binds.per_connection:
            # This connection has had its tries; it closes after this read.
            status = CommandStatus.ESME_RBINDFAIL
        elif self._guard.blocked(host, clock):
            # Too many failed binds from this address: the credentials are not
            # even checked, and the connection closes after the answer.
            status = CommandStatus.ESME_RBINDFAIL
            link.failed_binds = smsc.failed_binds.per_connection
        elif accounts is not None:
            if system_id not in accounts:
                status = CommandStatus.ESME_RINVSYSID
            elif accounts[system_id] != password:
                status = CommandStatus.ESME_RINVPASWD
        if status == CommandStatus.ESME_ROK:
            link.system_id = system_id
            link.bound()
            if smsc.bind_tps_limit is not None:
                link.cap = PerSecondCap(smsc.bind_tps_limit)
            if pdu.command_id in _RECEIVER_BINDS:
                smsc.deliveries.attach(link)
            self.binds += 1
        elif status in _CREDENTIAL_FAILURES:
            link.failed_binds += 1
            self._guard.failed(host, clock)
        _log.info("bind from system_id %r: %s", system_id, status.name)
        records.append(Journal.bind(clock, link.number, pdu.command_id, status, system_id))
        return BIND_COMMANDS[pdu.command_id](
            system_id=SMSC_SYSTEM_ID, command_status=status, sequence_number=pdu.sequence_number
        )

    # -- submit_sm -----------------------------------------------------------------

    def submit(
        self,
        link: SmscLink,
        pdu: SubmitSm,
        clock: float,
        entries: list[bytes],
        records: list[bytes],
    ) -> Pdu | None:
        """The response to a submit_sm (None: withheld). Its journal entry joins
        ``entries``, any other record (a receipt owed) ``records``."""
        smsc = self._smsc
        # Most submits need none of the checks below: one test of what they look at.
        if (
            self.restarting
            or pdu.tlvs
            or pdu.esm_class
            or not pdu.destination_addr
            or link.cap is not None
            or smsc.tps_limit is not None
            or smsc.failure_rate
        ):
            status = self._refusal(link, pdu, clock)
            if status:
                entries += (SUBMIT_ENTRY.pack(1, status, 0), encode(pdu))
                return SubmitSmResp("", status, pdu.sequence_number)
        # inMobile's message ids are UUIDs. In a restart that loses responses,
        # the submits let through are accepted but never answered.
        message_id = self._ids.next()
        withheld = self.restarting
        entries += (_WITHHELD if withheld else _ANSWERED, message_id.encode(), encode(pdu))
        self.accepted += 1
        if pdu.registered_delivery & _RECEIPT_BITS and smsc.receipt_delay is not None:
            self._owe_receipt(link.system_id or "", message_id, pdu, clock, records)
        if withheld:
            self._lose_response()
            return None
        return SubmitSmResp(message_id, 0, pdu.sequence_number)

    def _refusal(self, link: SmscLink, pdu: SubmitSm, clock: float) -> int:
        """The status to refuse this submit_sm with, or 0 to accept it."""
        smsc = self._smsc
        if self.restarting and not self.losing:
            # inMobile: "any newly sent submitSm-message will be rejected with ESME_RSUBMITFAIL".
            return CommandStatus.ESME_RSUBMITFAIL
        status = submit_refusal(pdu)
        if status:
            return status
        account_cap = None
        if smsc.tps_limit is not None:
            account = link.system_id or ""
            account_cap = self._account_caps.get(account)
            if account_cap is None:
                account_cap = self._account_caps[account] = PerSecondCap(smsc.tps_limit)
        bind_cap = link.cap
        if (account_cap is not None and not account_cap.has_room(clock)) or (
            bind_cap is not None and not bind_cap.has_room(clock)
        ):
            return CommandStatus.ESME_RTHROTTLED
        if account_cap is not None:
            account_cap.take(clock)
        if bind_cap is not None:
            bind_cap.take(clock)
        if smsc.failure_rate and self._rng.random() < smsc.failure_rate:
            return smsc.failure_status
        return 0

    def _lose_response(self) -> None:
        self.losing -= 1
        self.responses_lost += 1
        if self.losing == 0 and self.lost_all is not None:
            self.lost_all.set()

    def _owe_receipt(
        self, system_id: str, message_id: str, pdu: SubmitSm, clock: float, records: list[bytes]
    ) -> None:
        smsc = self._smsc
        state = smsc.receipt_state
        if pdu.registered_delivery & _RECEIPT_BITS == _RECEIPT_ON_FAILURE and state == "DELIVRD":
            return
        assert smsc.receipt_delay is not None
        receipt = DeliverSm(
            source_addr_ton=pdu.dest_addr_ton,
            source_addr_npi=pdu.dest_addr_npi,
            source_addr=pdu.destination_addr,
            dest_addr_ton=pdu.source_addr_ton,
            dest_addr_npi=pdu.source_addr_npi,
            destination_addr=kept_source(pdu.source_addr),
            esm_class=ESM_CLASS_DELIVERY_RECEIPT,
            short_message=receipt_text(message_id, state).encode("ascii"),
        )
        smsc.deliveries.owe(
            system_id, receipt, RECEIPT, message_id, clock, smsc.receipt_delay, records
        )
