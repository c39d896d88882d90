"""The sweep (core/sweep.py) over every pair of adapters: the case store (SQLite, SharePoint on
the local Graph server) and ops state (SQLite, Azure Table on Azurite). Idempotent: a second
run, or a dry run, records nothing; every step is audited by casedesk-sweep."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.core.agencies import Agency, refer
from casedesk.core.models import Category, Classification, NewCase, Topic
from casedesk.core.office_hours import OfficeHours
from casedesk.core.sla import ESCALATED, WARNED, SlaPolicy
from casedesk.core.sweep import ACTOR, PENDING, PendingNotifications, Sweep
from casedesk.rules_file import parse_rules

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # Wednesday noon
HOUSING = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.8, (), "test")
RULES = parse_rules(
    """
people:
  - {id: jo, name: Jo, role: office_manager}
  - {id: tom, name: Tom}
  - {id: ana, name: Ana}
rules:
  - name: housing
    when: {topic: housing}
    then: {assign: {person: tom}, sla_hours: 8, escalate_to: {person: jo}}
  - name: other
    default: true
    then: {sla_hours: 40}
"""
).rules
DWP = {"dwp": Agency("dwp", "DWP", 20, "https://example.gov.uk/standard")}


def open_case(repo: Any, due_at: datetime, assignee: str | None, email: str) -> str:
    with repo.transaction():
        person = repo.upsert_constituent(email, "P", None, NOW - timedelta(days=3))
        new = NewCase(person.id, "Damp", "damp", HOUSING, assignee, None, "s",
                      NOW - timedelta(days=3), due_at=due_at, routed_by=("housing",))  # fmt: skip
        return str(repo.create_case(new))


def sweeper(repo: Any, ops: Any, clock: FixedClock) -> Sweep:
    return Sweep(repo, ops, clock, SlaPolicy(OfficeHours(), 4), RULES, DWP, chase_every_days=5)


def sweep_entries(repo: Any) -> list[Any]:
    return [e for e in repo.audit_entries() if e.actor == ACTOR]


def test_overdue_cases_are_escalated_and_nearly_due_ones_warned_exactly_once(
    repo: Any, ops: Any
) -> None:
    clock = FixedClock(NOW)
    late = open_case(repo, NOW - timedelta(hours=1), "tom", "a@example.org")
    soon = open_case(repo, NOW + timedelta(hours=2), "ana", "b@example.org")
    calm = open_case(repo, NOW + timedelta(days=5), "ana", "c@example.org")
    sweep = sweeper(repo, ops, clock)

    preview = sweep.run(dry_run=True)
    assert [(a.case_ref, a.stage) for a in preview.actions] == [(late, ESCALATED), (soon, WARNED)]
    assert repo.get_case(late).assignee == "tom" and repo.get_case(late).sla_stage == ""
    assert sweep_entries(repo) == [] and list(ops.items(PENDING)) == []

    first = sweep.run()
    assert first.counts() == {
        "escalated": 1, "warned": 1,
        "chased": 0, "notifications": 3, "empty_removed": 0,
    }
    escalated = repo.get_case(late)
    assert (escalated.assignee, escalated.sla_stage, escalated.sla_stage_due) == (
        "jo",
        ESCALATED,
        NOW - timedelta(hours=1),
    )
    assert repo.get_case(soon).sla_stage == WARNED and repo.get_case(soon).assignee == "ana"
    assert repo.get_case(calm).sla_stage == ""
    [esc] = [e for e in sweep_entries(repo) if e.action == "case.escalated"]
    assert esc.object_ref == late
    assert (esc.detail["from"], esc.detail["to"], esc.detail["rule"]) == ("tom", "jo", "housing")
    assert esc.detail["notified"] == "tom jo" and esc.detail["reassigned"] is True
    [warn] = [e for e in sweep_entries(repo) if e.action == "case.sla_warning"]
    assert warn.object_ref == soon and warn.detail["notified"] == "ana"
    pending = PendingNotifications(ops).all()
    assert sorted((n.to, n.kind, n.about) for n in pending) == [
        ("ana", "case.due_soon", soon),
        ("jo", "case.escalated_to_you", late),
        ("tom", "case.overdue", late),
    ]

    again = sweep.run()
    assert again.counts() == {
        "escalated": 0, "warned": 0,
        "chased": 0, "notifications": 0, "empty_removed": 0,
    }
    assert len(sweep_entries(repo)) == 2 and len(PendingNotifications(ops).all()) == 3

    clock.advance(timedelta(hours=3))  # the warned case is now overdue too
    later = sweep.run()
    assert [(a.case_ref, a.stage, a.assignee_after) for a in later.actions] == [
        (soon, ESCALATED, "jo")
    ]
    assert sweep.run().actions == []


def test_a_late_referral_is_chased_once_per_interval(
    repo: Any, ops: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = FixedClock(NOW)
    ref = open_case(repo, NOW + timedelta(days=30), "tom", "d@example.org")
    hours = OfficeHours()
    made = refer(repo, clock, hours, DWP, ref, "dwp", "ana", "PIP", at=NOW - timedelta(days=40))
    sweep = sweeper(repo, ops, clock)

    assert [c.referral_id for c in sweep.run(dry_run=True).chases] == [made.id]
    assert repo.referrals(ref)[0].chases == 0

    first = sweep.run()
    assert [(c.referral_id, c.number, c.notify) for c in first.chases] == [(made.id, 1, ("tom",))]
    [chased] = repo.referrals(ref)
    assert (chased.chases, chased.chased_at) == (1, NOW)
    assert sweep.run().chases == []
    [entry] = [e for e in sweep_entries(repo) if e.action == "referral.chased"]
    assert entry.object_ref == ref and entry.detail["referral"] == made.id
    assert entry.detail["chase"] == 1 and "PIP" not in str(entry.detail)  # the note stays out

    clock.advance(timedelta(days=7))  # five working days later
    assert [c.number for c in sweep.run().chases] == [2]
    assert [(n.to, n.kind) for n in PendingNotifications(ops).all()] == [
        ("tom", "referral.late"),
        ("tom", "referral.late"),
    ]
    logged = " ".join(str(vars(r)) for r in caplog.records)
    assert "sweep.done" in logged
    for text in ("PIP", "Damp", "d@example.org"):  # constituent text never reaches the logs
        assert text not in logged


def test_delivered_notifications_leave_the_pending_list(repo: Any, ops: Any) -> None:
    clock = FixedClock(NOW)
    open_case(repo, NOW - timedelta(hours=1), "tom", "e@example.org")
    sweeper(repo, ops, clock).run()
    pending = PendingNotifications(ops)
    first, second = pending.all()
    pending.delivered(first.key)
    assert pending.all() == [second]
    assert sweeper(repo, ops, clock).run().notifications == []  # delivered is not re-sent
