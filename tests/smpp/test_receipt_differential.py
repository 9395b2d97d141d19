"""The native receipt parser and the pure twin agree: same receipts, same errors.

Both run in this process, called directly, on arbitrary octets, on receipts
built from Appendix B's parts and every variant the parser accepts, and on
the real-world vectors; skipped when the extension is absent.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smswire._backend import NATIVE
from smswire.pdu import DeliverSm, decode
from smswire.smpp import _receipt_pure
from smswire.smpp.receipts import DeliveryReceipt, _parse_receipt_pure

if NATIVE is None:
    pytest.skip("the native extension is not loaded", allow_module_level=True)
native: Any = NATIVE

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "receipts.json").read_text())


def snapshot(receipt: DeliveryReceipt) -> list[tuple[str, type, Any, Any]]:
    """Every field with its value's exact type, and a datetime's zone and
    wall time too: `==` on aware datetimes compares instants only."""
    state = []
    for field in fields(receipt):
        value = getattr(receipt, field.name)
        zone = (
            (value.tzinfo, value.utcoffset(), value.replace(tzinfo=None))
            if isinstance(value, datetime)
            else None
        )
        state.append((field.name, type(value), value, zone))
    return state


def outcome(function: Callable[..., DeliveryReceipt], *args: Any, **kwargs: Any) -> Any:
    try:
        receipt = function(*args, **kwargs)
    except Exception as error:  # the type and the message must match too
        return ("raised", type(error).__name__, str(error))
    assert type(receipt) is DeliveryReceipt
    # The instance holds the dataclass's fields and nothing else.
    assert sorted(vars(receipt)) == sorted(field.name for field in fields(receipt))
    return ("ok", snapshot(receipt))


def both(*args: Any, **kwargs: Any) -> Any:
    expected = outcome(_parse_receipt_pure, *args, **kwargs)
    assert outcome(native.parse_receipt, *args, **kwargs) == expected
    return expected


ZONES: list[tzinfo | None] = [
    timezone.utc,
    None,
    timezone(timedelta(hours=-3, minutes=-30)),
    timezone(timedelta(hours=14)),
]
DATA_CODINGS = [0x00, 0x01, 0x03, 0x04, 0x08, 0x09, 0x18, 0x28, 0x48, 0xE0, 0xF0, 0xFF, 256, -1]
TAGS = [0x001E, 0x0427, 0x0423, 0x0424, 0x1400, 0x10000, -1]
tlv_lists = st.lists(st.tuples(st.sampled_from(TAGS), st.binary(max_size=9)), max_size=4)


@given(
    short_message=st.binary(max_size=400),
    data_coding=st.sampled_from(DATA_CODINGS) | st.integers(-(2**70), 2**70),
    tlvs=tlv_lists,
    tz=st.sampled_from(ZONES),
)
def test_arbitrary_octets_give_the_same_receipt(
    short_message: bytes, data_coding: int, tlvs: list[tuple[int, bytes]], tz: tzinfo | None
) -> None:
    both(short_message, tlvs, data_coding=data_coding, tz=tz)


# Appendix B's parts and every variant the parser accepts (and some it must not).
KEYS = [
    "id", "ID", "sub", "dlvrd", "submit date", "submit_date", "Submit\ndate", "submitdate",
    "submit \r\n date", "done date", "DONE_DATE", "stat", "Stat", "err", "text", "Text",
    "msgid", "substat", "ids", "date", "x",
]  # fmt: skip
SEPARATORS = [":", " :", ": ", ":\x00", "\x00:", "", "::", ":  "]
JOINERS = [" ", "\x00", "\n", "", "\t", "  ", "\x00\x00", "é", "_"]
STATS = ["DELIVRD", "delivrd", "UNDELIV", "ENROUTE", "EXPIRED", "DELETED", "ACCEPTD",
         "REJECTD", "UNKNOWN", "DELIVERED", "FAILED", "DND_REJECTED", "DELıVRD", ""]  # fmt: skip
ERRS = [
    "000",
    "0",
    "-5",
    "+5",
    "0x1F",
    "-0X1f",
    "0x",
    "21b",
    "00B",
    "²",
    "-",
    "99999999999999999999",
]


@st.composite
def dates(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(datetime(1960, 1, 1), datetime(2080, 12, 31)))
    layout = draw(st.sampled_from(["%y%m%d%H%M", "%y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d%H%M%S"]))
    token = moment.strftime(layout)
    if draw(st.booleans()):
        # SMPP 3.4 §7.1.1 absolute (or relative) time.
        tenths, quarters = draw(st.integers(0, 9)), draw(st.integers(0, 99))
        token = f"{moment:%y%m%d%H%M%S}{tenths}{quarters:02}" + draw(st.sampled_from("+-R"))
    if draw(st.integers(0, 5)) == 0:
        # One digit changed, or made another script's digit.
        at = draw(st.integers(0, len(token) - 1))
        token = token[:at] + draw(st.sampled_from("0123456789²٣x")) + token[at + 1 :]
    return token


DIGITS = "0123456789"
values = st.one_of(
    st.text(DIGITS, max_size=22),
    st.text(DIGITS + "abcdefABCDEF-", max_size=36),
    dates(),
    st.sampled_from(STATS),
    st.sampled_from(ERRS),
    st.text(max_size=10),
    st.text("0123456789²³٣𝟙:", max_size=6),
)


def fitting(key: str) -> st.SearchStrategy[str]:
    """The kind of value a key takes."""
    if key.lower().endswith("date"):
        return dates()
    if key.lower().endswith("stat"):
        return st.sampled_from(STATS)
    return st.sampled_from(ERRS) if key == "err" else values


@st.composite
def receipt_texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 9))):
        key = draw(st.sampled_from(KEYS))
        # Mostly the kind of value the key takes, sometimes any.
        value = draw(fitting(key) if draw(st.integers(0, 3)) else values)
        parts.append(key + draw(st.sampled_from(SEPARATORS)) + value)
        parts.append(draw(st.sampled_from(JOINERS)))
    return "".join(parts) + "\x00" * draw(st.integers(0, 2))


@given(
    text=receipt_texts(),
    encoding=st.sampled_from(["latin-1", "utf-16-be", "utf-8"]),
    data_coding=st.sampled_from(DATA_CODINGS),
    tlvs=tlv_lists,
    tz=st.sampled_from(ZONES),
)
def test_receipts_of_every_variant_give_the_same_receipt(
    text: str,
    encoding: str,
    data_coding: int,
    tlvs: list[tuple[int, bytes]],
    tz: tzinfo | None,
) -> None:
    short_message = text.encode(encoding, "replace")
    both(short_message, tlvs, data_coding=data_coding, tz=tz, source="src", destination="dst")


def test_a_date_made_before_is_given_again_only_for_its_own_moment_and_zone() -> None:
    # The native parser keeps the last submit and done date it made and gives
    # the same object again for the same moment in the same zone: any other
    # zone or moment in between must still get its own.
    first = b"id:1 submit date:2601011200 done date:2601011201 stat:DELIVRD"
    other = b"id:2 submit date:2601011300 done date:2601011200 stat:DELIVRD"
    for zone in [*ZONES, *reversed(ZONES), *ZONES]:
        for text in (first, first, other, first):
            both(text, tz=zone)
    again = native.parse_receipt(first), native.parse_receipt(first)
    assert again[0].submit_date is again[1].submit_date


def test_threads_parsing_in_their_own_zones_get_their_own_dates() -> None:
    # The last dates are shared by every thread: one thread's zone must never
    # leak into another's receipt, and none may wait for another for good.
    # Threads switch as often as the interpreter allows, to meet mid-call.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    text = b"id:1 submit date:2601011200 done date:2601011201 stat:DELIVRD"
    expected = {id(zone): outcome(_parse_receipt_pure, text, tz=zone) for zone in ZONES}
    wrong: list[tuple[tzinfo | None, Any]] = []

    def parse(zone: tzinfo | None) -> None:
        for _ in range(300):
            got = outcome(native.parse_receipt, text, tz=zone)
            if got != expected[id(zone)]:
                wrong.append((zone, got))

    threads = [threading.Thread(target=parse, args=(zone,)) for zone in ZONES * 2]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        sys.setswitchinterval(interval)
    assert not any(thread.is_alive() for thread in threads), "a parsing thread hangs"
    assert wrong == []


def test_every_two_digit_year_pivots_alike() -> None:
    for year in range(100):
        for token in (f"{year:02}01311259", f"{year:02}0131125907", f"{year:02}0131125907004-"):
            both(f"submit date:{token} done date:20{token[:12]}".encode())


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_real_world_receipts_give_the_same_receipt(vector: dict[str, Any]) -> None:
    if "pdu_hex" in vector:
        pdu = decode(bytes.fromhex(vector["pdu_hex"]))
        assert isinstance(pdu, DeliverSm)
        tlvs = [(tlv.tag, tlv.value) for tlv in pdu.tlvs]
        result = both(pdu.short_message, tlvs, data_coding=pdu.data_coding)
    else:
        short_message = vector["short_message"].encode("latin-1")
        result = both(short_message, data_coding=vector.get("data_coding", 0))
    assert result[0] == "ok"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((b"id:1",), {"data_coding": "8"}),
        ((b"id:1",), {"data_coding": 8.0}),
        ((b"id:1", None), {}),
        ((b"id:1", 5), {}),
        ((b"submit date:2401311259",), {"tz": "UTC"}),
        ((b"id:1",), {"tz": "UTC"}),  # no date, so the zone is never used
        ((b"id:1",), {"source": None, "destination": 5}),
    ],
)
def test_the_same_errors_for_the_same_misuse(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    both(*args, **kwargs)


def test_defaults_match() -> None:
    assert both(b"id:1 submit date:2401311259") == both(
        b"id:1 submit date:2401311259",
        (),
        source="",
        destination="",
        tz=timezone.utc,
        data_coding=0,
    )


ids = st.one_of(
    st.text(max_size=24),
    st.builds(
        lambda pad, zeros, digits: pad + "0" * zeros + digits + pad,
        st.sampled_from(["", " ", "\x00", " \t"]),
        st.integers(0, 4),
        st.text(DIGITS, max_size=21) | st.text(DIGITS + "abcdefABCDEF", max_size=17),
    ),
    st.text(DIGITS + "abcdefABCDEF²³٣ \x00-İ", max_size=22),
)


@given(ids)
def test_message_id_keys_agree(message_id: str) -> None:
    assert native.message_id_keys(message_id) == _receipt_pure.message_id_keys(message_id)


@pytest.mark.parametrize("message_id", ["\ud800", "12\udfff", "ABC\ud800 "])
def test_message_id_keys_of_lone_surrogates_agree(message_id: str) -> None:
    assert native.message_id_keys(message_id) == _receipt_pure.message_id_keys(message_id)
