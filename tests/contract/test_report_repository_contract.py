"""What every CaseRepository must read for the insight reports (core/report.py), whatever it
stores cases in: the SQLite store and the SharePoint lists on the local Graph server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from casedesk.core.models import CaseStatus, Category, Classification, NewCase, Topic

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HOUSING = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.8, (), "test")


def open_case(repo: Any, at: datetime, email: str = "p@example.org") -> str:
    person = repo.upsert_constituent(email, "Priya Shah", "CB1 2AD", at)
    return str(
        repo.create_case(NewCase(person.id, "Damp", "damp", HOUSING, "tom", None, "s", at))
    )


def test_cases_opened_between_takes_start_not_end_oldest_first_in_any_zone(repo: Any) -> None:
    with repo.transaction():
        late = open_case(repo, NOW + timedelta(hours=2))
        first = open_case(repo, NOW)  # exactly at the start: in
        open_case(repo, NOW - timedelta(seconds=1))  # just before: out
        open_case(repo, NOW + timedelta(days=1))  # exactly at the end: out
        tie = open_case(repo, NOW + timedelta(hours=2), email="q@example.org")
    found = repo.cases_opened_between(NOW, NOW + timedelta(days=1))
    assert [c.ref for c in found] == [first, late, tie]  # same time: by ref
    assert found[0].constituent_email == "p@example.org" and found[0].postcode == "CB1 2AD"
    paris = timezone(timedelta(hours=1))
    assert [c.ref for c in repo.cases_opened_between(
        NOW.astimezone(paris), (NOW + timedelta(hours=1)).astimezone(paris)
    )] == [first]  # fmt: skip
    assert repo.cases_opened_between(NOW + timedelta(days=2), NOW + timedelta(days=3)) == []


def test_open_cases_are_every_case_not_closed_oldest_first(repo: Any) -> None:
    with repo.transaction():
        older = open_case(repo, NOW - timedelta(days=400))
        closed = open_case(repo, NOW - timedelta(days=1))
        waiting = open_case(repo, NOW)
    with repo.transaction():
        repo.set_status(closed, CaseStatus.CLOSED)
        repo.set_status(waiting, CaseStatus.AWAITING_AGENCY)
    assert [c.ref for c in repo.open_cases()] == [older, waiting]
    assert repo.open_cases()[1].status is CaseStatus.AWAITING_AGENCY


def test_audit_by_action_is_one_action_since_an_instant_in_chain_order(repo: Any) -> None:
    with repo.transaction():
        repo.append_audit(NOW - timedelta(days=1), "jo", "reply.sent", "CD-1", {"v": 1})
        repo.append_audit(NOW, "jo", "reply.sent", "CD-2", {"v": 1})
        repo.append_audit(NOW, "jo", "case.status_changed", "CD-2", {"to": "closed"})
        repo.append_audit(NOW + timedelta(hours=1), "ana", "reply.sent", "CD-3", {"v": 2})
    sent = repo.audit_by_action("reply.sent", NOW)
    assert [(e.object_ref, e.actor) for e in sent] == [("CD-2", "jo"), ("CD-3", "ana")]
    assert sent[0].seq < sent[1].seq and sent[1].detail == {"v": 2}
    closed = repo.audit_by_action("case.status_changed", NOW - timedelta(days=7))
    assert [e.detail for e in closed] == [{"to": "closed"}]
    assert repo.audit_by_action("reply.sent", NOW + timedelta(days=1)) == []
