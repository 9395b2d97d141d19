"""Receipt parsing speed: the native parser against its pure twin.

    pytest benches/bench_receipts.py --benchmark-group-by=group --benchmark-columns=min,median,mean

The inputs are real receipts (tests/vectors/receipts.json): inMobile's
documented one, and the Appendix B receipt of a real deliver_sm with its
receipted_message_id and message_state TLVs, plus a UCS2-coded receipt.
message_id_keys runs once per receipt (and per submit_sm_resp) on the
client's correlation path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from smswire._backend import NATIVE
from smswire.pdu import TlvTag
from smswire.smpp import _receipt_pure
from smswire.smpp.receipts import DeliveryReceipt, ReceiptState, _parse_receipt_pure

INMOBILE = (
    b"id:ble50673-f8b8-41e8-a143-07a43bb8c86b sub:001 dlvrd:001 submit\n"
    b"date:1911121314 done date:1911121314 stat:DELIVRD err:000"
)
APPENDIX_B = (
    b"id:0059113978 sub:001 dlvrd:001 submit date:1002101730 done date:1002101731"
    b" stat:DELIVRD err:000 text:@$#!%&/:"
)
TLVS = ((TlvTag.RECEIPTED_MESSAGE_ID, b"38601fa\x00"), (TlvTag.MESSAGE_STATE, b"\x02"))
UCS2 = "id:1a2b sub:001 dlvrd:001 done date:2401311259 stat:DELIVRD err:000 text:Привет".encode(
    "utf-16-be"
)

Parse = Callable[..., DeliveryReceipt]
BACKENDS: list[Any] = [
    pytest.param(
        (NATIVE.parse_receipt, NATIVE.message_id_keys) if NATIVE else None,
        id="native",
        marks=pytest.mark.skipif(NATIVE is None, reason="native extension not loaded"),
    ),
    pytest.param((_parse_receipt_pure, _receipt_pure.message_id_keys), id="pure"),
]


@pytest.mark.benchmark(group="parse_receipt inMobile")
@pytest.mark.parametrize("backend", BACKENDS)
def test_parse_inmobile(benchmark: Any, backend: tuple[Parse, Any]) -> None:
    receipt = benchmark(backend[0], INMOBILE)
    assert receipt.submit_date == datetime(2019, 11, 12, 13, 14, tzinfo=timezone.utc)


@pytest.mark.benchmark(group="parse_receipt Appendix B + TLVs")
@pytest.mark.parametrize("backend", BACKENDS)
def test_parse_appendix_b_with_tlvs(benchmark: Any, backend: tuple[Parse, Any]) -> None:
    receipt = benchmark(backend[0], APPENDIX_B, TLVS)
    assert (receipt.message_id, receipt.state) == ("38601fa", ReceiptState.DELIVERED)


@pytest.mark.benchmark(group="parse_receipt UCS2")
@pytest.mark.parametrize("backend", BACKENDS)
def test_parse_ucs2(benchmark: Any, backend: tuple[Parse, Any]) -> None:
    receipt = benchmark(lambda: backend[0](UCS2, data_coding=8))
    assert receipt.text == "Привет"


@pytest.mark.benchmark(group="message_id_keys")
@pytest.mark.parametrize("backend", BACKENDS)
def test_message_id_keys(benchmark: Any, backend: tuple[Parse, Any]) -> None:
    assert benchmark(backend[1], "0059113978") == ("0059113978", "59113978", "38601fa")


@pytest.mark.benchmark(group="message_id_keys")
@pytest.mark.parametrize("backend", BACKENDS)
def test_message_id_keys_uuid(benchmark: Any, backend: tuple[Parse, Any]) -> None:
    uuid = "b1e50673-f8b8-41e8-a143-07a43bb8c86b"
    assert benchmark(backend[1], uuid) == (uuid,)
