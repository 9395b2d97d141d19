"""The fused submit path: a window's worth of messages to the bytes a client
writes, in one call.

:func:`encode_window` segments every text, builds and encodes every part's
submit_sm and stamps consecutive sequence numbers, natively when the
extension is loaded (``rust/submit``), else in the pure twin: the same
bytes, records and errors either way. No Python object is made per part:
the parts are the wire bytes and a packed :data:`RECORD` each (its message,
its place, its sequence_number and where its PDU lies in the wire), which is
what a client keeps to match responses and to send one part again.

The PDUs are exactly those :func:`~smswire.smpp.submit.build_submits` gives
for the same messages, numbered as a session numbers them. What the
messages of a window share (the encoding options, flash, concatenation,
validity, service_type, registered_delivery, TLVs) is checked once for the
window; what each brings (addresses, text) is checked per message, and a
message refused takes no sequence number and sinks no other.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from smswire._backend import NATIVE
from smswire.encoding import STANDARD, NationalLanguage, Profile
from smswire.errors import ConfigurationError, ProtocolError, SmswireError
from smswire.message import Concatenation
from smswire.pdu import SubmitSm, Tlv, encode
from smswire.smpp import _window_pure
from smswire.smpp.addresses import Address

__all__ = [
    "RECORD",
    "EncodedWindow",
    "PartRecord",
    "WindowMessage",
    "encode_window",
    "submit_window",
    "window_message",
]

if TYPE_CHECKING or NATIVE is None:
    submit_window = _window_pure.submit_window
else:
    submit_window = NATIVE.submit_window

WindowMessage = _window_pure.WindowMessage
# One part: message index, part index from 0, the message's parts,
# sequence_number, offset of its PDU in the wire (little-endian).
RECORD: struct.Struct = _window_pure.RECORD


class PartRecord(NamedTuple):
    """What a client remembers of one part written."""

    message: int
    part: int
    parts: int
    sequence_number: int
    offset: int


class EncodedWindow(NamedTuple):
    """The PDUs of a window, a :data:`RECORD` per part, and the refused messages."""

    wire: bytes
    records: bytes
    refused: list[tuple[int, SmswireError]]

    def parts(self) -> Iterator[PartRecord]:
        """Each part's record, unpacked (for callers that want them as objects)."""
        return (PartRecord(*fields) for fields in RECORD.iter_unpack(self.records))

    def pdu(self, record: PartRecord) -> bytes:
        """The PDU of one part, for sending it again alone."""
        length = int.from_bytes(self.wire[record.offset : record.offset + 4], "big")
        return self.wire[record.offset : record.offset + length]


def window_message(source: Address, destination: Address, text: str) -> WindowMessage:
    """A message as the window takes it, from addresses already classified
    (:func:`~smswire.smpp.submit.resolve_source`,
    :func:`~smswire.smpp.addresses.destination_address`)."""
    return (
        source.ton,
        source.npi,
        source.value,
        destination.ton,
        destination.npi,
        destination.value,
        text,
    )


def encode_window(
    messages: Sequence[WindowMessage],
    first_sequence: int,
    *,
    reference: int = 0,
    profile: Profile = STANDARD,
    national: Iterable[str | NationalLanguage] = (),
    smart: bool = False,
    concatenation: Concatenation = Concatenation.UDH,
    flash: bool = False,
    registered_delivery: bool = True,
    service_type: str = "",
    validity_period: str = "",
    tlvs: tuple[Tlv, ...] = (),
) -> EncodedWindow:
    """The submit_sm PDUs of ``messages``, numbered from ``first_sequence``
    (1..0x7FFFFFFF, wrapping to 1 after it, SMPP 3.4 §5.1.4); the first
    message's concatenation ``reference`` counts up by one a message, modulo
    256, as a client counts it.

    Raises :class:`ConfigurationError` for shared options SMPP 3.4 does not
    allow (a service_type, validity_period or TLV the codec refuses, named as
    :func:`~smswire.smpp.submit.build_submits` names them), an unknown
    national language, or a sequence number or reference out of range.
    """
    if not isinstance(concatenation, Concatenation):
        raise ConfigurationError(f"concatenation must be a Concatenation, not {concatenation!r}")
    service, validity, tail = _shared_fields(concatenation, service_type, validity_period, tlvs)
    wire, records, refused = submit_window(
        messages,
        first_sequence,
        reference=reference,
        profile=profile,
        national=national,
        smart=smart,
        concatenation=concatenation.value,
        flash=flash,
        registered_delivery=registered_delivery,
        service_type=service,
        validity_period=validity,
        tlvs=tail,
    )
    return EncodedWindow(wire, records, refused)


def _shared_fields(
    concatenation: Concatenation, service_type: str, validity_period: str, tlvs: tuple[Tlv, ...]
) -> tuple[bytes, bytes, bytes]:
    """service_type, validity_period and the TLVs as every part carries them,
    checked by the codec once (a part with a short_message stands for them all;
    with message_payload, short_message stays empty, SMPP 3.4 §5.3.2.32)."""
    short_message = b"" if concatenation is Concatenation.PAYLOAD else b"x"
    try:
        bare = encode(
            SubmitSm(
                service_type=service_type,
                validity_period=validity_period,
                short_message=short_message,
            )
        )
        full = encode(
            SubmitSm(
                service_type=service_type,
                validity_period=validity_period,
                short_message=short_message,
                tlvs=tlvs,
            )
        )
    except ProtocolError as exc:
        raise ConfigurationError(f"{exc.field or 'the message'}: {exc}") from None
    return service_type.encode("latin-1"), validity_period.encode("latin-1"), full[len(bare) :]
