"""The daily digest: what came in over the last day, what is overdue, for a person or the office.

Pure: the caller passes the cases, the campaigns and `now`. When a digest is due is
decided in Europe/London time (the office's day), from UTC instants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from casedesk.core.models import Campaign, Case, CaseStatus
from casedesk.core.report import WeekOverWeek

LONDON = ZoneInfo("Europe/London")
DIGEST_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class OverdueCase:
    ref: str
    due_at: datetime
    assignee: str | None
    abusive_subject_hidden: bool
    subject: str


@dataclass(frozen=True)
class Digest:
    """For one member (assignee set) or the whole office (assignee None)."""

    day: date  # the office's (London) date it is for
    assignee: str | None
    new_cases: int
    open_cases: int
    by_category: tuple[tuple[str, int], ...]  # new cases in the window, largest first
    by_topic: tuple[tuple[str, int], ...]
    new_campaigns: tuple[tuple[str, int], ...]  # (name, letters so far)
    overdue: tuple[OverdueCase, ...]  # oldest due first
    week: WeekOverWeek | None = None  # the office's digest: last week against the week before


def is_overdue(case: Case, now: datetime) -> bool:
    return case.status is not CaseStatus.CLOSED and case.due_at is not None and case.due_at < now


def _counts(values: Sequence[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def build_digest(
    cases: Sequence[Case],
    campaigns: Sequence[Campaign],
    now: datetime,
    assignee: str | None = None,
    is_abusive: Callable[[Case], bool] | None = None,
    week: WeekOverWeek | None = None,
) -> Digest:
    """The digest of `cases` (every case, or one person's) as of `now`.

    `is_abusive` (Case -> bool) marks cases whose subject must not be shown unasked."""
    since = now - DIGEST_WINDOW
    mine = [c for c in cases if assignee is None or c.assignee == assignee]
    new = [c for c in mine if c.created_at >= since]
    overdue = sorted(
        (c for c in mine if is_overdue(c, now)),
        key=lambda c: (c.due_at or now, c.ref),
    )
    fresh_campaigns = [
        (c.name, c.size)
        for c in sorted(campaigns, key=lambda c: (c.first_seen, c.id))
        if c.is_campaign and c.first_seen >= since and assignee is None
    ]
    return Digest(
        day=now.astimezone(LONDON).date(),
        assignee=assignee,
        new_cases=len(new),
        open_cases=sum(1 for c in mine if c.status is not CaseStatus.CLOSED),
        by_category=_counts([c.category.value for c in new]),
        by_topic=_counts([c.topic.value for c in new]),
        new_campaigns=tuple(fresh_campaigns),
        overdue=tuple(
            OverdueCase(
                c.ref, c.due_at or now, c.assignee, bool(is_abusive and is_abusive(c)), c.subject
            )
            for c in overdue
        ),
        week=week if assignee is None else None,
    )


def digest_due(now: datetime, last_sent: date | None, hour: int) -> bool:
    """True once per London working day (Monday to Friday), from `hour` o'clock local time."""
    local = now.astimezone(LONDON)
    if local.weekday() >= 5 or local.hour < hour:
        return False
    return last_sent is None or last_sent < local.date()
