"""Timeouts, Limits and Backoff refuse nonsense by name."""

from __future__ import annotations

import math
import random

import pytest

from smswire.errors import ConfigurationError
from smswire.options import Backoff, Limits, Timeouts


@pytest.mark.parametrize("field", ["connect", "response", "close", "receipt_hold"])
@pytest.mark.parametrize("value", [0, -1.0, math.inf, math.nan, None, "3"])
def test_timeouts_must_be_positive_finite_seconds(field: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{field} must"):
        Timeouts(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["total", "enquire_link"])
def test_optional_timers_may_be_turned_off(field: str) -> None:
    assert getattr(Timeouts(**{field: None}), field) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [("window", 0), ("window", 1.5), ("burst", 0), ("retries", -1), ("rate", 0), ("rate", -5.0)],
)
def test_limits_refuse_values_that_cannot_work(field: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{field} must"):
        Limits(**{field: value})  # type: ignore[arg-type]


def test_backoff_grows_to_its_maximum_and_jitter_only_shortens_it() -> None:
    backoff = Backoff(initial=1.0, maximum=8.0, multiplier=2.0, jitter=0.5)
    rng = random.Random(7)
    for attempt, base in enumerate([1.0, 2.0, 4.0, 8.0, 8.0, 8.0]):
        assert base * 0.5 <= backoff.delay(attempt, rng) <= base
    assert Backoff(jitter=0.0).delay(1000) == Backoff().maximum


@pytest.mark.parametrize(("field", "value"), [("multiplier", 0.5), ("jitter", 1.5), ("initial", 0)])
def test_backoff_refuses_values_that_cannot_work(field: str, value: float) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{field} must"):
        Backoff(**{field: value})  # type: ignore[arg-type]
