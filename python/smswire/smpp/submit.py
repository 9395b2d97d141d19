"""From a :class:`~smswire.message.Message` to its submit_sm PDUs, without I/O.

Every protocol decision of sending by SMPP is made here, as a pure function:
the addresses' TON/NPI and the provider's length limits, the encoding
(GSM 7-bit, national shift tables, look-alike replacement, else UCS2), the
parts and how they are tied together (a UDH, the SAR TLVs or one
message_payload TLV), esm_class, data_coding with the flash bit, and
registered_delivery. The client only numbers, sends and tracks what this
returns.
"""

from __future__ import annotations

from smswire.alphanumeric import ALPHANUMERIC_SOURCE_MAX
from smswire.encoding import (
    STANDARD,
    Profile,
    analyze,
    apply_replacements,
    encode_gsm7,
    encode_ucs2,
    segment,
)
from smswire.errors import ConfigurationError, ProtocolError
from smswire.message import SMPP_OPTIONS, Concatenation, Message
from smswire.pdu import SubmitSm, Tlv, TlvTag, encode
from smswire.smpp.addresses import (
    SOURCE_ADDR_LIMIT,
    Address,
    destination_address,
    source_address,
)
from smswire.smpp.userdata import DATA_CODING_FLASH_BIT, ESM_CLASS_UDHI

__all__ = ["REGISTERED_DELIVERY_FINAL", "build_submits", "resolve_source"]

# SMPP 3.4 §5.2.17: registered_delivery bit 0, a receipt on the final outcome.
REGISTERED_DELIVERY_FINAL = 0x01


def resolve_source(
    message: Message,
    default: str | None = None,
    *,
    limit: int = SOURCE_ADDR_LIMIT,
    alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX,
    truncate: bool = False,
) -> Address:
    """The message's source (or ``default`` when it names none) as SMPP carries it.

    Raises :class:`ConfigurationError` when there is none, when a name breaks
    the sender rule, or when it is longer than ``limit`` (inMobile drops what
    follows the 15th character) or, for a name, ``alphanumeric_max`` (3GPP TS
    23.040 §9.1.2.5: 11 unless the route allows more), unless ``truncate``
    cuts it to that limit.
    """
    source = message.source if message.source is not None else default
    if source is None:
        raise ConfigurationError("no source: give the message a source or the client a default")
    return source_address(
        source,
        limit=limit,
        alphanumeric_limit=min(limit, alphanumeric_max),
        truncate=truncate,
    )


def build_submits(
    message: Message,
    *,
    default_source: str | None = None,
    reference: int = 0,
    profile: Profile = STANDARD,
    source_limit: int = SOURCE_ADDR_LIMIT,
    alphanumeric_max: int = ALPHANUMERIC_SOURCE_MAX,
    truncate_source: bool = False,
    alphanumeric_destination: bool = False,
) -> list[SubmitSm]:
    """The submit_sm PDUs that carry ``message``, one per part, in order.

    ``reference`` ties the parts of a concatenated message together (3GPP TS
    23.040 §9.2.3.24.1, SMPP 3.4 §5.3.2.22); a sender counts it up per message.
    ``profile`` sets the part sizes and limits. Raises
    :class:`ConfigurationError` (an option SMPP does not understand, an empty
    text, an address the provider would refuse or alter, a service_type,
    validity_period or TLV that SMPP 3.4 does not allow) or
    :class:`~smswire.errors.EncodingError` (a text that cannot be sent) before
    anything is built.
    """
    message.refuse_options("SMPP", SMPP_OPTIONS)
    if not message.text:
        # As LINK refuses an empty Userdata: an SMS with nothing in it is a mistake.
        raise ConfigurationError("text is empty: there is nothing to send")
    source = resolve_source(
        message,
        default_source,
        limit=source_limit,
        alphanumeric_max=alphanumeric_max,
        truncate=truncate_source,
    )
    destination = destination_address(message.destination, alphanumeric=alphanumeric_destination)
    pdus = _pdus(message, source, destination, reference, profile)
    if message.service_type or message.validity_period or message.tlvs:
        # Fields the message sets as given: refused here, naming the field,
        # rather than when the batch they would travel in is written.
        for pdu in pdus:
            try:
                encode(pdu)
            except ProtocolError as exc:
                raise ConfigurationError(f"{exc.field or 'the message'}: {exc}") from None
    return pdus


def _pdus(
    message: Message, source: Address, destination: Address, reference: int, profile: Profile
) -> list[SubmitSm]:
    registered = REGISTERED_DELIVERY_FINAL if message.registered_delivery else 0
    # inMobile: 0x10 and 0x18 are GSM7 and UCS2 with message class 0 (flash);
    # 3GPP TS 23.038 §4: bit 4 set means bits 1-0 give the class.
    flash = DATA_CODING_FLASH_BIT if message.flash else 0
    extra = message.tlvs
    concatenation = message.concatenation
    if concatenation is Concatenation.PAYLOAD:
        # SMPP 3.4 §5.3.2.32: the whole text in one message_payload TLV, however long.
        analysis = analyze(message.text, profile=profile, smart=message.smart)
        text = apply_replacements(message.text, analysis.replacements)
        body = encode_gsm7(text) if analysis.encoding == "gsm7" else encode_ucs2(text)
        payload = (Tlv(TlvTag.MESSAGE_PAYLOAD, body), *extra)
        return [
            _submit_sm(
                message,
                source,
                destination,
                registered,
                0,
                analysis.data_coding | flash,
                b"",
                payload,
            )
        ]
    # 3GPP TS 23.038 Annex A: the shift tables are named in the UDH, so only a
    # UDH-concatenated message can use them; without one they are not used.
    segments = segment(
        message.text,
        profile=profile,
        reference=reference,
        national=message.national if concatenation is Concatenation.UDH else (),
        smart=message.smart,
    )
    if len(segments) == 1:
        # A single part has a UDH too when it names national shift tables.
        (only,) = segments
        return [
            _submit_sm(
                message,
                source,
                destination,
                registered,
                ESM_CLASS_UDHI if only.udh else 0,
                only.data_coding | flash,
                only.udh + only.payload,
                extra,
            )
        ]
    if concatenation is Concatenation.SAR:
        # SMPP 3.4 §5.3.2.22-24: the reference, the count and the part's number as TLVs.
        sar_reference = Tlv(TlvTag.SAR_MSG_REF_NUM, reference.to_bytes(2, "big"))
        total = Tlv(TlvTag.SAR_TOTAL_SEGMENTS, bytes((len(segments),)))
        return [
            _submit_sm(
                message,
                source,
                destination,
                registered,
                0,
                part.data_coding | flash,
                part.payload,
                (
                    sar_reference,
                    total,
                    Tlv(TlvTag.SAR_SEGMENT_SEQNUM, bytes((part.index,))),
                    *extra,
                ),
            )
            for part in segments
        ]
    # SMPP 3.4 §5.2.12: esm_class UDHI, the UDH leads each short_message.
    return [
        _submit_sm(
            message,
            source,
            destination,
            registered,
            ESM_CLASS_UDHI,
            part.data_coding | flash,
            part.udh + part.payload,
            extra,
        )
        for part in segments
    ]


def _submit_sm(
    message: Message,
    source: Address,
    destination: Address,
    registered_delivery: int,
    esm_class: int,
    data_coding: int,
    short_message: bytes,
    tlvs: tuple[Tlv, ...],
) -> SubmitSm:
    return SubmitSm(
        service_type=message.service_type,
        source_addr_ton=source.ton,
        source_addr_npi=source.npi,
        source_addr=source.value,
        dest_addr_ton=destination.ton,
        dest_addr_npi=destination.npi,
        destination_addr=destination.value,
        esm_class=esm_class,
        validity_period=message.validity_period,
        registered_delivery=registered_delivery,
        data_coding=data_coding,
        short_message=short_message,
        tlvs=tlvs,
    )
