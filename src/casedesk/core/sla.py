"""SLA stages of a case: nearly due, then overdue and escalated as the office's rules say.

Decisions only, on plain data (core/sweep.py applies them through the ports, idempotently):

- A case's due time (`due_at`) comes from its routing rule's `sla_hours`, counted in working
  hours (core/office_hours.py); `escalate: true` makes it due at once.
- **Nearly due:** at most `warn_hours` working hours left. The assignee (or, with nobody
  assigned, the office managers) is told once: stage `warned`.
- **Overdue:** the due time has come (`now >= due_at`). The case is escalated once: stage
  `escalated`. The rule's `escalate_to` takes it over (a person, or a team member picked by
  the team's strategy, never the overdue assignee when the team has anyone else); the
  previous assignee is told, the new one is told, and the office managers are told when the
  rule says `notify_manager` or when nobody else would be. A case the sweep first sees
  overdue goes straight to `escalated`.
- Abuse and threats stay with whoever the built-in safety routing gave them to: escalation
  tells `escalate_to` but never reassigns them.
- Closed cases, and cases waiting on the constituent or an agency, are not escalated (the
  clock is with someone else; referrals have their own chase reminders, core/agencies.py).

A stage belongs to one due time (`Case.sla_stage_due`): if a case's due time changes, its
stages start again. Which rules apply is read from the case's `routed_by` against the live
rules: a later matching rule overrides `escalate_to`, and `notify_manager` from any of them
holds; a rule since renamed or removed no longer counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from casedesk.core.models import Case, CaseFlag, CaseStatus, Category
from casedesk.core.office_hours import OfficeHours
from casedesk.core.rules import Assign, RuleSet, Strategy, Workload

WARNED, ESCALATED = "warned", "escalated"
STAGE_RANK = {"": 0, WARNED: 1, ESCALATED: 2}
PAUSED = frozenset({CaseStatus.CLOSED, CaseStatus.AWAITING_CONSTITUENT, CaseStatus.AWAITING_AGENCY})

# What a person is told (pending notifications, delivered by the Teams bot when it lands).
DUE_SOON, OVERDUE, ESCALATED_TO_YOU = "case.due_soon", "case.overdue", "case.escalated_to_you"


@dataclass(frozen=True)
class SlaPolicy:
    hours: OfficeHours = field(default_factory=OfficeHours)
    warn_hours: float = 4.0  # working hours before the due time that count as "nearly due"

    def horizon(self, now: datetime) -> datetime:
        """Cases due at or before this instant are overdue or nearly due at `now`."""
        if self.warn_hours <= 0:
            return now
        return max(now, self.hours.add_working_hours(now, self.warn_hours))


@dataclass(frozen=True)
class Escalation:
    """What the case's rules say to do when it is overdue."""

    to: Assign | None = None
    notify_manager: bool = False
    rule: str | None = None  # the rule whose escalate_to applies (or that asked to notify)


@dataclass(frozen=True)
class SlaAction:
    """One step the sweep takes for a case; `notify` names people, in the order told."""

    case_ref: str
    stage: str  # WARNED or ESCALATED
    due_at: datetime
    assignee_before: str | None
    assignee_after: str | None
    notify: tuple[tuple[str, str], ...]  # (person, kind)
    rule: str | None
    working_hours_left: float  # negative once overdue

    @property
    def reassigned(self) -> bool:
        return self.assignee_after != self.assignee_before


def stage_of(case: Case) -> str:
    """How far the sweep has gone for the case's current due time."""
    if case.due_at is None or case.sla_stage_due != case.due_at:
        return ""
    return case.sla_stage if case.sla_stage in STAGE_RANK else ""


def is_overdue(case: Case, now: datetime) -> bool:
    """Open (not closed) and its due time has come."""
    return case.due_at is not None and case.status is not CaseStatus.CLOSED and now >= case.due_at


def escalation_for(rules: RuleSet | None, matched: Sequence[str]) -> Escalation:
    """The escalation the case's matched rules ask for, read from the live rules."""
    if rules is None:
        return Escalation()
    by_name = {r.name: r for r in rules.rules}
    found = Escalation()
    for name in matched:
        rule = by_name.get(name)
        if rule is None:
            continue
        then = rule.then
        if then.escalate_to is not None:
            found = Escalation(then.escalate_to, found.notify_manager, rule.name)
        if then.notify_manager:
            found = Escalation(found.to, True, found.rule or rule.name)
    return found


def managers(rules: RuleSet | None) -> tuple[str, ...]:
    if rules is None:
        return ()
    return tuple(sorted(p.id for p in rules.people.values() if p.role == "office_manager"))


def is_protected(case: Case) -> bool:
    """Abuse and threats stay with the safety lead: no rule reassigns them."""
    return CaseFlag.THREAT in case.flags or case.category is Category.ABUSE


def _target(to: Assign, current: str | None, rules: RuleSet, workload: Workload) -> str | None:
    if to.person:
        return to.person
    name = to.team or ""
    team = rules.teams.get(name, ())
    if not team:
        return None
    if to.strategy is Strategy.LEAST_LOADED:
        members = tuple(m for m in team if m != current) or team
        return min((workload.open_cases(m), i, m) for i, m in enumerate(members))[2]
    # Round robin takes turns on the same counter as routing (so both stay fair), and takes
    # one more turn when it lands on the overdue assignee.
    pick = team[workload.turn(name, len(team)) % len(team)]
    if pick == current and len(team) > 1:
        pick = team[workload.turn(name, len(team)) % len(team)]
    return pick


def _dedupe(pairs: Sequence[tuple[str | None, str]]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for person, kind in pairs:
        if person and person not in seen:
            seen[person] = kind
    return tuple(seen.items())


def plan(
    case: Case,
    now: datetime,
    policy: SlaPolicy,
    rules: RuleSet | None,
    workload: Workload,
) -> SlaAction | None:
    """What the sweep should do for this case now: warn, escalate, or nothing."""
    if case.due_at is None or case.status in PAUSED:
        return None
    stage = stage_of(case)
    left = policy.hours.working_time_between(now, case.due_at)
    hours_left = round(left / timedelta(hours=1), 2)
    office = managers(rules)
    if now < case.due_at:
        if stage or left > timedelta(hours=policy.warn_hours):
            return None
        warn: list[tuple[str | None, str]] = (
            [(case.assignee, DUE_SOON)] if case.assignee else [(m, DUE_SOON) for m in office]
        )
        return SlaAction(case.ref, WARNED, case.due_at, case.assignee, case.assignee,
                         _dedupe(warn), None, hours_left)  # fmt: skip
    if stage == ESCALATED:
        return None
    esc = escalation_for(rules, case.routed_by)
    target = _target(esc.to, case.assignee, rules, workload) if esc.to and rules else None
    after = case.assignee if is_protected(case) or target is None else target
    told: list[tuple[str | None, str]] = [(case.assignee, OVERDUE)]
    if after != case.assignee:
        told.append((after, ESCALATED_TO_YOU))
    elif target is not None:
        told.append((target, OVERDUE))  # a protected case: escalate_to is told, not handed it
    if esc.notify_manager or not any(person for person, _ in told):
        told += [(m, OVERDUE) for m in office]
    return SlaAction(case.ref, ESCALATED, case.due_at, case.assignee, after, _dedupe(told),
                     esc.rule, hours_left)  # fmt: skip
