"""Office hours in Europe/London, for SLA due times and the `office_hours` rule condition.

SLA hours are *working* hours: Monday to Friday, 09:00 to 17:30 London time, not on bank
holidays in England and Wales. Everything is computed from UTC instants, and London time is
only used to ask "is this minute inside office hours?", so the GMT/BST changes neither lose
nor double an hour: a message received at 01:30 on the clock-change night is outside hours
and its SLA starts at 09:00 London time that Monday (or the next working day).

Bank holidays are England and Wales', from https://www.gov.uk/bank-holidays.json (Open
Government Licence v3.0), 2025 to 2027; after the last listed year only weekends count, and
`casedesk doctor` (issue 12) will warn. Pure: zoneinfo from the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# England and Wales, from gov.uk/bank-holidays.json
BANK_HOLIDAYS_ENGLAND_WALES = frozenset(
    date.fromisoformat(d)
    for d in (
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
        "2025-12-25", "2025-12-26",
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
        "2026-12-25", "2026-12-28",
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
        "2027-12-27", "2027-12-28",
    )
)  # fmt: skip


@dataclass(frozen=True)
class OfficeHours:
    opens: time = time(9, 0)
    closes: time = time(17, 30)
    holidays: frozenset[date] = field(default=BANK_HOLIDAYS_ENGLAND_WALES)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(LONDON)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def _window(self, day: date) -> tuple[datetime, datetime]:
        """The day's opening hours as UTC instants (London wall time, DST-aware)."""
        start = datetime.combine(day, self.opens, LONDON).astimezone(UTC)
        end = datetime.combine(day, self.closes, LONDON).astimezone(UTC)
        return start, end

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The UTC instant `hours` working hours after `start` (timezone-aware)."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware (UTC)")
        remaining = timedelta(hours=hours)
        at = start.astimezone(UTC)
        day = at.astimezone(LONDON).date()
        for _ in range(3660):  # ten years of days: a bound, never reached in practice
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(at, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError(f"{hours} working hours is too far ahead to compute")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end` (negative when `end` is earlier): how much of
        an SLA is left, or how far past it a case is, in office hours."""
        if end < start:
            return -self.working_time_between(end, start)
        total = timedelta()
        day = start.astimezone(LONDON).date()
        last = end.astimezone(LONDON).date()
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin, finish = max(start, opens), min(end, closes)
                if begin < finish:
                    total += finish - begin
            day += timedelta(days=1)
        return total

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after `start`'s London date up to and including `end`'s: a reply on
        the same day took 0 working days, on the next working day 1."""
        day, last = start.astimezone(LONDON).date(), end.astimezone(LONDON).date()
        count = 0
        while day < last:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def close_of_working_day(self, start: datetime, days: int) -> datetime:
        """Closing time (UTC) of the `days`-th working day after `start`'s London date: when
        something given `days` working days is due (1: the next working day's close)."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware (UTC)")
        if days < 1:
            raise ValueError("days must be at least 1")
        day = start.astimezone(LONDON).date()
        left = days
        while left:
            day += timedelta(days=1)
            left -= self.is_working_day(day)
        return self._window(day)[1]
