"""Lengths of time as an office writes them: 48h, 30d, 2w, 12m, 6y.

Months and years are calendar months and years (12m after 31 January is 31 January next
year; a month after 31 January is the last day of February), so a retention period means
what the office's policy says. Pure.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

UNITS = {"h": "hours", "d": "days", "w": "weeks", "m": "months", "y": "years"}
_FORM = re.compile(r"\s*(\d{1,5})\s*([hdwmy])\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # one of UNITS

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    @property
    def words(self) -> str:
        name = UNITS[self.unit]
        return f"{self.amount} {name[:-1] if self.amount == 1 else name}"

    def after(self, when: datetime) -> datetime:
        """`when` plus this duration."""
        if self.unit in "hdw":
            return when + timedelta(**{UNITS[self.unit]: self.amount})
        months = self.amount * (12 if self.unit == "y" else 1)
        return _add_months(when, months)

    def before(self, when: datetime) -> datetime:
        """`when` minus this duration."""
        if self.unit in "hdw":
            return when - timedelta(**{UNITS[self.unit]: self.amount})
        months = self.amount * (12 if self.unit == "y" else 1)
        return _add_months(when, -months)


def parse_duration(text: str) -> Duration:
    """'30d' -> Duration(30, 'd'); ValueError naming the accepted forms otherwise."""
    found = _FORM.fullmatch(text or "")
    if not found or int(found[1]) == 0:
        raise ValueError(
            f"{text!r} is not a length of time: use a number and h, d, w, m or y, e.g. 30d, 12m, 6y"
        )
    return Duration(int(found[1]), found[2].lower())


def _add_months(when: datetime, months: int) -> datetime:
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)
