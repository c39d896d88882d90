"""Working hours and days across the GMT/BST changes and bank holidays: SLA due times, their
order, and agencies' working-day counts. Clock changes in 2026: Sunday 29 March (01:00 GMT
-> 02:00 BST) and Sunday 25 October (02:00 BST -> 01:00 GMT)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.core.office_hours import OfficeHours

LONDON = ZoneInfo("Europe/London")
HOURS = OfficeHours()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def london(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold).astimezone(UTC)


# 01:30 London on the clock-change nights. In March there is no 01:30 (zoneinfo reads the
# missing wall time as GMT, i.e. 01:30 UTC, which is 02:30 BST); in October there are two.
SPRING_0130 = london(2026, 3, 29, 1, 30)
AUTUMN_0130_BST = london(2026, 10, 25, 1, 30, fold=0)
AUTUMN_0130_GMT = london(2026, 10, 25, 1, 30, fold=1)


def test_the_clock_change_nights_are_what_the_tests_assume() -> None:
    assert utc(2026, 3, 29, 1, 30) == SPRING_0130
    assert utc(2026, 10, 25, 0, 30) == AUTUMN_0130_BST
    assert utc(2026, 10, 25, 1, 30) == AUTUMN_0130_GMT


@pytest.mark.parametrize(
    ("received", "hours", "due"),
    [
        # Spring: Sunday night, so the SLA starts Monday 09:00 BST = 08:00 UTC.
        (SPRING_0130, 8, utc(2026, 3, 30, 16, 0)),
        (utc(2026, 3, 29, 0, 30), 1, utc(2026, 3, 30, 9, 0)),  # 00:30 GMT, before the change
        (SPRING_0130, 10, utc(2026, 3, 31, 9, 30)),  # 8.5 h Monday, 1.5 h Tuesday from 08:00 UTC
        # Autumn: both 01:30s start Monday 09:00 GMT = 09:00 UTC.
        (AUTUMN_0130_BST, 8, utc(2026, 10, 26, 17, 0)),
        (AUTUMN_0130_GMT, 8, utc(2026, 10, 26, 17, 0)),
        # A Friday afternoon SLA that runs over the change weekend.
        (london(2026, 3, 27, 16, 30), 2, utc(2026, 3, 30, 9, 0)),  # 1 h GMT Fri, 1 h BST Mon
        (london(2026, 10, 23, 16, 30), 2, utc(2026, 10, 26, 10, 0)),  # 1 h BST Fri, 1 h GMT Mon
        # Easter 2026: Good Friday 3 April and Easter Monday 6 April are bank holidays.
        (london(2026, 4, 2, 17, 0), 1, utc(2026, 4, 7, 8, 30)),
    ],
)
def test_due_times_across_clock_changes_and_bank_holidays(
    received: datetime, hours: float, due: datetime
) -> None:
    assert HOURS.add_working_hours(received, hours) == due
    assert HOURS.working_time_between(received, due) == timedelta(hours=hours)


def test_two_messages_at_0130_on_the_autumn_night_keep_their_order() -> None:
    """The BST 01:30 came an hour before the GMT one: in UTC, and in every derived time."""
    first, second = AUTUMN_0130_BST, AUTUMN_0130_GMT
    assert first < second
    assert first.astimezone(LONDON).strftime("%H:%M") == second.astimezone(LONDON).strftime("%H:%M")
    assert HOURS.add_working_hours(first, 4) <= HOURS.add_working_hours(second, 4)
    assert not HOURS.is_open(first) and not HOURS.is_open(second)


def test_working_days_and_their_closing_times_across_the_changes() -> None:
    friday_gmt = london(2026, 3, 27, 10, 0)
    assert HOURS.close_of_working_day(friday_gmt, 1) == utc(2026, 3, 30, 16, 30)  # 17:30 BST
    assert HOURS.working_days_between(friday_gmt, utc(2026, 3, 30, 16, 0)) == 1
    friday_bst = london(2026, 10, 23, 10, 0)
    assert HOURS.close_of_working_day(friday_bst, 1) == utc(2026, 10, 26, 17, 30)  # 17:30 GMT
    # Twenty working days from Thursday 2 April 2026 skip Easter's two bank holidays and the
    # early May bank holiday (Monday 4 May): the twentieth is Tuesday 5 May.
    assert HOURS.close_of_working_day(london(2026, 4, 2, 9, 0), 20) == london(2026, 5, 5, 17, 30)
    assert HOURS.working_days_between(london(2026, 4, 2, 9), london(2026, 4, 7, 9)) == 1
    assert HOURS.working_days_between(london(2026, 4, 2, 9), london(2026, 4, 2, 17)) == 0
    assert HOURS.working_days_between(london(2026, 4, 2, 9), london(2026, 5, 4, 17, 30)) == 19


def test_working_time_between_is_negative_when_the_end_is_earlier() -> None:
    a, b = london(2026, 11, 16, 9, 0), london(2026, 11, 16, 12, 30)
    assert HOURS.working_time_between(b, a) == -timedelta(hours=3, minutes=30)
    assert HOURS.working_time_between(a, a) == timedelta()


def test_close_of_working_day_needs_an_aware_start_and_a_positive_count() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        HOURS.close_of_working_day(datetime(2026, 11, 16, 9, 0), 1)
    with pytest.raises(ValueError, match="at least 1"):
        HOURS.close_of_working_day(utc(2026, 11, 16, 9, 0), 0)


# Instants from a week before the spring change to a week after the autumn one, to the minute.
instants = st.integers(
    int(utc(2026, 3, 22).timestamp()) // 60, int(utc(2026, 11, 1).timestamp()) // 60
).map(lambda minute: datetime.fromtimestamp(minute * 60, UTC))
change_weeks = st.sampled_from([utc(2026, 3, 26), utc(2026, 10, 22)]).flatmap(
    lambda start: st.integers(0, 5 * 24 * 60).map(lambda m: start + timedelta(minutes=m))
)
sla_minutes = st.integers(1, 80 * 60)


@settings(deadline=None)  # a property, not a timing test
@given(st.one_of(instants, change_weeks), sla_minutes)
def test_a_due_time_is_never_before_receipt_and_holds_exactly_the_sla(
    received: datetime, minutes: int
) -> None:
    due = HOURS.add_working_hours(received, minutes / 60)
    assert due >= received
    assert abs(HOURS.working_time_between(received, due) - timedelta(minutes=minutes)) <= (
        timedelta(microseconds=1)
    )


@settings(deadline=None)  # a property, not a timing test
@given(change_weeks, change_weeks, sla_minutes)
def test_due_times_keep_the_order_messages_arrived_in(
    a: datetime, b: datetime, minutes: int
) -> None:
    first, second = sorted((a, b))
    hours = minutes / 60
    assert HOURS.add_working_hours(first, hours) <= HOURS.add_working_hours(second, hours)


@settings(deadline=None)  # a property, not a timing test
@given(change_weeks, st.integers(1, 30))
def test_a_reply_on_the_expected_day_counts_exactly_that_many_working_days(
    referred: datetime, days: int
) -> None:
    expected = HOURS.close_of_working_day(referred, days)
    assert expected > referred
    assert HOURS.working_days_between(referred, expected) == days
