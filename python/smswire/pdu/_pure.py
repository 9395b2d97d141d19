"""The pure-Python SMPP 3.4 codec: the twin of rust/pdu/ (same bytes, same errors).

Bodies are read and written by walking ``BODIES``; every rule the walk
enforces cites its source there or here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from struct import Struct
from typing import TYPE_CHECKING, Any

from smswire.errors import ConfigurationError, ProtocolError
from smswire.pdu._tlv import TlvTag
from smswire.pdu._types import (
    BODIES,
    CLASSES,
    CSTRING,
    DEST_ADDRESS,
    FIELD_STATUS,
    FIELD_VALUES,
    HEADER_LENGTH,
    MAX_COMMAND_LENGTH,
    SHORT_MESSAGE,
    TIME,
    UINT8,
    CommandStatus,
    DistributionList,
    Pdu,
    SmeAddress,
    Tlv,
    UnsuccessSme,
)

if TYPE_CHECKING:
    from typing_extensions import Buffer

__all__ = ["Framer", "decode", "encode", "encode_many"]

_HEADER = Struct(">IIII")
_BODY_HEADER = Struct(">III")
_TLV_HEADER = Struct(">HH")
_U32 = Struct(">I")
_RESPONSE_BIT = 0x80000000
# SMPP 3.4 §5.3.2.32; compared with every TLV's tag, so bound once as a plain int.
_MESSAGE_PAYLOAD = int(TlvTag.MESSAGE_PAYLOAD)
_TIME_LENGTH = 16  # SMPP 3.4 §7.1: YYMMDDhhmmsstnnp
_MAX_U32 = 0xFFFFFFFF
_MAX_TLV_VALUE = 0xFFFF  # SMPP 3.4 §3.2.3: the length is two octets
_SME_ADDRESS_FLAG = 1  # SMPP 3.4 §4.5.1.1 dest_flag
_DISTRIBUTION_LIST_FLAG = 2
_ADDRESS_LIMIT = 21  # SMPP 3.4 §4.5.1.1, §4.5.2: destination_addr, dl_name

_INVCMDLEN = CommandStatus.ESME_RINVCMDLEN
_DEFAULTS: dict[type, tuple[Any, ...]] = {
    cls: tuple(f.default for f in fields(cls)[: len(spec)]) for cls, spec in BODIES.items()
}


def _status(name: str) -> int:
    return FIELD_STATUS.get(name, CommandStatus.ESME_RSYSERR)


class _Reader:
    """Reads one body; raises ProtocolError carrying the PDU's header."""

    __slots__ = ("command_id", "data", "end", "pos", "sequence_number")

    def __init__(self, data: bytes, pos: int, end: int, command_id: int, sequence: int) -> None:
        self.data = data
        self.pos = pos
        self.end = end
        self.command_id = command_id
        self.sequence_number = sequence

    def fail(self, message: str, status: int, name: str) -> ProtocolError:
        return ProtocolError(
            message,
            status=status,
            field=name,
            command_id=self.command_id,
            sequence_number=self.sequence_number,
        )

    def truncated(self, name: str) -> ProtocolError:
        # SMPP 3.4 §3.2: command_length covers the whole PDU; a body that ends
        # inside a mandatory field contradicts it.
        return self.fail(
            f"{name}: the body ends inside this field (command_length too short)",
            _INVCMDLEN,
            name,
        )

    def uint8(self, name: str) -> int:
        if self.pos >= self.end:
            raise self.truncated(name)
        value = self.data[self.pos]
        self.pos += 1
        return value

    def cstring(self, name: str, limit: int) -> str:
        # SMPP 3.4 §3.1: a C-Octet String ends with NUL; limit counts the NUL.
        start = self.pos
        nul = self.data.find(b"\0", start, min(self.end, start + limit))
        if nul < 0:
            if self.end - start < limit:
                raise self.truncated(name)
            raise self.fail(
                f"{name}: no NUL terminator within its maximum of {limit} octets",
                _status(name),
                name,
            )
        self.pos = nul + 1
        return self.data[start:nul].decode("latin-1")

    def time(self, name: str) -> str:
        value = self.cstring(name, _TIME_LENGTH + 1)
        if len(value) not in (0, _TIME_LENGTH):
            # SMPP 3.4 §7.1: a time is NULL or exactly 16 characters.
            raise self.fail(
                f"{name}: a time is empty or exactly {_TIME_LENGTH} characters, got {len(value)}",
                _status(name),
                name,
            )
        return value

    def short_message(self, name: str) -> bytes:
        length = self.uint8("sm_length")
        start = self.pos
        if length > self.end - start:
            # SMPP 3.4 §4.4.1: sm_length gives the octets of short_message.
            raise self.fail(
                f"{name}: sm_length {length} exceeds the {self.end - start} octets "
                "left in the body",
                CommandStatus.ESME_RINVMSGLEN,
                name,
            )
        self.pos = start + length
        return self.data[start : self.pos]

    def dest_address(self, limit: int) -> tuple[SmeAddress | DistributionList, ...]:
        count = self.uint8("number_of_dests")
        if count > limit:
            raise self.fail(
                f"number_of_dests: {count} exceeds the maximum of {limit}",
                _status("number_of_dests"),
                "number_of_dests",
            )
        entries: list[SmeAddress | DistributionList] = []
        for _ in range(count):
            flag = self.uint8("dest_flag")
            if flag == _SME_ADDRESS_FLAG:
                ton = self.uint8("dest_addr_ton")
                npi = self.uint8("dest_addr_npi")
                entries.append(
                    SmeAddress(ton, npi, self.cstring("destination_addr", _ADDRESS_LIMIT))
                )
            elif flag == _DISTRIBUTION_LIST_FLAG:
                entries.append(DistributionList(self.cstring("dl_name", _ADDRESS_LIMIT)))
            else:
                raise self.fail(
                    f"dest_flag: {flag} is neither 1 (SME address) nor 2 (distribution list)",
                    _status("dest_flag"),
                    "dest_flag",
                )
        return tuple(entries)

    def unsuccess_sme(self) -> tuple[UnsuccessSme, ...]:
        count = self.uint8("no_unsuccess")
        entries = []
        for _ in range(count):
            ton = self.uint8("dest_addr_ton")
            npi = self.uint8("dest_addr_npi")
            address = self.cstring("destination_addr", _ADDRESS_LIMIT)
            if self.end - self.pos < 4:
                raise self.truncated("error_status_code")
            (error,) = _U32.unpack_from(self.data, self.pos)
            self.pos += 4
            entries.append(UnsuccessSme(ton, npi, address, error))
        return tuple(entries)

    def tlvs(self) -> tuple[Tlv, ...]:
        # SMPP 3.4 §3.2.3: optional parameters fill the rest of the body, each
        # a 2-octet tag, a 2-octet length and that many octets, in any order.
        found = []
        data, pos, end = self.data, self.pos, self.end
        while pos < end:
            if end - pos < 4:
                raise self.fail(
                    f"tlvs: {end - pos} stray octets after the last parameter",
                    CommandStatus.ESME_RINVOPTPARSTREAM,
                    "tlvs",
                )
            tag, length = _TLV_HEADER.unpack_from(data, pos)
            pos += 4
            if length > end - pos:
                raise self.fail(
                    f"tlvs: parameter 0x{tag:04X} declares {length} octets, "
                    f"only {end - pos} remain",
                    CommandStatus.ESME_RINVOPTPARSTREAM,
                    "tlvs",
                )
            found.append(Tlv(tag, data[pos : pos + length]))
            pos += length
        self.pos = pos
        return tuple(found)


def _decode_body(data: bytes, pos: int, end: int, cid: int, status: int, seq: int) -> Pdu:
    cls = CLASSES.get(cid)
    if cls is None:
        # SMPP 3.4 §5.1.2.1: an unknown command_id is answered with generic_nack.
        raise ProtocolError(
            f"command_id: 0x{cid:08X} is not an SMPP 3.4 command",
            status=CommandStatus.ESME_RINVCMDID,
            field="command_id",
            command_id=cid,
            sequence_number=seq,
        )
    if pos == end and cid & _RESPONSE_BIT:
        # SMPP 3.4 §4.4.2 (and the other responses): the body is not returned
        # with a non-zero command_status; real SMSCs omit it on success too.
        pdu: Pdu = cls(command_status=status, sequence_number=seq)
        return pdu
    reader = _Reader(data, pos, end, cid, seq)
    values: list[Any] = []
    sm_present = False
    for name, kind, limit in BODIES[cls]:
        if kind == UINT8:
            values.append(reader.uint8(name))
        elif kind == CSTRING:
            values.append(reader.cstring(name, limit))
        elif kind == TIME:
            values.append(reader.time(name))
        elif kind == SHORT_MESSAGE:
            message = reader.short_message(name)
            sm_present = bool(message)
            values.append(message)
        elif kind == DEST_ADDRESS:
            values.append(reader.dest_address(limit))
        else:
            values.append(reader.unsuccess_sme())
    tlvs = reader.tlvs()
    if sm_present and any(t.tag == _MESSAGE_PAYLOAD for t in tlvs):
        raise reader.fail(
            "message_payload: not allowed together with a non-empty short_message",
            _status("message_payload"),
            "message_payload",
        )
    pdu = cls(*values, status, seq, tlvs)
    return pdu


def _octets(data: Buffer, caller: str) -> bytes:
    """The octets of a bytes-like object, as the native ``octets`` takes them.

    Any object with the buffer protocol (bytearray, memoryview, array, mmap):
    an asyncio ``BufferedProtocol`` hands over memoryviews. ``bytes(data)``
    would also take an int (that many zeros) or a list of ints.
    """
    if type(data) is bytes:
        return data
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(
            f"{caller}() takes a bytes-like object, not {type(data).__name__}"
        ) from None
    return view.tobytes()


def decode(data: Buffer) -> Pdu:
    """Decode exactly one whole PDU (header and body) from a bytes-like object."""
    data = _octets(data, "decode")
    size = len(data)
    if size < HEADER_LENGTH:
        raise ProtocolError(
            f"command_length: a PDU is at least {HEADER_LENGTH} octets, got {size}",
            status=_INVCMDLEN,
            field="command_length",
        )
    length, cid, status, seq = _HEADER.unpack_from(data)
    if length != size:
        raise ProtocolError(
            f"command_length: the header says {length} octets, the data holds {size}",
            status=_INVCMDLEN,
            field="command_length",
            command_id=cid,
            sequence_number=seq,
        )
    return _decode_body(data, HEADER_LENGTH, size, cid, status, seq)


class _Writer:
    __slots__ = ("cls", "out")

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.out = bytearray(HEADER_LENGTH)

    def fail(self, message: str, name: str, status: int | None = None) -> ProtocolError:
        return ProtocolError(
            f"{self.cls.__name__}.{name}: {message}",
            status=_status(name) if status is None else status,
            field=name,
            command_id=self.cls.command_id,  # type: ignore[attr-defined]
        )

    def uint8(self, name: str, value: Any) -> None:
        if not isinstance(value, int):
            raise self.fail(f"must be an int, got {type(value).__name__}", name)
        if not 0 <= value <= 0xFF:
            raise self.fail("must be 0..255 (one octet)", name)
        self.out.append(value)

    def cstring(self, name: str, value: Any, limit: int) -> None:
        if not isinstance(value, str):
            raise self.fail(f"must be a str, got {type(value).__name__}", name)
        try:
            octets = value.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise self.fail(
                f"character at index {exc.start} is above U+00FF (C-Octet Strings are octets)",
                name,
            ) from None
        if len(octets) >= limit:
            raise self.fail(
                f"{len(octets)} octets exceed the maximum of {limit - 1} (plus NUL)", name
            )
        if b"\0" in octets:
            raise self.fail("contains NUL, which would end the C-Octet String early", name)
        self.out += octets
        self.out.append(0)

    def time(self, name: str, value: Any) -> None:
        if isinstance(value, str) and len(value) not in (0, _TIME_LENGTH):
            raise self.fail(
                f"a time is empty or exactly {_TIME_LENGTH} characters, got {len(value)}", name
            )
        self.cstring(name, value, _TIME_LENGTH + 1)

    def short_message(self, name: str, value: Any, limit: int) -> None:
        if not isinstance(value, bytes):
            raise self.fail(f"must be bytes, got {type(value).__name__}", name)
        if len(value) > limit:
            raise self.fail(f"{len(value)} octets exceed the maximum of {limit}", name)
        self.out.append(len(value))
        self.out += value

    def dest_address(self, value: Any, limit: int) -> None:
        if not isinstance(value, tuple):
            raise self.fail("must be a tuple", "number_of_dests")
        if len(value) > limit:
            raise self.fail(
                f"{len(value)} destinations exceed the maximum of {limit}", "number_of_dests"
            )
        self.out.append(len(value))
        for entry in value:
            if isinstance(entry, SmeAddress):
                self.out.append(_SME_ADDRESS_FLAG)
                self.uint8("dest_addr_ton", entry.dest_addr_ton)
                self.uint8("dest_addr_npi", entry.dest_addr_npi)
                self.cstring("destination_addr", entry.destination_addr, _ADDRESS_LIMIT)
            elif isinstance(entry, DistributionList):
                self.out.append(_DISTRIBUTION_LIST_FLAG)
                self.cstring("dl_name", entry.dl_name, _ADDRESS_LIMIT)
            else:
                raise self.fail("entries must be SmeAddress or DistributionList", "dest_flag")

    def unsuccess_sme(self, value: Any, limit: int) -> None:
        if not isinstance(value, tuple) or len(value) > limit:
            raise self.fail(f"must be a tuple of at most {limit} UnsuccessSme", "unsuccess_sme")
        self.out.append(len(value))
        for entry in value:
            if not isinstance(entry, UnsuccessSme):
                raise self.fail("entries must be UnsuccessSme", "unsuccess_sme")
            self.uint8("dest_addr_ton", entry.dest_addr_ton)
            self.uint8("dest_addr_npi", entry.dest_addr_npi)
            self.cstring("destination_addr", entry.destination_addr, _ADDRESS_LIMIT)
            self.uint32("error_status_code", entry.error_status_code)

    def uint32(self, name: str, value: Any) -> None:
        if not isinstance(value, int) or not 0 <= value <= _MAX_U32:
            raise self.fail("must be an int 0..0xFFFFFFFF (four octets)", name)
        self.out += _U32.pack(value)

    def tlvs(self, value: Any) -> None:
        if not isinstance(value, tuple):
            raise self.fail("must be a tuple of Tlv", "tlvs")
        for tlv in value:
            if not isinstance(tlv, Tlv):
                raise self.fail("entries must be Tlv", "tlvs")
            tag, octets = tlv.tag, tlv.value
            if not isinstance(tag, int) or not 0 <= tag <= 0xFFFF:
                raise self.fail("a tag is an int 0..0xFFFF (two octets)", "tlvs")
            if not isinstance(octets, bytes):
                raise self.fail("a value is bytes", "tlvs")
            if len(octets) > _MAX_TLV_VALUE:
                raise self.fail(
                    f"parameter 0x{tag:04X} holds {len(octets)} octets, "
                    f"more than the maximum of {_MAX_TLV_VALUE}",
                    "tlvs",
                    CommandStatus.ESME_RINVPARLEN,
                )
            self.out += _TLV_HEADER.pack(tag, len(octets))
            self.out += octets


def _encode_into(pdu: Pdu) -> bytes:
    cls = type(pdu)
    values = FIELD_VALUES.get(cls)
    if values is None:
        raise TypeError(f"encode() takes an SMPP PDU, not {cls.__name__}")
    *body_values, status, sequence, tlvs = values(pdu)
    spec = BODIES[cls]
    writer = _Writer(cls)
    cid: int = pdu.command_id
    writer.uint32("command_status", status)
    writer.uint32("sequence_number", sequence)
    del writer.out[HEADER_LENGTH:]
    omit_body = (
        cid & _RESPONSE_BIT and status != 0 and not tlvs and tuple(body_values) == _DEFAULTS[cls]
    )
    if not omit_body:
        # SMPP 3.4 §4.4.2: responses with a non-zero status carry no body,
        # unless the caller filled one in (some SMSCs send system_id anyway).
        sm_present = False
        for (name, kind, limit), value in zip(spec, body_values):
            if kind == UINT8:
                writer.uint8(name, value)
            elif kind == CSTRING:
                writer.cstring(name, value, limit)
            elif kind == TIME:
                writer.time(name, value)
            elif kind == SHORT_MESSAGE:
                writer.short_message(name, value, limit)
                sm_present = bool(value)
            elif kind == DEST_ADDRESS:
                writer.dest_address(value, limit)
            else:
                writer.unsuccess_sme(value, limit)
        writer.tlvs(tlvs)
        if sm_present and any(t.tag == _MESSAGE_PAYLOAD for t in tlvs):
            # SMPP 3.4 §5.3.2.32: with message_payload, sm_length is zero.
            raise writer.fail(
                "not allowed together with a non-empty short_message", "message_payload"
            )
    out = writer.out
    _HEADER.pack_into(out, 0, len(out), cid, status, sequence)
    return bytes(out)


def encode(pdu: Pdu) -> bytes:
    """Encode one PDU, header included, with its command_status and sequence_number."""
    return _encode_into(pdu)


def encode_many(pdus: Iterable[Pdu]) -> bytes:
    """Encode PDUs back to back, for one coalesced write."""
    return b"".join([_encode_into(pdu) for pdu in pdus])


class Framer:
    """Splits a received byte stream into PDUs (SMPP 3.4 §3.2: command_length frames).

    ``max_command_length`` must be an int within 16..0xFFFFFFFF (the header's
    length up to what command_length can say); anything else, ``None``
    included, raises ``ConfigurationError``.
    """

    def __init__(self, max_command_length: int = MAX_COMMAND_LENGTH) -> None:
        if not isinstance(max_command_length, int) or not (
            HEADER_LENGTH <= max_command_length <= _MAX_U32
        ):
            raise ConfigurationError(
                f"max_command_length must be {HEADER_LENGTH}..{_MAX_U32}, "
                f"got {max_command_length!r}"
            )
        self._max = max_command_length
        self._buffer = bytearray()
        self._broken: str | None = None

    @property
    def max_command_length(self) -> int:
        return self._max

    def _broken_error(self) -> ProtocolError:
        return ProtocolError(str(self._broken), status=_INVCMDLEN, field="command_length")

    def feed(self, data: Buffer) -> list[Pdu]:
        """Append a bytes-like ``data``; return every complete PDU, keep a partial one."""
        data = _octets(data, "Framer.feed")
        if self._broken is not None:
            raise self._broken_error()
        buffer = self._buffer
        buffer += data
        found: list[Pdu] = []
        pos = 0
        size = len(buffer)
        snapshot = b""
        while size - pos >= 4:
            (length,) = _U32.unpack_from(buffer, pos)
            if length < HEADER_LENGTH or length > self._max:
                # SMPP 3.4 §3.2: without a sane command_length the stream cannot
                # be re-synchronised; stop reading before buffering the body.
                self._broken = (
                    f"command_length: {length} is outside {HEADER_LENGTH}..{self._max}; "
                    "the connection must be closed"
                )
                buffer.clear()
                if found:
                    return found
                raise self._broken_error()
            if size - pos < length:
                break
            if not snapshot:
                snapshot = bytes(buffer)
            cid, status, seq = _BODY_HEADER.unpack_from(snapshot, pos + 4)
            try:
                found.append(
                    _decode_body(snapshot, pos + HEADER_LENGTH, pos + length, cid, status, seq)
                )
            except ProtocolError:
                if found:
                    break
                del buffer[: pos + length]
                raise
            pos += length
        del buffer[:pos]
        return found
