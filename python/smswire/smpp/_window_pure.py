"""The pure-Python twin of the native ``submit_window`` (``rust/submit``):
the same bytes, records and errors, for a window's worth of messages.

It writes each submit_sm directly, as the native core does, from the
segments of the pure encoding backend; the client's own path
(:func:`smswire.smpp.submit.build_submits`, then the codec) is what both are
checked against, PDU for PDU.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

from smswire.encoding import STANDARD, NationalLanguage, Profile, _pure
from smswire.encoding._national import languages_of
from smswire.errors import ConfigurationError, SmswireError
from smswire.pdu import HEADER_LENGTH, CommandId, SubmitSm, Tlv, TlvTag
from smswire.pdu._pure import _Writer

__all__ = ["WindowMessage", "submit_window"]

# (source_addr_ton, source_addr_npi, source_addr, dest_addr_ton, dest_addr_npi,
# destination_addr, text): a message as the window takes it.
WindowMessage = tuple[int, int, str, int, int, str, str]

# SMPP 3.4 §5.1.4: sequence_number runs 0x00000001 to 0x7FFFFFFF.
MAX_SEQUENCE_NUMBER = 0x7FFFFFFF
# 3GPP TS 23.040 §9.2.3.24.1: the 8-bit reference, counted up per message.
REFERENCES = 256
# SMPP 3.4 §4.4.1: source_addr and destination_addr are C-Octet Strings of 21.
ADDRESS_LIMIT = 21
# SMPP 3.4 §5.2.12 esm_class UDHI; 3GPP TS 23.038 §4 the flash (class 0) bit;
# SMPP 3.4 §5.2.17 a receipt on the final outcome.
ESM_CLASS_UDHI = 0x40
DATA_CODING_FLASH_BIT = 0x10
REGISTERED_DELIVERY_FINAL = 0x01
_CONCATENATIONS = ("udh", "sar", "payload")
# One part's record: message, part (from 0), parts, sequence_number, offset.
RECORD = struct.Struct("<IHHII")
_HEADER = struct.Struct(">IIII")
_TLV = struct.Struct(">HH")


def submit_window(
    messages: Iterable[WindowMessage],
    first_sequence: int,
    *,
    reference: int = 0,
    profile: Profile | None = None,
    national: Iterable[str | NationalLanguage] | None = None,
    smart: bool = False,
    concatenation: str = "udh",
    flash: bool = False,
    registered_delivery: bool = True,
    service_type: bytes = b"",
    validity_period: bytes = b"",
    tlvs: bytes = b"",
) -> tuple[bytes, bytes, list[tuple[int, SmswireError]]]:
    """The submit_sm PDUs of ``messages`` numbered from ``first_sequence``:
    the wire bytes, a :data:`RECORD` per part, and ``(message, error)`` of
    each message refused (it takes no sequence number)."""
    if not 1 <= first_sequence <= MAX_SEQUENCE_NUMBER:
        raise ConfigurationError(
            f"first_sequence must be 1..{MAX_SEQUENCE_NUMBER} (SMPP 3.4 §5.1.4), "
            f"got {first_sequence}"
        )
    if not 0 <= reference < REFERENCES:
        raise ConfigurationError(
            f"reference must be 0..{REFERENCES - 1} (the 8-bit concatenation reference), "
            f"got {reference}"
        )
    if concatenation not in _CONCATENATIONS:
        raise ConfigurationError(
            f"concatenation must be 'udh', 'sar' or 'payload', not '{concatenation}'"
        )
    profile = STANDARD if profile is None else profile
    languages = tuple(languages_of(national))
    fixed = _Fixed(flash, registered_delivery, service_type, validity_period, tlvs)
    wire = bytearray()
    records = bytearray()
    refused: list[tuple[int, SmswireError]] = []
    sequence = first_sequence
    for position, message in enumerate(messages):
        # Checked before the text, as the native core checks them: a
        # caller's mistake refuses the window, whatever else the message has.
        _check_octets(position, message)
        ref = (reference + position) % REFERENCES
        try:
            parts = _parts(message[6], profile, languages, smart, concatenation, ref)
            head = fixed.addresses(message)
        except SmswireError as exc:
            refused.append((position, exc))
            continue
        total = len(parts)
        for k, (esm_class, data_coding, short_message, own_tlvs) in enumerate(parts):
            records += RECORD.pack(position, k, total, sequence, len(wire))
            wire += fixed.pdu(sequence, head, esm_class, data_coding, short_message, own_tlvs)
            sequence = 1 if sequence >= MAX_SEQUENCE_NUMBER else sequence + 1
    return bytes(wire), bytes(records), refused


# SMPP 3.4 §5.2.5 (TON) and §5.2.6 (NPI): each one octet; their places in a WindowMessage.
_OCTETS = (
    (0, "source_addr_ton", "5.2.5"),
    (1, "source_addr_npi", "5.2.6"),
    (3, "dest_addr_ton", "5.2.5"),
    (4, "dest_addr_npi", "5.2.6"),
)
OCTET_LIMIT = 255


def _check_octets(position: int, message: WindowMessage) -> None:
    for index, name, section in _OCTETS:
        value = message[index]
        if not isinstance(value, int) or not 0 <= value <= OCTET_LIMIT:
            raise ConfigurationError(
                f"message {position}: {name} must be 0..{OCTET_LIMIT} (SMPP 3.4 §{section}), "
                f"got {value!r}"
            )


# A part: esm_class, data_coding (flash bit not yet set), short_message, its own TLVs.
_Part = tuple[int, int, bytes, bytes]


def _parts(
    text: str,
    profile: Profile,
    languages: Sequence[int],
    smart: bool,
    concatenation: str,
    reference: int,
) -> list[_Part]:
    if not text:
        # As LINK refuses an empty Userdata: an SMS with nothing in it is a mistake.
        raise ConfigurationError("text is empty: there is nothing to send")
    if concatenation == "payload":
        # SMPP 3.4 §5.3.2.32: the whole text in one message_payload TLV.
        analysis = _pure.analyze(text, profile=profile, smart=smart)
        if analysis.replacements:
            characters = list(text)
            for index, _, replacement in analysis.replacements:
                characters[index] = replacement
            text = "".join(characters)
        gsm7 = analysis.encoding == "gsm7"
        body = _pure.encode_gsm7(text) if gsm7 else _pure.encode_ucs2(text)
        writer = _Writer(SubmitSm)
        writer.tlvs((Tlv(TlvTag.MESSAGE_PAYLOAD, body),))
        return [(0, analysis.data_coding, b"", bytes(writer.out[HEADER_LENGTH:]))]
    # 3GPP TS 23.038 Annex A: only a UDH can name the national shift tables.
    national = languages if concatenation == "udh" else ()
    segments = _pure.segment(
        text, profile=profile, reference=reference, national=_codes(national), smart=smart
    )
    total = len(segments)
    if concatenation == "sar" and total > 1:
        # SMPP 3.4 §5.3.2.22-24: the reference, the count and the part's number.
        head = (
            _TLV.pack(TlvTag.SAR_MSG_REF_NUM, 2)
            + reference.to_bytes(2, "big")
            + _TLV.pack(TlvTag.SAR_TOTAL_SEGMENTS, 1)
            + bytes((total,))
            + _TLV.pack(TlvTag.SAR_SEGMENT_SEQNUM, 1)
        )
        return [(0, s.data_coding, s.payload, head + bytes((s.index,))) for s in segments]
    return [
        (ESM_CLASS_UDHI if s.udh else 0, s.data_coding, s.udh + s.payload, b"") for s in segments
    ]


def _codes(identifiers: Sequence[int]) -> tuple[NationalLanguage, ...]:
    return tuple(NationalLanguage(identifier) for identifier in identifiers)


class _Fixed:
    """What every part of the window shares, and the addresses of a message."""

    __slots__ = ("flash", "registered", "service_type", "tail", "validity_period")

    def __init__(
        self,
        flash: bool,
        registered_delivery: bool,
        service_type: bytes,
        validity_period: bytes,
        tlvs: bytes,
    ) -> None:
        self.flash = DATA_CODING_FLASH_BIT if flash else 0
        self.registered = REGISTERED_DELIVERY_FINAL if registered_delivery else 0
        self.service_type = service_type
        self.validity_period = validity_period
        self.tail = tlvs

    def addresses(self, message: WindowMessage) -> bytes:
        """service_type, source and destination as the PDU carries them."""
        writer = _Writer(SubmitSm)
        writer.out += self.service_type + b"\0"
        source_ton, source_npi, source, dest_ton, dest_npi, destination, _ = message
        writer.out += bytes((source_ton, source_npi))
        writer.cstring("source_addr", source, ADDRESS_LIMIT)
        writer.out += bytes((dest_ton, dest_npi))
        writer.cstring("destination_addr", destination, ADDRESS_LIMIT)
        return bytes(writer.out[HEADER_LENGTH:])

    def pdu(
        self,
        sequence: int,
        head: bytes,
        esm_class: int,
        data_coding: int,
        short_message: bytes,
        own_tlvs: bytes,
    ) -> bytes:
        body = b"".join(
            (
                head,
                # esm_class, protocol_id, priority_flag, schedule_delivery_time (NULL).
                bytes((esm_class, 0, 0, 0)),
                self.validity_period,
                # NUL, registered_delivery, replace_if_present_flag, data_coding,
                # sm_default_msg_id, sm_length.
                bytes((0, self.registered, 0, data_coding | self.flash, 0, len(short_message))),
                short_message,
                own_tlvs,
                self.tail,
            )
        )
        header = _HEADER.pack(HEADER_LENGTH + len(body), CommandId.SUBMIT_SM, 0, sequence)
        return header + body
