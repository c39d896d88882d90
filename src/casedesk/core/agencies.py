"""Referrals of cases to outside bodies (DWP, HMRC, UKVI, the council, ...) and how fast each
body answers.

Each agency has an expected response time in working days: the shipped table
(src/casedesk/agencies.toml) names the published service standard behind each figure, or
says it is an office default; an office can override it (the `agencies_file` setting). A
referral is due at the close of office hours on that many working days after the day it was
made (core/office_hours.py: Monday to Friday, England and Wales bank holidays excluded).

A reply's response time is the number of working days after the referral's day up to the
reply's day (same day: 0). The league table's median and 90th percentile are over replied
referrals (nearest rank: the smallest value with at least 90% of replies at or below it);
unanswered referrals count as open, and as overdue once past their expected time.

Chase reminders: an open referral past its expected time is chased once, then again every
`chase_every_days` working days; each chase is numbered, so recording one is idempotent.

The functions at the bottom are the use cases behind `casedesk refer`, `reply-received` and
the sweep's chases; they go through the ports. No I/O of their own.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from statistics import median
from typing import TypeVar

from casedesk.core.models import Case, Referral
from casedesk.core.office_hours import OfficeHours
from casedesk.errors import CaseDeskError, NotFoundError
from casedesk.ports import CaseRepository, Clock

REFERRED, REPLIED, CHASED = "case.referred", "referral.replied", "referral.chased"
LATE = "referral.late"  # the notification a chase sends to the caseworker
OFFICE_DEFAULT = "office default"


@dataclass(frozen=True)
class Agency:
    key: str  # what staff type: dwp, hmrc, ukvi, council, ...
    name: str
    response_days: int  # expected response time, working days
    source: str  # the published standard's URL, or "office default"


class UnknownAgencyError(CaseDeskError):
    """An agency key that is not in the agencies table."""


def find_agency(agencies: Mapping[str, Agency], key: str) -> Agency:
    wanted = key.strip().lower()
    if wanted in agencies:
        return agencies[wanted]
    close = difflib.get_close_matches(wanted, list(agencies), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UnknownAgencyError(
        f"unknown agency {key!r}: {hint}known agencies are {', '.join(sorted(agencies))} "
        "(`casedesk agencies` lists them; add your own with the agencies_file setting)"
    )


def expected_by(hours: OfficeHours, referred_at: datetime, agency: Agency) -> datetime:
    return hours.close_of_working_day(referred_at, agency.response_days)


def response_days(hours: OfficeHours, referral: Referral) -> int | None:
    """Working days the agency took to answer, or None while it has not."""
    if referral.replied_at is None:
        return None
    return hours.working_days_between(referral.referred_at, referral.replied_at)


N = TypeVar("N", int, float)


def nearest_rank(values: Sequence[N], q: float) -> N | None:
    """The q-th percentile (0 < q <= 1) by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@dataclass(frozen=True)
class AgencyStats:
    key: str
    name: str
    target_days: int | None  # None: an agency no longer in the table
    referrals: int
    open: int
    replied: int
    on_time: int  # replies within the target
    median_days: float | None
    p90_days: int | None
    overdue: int  # open and past the expected time

    def as_record(self) -> dict[str, object]:
        return {
            "agency": self.key,
            "name": self.name,
            "target_working_days": self.target_days,
            "referrals": self.referrals,
            "open": self.open,
            "replied": self.replied,
            "replied_on_time": self.on_time,
            "median_working_days": self.median_days,
            "p90_working_days": self.p90_days,
            "overdue": self.overdue,
        }


def league_table(
    agencies: Mapping[str, Agency],
    referrals: Sequence[Referral],
    now: datetime,
    hours: OfficeHours,
) -> list[AgencyStats]:
    """One row per agency referred to, fastest median reply first (no replies yet: last)."""
    by_agency: dict[str, list[Referral]] = {}
    for r in referrals:
        by_agency.setdefault(r.agency, []).append(r)
    rows: list[AgencyStats] = []
    for key, items in by_agency.items():
        agency = agencies.get(key)
        days = [d for d in (response_days(hours, r) for r in items) if d is not None]
        rows.append(
            AgencyStats(
                key=key,
                name=agency.name if agency else key,
                target_days=agency.response_days if agency else None,
                referrals=len(items),
                open=sum(r.is_open for r in items),
                replied=len(days),
                on_time=sum(
                    1 for r in items if r.replied_at is not None and r.replied_at <= r.expected_by
                ),
                median_days=float(median(days)) if days else None,
                p90_days=nearest_rank(days, 0.9),
                overdue=sum(1 for r in items if r.is_open and now >= r.expected_by),
            )
        )
    return sorted(rows, key=lambda s: (s.median_days is None, s.median_days or 0.0, s.key))


@dataclass(frozen=True)
class Chase:
    """A chase reminder the sweep records for a late referral."""

    referral_id: str
    case_ref: str
    agency: str
    number: int  # 1 for the first chase
    expected_by: datetime
    working_days_late: int
    notify: tuple[str, ...]


def plan_chase(
    referral: Referral, case: Case, now: datetime, hours: OfficeHours, every_days: int
) -> Chase | None:
    """A chase is due when the referral is open and late, and the last chase (if any) was
    at least `every_days` working days ago."""
    if not referral.is_open or now < referral.expected_by:
        return None
    if referral.chased_at is not None and (
        hours.working_days_between(referral.chased_at, now) < every_days
    ):
        return None
    return Chase(
        referral.id,
        referral.case_ref,
        referral.agency,
        referral.chases + 1,
        referral.expected_by,
        hours.working_days_between(referral.expected_by, now),
        (case.assignee or referral.referred_by,),
    )


# --- use cases ---------------------------------------------------------------------------


def _when(clock: Clock, at: datetime | None) -> datetime:
    now = clock.now()
    if at is None:
        return now
    if at.tzinfo is None:
        raise CaseDeskError("give the time with its zone, e.g. 2026-11-16T10:00+00:00")
    if at > now:
        raise CaseDeskError(
            "that time is in the future; record a referral or reply once it happened"
        )
    return at.astimezone(UTC)  # stored in UTC, whatever zone it was given in


def refer(
    repo: CaseRepository,
    clock: Clock,
    hours: OfficeHours,
    agencies: Mapping[str, Agency],
    case_ref: str,
    agency_key: str,
    by: str,
    note: str = "",
    at: datetime | None = None,
) -> Referral:
    """Record that the office referred the case to an agency (audited as case.referred)."""
    if not by.strip():
        raise CaseDeskError("say who referred it (--by NAME)")
    agency = find_agency(agencies, agency_key)
    when = _when(clock, at)
    with repo.transaction():
        case = repo.get_case(case_ref)
        referral = repo.add_referral(
            case.ref, agency.key, when, by, expected_by(hours, when, agency), note
        )
        repo.append_audit(
            clock.now(),
            by,
            REFERRED,
            case.ref,
            {
                "referral": referral.id,
                "agency": agency.key,
                "referred_at": when.isoformat(),
                "expected_by": referral.expected_by.isoformat(),
                "has_note": bool(note),  # the note itself stays out of the audit chain
            },
        )
    return referral


def record_reply(
    repo: CaseRepository,
    clock: Clock,
    hours: OfficeHours,
    case_ref: str,
    agency_key: str,
    by: str,
    at: datetime | None = None,
) -> Referral:
    """The agency answered: close the case's oldest open referral to it (audited)."""
    if not by.strip():
        raise CaseDeskError("say who recorded the reply (--by NAME)")
    when = _when(clock, at)
    wanted = agency_key.strip().lower()
    with repo.transaction():
        case = repo.get_case(case_ref)
        waiting = [r for r in repo.referrals(case.ref, open_only=True) if r.agency == wanted]
        if not waiting:
            raise NotFoundError(
                f"{case.ref} has no open referral to {agency_key!r}; "
                f"`casedesk referrals --case {case.ref}` lists its referrals"
            )
        referral = waiting[0]
        if when < referral.referred_at:
            raise CaseDeskError(
                f"the reply cannot come before the referral ({referral.referred_at.isoformat()})"
            )
        repo.record_referral_reply(referral.id, when, by)
        replied = replace(referral, replied_at=when, replied_by=by)
        days = response_days(hours, replied)
        repo.append_audit(
            clock.now(),
            by,
            REPLIED,
            case.ref,
            {
                "referral": referral.id,
                "agency": referral.agency,
                "replied_at": when.isoformat(),
                "working_days": days,
                "on_time": when <= referral.expected_by,
            },
        )
    return replied
