"""What every CaseRepository must do for SLAs and referrals (docs/decisions/0009), whatever it
stores cases in: the SQLite store and the SharePoint lists on the local Graph server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from casedesk.core.models import CaseStatus, Category, Classification, NewCase, Topic
from casedesk.errors import NotFoundError

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HOUSING = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.8, (), "test")


def open_case(repo: Any, due_at: datetime | None, email: str = "p@example.org") -> str:
    person = repo.upsert_constituent(email, "Priya Shah", None, NOW)
    return str(
        repo.create_case(
            NewCase(person.id, "Damp", "damp", HOUSING, "tom", None, "s", NOW, due_at=due_at)
        )
    )


def test_cases_due_by_lists_due_cases_soonest_first_and_never_closed_or_undated(repo: Any) -> None:
    with repo.transaction():
        later = open_case(repo, NOW + timedelta(hours=5))
        sooner = open_case(repo, NOW + timedelta(hours=1))
        open_case(repo, None)  # no SLA
        open_case(repo, NOW + timedelta(days=3))  # not due yet
        tie = open_case(repo, NOW + timedelta(hours=5))
    due = repo.cases_due_by(NOW + timedelta(hours=5))
    assert [c.ref for c in due] == [sooner, later, tie]  # same due time: by ref
    assert due[0].due_at == NOW + timedelta(hours=1)
    assert [c.ref for c in repo.cases_due_by(NOW + timedelta(hours=5), limit=1)] == [sooner]
    assert repo.cases_due_by(NOW) == []
    # the bound is an instant, in any zone
    in_paris = (NOW + timedelta(hours=1)).astimezone(timezone(timedelta(hours=1)))
    assert [c.ref for c in repo.cases_due_by(in_paris)] == [sooner]


def test_closed_cases_are_never_due(repo: Any) -> None:
    import sqlite3

    with repo.transaction():
        ref = open_case(repo, NOW)
    # No port method closes a case yet (issue 6 part 4): close it in the store itself.
    if isinstance(getattr(repo, "conn", None), sqlite3.Connection):
        repo.conn.execute("UPDATE cases SET status = 'closed' WHERE ref = ?", (ref,))
    else:
        with repo.transaction():
            repo._update_case(ref, lambda f: {"Status": CaseStatus.CLOSED.value})
    assert repo.cases_due_by(NOW + timedelta(days=1)) == []


def test_sla_stage_is_recorded_with_its_due_time_and_assignee(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo, NOW)
    fresh = repo.get_case(ref)
    assert (fresh.sla_stage, fresh.sla_stage_due, fresh.assignee) == ("", None, "tom")
    with repo.transaction():
        repo.record_sla_stage(ref, "warned", NOW, "tom")
    warned = repo.get_case(ref)
    assert (warned.sla_stage, warned.sla_stage_due, warned.assignee) == ("warned", NOW, "tom")
    repo.record_sla_stage(ref, "escalated", NOW, "jo.price")  # outside a transaction: at once
    escalated = repo.get_case(ref)
    assert (escalated.sla_stage, escalated.assignee) == ("escalated", "jo.price")
    assert [c.sla_stage for c in repo.cases_due_by(NOW)] == ["escalated"]


def test_sla_stage_of_a_case_opened_in_the_same_transaction(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo, NOW)
        repo.record_sla_stage(ref, "escalated", NOW, None)
        assert repo.get_case(ref).sla_stage == "escalated"
    assert (repo.get_case(ref).sla_stage, repo.get_case(ref).assignee) == ("escalated", None)


def test_referrals_are_numbered_per_case_and_listed_in_order(repo: Any) -> None:
    with repo.transaction():
        a = open_case(repo, None)
        b = open_case(repo, None, email="q@example.org")
    due = NOW + timedelta(days=28)
    first = repo.add_referral(a, "dwp", NOW, "jo", due, "PIP review, ref 123")
    with repo.transaction():
        second = repo.add_referral(a, "council", NOW + timedelta(hours=1), "jo", due)
        other = repo.add_referral(b, "dwp", NOW - timedelta(hours=1), "sam", due)
        third = repo.add_referral(a, "dwp", NOW + timedelta(hours=2), "jo", due)
    assert [first.id, second.id, third.id, other.id] == [
        f"{a}-R1",
        f"{a}-R2",
        f"{a}-R3",
        f"{b}-R1",
    ]
    assert repo.referrals(a) == [first, second, third]
    assert [r.id for r in repo.referrals()] == [other.id, first.id, second.id, third.id]
    [got] = [r for r in repo.referrals() if r.id == first.id]
    assert (got.agency, got.referred_by, got.expected_by, got.note) == (
        "dwp",
        "jo",
        due,
        "PIP review, ref 123",
    )
    assert got.is_open and got.replied_at is None and got.chases == 0


def test_a_reply_closes_a_referral_and_a_chase_is_counted(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo, None)
        made = repo.add_referral(ref, "hmrc", NOW, "jo", NOW + timedelta(days=20))
        repo.record_referral_chase(made.id, NOW + timedelta(days=21), 1)  # same unit
    repo.record_referral_chase(made.id, NOW + timedelta(days=28), 2)
    [chased] = repo.referrals(ref, open_only=True)
    assert (chased.chases, chased.chased_at) == (2, NOW + timedelta(days=28))
    with repo.transaction():
        repo.record_referral_reply(made.id, NOW + timedelta(days=30), "sam")
    assert repo.referrals(ref, open_only=True) == []
    assert repo.referrals(open_only=True) == []
    [done] = repo.referrals(ref)
    assert (done.replied_at, done.replied_by, done.is_open) == (
        NOW + timedelta(days=30),
        "sam",
        False,
    )


def test_referrals_of_unknown_cases_or_ids_are_refused(repo: Any) -> None:
    with pytest.raises(NotFoundError, match="no case"):
        repo.add_referral("CD-1999-000001", "dwp", NOW, "jo", NOW)
    with pytest.raises(NotFoundError, match="no referral"):
        repo.record_referral_reply("CD-1999-000001-R1", NOW, "jo")
    with pytest.raises(NotFoundError, match="no referral"):
        repo.record_referral_chase("CD-1999-000001-R1", NOW, 1)


def test_a_rolled_back_referral_leaves_nothing(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo, None)
    with pytest.raises(RuntimeError), repo.transaction():
        repo.add_referral(ref, "dwp", NOW, "jo", NOW)
        raise RuntimeError("crash")
    assert repo.referrals() == []
    assert repo.add_referral(ref, "dwp", NOW, "jo", NOW).id == f"{ref}-R1"
