"""Hypothesis strategies for every SMPP 3.4 PDU, built from the codec's own schema."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from smswire.pdu import (
    PDU_CLASSES,
    DistributionList,
    Pdu,
    SmeAddress,
    Tlv,
    TlvTag,
    UnsuccessSme,
)
from smswire.pdu._types import (
    BODIES,
    CSTRING,
    DEST_ADDRESS,
    SHORT_MESSAGE,
    TIME,
    UINT8,
)

octet = st.integers(0, 0xFF)
u32 = st.integers(0, 0xFFFFFFFF)
# C-Octet Strings are latin-1 text without NUL (one character, one octet).
latin1 = st.characters(min_codepoint=1, max_codepoint=0xFF)


def cstring(limit: int) -> st.SearchStrategy[str]:
    return st.text(latin1, max_size=limit - 1)


address = cstring(21)
times = st.one_of(st.just(""), st.text(latin1, min_size=16, max_size=16))
tlvs = st.lists(
    st.builds(
        Tlv,
        st.one_of(st.sampled_from(list(TlvTag)), st.integers(0, 0xFFFF)),
        st.binary(max_size=24),
    ),
    max_size=4,
).map(tuple)
dest_address = st.lists(
    st.one_of(
        st.builds(SmeAddress, octet, octet, address),
        st.builds(DistributionList, address),
    ),
    max_size=4,
).map(tuple)
unsuccess_sme = st.lists(st.builds(UnsuccessSme, octet, octet, address, u32), max_size=4).map(tuple)


def _field(kind: int, limit: int) -> st.SearchStrategy[Any]:
    if kind == CSTRING:
        return cstring(limit)
    if kind == TIME:
        return times
    if kind == UINT8:
        return octet
    if kind == SHORT_MESSAGE:
        return st.binary(max_size=limit)
    if kind == DEST_ADDRESS:
        return dest_address
    return unsuccess_sme


def _valid(pdu: Any) -> bool:
    # SMPP 3.4 §5.3.2.32: short_message and message_payload are exclusive.
    return not (
        getattr(pdu, "short_message", b"")
        and any(t.tag == TlvTag.MESSAGE_PAYLOAD for t in pdu.tlvs)
    )


def pdu_of(cls: type) -> st.SearchStrategy[Pdu]:
    body = {name: _field(kind, limit) for name, kind, limit in BODIES[cls]}
    return st.builds(cls, **body, command_status=u32, sequence_number=u32, tlvs=tlvs).filter(_valid)


pdus: st.SearchStrategy[Pdu] = st.one_of([pdu_of(cls) for cls in PDU_CLASSES])
