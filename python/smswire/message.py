"""The vocabulary both ways out share: a :class:`Message`, its :class:`Outcome`,
the :class:`SendResult`.

A message is the same object whether it leaves by SMPP or by LINK. Options that
only one way out understands (SMPP's flash, concatenation, validity,
service_type, registered_delivery and TLVs; LINK's tariff, VAT, charge-only,
reference id, asynchronous mode and raw user data header) are accepted by that
way and refused by the other with a :class:`~smswire.errors.ConfigurationError`
naming the option, so a message never goes out quietly without what was asked.
``source``, ``national`` and ``smart`` mean the same thing everywhere.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, fields

from smswire.errors import ConfigurationError, OutcomeUnknown, RequestNotSent
from smswire.pdu import Tlv

__all__ = [
    "LINK_OPTIONS",
    "SMPP_OPTIONS",
    "Concatenation",
    "Delivery",
    "Message",
    "Outcome",
    "SendResult",
]


class Concatenation(enum.Enum):
    """How an SMPP text longer than one SMS travels in submit_sm PDUs."""

    # 3GPP TS 23.040 §9.2.3.24.1: a user data header in short_message, esm_class UDHI.
    UDH = "udh"
    # SMPP 3.4 §5.3.2.22-24: sar_msg_ref_num, sar_total_segments, sar_segment_seqnum.
    SAR = "sar"
    # SMPP 3.4 §5.3.2.32: the whole text in one message_payload TLV.
    PAYLOAD = "payload"


class Delivery(enum.Enum):
    """What becomes of a message that may have reached the provider without an answer
    (its submit_sm went out and the connection died before the response; a worker
    died after marking it as about to be written).

    AT_LEAST_ONCE sends it again: none lost, and such a message may arrive twice.
    AT_MOST_ONCE reports it as ``Outcome.UNKNOWN``: no duplicates, the caller decides.
    """

    AT_LEAST_ONCE = "at_least_once"
    AT_MOST_ONCE = "at_most_once"


# The options only one way out understands; every other field means the same on both.
SMPP_OPTIONS = frozenset(
    ("flash", "concatenation", "validity_period", "service_type", "registered_delivery", "tlvs")
)
LINK_OPTIONS = frozenset(
    ("tariff", "vat", "charge_only", "reference_id", "asynchronous", "user_data_header")
)


@dataclass(frozen=True, init=False)
class Message:
    """One text to one destination, and how it should travel.

    ``destination`` and ``text`` come first; everything else is keyword-only.
    ``source`` is the sender (a number, a short code or an alphanumeric name);
    ``None`` leaves it to the client's default. ``national`` names the 3GPP TS
    23.038 Annex A shift tables the destination reads (ISO 639-1 codes), used
    where they save a part; ``smart`` replaces look-alikes that would force UCS2.

    SMPP only: ``flash`` (message class 0), ``concatenation``,
    ``validity_period`` (SMPP 3.4 §7.1 time format), ``service_type``,
    ``registered_delivery`` (a receipt per part, on by default) and extra
    ``tlvs``. LINK only: ``tariff``, ``vat``, ``charge_only``, ``reference_id``,
    ``asynchronous`` and a raw ``user_data_header``.
    """

    destination: str
    text: str
    source: str | None = None
    national: tuple[str, ...] = ()
    smart: bool = False
    # SMPP only.
    flash: bool = False
    concatenation: Concatenation = Concatenation.UDH
    validity_period: str = ""
    service_type: str = ""
    registered_delivery: bool = True
    tlvs: tuple[Tlv, ...] = ()
    # LINK only.
    tariff: str | None = None
    vat: float | None = None
    charge_only: bool = False
    reference_id: str | None = None
    asynchronous: bool = False
    user_data_header: bytes | None = None

    def __init__(
        self,
        destination: str,
        text: str,
        *,
        source: str | None = None,
        national: Iterable[str] = (),
        smart: bool = False,
        flash: bool = False,
        concatenation: Concatenation = Concatenation.UDH,
        validity_period: str = "",
        service_type: str = "",
        registered_delivery: bool = True,
        tlvs: Iterable[Tlv] = (),
        tariff: str | None = None,
        vat: float | None = None,
        charge_only: bool = False,
        reference_id: str | None = None,
        asynchronous: bool = False,
        user_data_header: bytes | None = None,
    ) -> None:
        for name, value in (("destination", destination), ("text", text)):
            if not isinstance(value, str):
                raise ConfigurationError(f"{name} must be a str, not {type(value).__name__}")
        if source is not None and not isinstance(source, str):
            raise ConfigurationError(f"source must be a str or None, not {type(source).__name__}")
        if isinstance(national, str):
            # A lone "tr" would otherwise be read as the languages "t" and "r".
            national = (national,)
        if not isinstance(concatenation, Concatenation):
            raise ConfigurationError(
                f"concatenation must be a Concatenation, not {concatenation!r}"
            )
        tlvs = tuple(tlvs)
        # Frozen: the fields are set once, here, through the instance dict.
        self.__dict__.update(
            destination=destination,
            text=text,
            source=source,
            national=tuple(national),
            smart=bool(smart),
            flash=bool(flash),
            concatenation=concatenation,
            validity_period=validity_period,
            service_type=service_type,
            registered_delivery=bool(registered_delivery),
            tlvs=tlvs,
            tariff=tariff,
            vat=vat,
            charge_only=bool(charge_only),
            reference_id=reference_id,
            asynchronous=bool(asynchronous),
            user_data_header=user_data_header,
        )
        # Which way-specific options are set is worked out once, here, so that
        # a client refusing the other way's options costs next to nothing per
        # message; almost every message sets none.
        options: tuple[str, ...] = ()
        if (
            flash
            or concatenation is not Concatenation.UDH
            or validity_period
            or service_type
            or not registered_delivery
            or tlvs
            or tariff is not None
            or vat is not None
            or charge_only
            or reference_id is not None
            or asynchronous
            or user_data_header is not None
        ):
            options = tuple(
                field.name
                for field in fields(self)
                if (field.name in SMPP_OPTIONS or field.name in LINK_OPTIONS)
                and getattr(self, field.name) != field.default
            )
        self.__dict__["_options"] = options

    def options_set(self) -> tuple[str, ...]:
        """The way-specific options given a value other than their default."""
        options: tuple[str, ...] = self.__dict__["_options"]
        return options

    def refuse_options(self, way: str, understood: frozenset[str]) -> None:
        """Raise :class:`ConfigurationError` naming the first option set that
        ``way`` (``"SMPP"``, ``"LINK"``) does not understand."""
        for name in self.__dict__["_options"]:
            if name not in understood:
                raise ConfigurationError(
                    f"{name} is not an option {way} understands; "
                    f"it applies to {'SMPP' if name in SMPP_OPTIONS else 'LINK'} only"
                )


class Outcome(enum.Enum):
    """What became of a message, as far as the sender can know."""

    ACCEPTED = "accepted"  # the provider took every part
    REJECTED = "rejected"  # the provider refused it, with a status that says why
    NOT_SENT = "not_sent"  # provably never left (invalid, or never written): safe to send again
    UNKNOWN = "unknown"  # may have been sent: reconcile, never resend blindly


# Made once per message sent: its __init__ fills the instance dict in one step,
# a third of what the generated frozen __init__ (one object.__setattr__ per
# field) costs.
@dataclass(frozen=True, init=False)
class SendResult:
    """The outcome of one message.

    ``message_ids`` has one id per accepted part for SMPP, and LINK's one id
    (its reports name the parts ``{id}${n}``). ``status`` is the provider's
    answer (a ``CommandStatus`` or a LINK ``ResultCode``; ``None`` when the
    provider never answered). ``parts`` is how many SMS the message went out as
    (billed as, for LINK). ``error`` says why a message is not ACCEPTED.
    """

    message: Message
    outcome: Outcome
    message_ids: tuple[str, ...] = ()
    # An IntEnum, so that this module, beneath both ways out, names neither.
    status: enum.IntEnum | None = None
    error: str | None = None
    parts: int = 0

    def __init__(
        self,
        message: Message,
        outcome: Outcome,
        message_ids: tuple[str, ...] = (),
        status: enum.IntEnum | None = None,
        error: str | None = None,
        parts: int = 0,
    ) -> None:
        fields = self.__dict__
        fields["message"] = message
        fields["outcome"] = outcome
        fields["message_ids"] = message_ids
        fields["status"] = status
        fields["error"] = error
        fields["parts"] = parts

    @property
    def ok(self) -> bool:
        """True when the provider accepted the message (every part of it)."""
        return self.outcome is Outcome.ACCEPTED

    @property
    def message_id(self) -> str | None:
        """The first (for LINK, the only) message id, if any."""
        return self.message_ids[0] if self.message_ids else None

    def raise_for_outcome(self) -> SendResult:
        """This result when the provider answered (ACCEPTED or REJECTED), as
        httpx's ``raise_for_status``; raises :class:`~smswire.errors.RequestNotSent`
        for NOT_SENT and :class:`~smswire.errors.OutcomeUnknown` for UNKNOWN,
        each carrying this result."""
        if self.outcome is Outcome.NOT_SENT:
            raise RequestNotSent(self.error or "the message was not sent", result=self)
        if self.outcome is Outcome.UNKNOWN:
            raise OutcomeUnknown(self.error or "the message may have been sent", result=self)
        return self
