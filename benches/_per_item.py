"""What a round of a batch benchmark costs per item, for the report's extra_info."""

from __future__ import annotations

from typing import Any


def per_item(benchmark: Any, items: int, cpu: float, rounds: int) -> None:
    """Record time, rate and CPU per item of a benchmark that handles ``items``
    a round over ``rounds`` rounds, having used ``cpu`` seconds of CPU."""
    if benchmark.stats is None:  # --benchmark-disable (CI's run-once): nothing timed
        return
    median = benchmark.stats.stats.median
    benchmark.extra_info["items_per_round"] = items
    benchmark.extra_info["per_item_us"] = round(median / items * 1e6, 2)
    benchmark.extra_info["items_per_second"] = round(items / median)
    benchmark.extra_info["cpu_per_item_us"] = round(cpu / (items * rounds) * 1e6, 2)
