"""The rate limiter holds its rate from the first second (GCRA)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smswire.errors import ConfigurationError
from smswire.ratelimit import RateLimiter


def _schedule(limiter: RateLimiter, count: int, now: float = 0.0) -> list[float]:
    """When each of ``count`` requests, all asked for at ``now``, may go."""
    return [now + limiter.reserve(now) for _ in range(count)]


def test_the_first_second_holds_no_more_than_the_rate() -> None:
    times = _schedule(RateLimiter(5), 40)
    assert sum(1 for t in times if t < 1.0) == 5
    assert times[:3] == pytest.approx([0.0, 0.2, 0.4])


def test_burst_lets_that_many_go_at_once_and_no_more() -> None:
    limiter = RateLimiter(10, burst=4)
    assert limiter.available(0.0) == 4
    times = _schedule(limiter, 6)
    assert times == pytest.approx([0.0, 0.0, 0.0, 0.0, 0.1, 0.2])


def test_a_pause_earns_back_at_most_the_burst() -> None:
    limiter = RateLimiter(10, burst=3)
    _schedule(limiter, 10)
    assert limiter.available(100.0) == 3


def test_reserving_several_slots_waits_for_the_last_of_them() -> None:
    limiter = RateLimiter(4)
    assert limiter.reserve(0.0, count=3) == pytest.approx(0.5)
    assert limiter.next_free(0.0) == pytest.approx(0.75)


@given(
    rate=st.floats(min_value=0.5, max_value=10_000),
    burst=st.integers(min_value=1, max_value=50),
    arrivals=st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=300),
)
def test_no_window_of_one_second_exceeds_rate_plus_burst(
    rate: float, burst: int, arrivals: list[float]
) -> None:
    limiter = RateLimiter(rate, burst)
    times = sorted(now + limiter.reserve(now) for now in sorted(arrivals))
    for i, start in enumerate(times):
        in_window = sum(1 for t in times[i:] if t < start + 1.0 - 1e-9)
        assert in_window <= int(rate) + burst


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (float("inf"), 1), (5, 0), (True, 1)])
def test_nonsense_is_refused_by_name(rate: float, burst: int) -> None:
    with pytest.raises(ConfigurationError, match=r"^(rate|burst) must"):
        RateLimiter(rate, burst)


async def test_acquire_waits_for_its_slot_on_the_loop_clock() -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    limiter = RateLimiter(20)
    times = []
    for _ in range(4):
        await limiter.acquire()
        times.append(loop.time())
    assert times[-1] - times[0] >= 3 / 20 - 1e-3


async def test_acquire_refuses_a_count_below_one() -> None:
    with pytest.raises(ConfigurationError, match="n must be"):
        await RateLimiter(5).acquire(0)


def test_the_local_limiter_is_a_rate_limit() -> None:
    from smswire.ratelimit import RateLimit

    assert isinstance(RateLimiter(5), RateLimit)
    assert not isinstance(object(), RateLimit)
