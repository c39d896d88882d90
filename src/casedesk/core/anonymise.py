"""The anonymised aggregate export: people per group per week, with small cells suppressed.

Offices may pool these tables to see trends across constituencies, so no cell may single
anyone out. Pure; docs/report.md states the rule for readers of the export:

- A cell counts **distinct constituents** (by address) whose cases opened in that London week
  (core/report.py's weeks) and fall in that group. Each group has an ALL column (distinct
  people over the period), each week an ALL row (distinct people in any group), and there is a
  grand total.
- **Primary suppression:** a cell of 1 to 4 people is withheld. Zero is shown: it says
  nobody raised it, which points at no one.
- **Complementary suppression:** wherever a row or a column (its ALL cell included) has
  exactly one withheld cell, the smallest other cell in that line is withheld too (a non-zero
  one before a zero, an inner cell before a total, then the first in order), and this repeats
  until no line has exactly one. So no withheld cell can be worked out by subtracting the
  shown cells from a total. Totals of distinct people do not add up exactly (one person can
  write about two topics), which only makes working back harder; the rule treats them as if
  they did.
- Withheld cells carry no number anywhere in the export, and primary and complementary
  suppressions are marked alike, so the mark does not say which cells were small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from casedesk.core.models import Case
from casedesk.core.report import Dimension, group_of, london_date, week_index
from casedesk.errors import CaseDeskError

THRESHOLD = 5
ALL = "ALL"
RULE = (
    "cells count distinct constituents; cells of 1 to 4 people are withheld, and wherever a "
    "row or column would then have exactly one withheld cell, the smallest other cell in it "
    "is withheld too, until none has exactly one; withheld cells are marked alike"
)

Key = tuple[str, str]  # (group or ALL, week start as an ISO London date, or ALL)


@dataclass(frozen=True)
class Cell:
    group: str  # a group, or ALL
    week: str  # the week's Monday (London date, ISO), or ALL for the whole period
    people: int | None  # None when suppressed
    suppressed: bool

    def as_record(self) -> dict[str, object]:
        return {
            "group": self.group,
            "week_start": self.week,
            "people": self.people,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class AnonymisedTable:
    by: Dimension
    weeks: tuple[str, ...]  # ISO dates of the weeks' Mondays
    groups: tuple[str, ...]
    cells: tuple[Cell, ...]  # each group's weeks then its ALL, then the ALL row likewise

    def as_record(self) -> dict[str, object]:
        return {
            "by": self.by.value,
            "weeks": list(self.weeks),
            "threshold": THRESHOLD,
            "rule": RULE,
            "cells": [c.as_record() for c in self.cells],
        }


def check_dimension(by: Dimension) -> None:
    if by is Dimension.CAMPAIGN:
        raise CaseDeskError(
            "--anonymised cannot group by campaign: campaign names are taken from the letters "
            "themselves; use --by category, topic or ward"
        )


def people_counts(
    cases: Iterable[Case], weeks: Sequence[datetime], by: Dimension
) -> tuple[list[str], dict[Key, int]]:
    """The groups seen (sorted) and distinct people per cell, totals included."""
    labels = [london_date(w).isoformat() for w in weeks]
    people: dict[Key, set[str]] = defaultdict(set)
    for case in cases:
        i = week_index(weeks, case.created_at)
        if i is None:
            continue
        group, who = group_of(case, by), case.constituent_email
        for key in ((group, labels[i]), (group, ALL), (ALL, labels[i]), (ALL, ALL)):
            people[key].add(who)
    groups = sorted({g for g, _ in people if g != ALL})
    counts = {(g, w): len(people.get((g, w), ())) for g in [*groups, ALL] for w in [*labels, ALL]}
    return groups, counts


def suppress(
    counts: dict[Key, int], rows: Sequence[str], cols: Sequence[str], threshold: int = THRESHOLD
) -> set[Key]:
    """The cells to withhold: primary (1 to threshold-1), then complementary until no row
    or column has exactly one withheld cell. `rows` and `cols` end with their ALL."""
    withheld = {k for k, n in counts.items() if 0 < n < threshold}
    lines = [[(r, c) for c in cols] for r in rows] + [[(r, c) for r in rows] for c in cols]
    order = {(r, c): (i, j) for i, r in enumerate(rows) for j, c in enumerate(cols)}

    def cost(key: Key) -> tuple[bool, int, bool, tuple[int, int]]:
        return (counts[key] == 0, counts[key], ALL in key, order[key])

    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(k in withheld for k in line) != 1:
                continue
            others = [k for k in line if k not in withheld]
            if others:
                withheld.add(min(others, key=cost))
                changed = True
    return withheld


def anonymised_table(
    cases: Iterable[Case], weeks: Sequence[datetime], by: Dimension
) -> AnonymisedTable:
    """People per group per week over `weeks` (London week starts), small cells withheld."""
    check_dimension(by)
    groups, counts = people_counts(cases, weeks, by)
    labels = [london_date(w).isoformat() for w in weeks]
    rows, cols = [*groups, ALL], [*labels, ALL]
    withheld = suppress(counts, rows, cols)
    cells = tuple(
        Cell(r, c, None if (r, c) in withheld else counts[(r, c)], (r, c) in withheld)
        for r in rows
        for c in cols
    )
    return AnonymisedTable(by, tuple(labels), tuple(groups), cells)
