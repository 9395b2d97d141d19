"""What a sender hands to the client and what it gets back."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from smswire.pdu import CommandStatus

__all__ = ["Concatenation", "Message", "MobileOriginated", "SendResult", "SendState"]


class Concatenation(enum.Enum):
    """How a text longer than one SMS travels in submit_sm PDUs."""

    # 3GPP TS 23.040 §9.2.3.24.1: a user data header in short_message, esm_class UDHI.
    UDH = "udh"
    # SMPP 3.4 §5.3.2.22-24: sar_msg_ref_num, sar_total_segments, sar_segment_seqnum.
    SAR = "sar"
    # SMPP 3.4 §5.3.2.32: the whole text in one message_payload TLV.
    PAYLOAD = "payload"


@dataclass(frozen=True)
class Message:
    """One text to one destination, with the options of :meth:`SmppClient.send`."""

    destination: str
    text: str
    source: str
    flash: bool = False
    registered_delivery: bool = True
    concatenation: Concatenation = Concatenation.UDH
    validity_period: str = ""
    service_type: str = ""
    # 3GPP TS 23.038 Annex A: the national language shift tables the destination
    # reads (ISO 639-1 codes), used where they save a part; UDH concatenation only,
    # since the tables are named in the UDH.
    national: tuple[str, ...] = ()
    # Replace look-alikes that would force UCS2 (smswire.encoding's smart table).
    smart: bool = False


class SendState(enum.Enum):
    """What the caller can rely on after a send finished."""

    ACCEPTED = "accepted"  # the SMSC acknowledged every part with ESME_ROK
    FAILED = "failed"  # the SMSC refused a part, or it was never sent
    # A submit_sm went out and its response never came (at-most-once delivery):
    # the SMSC may or may not have the message.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SendResult:
    """The outcome of one message: one message id per accepted part."""

    state: SendState
    message_ids: tuple[str, ...]
    status: CommandStatus
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.state is SendState.ACCEPTED


@dataclass(frozen=True)
class MobileOriginated:
    """A text a handset sent, reassembled from every part the SMSC delivered."""

    source: str
    destination: str
    text: str
    data_coding: int
    parts: int = 1
