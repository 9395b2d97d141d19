"""SMPP PDU codec speed: native, pure, smpplib and smpp34, on the issue's workloads.

    pytest benches/bench_pdu.py --benchmark-group-by=group --benchmark-columns=min,median,mean

smpp34 may crash at interpreter exit, so its figures come from a child
process (timeit) and are printed with the run (`-s`), not timed by
pytest-benchmark. The 1,000-PDU buffer compares the Framer (one call) with
decode() called once per PDU.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from smpplib import command, smpp

from smswire._backend import NATIVE
from smswire.pdu import DeliverSm, SubmitSm, SubmitSmResp, Tlv, TlvTag
from smswire.pdu import _pure as pure

SOURCE, DESTINATION, TEXT = "LINK", "+4746910822", b"x" * 160
RECEIPT_TEXT = (
    b"id:0059113978 sub:001 dlvrd:001 submit date:1002101730 done date:1002101731"
    b" stat:DELIVRD err:000 text:Hello"
)


def build_submit() -> SubmitSm:
    return SubmitSm(
        source_addr=SOURCE, destination_addr=DESTINATION, short_message=TEXT, sequence_number=1
    )


def build_receipt() -> DeliverSm:
    return DeliverSm(
        source_addr=DESTINATION,
        destination_addr=SOURCE,
        esm_class=0x04,
        short_message=RECEIPT_TEXT,
        tlvs=(
            Tlv(TlvTag.RECEIPTED_MESSAGE_ID, b"0059113978\x00"),
            Tlv(TlvTag.MESSAGE_STATE, b"\x02"),
        ),
        sequence_number=2,
    )


RESPONSES = [SubmitSmResp(message_id=f"{i:032x}", sequence_number=i + 1) for i in range(1000)]
SUBMIT_BYTES = pure.encode(build_submit())
RECEIPT_BYTES = pure.encode(build_receipt())
BUFFER = pure.encode_many(RESPONSES)
FRAMES = [pure.encode(r) for r in RESPONSES]

BACKENDS: list[Any] = [
    pytest.param(
        (NATIVE.pdu_encode, NATIVE.pdu_decode, NATIVE.PduFramer) if NATIVE else None,
        id="native",
        marks=pytest.mark.skipif(NATIVE is None, reason="native extension not loaded"),
    ),
    pytest.param((pure.encode, pure.decode, pure.Framer), id="pure"),
]
Codec = tuple[Callable[[Any], bytes], Callable[[bytes], Any], Callable[[], Any]]


@pytest.mark.benchmark(group="submit_sm construct+encode")
@pytest.mark.parametrize("codec", BACKENDS)
def test_submit_sm_construct_and_encode(benchmark: Any, codec: Codec) -> None:
    encode = codec[0]
    assert benchmark(lambda: encode(build_submit())) == SUBMIT_BYTES


@pytest.mark.benchmark(group="submit_sm decode")
@pytest.mark.parametrize("codec", BACKENDS)
def test_submit_sm_decode(benchmark: Any, codec: Codec) -> None:
    assert benchmark(codec[1], SUBMIT_BYTES) == build_submit()


@pytest.mark.benchmark(group="deliver_sm receipt construct+encode")
@pytest.mark.parametrize("codec", BACKENDS)
def test_receipt_construct_and_encode(benchmark: Any, codec: Codec) -> None:
    encode = codec[0]
    assert benchmark(lambda: encode(build_receipt())) == RECEIPT_BYTES


@pytest.mark.benchmark(group="deliver_sm receipt decode")
@pytest.mark.parametrize("codec", BACKENDS)
def test_receipt_decode(benchmark: Any, codec: Codec) -> None:
    assert benchmark(codec[1], RECEIPT_BYTES) == build_receipt()


@pytest.mark.benchmark(group="1000 submit_sm_resp")
@pytest.mark.parametrize("codec", BACKENDS)
def test_buffer_of_1000_responses_framer(benchmark: Any, codec: Codec) -> None:
    framer_class = codec[2]
    assert benchmark(lambda: framer_class().feed(BUFFER)) == RESPONSES


@pytest.mark.benchmark(group="1000 submit_sm_resp")
@pytest.mark.parametrize("codec", BACKENDS)
def test_buffer_of_1000_responses_one_decode_each(benchmark: Any, codec: Codec) -> None:
    decode = codec[1]
    assert benchmark(lambda: [decode(frame) for frame in FRAMES]) == RESPONSES


# --- smpplib (pure Python, PyPI) ---------------------------------------------------


class _Sequencer:
    sequence = 1

    def next_sequence(self) -> int:
        return self.sequence


def _smpplib_submit() -> bytes:
    pdu = command.SubmitSM(
        "submit_sm",
        client=_Sequencer(),
        source_addr=SOURCE,
        destination_addr=DESTINATION,
        short_message=TEXT,
    )
    data: bytes = pdu.generate()
    return data


@pytest.mark.benchmark(group="submit_sm construct+encode")
def test_submit_sm_construct_and_encode_smpplib(benchmark: Any) -> None:
    assert pure.decode(benchmark(_smpplib_submit)).short_message == TEXT


@pytest.mark.benchmark(group="submit_sm decode")
def test_submit_sm_decode_smpplib(benchmark: Any) -> None:
    client = _Sequencer()
    pdu = benchmark(lambda: smpp.parse_pdu(SUBMIT_BYTES, client=client))
    assert pdu.short_message == TEXT


@pytest.mark.benchmark(group="deliver_sm receipt decode")
def test_receipt_decode_smpplib(benchmark: Any) -> None:
    client = _Sequencer()
    pdu = benchmark(lambda: smpp.parse_pdu(RECEIPT_BYTES, client=client))
    assert pdu.receipted_message_id == b"0059113978"


@pytest.mark.benchmark(group="1000 submit_sm_resp")
def test_buffer_of_1000_responses_smpplib(benchmark: Any) -> None:
    client = _Sequencer()
    found = benchmark(lambda: [smpp.parse_pdu(frame, client=client) for frame in FRAMES])
    assert len(found) == 1000


# --- smpp34 (Rust-backed, PyPI), timed in a child process -------------------------

_SMPP34 = textwrap.dedent(
    """
    import json, sys, timeit
    import smpp34
    submit, receipt, frames, number = json.loads(sys.stdin.read())
    submit, receipt = bytes.fromhex(submit), bytes.fromhex(receipt)
    frames = [bytes.fromhex(f) for f in frames]
    def build():
        return smpp34.SubmitSm("LINK", "+4746910822", b"x" * 160, sequence_number=1).encode()
    assert build() == submit
    def best(stmt, n):
        return min(timeit.repeat(stmt, number=n, repeat=5)) / n * 1e9
    print(json.dumps({
        "submit_sm construct+encode": best(build, number),
        "submit_sm decode": best(lambda: smpp34.decode(submit), number),
        "deliver_sm receipt decode": best(lambda: smpp34.decode(receipt), number),
        "1000 submit_sm_resp, per PDU": best(
            lambda: [smpp34.decode(f) for f in frames], max(1, number // 1000)) / 1000,
    }), flush=True)
    """
)


def test_smpp34_reference(request: pytest.FixtureRequest) -> None:
    disabled = request.config.getoption("benchmark_disable", default=False)
    number = 10 if disabled else 20000
    payload = json.dumps(
        [SUBMIT_BYTES.hex(), RECEIPT_BYTES.hex(), [f.hex() for f in FRAMES], number]
    )
    result = subprocess.run(
        [sys.executable, "-c", _SMPP34],
        input=payload,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, f"smpp34 child printed nothing: {result.stderr[-2000:]}"
    timings = json.loads(lines[-1])
    print("\nsmpp34 (child process, best of 5, ns):")
    for name, nanoseconds in timings.items():
        print(f"  {name:32} {nanoseconds:10.0f}")
