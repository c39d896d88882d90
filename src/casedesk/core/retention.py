"""Retention: how long each kind of case is kept after its last activity, and deleting what is due.

A policy maps a category (spam, campaign, ...), `closed` or `quarantine` to a period. A case's rule is its
category's, if the policy names one (whatever its status: nobody closes spam), else `closed`
when the case is closed, else none: open casework is never deleted by the clock. The period
runs from the case's last activity: its latest message, or the latest audit entry about it
(a correction, a status change, a note), whichever is later; putting a case on or off legal
hold is not activity. A held case is reported and kept.

Quarantined mail (mail that could not be read, kept with the reason) has its own period,
counted from when it was quarantined; it belongs to no case, so no hold covers it.

`review` is the dry run; `apply` deletes what `review` found due, each deletion audited
(`case.deleted`) before anything is removed, so a deletion cut short is finished by the next
run and never goes unrecorded. Defaults and their reasoning: docs/data-protection.md.
Pure apart from the ports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from casedesk.core.audit import ERASED
from casedesk.core.durations import Duration, parse_duration
from casedesk.core.holds import HELD, RELEASED, LegalHold, holds_from
from casedesk.core.mailing_store import MailingStore
from casedesk.core.models import (
    AuditEntry,
    Case,
    CaseQuery,
    CaseStatus,
    Category,
    QuarantineItem,
)
from casedesk.core.sweep import PENDING
from casedesk.core.triage import message_token
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseFiles, CaseRepository, Clock, OpsState

ACTOR = "casedesk-retention"
DELETED = "case.deleted"
CLOSED = "closed"
QUARANTINE = "quarantine"
QUARANTINE_DELETED = "quarantine.deleted"
NEVER = "never"
KEYS = (*(c.value for c in Category), CLOSED, QUARANTINE)

# The reasoning for each is in docs/data-protection.md ("Retention defaults").
DEFAULTS: dict[str, str] = {
    "spam": "30d",
    "other": "3m",
    "campaign": "12m",
    "policy": "12m",
    "invitation": "12m",
    "press": "12m",
    "abuse": "3y",
    CLOSED: "3y",
    QUARANTINE: "90d",
}
_NOT_ACTIVITY = frozenset({HELD, RELEASED, DELETED, ERASED})


@dataclass(frozen=True)
class RetentionPolicy:
    periods: Mapping[str, Duration | None]  # None: kept ("never")

    @classmethod
    def from_settings(cls, overrides: Mapping[str, str]) -> RetentionPolicy:
        """The defaults with the office's overrides; CaseDeskError naming a bad key or value."""
        merged = {**DEFAULTS, **{k.strip().lower(): v for k, v in overrides.items()}}
        periods: dict[str, Duration | None] = {}
        for key, value in merged.items():
            if key not in KEYS:
                raise CaseDeskError(
                    f"retention: unknown key {key!r}; use a category "
                    f"({', '.join(c.value for c in Category)}), {CLOSED!r} or {QUARANTINE!r}"
                )
            if str(value).strip().lower() == NEVER:
                periods[key] = None
                continue
            try:
                periods[key] = parse_duration(str(value))
            except ValueError as exc:
                raise CaseDeskError(f"retention: {key}={value!r}: {exc}; or 'never'") from exc
        return cls(periods)

    def rule_for(self, case: Case) -> tuple[str, Duration] | None:
        """(key, period) that governs the case, or None when the clock never deletes it."""
        key = case.category.value
        if key in self.periods:
            period = self.periods[key]
            return (key, period) if period else None
        if case.status is CaseStatus.CLOSED:
            closed = self.periods.get(CLOSED)
            return (CLOSED, closed) if closed else None
        return None

    def quarantine_due(self, item: QuarantineItem) -> datetime | None:
        """When quarantined mail falls due, or None when the policy keeps it."""
        period = self.periods.get(QUARANTINE)
        return period.after(item.quarantined_at) if period else None

    def describe(self) -> dict[str, str]:
        return {k: (str(v) if v else NEVER) for k, v in sorted(self.periods.items())}


@dataclass(frozen=True)
class RetentionItem:
    case: Case
    rule: str
    period: Duration
    last_activity: datetime
    due_at: datetime
    hold: LegalHold | None

    @property
    def why(self) -> str:
        status = "closed " if self.case.status is CaseStatus.CLOSED else ""
        return (
            f"{status}{self.case.category.value}: kept {self.period.words} after the last "
            f"activity ({self.last_activity.date().isoformat()}), rule '{self.rule}'"
        )


@dataclass(frozen=True)
class RetentionReport:
    now: datetime
    due: list[RetentionItem]  # would be (or were) deleted
    held: list[RetentionItem]  # due, but on legal hold: kept
    checked: int
    quarantine_due: list[tuple[QuarantineItem, datetime]] = field(default_factory=list)

    def as_record(self) -> dict[str, object]:
        def item(i: RetentionItem) -> dict[str, object]:
            return {
                "ref": i.case.ref,
                "category": i.case.category.value,
                "status": i.case.status.value,
                "rule": i.rule,
                "period": str(i.period),
                "last_activity": i.last_activity.isoformat(),
                "due_at": i.due_at.isoformat(),
                "why": i.why,
                "hold": (
                    {"reason": i.hold.reason, "by": i.hold.by, "since": i.hold.since.isoformat()}
                    if i.hold
                    else None
                ),
            }

        return {
            "now": self.now.isoformat(),
            "checked": self.checked,
            "due": [item(i) for i in self.due],
            "held": [item(i) for i in self.held],
            "quarantine_due": [
                {"item": message_token(q.sha256), "quarantined_at": q.quarantined_at.isoformat(),
                 "due_at": due.isoformat()}
                for q, due in self.quarantine_due
            ],
        }  # fmt: skip


def last_activity(case: Case, entries: Iterable[AuditEntry]) -> datetime:
    latest = case.updated_at
    for e in entries:
        if e.action not in _NOT_ACTIVITY and e.at > latest:
            latest = e.at
    return latest


def review(repo: CaseRepository, policy: RetentionPolicy, now: datetime) -> RetentionReport:
    """The dry run: every case whose period has run out, and the held ones kept anyway."""
    entries = repo.audit_entries()
    holds = holds_from(entries)
    by_ref: dict[str, list[AuditEntry]] = {}
    for e in entries:
        by_ref.setdefault(e.object_ref, []).append(e)
    cases = repo.query_cases(CaseQuery(limit=10**9))
    due: list[RetentionItem] = []
    held: list[RetentionItem] = []
    for case in cases:
        rule = policy.rule_for(case)
        if rule is None:
            continue
        key, period = rule
        active = last_activity(case, by_ref.get(case.ref, []))
        due_at = period.after(active)
        if due_at > now:
            continue
        item = RetentionItem(case, key, period, active, due_at, holds.get(case.ref))
        (held if item.hold else due).append(item)
    due.sort(key=lambda i: (i.due_at, i.case.ref))
    held.sort(key=lambda i: (i.due_at, i.case.ref))
    quarantine = [
        (q, at) for q in repo.quarantined() if (at := policy.quarantine_due(q)) and at <= now
    ]
    return RetentionReport(now, due, held, len(cases), quarantine)


def apply(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    clock: Clock,
    report: RetentionReport,
    actor: str = ACTOR,
) -> int:
    """Delete every due case in the report (held ones were never in `due`), then the due
    quarantined mail; how many cases went.

    Holds are read again first: a hold placed after the dry run still wins."""
    holds = holds_from(repo.audit_entries())
    deleted = 0
    for item in report.due:
        if item.case.ref in holds:
            continue
        delete_case(
            repo, files, ops, clock, item.case, actor,
            {"rule": item.rule, "period": str(item.period),
             "last_activity": item.last_activity.isoformat()},
        )  # fmt: skip
        deleted += 1
    for mail, due in report.quarantine_due:
        repo.append_audit(clock.now(), actor, QUARANTINE_DELETED, QUARANTINE,
                          {"item": message_token(mail.sha256), "rule": QUARANTINE,
                           "due_at": due.isoformat()})  # fmt: skip
        files.delete_file(mail.stored_path)
        repo.delete_quarantined(mail.sha256)
    return deleted


def delete_case(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    clock: Clock,
    case: Case,
    actor: str,
    why: dict[str, str | int | float | bool | None],
) -> tuple[int, int]:
    """Audit, then delete the case's files, campaign signatures, records and (if nobody else
    holds them) its constituent; (messages, files) deleted."""
    messages = repo.case_messages(case.ref)
    listed = files.list_case_files(case.ref)
    repo.append_audit(
        clock.now(), actor, DELETED, case.ref,
        {"category": case.category.value, "status": case.status.value,
         "messages": len(messages), "files": len(listed), **why},
    )  # fmt: skip
    ops.forget_signatures(m.message_id for m in messages)
    MailingStore(ops).forget_case(case.ref)  # outcome text and follow-ups about this case
    _forget_notifications(ops, case.ref)
    gone_files = files.delete_case_files(case.ref)
    gone_messages = repo.delete_case(case.ref)
    repo.delete_constituent(case.constituent_email)
    return gone_messages, gone_files


def _forget_notifications(ops: OpsState, ref: str) -> None:
    """Pending notifications about a deleted case would point at nothing (core/sweep.py)."""
    for key, value in list(ops.items(PENDING)):
        if json.loads(value).get("case_ref") == ref:
            ops.delete(PENDING, key)
