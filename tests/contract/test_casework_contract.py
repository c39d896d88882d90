"""What every CaseRepository must do for case management (issue 6): assignee, status, tags,
notes, merging, links and the search filters, on SQLite and on SharePoint lists alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.core import casework
from casedesk.core.mime import parse_message
from casedesk.core.models import (
    CaseFlag,
    CaseQuery,
    CaseStatus,
    Category,
    Classification,
    NewCase,
    Topic,
)
from mailmaker import mail

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HOUSING = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.8, (), "test")
BENEFITS = Classification(Category.CASEWORK, Topic.BENEFITS, True, 0.8, (), "test")


def open_case(
    repo: Any,
    email: str = "priya@example.org",
    when: datetime = NOW,
    c: Classification = HOUSING,
    assignee: str | None = None,
    tags: tuple[str, ...] = (),
    flags: frozenset[CaseFlag] = frozenset(),
    postcode: str | None = "CB1 2AD",
) -> str:
    person = repo.upsert_constituent(email, "Priya Shah", postcode, when)
    new = NewCase(
        person.id, "Damp", "damp", c, assignee, None, "summary", when, flags=flags, tags=tags
    )
    return str(repo.create_case(new))


def file(repo: Any, ref: str, n: int, body: str = "black mould in the bedroom") -> str:
    message = parse_message(mail(body=body, message_id=f"<m{n}@example.org>", subject=f"Mail {n}"))
    repo.add_message(ref, message, HOUSING, NOW + timedelta(minutes=n), f"{ref}/{n}.eml")
    return message.message_id


def refs(repo: Any, **query: Any) -> list[str]:
    return [c.ref for c in repo.query_cases(CaseQuery(**query))]


def test_assignee_status_and_tags_are_stored_and_searchable(repo: Any) -> None:
    with repo.transaction():
        a = open_case(repo, tags=("housing",))
        b = open_case(repo, email="tom@example.org", c=BENEFITS, when=NOW + timedelta(days=3))
    with repo.transaction():
        repo.set_assignee(a, "priya.shah")
        repo.set_status(a, CaseStatus.AWAITING_AGENCY)
        repo.set_tags(b, ["benefit-cap", "council"])
    case = repo.get_case(a)
    assert (case.assignee, case.status, case.tags) == (
        "priya.shah",
        CaseStatus.AWAITING_AGENCY,
        ("housing",),
    )
    assert repo.get_case(b).tags == ("benefit-cap", "council")
    assert refs(repo, assignee="priya.shah") == [a]
    assert refs(repo, unassigned=True) == [b]
    assert refs(repo, tag="council") == [b] and refs(repo, tag="housing") == [a]
    assert refs(repo, tag="hous") == []  # whole tags only
    assert refs(repo, topic=Topic.BENEFITS) == [b]
    assert refs(repo, status=CaseStatus.AWAITING_AGENCY, category=Category.CASEWORK) == [a]
    assert refs(repo, opened_from=NOW + timedelta(days=1)) == [b]
    assert refs(repo, opened_before=NOW + timedelta(days=1)) == [a]
    assert refs(repo, opened_from=NOW, opened_before=NOW + timedelta(seconds=1)) == [a]
    with repo.transaction():
        repo.set_assignee(a, None)
        repo.set_tags(a, [])
    assert repo.get_case(a).assignee is None and repo.get_case(a).tags == ()
    assert refs(repo, tag="housing") == [] and refs(repo, unassigned=True) == [b, a]


def test_notes_are_kept_in_order_and_found_by_search(repo: Any) -> None:
    with repo.transaction():
        a = open_case(repo)
        b = open_case(repo, email="tom@example.org")
        file(repo, b, 1, body="nothing of interest here")
    with repo.transaction():
        first = repo.add_note(a, "jo.price", "Rang the council's repairs line", NOW)
        repo.add_note(a, "priya.shah", "Surveyor booked for Tuesday", NOW + timedelta(hours=1))
    notes = repo.notes(a)
    assert [(n.author, n.text) for n in notes] == [
        ("jo.price", "Rang the council's repairs line"),
        ("priya.shah", "Surveyor booked for Tuesday"),
    ]
    assert notes[0].id == first.id and notes[0].created_at == NOW and notes[0].case_ref == a
    assert repo.notes(b) == []
    assert refs(repo, text="surveyor tuesday") == [a]
    assert refs(repo, text="surveyor interest") == []  # all words in one note or message
    with pytest.raises(RuntimeError), repo.transaction():
        repo.add_note(a, "jo.price", "never written", NOW)
        raise RuntimeError("crash")
    assert len(repo.notes(a)) == 2


def test_moving_messages_refiles_them_and_keeps_threading(repo: Any) -> None:
    with repo.transaction():
        source, target = open_case(repo), open_case(repo, email="tom@example.org")
        ids = [file(repo, source, 1), file(repo, source, 2)]
        file(repo, target, 3)
    with repo.transaction():
        assert repo.move_messages(source, target) == 2
        repo.set_merged_into(source, target)
        repo.set_status(source, CaseStatus.CLOSED)
    assert repo.case_messages(source) == []
    assert [m.message_id for m in repo.case_messages(target)] == [*ids, "<m3@example.org>"]
    assert repo.get_case(target).message_count == 3 and repo.get_case(source).message_count == 0
    assert repo.case_for_thread([ids[0]]) == target
    assert repo.find_message(ids[1], "x").case_ref == target
    assert repo.get_case(source).merged_into == target
    assert repo.get_case(target).merged_into is None
    assert refs(repo, text="mould") == [target]


def test_links_are_symmetric_and_idempotent(repo: Any) -> None:
    with repo.transaction():
        a, b, c = (open_case(repo, email=f"{n}@example.org") for n in "abc")
    assert repo.link_cases(a, b) is True
    assert repo.link_cases(b, a) is False
    assert repo.link_cases(c, a) is True
    assert repo.linked_cases(a) == [b, c]
    assert repo.linked_cases(b) == [a] and repo.linked_cases(c) == [a]
    assert repo.unlink_cases(b, a) is True and repo.unlink_cases(a, b) is False
    assert repo.linked_cases(a) == [c] and repo.linked_cases(b) == []


def test_merge_through_the_core_moves_mail_closes_and_audits_both(repo: Any) -> None:
    clock = FixedClock(NOW + timedelta(days=1))
    with repo.transaction():
        source = open_case(repo, tags=("damp",), flags=frozenset({CaseFlag.SAFEGUARDING}))
        target = open_case(repo, email="tom@example.org", tags=("housing",))
        other = open_case(repo, email="ann@example.org")
        file(repo, source, 1)
        file(repo, target, 2)
    casework.link(repo, clock, source, other, "jo.price")
    done = casework.merge(repo, clock, source, target, "jo.price", reason="same flat")
    assert (done.messages, done.links_moved) == (1, (other,))
    merged, kept = repo.get_case(source), repo.get_case(target)
    assert (merged.status, merged.merged_into) == (CaseStatus.CLOSED, target)
    assert kept.tags == ("housing", "damp") and CaseFlag.SAFEGUARDING in kept.flags
    assert kept.message_count == 2 and repo.linked_cases(other) == [target]
    actions = {(e.object_ref, e.action, e.actor) for e in repo.audit_entries()}
    assert (source, casework.MERGED, "jo.price") in actions
    assert (target, casework.MERGED_IN, "jo.price") in actions
    with pytest.raises(casework.RefusedError, match=f"merged into {target}"):
        casework.assign(repo, clock, source, "tom.reid", "jo.price")
    _, events = casework.timeline(repo, target)
    kinds = [e.kind for e in events]
    assert kinds.count("message") == 2 and "merge" in kinds and "link" in kinds
