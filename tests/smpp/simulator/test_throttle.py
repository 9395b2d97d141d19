"""The rate cap and the failed-bind guard, on plain numbers for a clock."""

from __future__ import annotations

import pytest

from smswire.errors import ConfigurationError
from smswire.smpp.simulator import FailedBindLimit, PerSecondCap
from smswire.smpp.simulator.throttle import MAX_TRACKED_ADDRESSES, FailedBindGuard


def admit(cap: PerSecondCap, now: float) -> bool:
    if not cap.has_room(now):
        return False
    cap.take(now)
    return True


def test_the_cap_admits_its_limit_in_any_one_second_interval() -> None:
    cap = PerSecondCap(3)
    assert [admit(cap, t) for t in (0.0, 0.1, 0.2, 0.9)] == [True, True, True, False]
    # The window slides: at 1.0 the admission at 0.0 has left (t - 1, t].
    assert admit(cap, 1.0)
    assert not admit(cap, 1.05), "0.1 and 0.2 and 1.0 are still within a second"
    assert admit(cap, 1.1)


def test_two_calendar_seconds_cannot_hold_twice_the_cap_across_their_boundary() -> None:
    cap = PerSecondCap(4)
    late = [admit(cap, 0.9 + i * 0.01) for i in range(4)]
    early_next = [admit(cap, 1.0 + i * 0.01) for i in range(4)]
    assert late == [True] * 4
    assert early_next == [False] * 4


def test_refused_attempts_do_not_count() -> None:
    cap = PerSecondCap(1)
    assert admit(cap, 0.0)
    assert not any(admit(cap, 0.1 * i) for i in range(1, 10))
    assert admit(cap, 1.0)


@pytest.mark.parametrize("limit", [0, -5])
def test_a_cap_below_one_is_refused_by_name(limit: int) -> None:
    with pytest.raises(ConfigurationError, match="rate cap must be at least 1"):
        PerSecondCap(limit)


def test_an_address_is_blocked_at_its_limit_until_failures_age_out() -> None:
    guard = FailedBindGuard(FailedBindLimit(per_address=3, period=10.0))
    for t in (0.0, 1.0):
        guard.failed("10.0.0.1", t)
    assert not guard.blocked("10.0.0.1", 2.0)
    guard.failed("10.0.0.1", 2.0)
    assert guard.blocked("10.0.0.1", 2.0)
    assert not guard.blocked("10.0.0.2", 2.0), "other addresses are not affected"
    assert guard.blocked("10.0.0.1", 9.9)
    assert not guard.blocked("10.0.0.1", 10.0), "the failure at 0.0 has aged out"


def test_the_guard_remembers_a_bounded_number_of_addresses() -> None:
    guard = FailedBindGuard(FailedBindLimit(per_address=1, period=60.0))
    for i in range(MAX_TRACKED_ADDRESSES + 10):
        guard.failed(f"address {i}", 0.0)
    assert not guard.blocked("address 0", 1.0), "the oldest address was forgotten"
    assert guard.blocked(f"address {MAX_TRACKED_ADDRESSES + 9}", 1.0)


@pytest.mark.parametrize(
    ("field", "value"), [("per_connection", 0), ("per_address", 0), ("period", 0.0)]
)
def test_a_failed_bind_limit_out_of_range_is_refused_by_name(field: str, value: float) -> None:
    with pytest.raises(ConfigurationError, match=field):
        FailedBindLimit(**{field: value})  # type: ignore[arg-type]
