"""The sweep: empty cases a filing cut short left behind (core/empty_cases.py), SLA warnings
and escalations (core/sla.py) and chase reminders for late referrals (core/agencies.py),
applied through the ports. Run by the Functions `sweep` timer
every 15 minutes and by `casedesk sweep`.

Idempotent: each step is recorded where it happened, so running the sweep again (or twice at
once on one machine) does nothing new.

- SLA: the case's `sla_stage` and `sla_stage_due` (case columns), written in one transaction
  with the audit entry (`case.sla_warning` or `case.escalated`, actor `casedesk-sweep`),
  after re-reading the case inside that transaction.
- Chases: the referral's `chases` count and `chased_at`, with a `referral.chased` entry.
- Notifications to people: there is no Teams delivery yet (issue 8), so each is recorded as a
  *pending notification* in ops state (namespace `notifications.pending`), keyed by what it is
  about and who it is for (`CD-2026-000042|escalated|<due>|jo.price`). They are written
  before the case or referral is updated: a crash in between leaves a notification whose
  next write is a no-op (same key), never a step without its notification. The Teams bot will
  deliver and delete them; until then `casedesk notifications` lists them.

Notifications and audit entries carry references, people and times, never constituent text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from casedesk.core.agencies import CHASED, LATE, Agency, Chase, plan_chase
from casedesk.core.models import Case
from casedesk.core.rules import RuleSet
from casedesk.core.sla import (
    ESCALATED,
    STAGE_RANK,
    SlaAction,
    SlaPolicy,
    plan,
    stage_of,
)
from casedesk.core.triage import ROUND_ROBIN, StoredWorkload
from casedesk.ports import CaseFiles, CaseRepository, Clock, OpsState

ACTOR = "casedesk-sweep"
PENDING = "notifications.pending"
SLA_WARNING, CASE_ESCALATED = "case.sla_warning", "case.escalated"
log = logging.getLogger("casedesk.sweep")


@dataclass(frozen=True)
class Notification:
    """Something a person must be told; delivered by the Teams bot once it exists."""

    key: str  # idempotency key: about | step | time | person
    to: str
    kind: str  # case.due_soon, case.overdue, case.escalated_to_you, referral.late
    case_ref: str
    about: str  # the case ref, or the referral id
    due_at: datetime  # the due time (or expected reply time) it concerns
    created_at: datetime

    def as_record(self) -> dict[str, str]:
        return {
            "key": self.key,
            "to": self.to,
            "kind": self.kind,
            "case_ref": self.case_ref,
            "about": self.about,
            "due_at": self.due_at.isoformat(),
            "created_at": self.created_at.isoformat(),
        }


class PendingNotifications:
    """Pending notifications in ops state: one key per notification, JSON values."""

    def __init__(self, ops: OpsState) -> None:
        self.ops = ops

    def add(self, note: Notification) -> bool:
        """Record it unless already recorded; True when this call recorded it."""
        record = note.as_record()
        del record["key"]
        return self.ops.add_if_absent(PENDING, note.key, json.dumps(record, sort_keys=True))

    def all(self) -> list[Notification]:
        found = []
        for key, value in self.ops.items(PENDING):
            v = json.loads(value)
            found.append(
                Notification(
                    key,
                    v["to"],
                    v["kind"],
                    v["case_ref"],
                    v["about"],
                    datetime.fromisoformat(v["due_at"]),
                    datetime.fromisoformat(v["created_at"]),
                )
            )
        return sorted(found, key=lambda n: (n.created_at, n.key))

    def delivered(self, key: str) -> None:
        self.ops.delete(PENDING, key)


class SweepWorkload:
    """Open-case counts read once per person per sweep and kept up to date as the sweep
    reassigns (one query per person, not one per escalation); round-robin turns from ops
    state, read without being moved in a dry run."""

    def __init__(self, repo: CaseRepository, ops: OpsState, dry_run: bool) -> None:
        self.stored, self.ops, self.dry_run = StoredWorkload(repo, ops), ops, dry_run
        self.counts: dict[str, int] = {}

    def turn(self, team: str, size: int) -> int:
        if self.dry_run:
            return int(self.ops.get(ROUND_ROBIN, team) or 0) % max(size, 1)
        return self.stored.turn(team, size)

    def open_cases(self, person: str) -> int:
        if person not in self.counts:
            self.counts[person] = self.stored.open_cases(person)
        return self.counts[person]

    def moved(self, before: str | None, after: str | None) -> None:
        for person, change in ((before, -1), (after, 1)):
            if person is not None and person in self.counts:
                self.counts[person] += change


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    actions: list[SlaAction] = field(default_factory=list)
    chases: list[Chase] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    already_done: int = 0  # steps another sweep recorded between our read and our write
    empty_removed: list[str] = field(default_factory=list)  # core/empty_cases.py

    def counts(self) -> dict[str, int]:
        escalated = sum(a.stage == ESCALATED for a in self.actions)
        return {
            "escalated": escalated,
            "warned": len(self.actions) - escalated,
            "chased": len(self.chases),
            "notifications": len(self.notifications),
            "empty_removed": len(self.empty_removed),
        }


class Sweep:
    def __init__(
        self,
        repo: CaseRepository,
        ops: OpsState,
        clock: Clock,
        policy: SlaPolicy,
        rules: RuleSet | None,
        agencies: Mapping[str, Agency],
        chase_every_days: int = 5,
        files: CaseFiles | None = None,
        empty_grace: timedelta | None = None,
    ) -> None:
        """With `files` and `empty_grace`, each pass first removes empty cases older than
        that (core/empty_cases.py); without, it leaves them."""
        self.repo, self.ops, self.clock, self.policy = repo, ops, clock, policy
        self.rules, self.agencies, self.chase_every_days = rules, agencies, chase_every_days
        self.files, self.empty_grace = files, empty_grace
        self.pending = PendingNotifications(ops)

    def run(self, dry_run: bool = False) -> SweepReport:
        """One pass: remove empty cases left by intake, warn and escalate cases, chase late
        referrals. A dry run records nothing."""
        now = self.clock.now()
        report = SweepReport(now, dry_run)
        if self.files is not None and self.empty_grace:
            # Imported here: empty_cases deletes through retention, which imports PENDING.
            from casedesk.core.empty_cases import remove_empty_cases

            # First, so no SLA step is taken (or anyone notified) about a case about to go.
            report.empty_removed = remove_empty_cases(
                self.repo, self.files, self.ops, self.clock, self.empty_grace, dry_run
            )
        workload = SweepWorkload(self.repo, self.ops, dry_run)
        for case in self.repo.cases_due_by(self.policy.horizon(now), limit=10**6):
            action = plan(case, now, self.policy, self.rules, workload)
            if action is None:
                continue
            notes = [self._note(action.case_ref, action.case_ref, action.stage, action.due_at,
                                person, kind, now) for person, kind in action.notify]  # fmt: skip
            if dry_run or self._apply(action, notes, now):
                report.actions.append(action)
                report.notifications += notes
                if action.reassigned:
                    workload.moved(action.assignee_before, action.assignee_after)
            else:
                report.already_done += 1
        for referral in self.repo.referrals(open_only=True):
            if now < referral.expected_by:
                continue
            case = self.repo.get_case(referral.case_ref)
            chase = plan_chase(referral, case, now, self.policy.hours, self.chase_every_days)
            if chase is None:
                continue
            notes = [self._note(chase.case_ref, chase.referral_id, f"chase-{chase.number}",
                                chase.expected_by, person, LATE, now) for person in chase.notify]  # fmt: skip
            if dry_run or self._chase(chase, notes, now):
                report.chases.append(chase)
                report.notifications += notes
            else:
                report.already_done += 1
        log.info(
            "sweep done",
            extra={"event": "sweep.done", "dry_run": dry_run, **report.counts()},
        )
        return report

    @staticmethod
    def _note(
        case_ref: str,
        about: str,
        step: str,
        due_at: datetime,
        person: str,
        kind: str,
        now: datetime,
    ) -> Notification:
        key = f"{about}|{step}|{due_at.isoformat()}|{person}"
        return Notification(key, person, kind, case_ref, about, due_at, now)

    def _apply(self, action: SlaAction, notes: list[Notification], now: datetime) -> bool:
        for note in notes:
            self.pending.add(note)
        with self.repo.transaction():
            case = self.repo.get_case(action.case_ref)
            if not _still_due(case, action):
                return False
            self.repo.record_sla_stage(case.ref, action.stage, action.due_at, action.assignee_after)
            self.repo.append_audit(
                now,
                ACTOR,
                CASE_ESCALATED if action.stage == ESCALATED else SLA_WARNING,
                case.ref,
                {
                    "due_at": action.due_at.isoformat(),
                    "working_hours_left": action.working_hours_left,
                    "from": action.assignee_before,
                    "to": action.assignee_after,
                    "reassigned": action.reassigned,
                    "rule": action.rule,
                    "notified": " ".join(person for person, _ in action.notify),
                },
            )
        return True

    def _chase(self, chase: Chase, notes: list[Notification], now: datetime) -> bool:
        for note in notes:
            self.pending.add(note)
        with self.repo.transaction():
            current = {r.id: r for r in self.repo.referrals(chase.case_ref)}.get(chase.referral_id)
            if current is None or not current.is_open or current.chases >= chase.number:
                return False
            self.repo.record_referral_chase(chase.referral_id, now, chase.number)
            self.repo.append_audit(
                now,
                ACTOR,
                CHASED,
                chase.case_ref,
                {
                    "referral": chase.referral_id,
                    "agency": chase.agency,
                    "chase": chase.number,
                    "expected_by": chase.expected_by.isoformat(),
                    "working_days_late": chase.working_days_late,
                    "notified": " ".join(chase.notify),
                },
            )
        return True


def _still_due(case: Case, action: SlaAction) -> bool:
    """The case still needs this step: nobody recorded it, or changed its due time or
    assignee, since it was planned (a changed case is planned again by the next sweep)."""
    return (
        case.due_at == action.due_at
        and case.assignee == action.assignee_before
        and STAGE_RANK[stage_of(case)] < STAGE_RANK[action.stage]
    )
