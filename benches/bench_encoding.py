"""Segmentation speed: native vs the pure twin vs PyPI's gsm0338 and smsutil.

Run: pytest benches/bench_encoding.py --benchmark-only --benchmark-columns=mean,ops

Each peer does the nearest equivalent work: smsutil splits then encodes each
part; gsm0338 encodes (it does not split, and only GSM text). The batch
benchmarks compare one ``segment_many`` call with a loop of ``segment``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
import pytest
import smsutil

from smswire.encoding import _pure

native: Any = pytest.importorskip("smswire._native")


def _gsm_text(septets: int, extension_every: int = 0) -> str:
    words = "The quick brown fox jumps over the lazy dog, 0123456789! "
    out: list[str] = []
    used = 0
    while used < septets:
        if extension_every and len(out) % extension_every == extension_every - 1:
            if used + 2 > septets:
                out.append(".")
                used += 1
                continue
            out.append("€[]{}~^|\\"[len(out) % 9])
            used += 2
        else:
            out.append(words[len(out) % len(words)])
            used += 1
    return "".join(out)


def _ucs2_text(characters: int) -> str:
    words = "Съешь же ещё этих мягких французских булок, да выпей чаю. "
    return (words * (characters // len(words) + 1))[:characters]


INPUTS = {
    "gsm160": _gsm_text(160),
    "gsm1377ext": _gsm_text(1377, extension_every=10),
    "ucs2_70": _ucs2_text(70),
    "ucs2_567": _ucs2_text(567),
}
GSM_INPUTS = ("gsm160", "gsm1377ext")


def _batch(count: int = 10_000) -> list[str]:
    rng = random.Random(2026)
    makers: list[Callable[[], str]] = [
        lambda: _gsm_text(rng.randint(10, 160)),
        lambda: _gsm_text(rng.randint(161, 600), extension_every=rng.randint(5, 40)),
        lambda: _ucs2_text(rng.randint(5, 70)),
        lambda: _ucs2_text(rng.randint(71, 400)) + "😀",
    ]
    return [rng.choice(makers)() for _ in range(count)]


BATCH = _batch()


def _smsutil(text: str) -> list[bytes]:
    return [smsutil.encode(part.content) for part in smsutil.split(text).parts]


def _gsm0338(text: str) -> bytes:
    return text.encode("gsm03.38")


SEGMENTERS: dict[str, Callable[[str], object]] = {
    "native": lambda text: native.segment(text, reference=1),
    "pure": lambda text: _pure.segment(text, reference=1),
    "native_packed": lambda text: native.segment(text, reference=1, packed=True),
    "pure_packed": lambda text: _pure.segment(text, reference=1, packed=True),
    "smsutil": _smsutil,
    "gsm0338": _gsm0338,
}


@pytest.mark.parametrize("impl", list(SEGMENTERS))
@pytest.mark.parametrize("name", list(INPUTS))
def test_segment(benchmark: Any, name: str, impl: str) -> None:
    if impl == "gsm0338" and name not in GSM_INPUTS:
        pytest.skip("gsm0338 encodes GSM 03.38 only")
    benchmark.group = f"segment {name}"
    text = INPUTS[name]
    result = benchmark(SEGMENTERS[impl], text)
    assert result


@pytest.mark.parametrize("impl", ["native", "pure"])
@pytest.mark.parametrize("name", list(INPUTS))
def test_analyze(benchmark: Any, name: str, impl: str) -> None:
    benchmark.group = f"analyze {name}"
    analyze = native.analyze if impl == "native" else _pure.analyze
    assert benchmark(analyze, INPUTS[name]).units > 0


def _loop(segment: Callable[..., Any]) -> Callable[[list[str]], list[Any]]:
    return lambda texts: [segment(text) for text in texts]


BATCHERS: dict[str, Callable[[list[str]], list[Any]]] = {
    "native_segment_many": native.segment_many,
    "native_segment_loop": _loop(native.segment),
    "native_analyze_many": native.analyze_many,
    "native_analyze_loop": _loop(native.analyze),
    "pure_segment_many": _pure.segment_many,
    "smsutil_loop": _loop(_smsutil),
}


@pytest.mark.parametrize("impl", list(BATCHERS))
def test_batch_10000(benchmark: Any, impl: str) -> None:
    benchmark.group = "batch of 10,000 mixed messages"
    assert len(benchmark(BATCHERS[impl], BATCH)) == len(BATCH)
