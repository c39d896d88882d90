"""London weeks across the clock changes, and small-cell suppression in the anonymised export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.core.anonymise import ALL, anonymised_table, check_dimension, suppress
from casedesk.core.models import Case, CaseStatus, Category, Topic
from casedesk.core.report import Dimension, next_week, week_index, week_start, weeks_from
from casedesk.errors import CaseDeskError


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- weeks -----------------------------------------------------------------------------------


def test_a_week_starts_at_london_midnight_on_monday_in_winter_and_in_summer() -> None:
    assert week_start(utc(2026, 11, 18, 12)) == utc(2026, 11, 16, 0)  # GMT: midnight is 00:00 UTC
    assert week_start(utc(2026, 7, 15, 12)) == utc(2026, 7, 12, 23)  # BST: Sunday 23:00 UTC


def test_the_weeks_holding_the_clock_changes_are_167_and_169_hours_long() -> None:
    spring = week_start(utc(2026, 3, 25, 12))  # clocks go forward on Sunday 29 March 2026
    autumn = week_start(utc(2026, 10, 21, 12))  # and back on Sunday 25 October 2026
    assert next_week(spring) - spring == timedelta(hours=167)
    assert next_week(autumn) - autumn == timedelta(hours=169)


def test_a_minute_after_london_midnight_on_a_bst_monday_is_in_the_new_week() -> None:
    # Monday 30 March 2026 00:30 BST is Sunday 23:30 UTC: a UTC week would miss it.
    late_sunday_utc = utc(2026, 3, 29, 23, 30)
    weeks = weeks_from(utc(2026, 3, 20), utc(2026, 4, 2))
    assert [w.isoformat() for w in weeks] == [
        "2026-03-16T00:00:00+00:00",
        "2026-03-23T00:00:00+00:00",
        "2026-03-29T23:00:00+00:00",
    ]
    assert week_index(weeks, late_sunday_utc) == 2
    assert week_index(weeks, utc(2026, 3, 29, 22, 59)) == 1
    assert week_index(weeks, utc(2026, 3, 1)) is None


# --- suppression -----------------------------------------------------------------------------


def grid(rows: list[list[int]]) -> tuple[dict[tuple[str, str], int], list[str], list[str]]:
    """Inner cells as given; ALL totals as plain sums (the worst case for working back)."""
    names, cols = [f"g{i}" for i in range(len(rows))], [f"w{j}" for j in range(len(rows[0]))]
    counts = {(names[i], cols[j]): n for i, row in enumerate(rows) for j, n in enumerate(row)}
    for i, row in enumerate(rows):
        counts[(names[i], ALL)] = sum(row)
    for j in range(len(cols)):
        counts[(ALL, cols[j])] = sum(row[j] for row in rows)
    counts[(ALL, ALL)] = sum(map(sum, rows))
    return counts, [*names, ALL], [*cols, ALL]


def test_a_small_cell_is_withheld_with_the_smallest_other_cell_of_its_row_and_column() -> None:
    counts, rows, cols = grid([[3, 10, 20], [12, 8, 30]])
    withheld = suppress(counts, rows, cols)
    # g0/w0 (3) is small. Its row would give it away from g0's total: g0/w1 (10) goes too.
    # Its column would give it away from w0's total: g1/w0 (12) goes too; and then g1's row
    # and w1's column each have one withheld cell, so g1/w1 (8) goes as well.
    assert withheld == {("g0", "w0"), ("g0", "w1"), ("g1", "w0"), ("g1", "w1")}
    for line in [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]:
        assert sum(k in withheld for k in line) != 1  # no line gives a withheld cell away


def test_nothing_is_withheld_when_no_cell_is_small_and_zero_is_not_small() -> None:
    counts, rows, cols = grid([[5, 0], [7, 9]])
    assert suppress(counts, rows, cols) == set()


def test_a_complement_is_a_non_zero_cell_before_a_zero_and_an_inner_cell_before_a_total() -> None:
    counts, rows, cols = grid([[2, 0, 6]])  # one group: its row is g0's weeks and its total
    withheld = suppress(counts, rows, cols)
    assert ("g0", "w2") in withheld and ("g0", "w1") not in withheld


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), min_size=2, max_size=4), min_size=1, max_size=4))
def test_no_withheld_cell_is_alone_in_its_row_or_column(rows_in: list[list[int]]) -> None:
    width = len(rows_in[0])
    rows_in = [(r + [0] * width)[:width] for r in rows_in]
    counts, rows, cols = grid(rows_in)
    withheld = suppress(counts, rows, cols)
    assert all(not 0 < counts[k] < 5 or k in withheld for k in counts)
    for line in [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]:
        assert sum(k in withheld for k in line) != 1


def case(ref: str, email: str, topic: Topic, at: datetime) -> Case:
    return Case(ref, email, "", "s", Category.CASEWORK, topic, False, CaseStatus.OPEN, None,
                None, "", at, at)  # fmt: skip


def test_the_export_counts_distinct_people_and_never_shows_a_withheld_number() -> None:
    weeks = weeks_from(utc(2026, 11, 2), utc(2026, 11, 12))  # w/c 2 Nov and w/c 9 Nov
    wk1, wk2 = utc(2026, 11, 3, 10), utc(2026, 11, 10, 10)
    cases = [case(f"H{i}", f"h{i}@x.org", Topic.HOUSING, wk1) for i in range(6)]
    cases += [case("H6", "h0@x.org", Topic.HOUSING, wk1)]  # a second case: still one person
    cases += [case(f"H{i}", f"h{i}@x.org", Topic.HOUSING, wk2) for i in range(10, 17)]
    cases += [case(f"B{i}", f"b{i}@x.org", Topic.BENEFITS, wk1) for i in range(2)]
    cases += [case(f"B{i}", f"b{i}@x.org", Topic.BENEFITS, wk2) for i in range(5, 12)]
    table = anonymised_table(cases, weeks, Dimension.TOPIC)
    shown = {(c.group, c.week): c.people for c in table.cells}
    # By hand:          w/c 2 Nov  w/c 9 Nov  ALL
    #   benefits            2          7        9
    #   housing             6          7       13   (seven cases in w/c 2 Nov: six people)
    #   ALL                 8         14       22
    # benefits/2 Nov (2) is withheld; its row would give it away (9 - 7), so benefits/9 Nov
    # goes; its column too (8 - 6), so housing/2 Nov goes; then the 9 Nov column has one
    # withheld cell, so housing/9 Nov goes. The totals stay: none alone in its line.
    assert shown == {
        ("benefits", "2026-11-02"): None, ("benefits", "2026-11-09"): None, ("benefits", ALL): 9,
        ("housing", "2026-11-02"): None, ("housing", "2026-11-09"): None, ("housing", ALL): 13,
        (ALL, "2026-11-02"): 8, (ALL, "2026-11-09"): 14, (ALL, ALL): 22,
    }  # fmt: skip
    assert all(c.suppressed == (c.people is None) for c in table.cells)
    assert len(table.cells) == len(list(product([*table.groups, ALL], [*table.weeks, ALL])))


def test_campaign_names_come_from_letters_so_they_are_never_exported() -> None:
    with pytest.raises(CaseDeskError, match="--by category, topic or ward"):
        check_dimension(Dimension.CAMPAIGN)


# --- the Teams digest's week-over-week line ----------------------------------------------------


def test_the_office_digest_says_last_week_against_the_week_before_in_london_weeks() -> None:
    from casedesk.core.digest import build_digest
    from casedesk.core.report import week_over_week
    from casedesk.teams.cards import digest_card

    now = utc(2026, 4, 8, 12)  # Wednesday; last week is w/c 30 March (BST), before it w/c 23
    cases = [
        case("A", "a@x.org", Topic.HOUSING, utc(2026, 3, 29, 23, 30)),  # Mon 00:30 BST: last week
        case("B", "b@x.org", Topic.HOUSING, utc(2026, 4, 3, 10)),
        case("C", "c@x.org", Topic.BENEFITS, utc(2026, 4, 1, 10)),
        case("D", "d@x.org", Topic.BENEFITS, utc(2026, 3, 24, 10)),  # the week before
        case("E", "e@x.org", Topic.BENEFITS, utc(2026, 3, 25, 10)),
        case("F", "f@x.org", Topic.HEALTH, utc(2026, 3, 29, 22, 59)),  # Sun 23:59 BST: before
        case("G", "g@x.org", Topic.HEALTH, utc(2026, 4, 6, 9)),  # this week: not counted
    ]
    week = week_over_week(cases, now)
    assert (week.last_week, week.week_before) == (3, 3)
    assert week.rising == (("housing", 2, 0),)
    office = build_digest(cases, [], now, None, None, week)
    mine = build_digest(cases, [], now, "tom", None, week)
    assert office.week == week and mine.week is None  # the office's picture, not a person's
    texts = [b.get("text", "") for b in digest_card(office, "the office", None)["body"]]
    assert "Last week 3 new cases (the week before 3, +0); rising: housing 2 (+2)" in texts


def test_report_weeks_count_by_london_midnight_across_both_clock_changes() -> None:
    from casedesk.core.office_hours import OfficeHours
    from casedesk.core.report import build_report

    def report(cases: list[Case], since: datetime, now: datetime) -> tuple[int, ...]:
        r = build_report(cases, [], [], [], [], {}, now, since, Dimension.TOPIC, OfficeHours())
        return r.weekly_total

    spring = [
        case("A", "a@x.org", Topic.HOUSING, utc(2026, 3, 29, 22, 59)),  # Sun 23:59 BST
        case("B", "b@x.org", Topic.HOUSING, utc(2026, 3, 29, 23, 30)),  # Mon 00:30 BST
    ]
    assert report(spring, utc(2026, 3, 25), utc(2026, 4, 8)) == (1, 1, 0)
    autumn = [
        case("C", "c@x.org", Topic.HOUSING, utc(2026, 10, 25, 23, 30)),  # Sun 23:30 GMT
        case("D", "d@x.org", Topic.HOUSING, utc(2026, 10, 26, 0, 30)),  # Mon 00:30 GMT
        case("E", "e@x.org", Topic.HOUSING, utc(2026, 10, 18, 23, 30)),  # Mon 00:30 BST
    ]
    assert report(autumn, utc(2026, 10, 19, 12), utc(2026, 10, 28)) == (2, 1)
