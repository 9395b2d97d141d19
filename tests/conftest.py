"""Shared test configuration: report which backend this run exercises."""

from __future__ import annotations

import smswire


def pytest_report_header() -> str:
    return f"smswire backend: {smswire.BACKEND}"
