"""Clocks: the system clock for real runs, a fixed one for reproducible demos and tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Starts at a given instant and only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self.current = start.astimezone(UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class SystemSleeper:
    """Really waits (mailings pace themselves with it; tests move a fake clock instead)."""

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(max(0.0, seconds))
