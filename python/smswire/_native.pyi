# Stubs of the Rust extension `smswire._native` (rust/python/). Keep them in
# step with the bindings: this file is the contract mypy and users see.

# `python -m mypy.stubtest smswire._native` holds them to the built module
# (.ci/run). A class the bindings build in Rust takes its arguments in
# `__new__` and cannot be subclassed unless said (`@final`).

from collections.abc import Iterable
from collections.abc import Iterable as _Iterable
from datetime import tzinfo as _tzinfo
from typing import final

from typing_extensions import Buffer as _Buffer

from smswire.encoding._national import NationalLanguage
from smswire.encoding._profile import Profile
from smswire.errors import SmswireError as _SmswireError
from smswire.pdu._types import Pdu as _Pdu
from smswire.smpp.receipts import DeliveryReceipt as _DeliveryReceipt

__all__ = [
    "Analysis",
    "PduBase",
    "PduFramer",
    "Segment",
    "analyze",
    "analyze_many",
    "decode_gsm7",
    "decode_ucs2",
    "encode_gsm7",
    "encode_ucs2",
    "message_id_keys",
    "national_locking_table",
    "national_single_shift_table",
    "pack_septets",
    "parse_receipt",
    "pdu_decode",
    "pdu_encode",
    "pdu_encode_many",
    "pdu_schema",
    "segment",
    "segment_many",
    "smart_replacement",
    "submit_window",
    "unpack_septets",
]

# ---- encoding (rust/python/encoding.rs, segment.rs); the pure twin: smswire/encoding/_pure.py
@final
class Segment:
    def __new__(
        cls, udh: bytes, payload: bytes, data_coding: int, index: int, total: int
    ) -> Segment: ...
    @property
    def udh(self) -> bytes: ...
    @property
    def payload(self) -> bytes: ...
    @property
    def data_coding(self) -> int: ...
    @property
    def index(self) -> int: ...
    @property
    def total(self) -> int: ...

@final
class Analysis:
    @property
    def encoding(self) -> str: ...
    @property
    def data_coding(self) -> int: ...
    @property
    def units(self) -> int: ...
    @property
    def segments(self) -> int: ...
    @property
    def per_segment(self) -> int: ...
    @property
    def characters(self) -> int: ...
    @property
    def non_gsm(self) -> tuple[tuple[int, str], ...]: ...
    @property
    def locking_shift(self) -> str | None: ...
    @property
    def single_shift(self) -> str | None: ...
    @property
    def parts_saved(self) -> int: ...
    @property
    def replacements(self) -> tuple[tuple[int, str, str], ...]: ...

def analyze(
    text: str,
    *,
    profile: Profile | None = None,
    udh16: bool = False,
    graphemes: bool = False,
    national: Iterable[str | NationalLanguage] | None = None,
    smart: bool = False,
) -> Analysis: ...
def analyze_many(
    texts: Iterable[str],
    *,
    profile: Profile | None = None,
    udh16: bool = False,
    graphemes: bool = False,
    national: Iterable[str | NationalLanguage] | None = None,
    smart: bool = False,
) -> list[Analysis]: ...
def segment(
    text: str,
    *,
    profile: Profile | None = None,
    reference: int | None = None,
    udh16: bool = False,
    packed: bool = False,
    graphemes: bool = False,
    national: Iterable[str | NationalLanguage] | None = None,
    smart: bool = False,
) -> list[Segment]: ...
def segment_many(
    texts: Iterable[str],
    *,
    profile: Profile | None = None,
    udh16: bool = False,
    packed: bool = False,
    graphemes: bool = False,
    national: Iterable[str | NationalLanguage] | None = None,
    smart: bool = False,
) -> list[list[Segment]]: ...
def encode_gsm7(text: str) -> bytes: ...
def decode_gsm7(data: bytes, *, udh: bytes = b"") -> str: ...
def pack_septets(septets: bytes, fill_bits: int = 0, *, ussd_cr_pad: bool = False) -> bytes: ...
def unpack_septets(data: bytes, count: int, fill_bits: int = 0) -> bytes: ...
def encode_ucs2(text: str) -> bytes: ...
def decode_ucs2(data: bytes) -> str: ...

# --- SMPP PDU codec (rust/python/pdu/; pure twin: smswire/pdu/_pure.py) ---
class PduBase:
    """Base of the PDU dataclasses under the native backend (its tp_new fills their slots)."""

def pdu_decode(data: _Buffer) -> _Pdu: ...
def pdu_encode(pdu: _Pdu) -> bytes: ...
def pdu_encode_many(pdus: _Iterable[_Pdu]) -> bytes: ...

# (command_id, class name, ((field, kind, limit, default), ...)) per PDU: the
# native schema, for tests/pdu/test_schema.py.
_SchemaField = tuple[str, int, int, int | str | bytes | tuple[()]]

def pdu_schema() -> tuple[tuple[int, str, tuple[_SchemaField, ...]], ...]: ...

@final
class PduFramer:
    def __new__(cls, max_command_length: int = 65536) -> PduFramer: ...
    @property
    def max_command_length(self) -> int: ...
    def feed(self, data: _Buffer) -> list[_Pdu]: ...

# ---- national language shift tables and smart encoding (rust/python/national.rs)
def national_locking_table(identifier: int) -> str | None: ...
def national_single_shift_table(identifier: int) -> str | None: ...
def smart_replacement(ch: str) -> str | None: ...

# ---- delivery receipts (rust/python/receipt.rs); the pure twin: smswire/smpp/_receipt_pure.py
def parse_receipt(
    short_message: bytes,
    tlvs: _Iterable[tuple[int, bytes]] = ...,
    *,
    source: str = ...,
    destination: str = ...,
    tz: _tzinfo | None = ...,
    data_coding: int = ...,
) -> _DeliveryReceipt: ...
def message_id_keys(message_id: str) -> tuple[str, ...]: ...

# ---- the fused submit path (rust/python/window.rs); the pure twin: smswire/smpp/_window_pure.py
def submit_window(
    messages: _Iterable[tuple[int, int, str, int, int, str, str]],
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
) -> tuple[bytes, bytes, list[tuple[int, _SmswireError]]]: ...
