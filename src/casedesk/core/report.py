"""Insight: what constituents raise, week by week, and how fast the office answers.

The figures behind `casedesk report`, the MP's weekly briefing and the Teams digest's
week-over-week line. Pure: `gather` reads through the CaseRepository port, `build_report`
computes from plain data and a `now`. docs/report.md defines every figure; in short:

- **Weeks** are London weeks, Monday 00:00 to the next Monday 00:00 Europe/London, as UTC
  instants (a week holding a clock change is 167 or 169 hours long). The period starts on the
  Monday of the week `since` falls in, so every week in it is whole; the last week is the one
  holding `now` and is usually not over yet (`complete` False).
- **Cases** are those opened in the period, less those merged into another case (a merge
  folds a duplicate away). Grouped by category, topic, ward ("(unknown)" without one) or
  campaign ("(none)" for letters in no campaign).
- **Week over week** compares the last complete week with the week before it.
- **Campaigns**: letters (cases) per campaign in the period; *new* when the campaign was
  first seen in the period, *growing* when its last complete week had more letters than the
  week before.
- **Response times** are over the cases opened in the period, in working hours
  (core/office_hours.py): first reply is the first `reply.sent` audit entry of the case; time
  to close is the last `case.status_changed` to closed, for cases closed now. Against the
  SLA: a reply or close at or before the case's due time (core/sla.py) is within it; cases
  without a due time are not counted either way. Overdue is every open case past its due
  time now (core/sla.is_overdue), whenever it opened.
- **Load** per person: open cases assigned to them now, overdue among those, urgent among
  those, and cases opened in the period now assigned to them.
- **Agencies**: the league table (core/agencies.py) over referrals made in the period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from statistics import median
from zoneinfo import ZoneInfo

from casedesk.core.agencies import Agency, AgencyStats, league_table, nearest_rank
from casedesk.core.models import AuditEntry, Campaign, Case, CaseStatus, Referral
from casedesk.core.office_hours import OfficeHours
from casedesk.core.sla import is_overdue
from casedesk.ports import CaseRepository

LONDON = ZoneInfo("Europe/London")
REPLY_SENT = "reply.sent"  # core/reply_desk.py writes it
STATUS_CHANGED = "case.status_changed"  # core/casework.py writes it
NO_WARD, NO_CAMPAIGN, UNASSIGNED = "(unknown)", "(none)", "(unassigned)"


class Dimension(StrEnum):
    CATEGORY = "category"
    TOPIC = "topic"
    WARD = "ward"
    CAMPAIGN = "campaign"


# --- London weeks --------------------------------------------------------------------------


def week_start(at: datetime) -> datetime:
    """Monday 00:00 London time of the week holding `at`, as a UTC instant."""
    local = at.astimezone(LONDON)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), LONDON).astimezone(UTC)


def next_week(start: datetime) -> datetime:
    """The Monday 00:00 London after the week starting at `start` (not always 168 hours)."""
    monday = start.astimezone(LONDON).date() + timedelta(days=7)
    return datetime.combine(monday, time(0), LONDON).astimezone(UTC)


def weeks_from(start: datetime, now: datetime) -> list[datetime]:
    """Starts of the London weeks from the week holding `start` to the week holding `now`."""
    weeks, at = [], week_start(start)
    while at <= now:
        weeks.append(at)
        at = next_week(at)
    return weeks


def week_index(weeks: Sequence[datetime], at: datetime) -> int | None:
    """Which of `weeks` (ascending starts) holds `at`; None before the first."""
    found = None
    for i, start in enumerate(weeks):
        if at >= start:
            found = i
    return found


def london_date(at: datetime) -> date:
    return at.astimezone(LONDON).date()


# --- the figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    group: str
    cases: int  # in the period
    weekly: tuple[int, ...]  # per week of the period, oldest first
    last_week: int  # the last complete week
    week_before: int

    @property
    def change(self) -> int:
        return self.last_week - self.week_before


@dataclass(frozen=True)
class CampaignRow:
    id: str
    name: str  # from the letters: untrusted text, escape it wherever it is shown
    letters: int  # cases in the period
    last_week: int
    week_before: int
    first_seen: datetime
    is_new: bool  # first seen in the period

    @property
    def is_growing(self) -> bool:
        return self.last_week > self.week_before


@dataclass(frozen=True)
class Timing:
    """How long something took, in working hours, over the cases it has happened to."""

    measured: int
    median_hours: float | None
    p90_hours: float | None
    with_sla: int  # measured cases that had a due time
    within_sla: int  # ... and it happened at or before it

    def as_record(self) -> dict[str, object]:
        return {
            "cases": self.measured,
            "median_working_hours": self.median_hours,
            "p90_working_hours": self.p90_hours,
            "with_sla": self.with_sla,
            "within_sla": self.within_sla,
        }


@dataclass(frozen=True)
class PersonLoad:
    person: str
    open: int
    overdue: int
    urgent: int
    new_in_period: int


@dataclass(frozen=True)
class Report:
    now: datetime
    start: datetime  # Monday 00:00 London of the first week, UTC
    by: Dimension
    weeks: tuple[datetime, ...]  # week starts, UTC
    last_complete: int | None  # index into weeks of the last complete week
    total: int
    weekly_total: tuple[int, ...]
    groups: tuple[GroupRow, ...]  # most cases first, then by name
    campaigns: tuple[CampaignRow, ...]  # most letters first
    first_reply: Timing
    to_close: Timing
    awaiting_reply: int  # opened in the period, not closed, no reply sent yet
    overdue: int
    people: tuple[PersonLoad, ...]
    agencies: tuple[AgencyStats, ...]

    @property
    def last_week(self) -> int:
        return self.weekly_total[self.last_complete] if self.last_complete is not None else 0

    @property
    def week_before(self) -> int:
        i = self.last_complete
        return self.weekly_total[i - 1] if i is not None and i > 0 else 0

    def week_label(self, i: int) -> str:
        """'w/c 16 Nov' (week commencing, London date), '(so far)' on an unfinished week."""
        label = "w/c " + london_date(self.weeks[i]).strftime("%d %b").lstrip("0")
        return (
            label
            if self.last_complete is not None and i <= self.last_complete
            else (label + " (so far)")
        )

    def as_record(self) -> dict[str, object]:
        return {
            "generated_at": self.now.isoformat(),
            "period_start": self.start.isoformat(),
            "by": self.by.value,
            "weeks": [
                {
                    "week_start": london_date(w).isoformat(),
                    "complete": self._complete(i),
                    "cases": self.weekly_total[i],
                }
                for i, w in enumerate(self.weeks)
            ],
            "cases": self.total,
            "week_over_week": {"last_week": self.last_week, "week_before": self.week_before},
            "groups": [
                {
                    "group": g.group,
                    "cases": g.cases,
                    "weekly": list(g.weekly),
                    "last_week": g.last_week,
                    "week_before": g.week_before,
                    "change": g.change,
                }
                for g in self.groups
            ],
            "campaigns": [
                {
                    "id": c.id,
                    "name": c.name,
                    "letters": c.letters,
                    "last_week": c.last_week,
                    "week_before": c.week_before,
                    "first_seen": c.first_seen.isoformat(),
                    "new": c.is_new,
                    "growing": c.is_growing,
                }
                for c in self.campaigns
            ],
            "first_reply": self.first_reply.as_record(),
            "time_to_close": self.to_close.as_record(),
            "awaiting_first_reply": self.awaiting_reply,
            "overdue": self.overdue,
            "people": [p.__dict__ for p in self.people],
            "agencies": [a.as_record() for a in self.agencies],
        }

    def _complete(self, i: int) -> bool:
        return self.last_complete is not None and i <= self.last_complete


def group_of(case: Case, by: Dimension) -> str:
    if by is Dimension.CATEGORY:
        return case.category.value
    if by is Dimension.TOPIC:
        return case.topic.value
    if by is Dimension.WARD:
        return case.ward or NO_WARD
    return case.campaign_id or NO_CAMPAIGN


def _timing(cases: Iterable[Case], at: Mapping[str, datetime], hours: OfficeHours) -> Timing:
    spans: list[float] = []
    with_sla = within = 0
    for case in cases:
        when = at.get(case.ref)
        if when is None:
            continue
        spans.append(
            round(hours.working_time_between(case.created_at, when) / timedelta(hours=1), 2)
        )
        if case.due_at is not None:
            with_sla += 1
            within += when <= case.due_at
    return Timing(
        len(spans),
        round(float(median(spans)), 2) if spans else None,
        nearest_rank(spans, 0.9),
        with_sla,
        within,
    )


def first_replies(entries: Iterable[AuditEntry]) -> dict[str, datetime]:
    """Case ref -> when its first reply was sent."""
    first: dict[str, datetime] = {}
    for e in entries:
        if e.action == REPLY_SENT and (e.object_ref not in first or e.at < first[e.object_ref]):
            first[e.object_ref] = e.at
    return first


def closings(entries: Iterable[AuditEntry]) -> dict[str, datetime]:
    """Case ref -> when it was last closed (a reopened and closed again case: the latest)."""
    last: dict[str, datetime] = {}
    for e in entries:
        if e.action == STATUS_CHANGED and e.detail.get("to") == CaseStatus.CLOSED.value:
            last[e.object_ref] = max(e.at, last.get(e.object_ref, e.at))
    return last


def _weekly(cases: Iterable[Case], weeks: Sequence[datetime]) -> list[int]:
    counts = [0] * len(weeks)
    for c in cases:
        i = week_index(weeks, c.created_at)
        if i is not None:
            counts[i] += 1
    return counts


def build_report(
    opened: Sequence[Case],
    open_now: Sequence[Case],
    audit: Sequence[AuditEntry],
    campaigns: Sequence[Campaign],
    referrals: Sequence[Referral],
    agencies: Mapping[str, Agency],
    now: datetime,
    since: datetime,
    by: Dimension,
    hours: OfficeHours,
) -> Report:
    """The report for the weeks from the one holding `since` to the one holding `now`.

    `opened`: cases opened in that period (more are ignored); `audit`: the `reply.sent` and
    `case.status_changed` entries since the period started."""
    weeks = weeks_from(since, now)
    start = weeks[0]
    cohort = period_cases(opened, start, now)
    complete = [i for i, w in enumerate(weeks) if next_week(w) <= now]
    last = complete[-1] if complete else None

    def pair(counts: Sequence[int]) -> tuple[int, int]:
        if last is None:
            return 0, 0
        return counts[last], counts[last - 1] if last > 0 else 0

    by_group = _grouped(cohort, by)
    named = {c.id: c for c in campaigns}
    groups = []
    for key, members in by_group.items():
        weekly = _weekly(members, weeks)
        name = named[key].name if by is Dimension.CAMPAIGN and key in named else key
        groups.append(GroupRow(name, len(members), tuple(weekly), *pair(weekly)))
    groups.sort(key=lambda g: (-g.cases, g.group))

    rows = []
    for cid, members in _grouped(cohort, Dimension.CAMPAIGN).items():
        found = named.get(cid)
        if cid == NO_CAMPAIGN or found is None or not found.is_campaign:
            continue
        weekly = _weekly(members, weeks)
        rows.append(CampaignRow(cid, found.name, len(members), *pair(weekly),
                                found.first_seen, found.first_seen >= start))  # fmt: skip
    rows.sort(key=lambda r: (-r.letters, r.first_seen, r.id))

    replied, closed = first_replies(audit), closings(audit)
    closed_now = [c for c in cohort if c.status is CaseStatus.CLOSED]
    return Report(
        now=now,
        start=start,
        by=by,
        weeks=tuple(weeks),
        last_complete=last,
        total=len(cohort),
        weekly_total=tuple(_weekly(cohort, weeks)),
        groups=tuple(groups),
        campaigns=tuple(rows),
        first_reply=_timing(cohort, replied, hours),
        to_close=_timing(closed_now, closed, hours),
        awaiting_reply=sum(
            1 for c in cohort if c.status is not CaseStatus.CLOSED and c.ref not in replied
        ),
        overdue=sum(1 for c in open_now if is_overdue(c, now)),
        people=_load(open_now, cohort, now),
        agencies=tuple(
            league_table(agencies, [r for r in referrals if r.referred_at >= start], now, hours)
        ),
    )


def period_cases(opened: Iterable[Case], start: datetime, now: datetime) -> list[Case]:
    """The cases a report counts: opened from `start` up to `now`, not merged away."""
    return [c for c in opened if start <= c.created_at <= now and c.merged_into is None]


def _grouped(cases: Iterable[Case], by: Dimension) -> dict[str, list[Case]]:
    found: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        found[group_of(c, by)].append(c)
    return found


def _load(
    open_now: Sequence[Case], cohort: Sequence[Case], now: datetime
) -> tuple[PersonLoad, ...]:
    mine: dict[str, list[Case]] = defaultdict(list)
    for c in open_now:
        if c.status is not CaseStatus.CLOSED:
            mine[c.assignee or UNASSIGNED].append(c)
    new = Counter(c.assignee or UNASSIGNED for c in cohort)
    people = set(mine) | set(new)
    rows = [
        PersonLoad(
            p,
            len(mine[p]),
            sum(1 for c in mine[p] if is_overdue(c, now)),
            sum(1 for c in mine[p] if c.is_urgent),
            new[p],
        )
        for p in people
    ]
    return tuple(sorted(rows, key=lambda r: (r.person == UNASSIGNED, -r.open, r.person)))


def gather(
    repo: CaseRepository,
    agencies: Mapping[str, Agency],
    now: datetime,
    since: datetime,
    by: Dimension,
    hours: OfficeHours,
) -> Report:
    """Read what the report needs through the port and build it."""
    start = week_start(since)
    audit = [*repo.audit_by_action(REPLY_SENT, start), *repo.audit_by_action(STATUS_CHANGED, start)]
    return build_report(
        repo.cases_opened_between(start, now + timedelta(microseconds=1)),
        repo.open_cases(),
        audit,
        repo.campaigns(),
        repo.referrals(),
        agencies,
        now,
        since,
        by,
        hours,
    )


EXPORTED = "report.exported"


def record_export(
    repo: CaseRepository,
    at: datetime,
    actor: str,
    detail: Mapping[str, str | int | float | bool | None],
) -> AuditEntry:
    """Audit a report that leaves the screen (a briefing, an anonymised export): who, what."""
    with repo.transaction():
        return repo.append_audit(at, actor, EXPORTED, "report", dict(detail))


def record_briefing_export(
    repo: CaseRepository, at: datetime, actor: str, report: Report, what: str, fmt: str,
    files: int, scheduled: bool = False,
) -> AuditEntry:  # fmt: skip
    """Audit a briefing (or its charts) written out: what, the format, the period, how many
    files; `scheduled` when the sweep timer wrote it."""
    detail: dict[str, str | int | float | bool | None] = {
        "what": what, "format": fmt, "by": report.by.value,
        "period_start": report.start.isoformat(), "files": files, "anonymised": False,
    }  # fmt: skip
    if scheduled:
        detail["scheduled"] = True
    return record_export(repo, at, actor, detail)


@dataclass(frozen=True)
class WeekOverWeek:
    """The Teams digest's line: new cases in the last complete London week and the week
    before, and the topics that rose most."""

    last_week: int
    week_before: int
    rising: tuple[tuple[str, int, int], ...]  # (topic, last week, week before), biggest rise first


def week_over_week(cases: Iterable[Case], now: datetime, top: int = 3) -> WeekOverWeek:
    """From cases opened in the two complete weeks before `now`'s week (more are ignored)."""
    this = week_start(now)
    last = week_start(this - timedelta(days=1))
    before = week_start(last - timedelta(days=1))
    counts: dict[int, Counter[str]] = {0: Counter(), 1: Counter()}
    for c in period_cases(cases, before, this - timedelta(microseconds=1)):
        counts[0 if c.created_at >= last else 1][c.topic.value] += 1
    rises = sorted(
        ((t, counts[0][t], counts[1][t]) for t in counts[0] if counts[0][t] > counts[1][t]),
        key=lambda r: (r[2] - r[1], r[0]),
    )
    return WeekOverWeek(counts[0].total(), counts[1].total(), tuple(rises[:top]))


def read_week_over_week(repo: CaseRepository, now: datetime) -> WeekOverWeek:
    this = week_start(now)
    before = week_start(week_start(this - timedelta(days=1)) - timedelta(days=1))
    return week_over_week(repo.cases_opened_between(before, this), now)
