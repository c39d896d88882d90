"""Case management in the core: who may act, what is refused and why, what is audited, and
merges that never lose or copy a message (on the embedded store, the product on a laptop)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.embedded.sqlite_cases import SqliteCaseRepository
from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.core import casework
from casedesk.core.casework import RefusedError, Staff
from casedesk.core.mime import parse_message
from casedesk.core.models import CaseFlag, CaseStatus, Category, Classification, NewCase, Topic
from casedesk.core.rules import Person
from casedesk.errors import CaseDeskError, NotFoundError
from mailmaker import mail

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
C = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.9, (), "test")


@contextmanager
def store() -> Iterator[tuple[SqliteCaseRepository, FixedClock]]:
    db = Database(":memory:")
    try:
        yield SqliteCaseRepository(db), FixedClock(NOW + timedelta(days=1))
    finally:
        db.close()


def open_case(
    repo: SqliteCaseRepository, who: str = "a", messages: int = 1, **extra: object
) -> str:
    person = repo.upsert_constituent(f"{who}@example.org", who.title(), None, NOW)
    ref = repo.create_case(NewCase(person.id, "Damp", "damp", C, None, None, "", NOW, **extra))  # type: ignore[arg-type]
    for n in range(messages):
        m = parse_message(mail(message_id=f"<{ref}-{n}@example.org>", body=f"{ref} letter {n}"))
        repo.add_message(ref, m, C, NOW, "x.eml")
    return ref


def actions(repo: SqliteCaseRepository, ref: str) -> list[tuple[str, str]]:
    return [(e.action, e.actor) for e in repo.audit_entries(ref)]


def test_staff_names_are_checked_against_the_rules_file_with_a_did_you_mean() -> None:
    staff = Staff(
        {"tom.reid": Person("tom.reid", "Tom Reid"), "jo.price": Person("jo.price", "Jo")}
    )
    assert staff.check(" tom.reid ") == "tom.reid"
    with pytest.raises(RefusedError, match=r"--to 'tom.ried'.*did you mean 'tom.reid'\?.*jo.price"):
        staff.check("tom.ried", "--to")
    with pytest.raises(RefusedError, match="--by needs a person's name"):
        staff.check("  ")
    assert Staff().check("anyone") == "anyone"  # no rules file: nothing to check against


def test_assign_claim_unassign_audit_the_person_and_skip_no_ops() -> None:
    with store() as (repo, clock):
        ref = open_case(repo)
        done = casework.assign(repo, clock, ref.lower(), "tom.reid", "jo.price", "Priya away")
        assert done.changed and repo.get_case(ref).assignee == "tom.reid"
        again = casework.assign(repo, clock, ref, "tom.reid", "jo.price")
        assert not again.changed and again.summary == "already assigned to tom.reid"
        casework.assign(repo, clock, ref, None, "tom.reid")
        assert repo.get_case(ref).assignee is None
        assert actions(repo, ref) == [
            (casework.ASSIGNED, "jo.price"),
            (casework.ASSIGNED, "tom.reid"),
        ]
        [first, _] = repo.audit_entries(ref)
        assert first.detail == {"from": None, "to": "tom.reid", "reason": "Priya away"}


def test_a_closed_case_must_be_reopened_before_it_is_assigned() -> None:
    with store() as (repo, clock):
        ref = open_case(repo)
        casework.change_status(repo, clock, ref, CaseStatus.CLOSED, "resolved", "jo.price")
        with pytest.raises(RefusedError, match=rf"{ref} is closed.*casedesk status {ref} open"):
            casework.assign(repo, clock, ref, "tom.reid", "jo.price")
        casework.change_status(repo, clock, ref, CaseStatus.OPEN, "constituent wrote back", "jo")
        assert casework.assign(repo, clock, ref, "tom.reid", "jo.price").changed


def test_status_changes_need_a_reason_and_a_real_change() -> None:
    with store() as (repo, clock):
        ref = open_case(repo)
        with pytest.raises(RefusedError, match="--reason"):
            casework.change_status(repo, clock, ref, CaseStatus.OPEN, "  ", "jo")
        with pytest.raises(RefusedError, match="only triage sets a case to new"):
            casework.change_status(repo, clock, ref, CaseStatus.NEW, "x", "jo")
        casework.change_status(repo, clock, ref, CaseStatus.AWAITING_AGENCY, "sent to DWP", "jo")
        with pytest.raises(RefusedError, match="already awaiting_agency"):
            casework.change_status(repo, clock, ref, CaseStatus.AWAITING_AGENCY, "again", "jo")
        [entry] = repo.audit_entries(ref)
        assert entry.detail == {"from": "new", "to": "awaiting_agency", "reason": "sent to DWP"}
        with pytest.raises(NotFoundError, match="CD-2026-000404"):
            casework.change_status(repo, clock, "CD-2026-000404", CaseStatus.OPEN, "x", "jo")


def test_notes_are_audited_without_their_text_and_refused_when_empty_or_huge() -> None:
    with store() as (repo, clock):
        ref = open_case(repo)
        note = casework.add_note(repo, clock, ref, "  Rang the council  ", "priya")
        assert note.text == "Rang the council" and repo.notes(ref) == [note]
        [entry] = repo.audit_entries(ref)
        assert (entry.action, entry.actor, entry.detail) == (
            casework.NOTE_ADDED,
            "priya",
            {"note": note.id, "chars": 16},
        )
        with pytest.raises(RefusedError, match="needs some text"):
            casework.add_note(repo, clock, ref, " \n ", "priya")
        with pytest.raises(RefusedError, match="at most 10,000 characters"):
            casework.add_note(repo, clock, ref, "x" * 10_001, "priya")


def test_tags_are_normalised_added_and_removed() -> None:
    with store() as (repo, clock):
        ref = open_case(repo, tags=("housing",))
        done = casework.tag(repo, clock, ref, ["Council", "council", "housing"], ["nope"], "jo")
        assert done.summary == "tags +council" and repo.get_case(ref).tags == ("housing", "council")
        casework.tag(repo, clock, ref, [], ["housing"], "jo")
        assert repo.get_case(ref).tags == ("council",)
        assert not casework.tag(repo, clock, ref, ["council"], [], "jo").changed
        with pytest.raises(RefusedError, match="one word"):
            casework.tag(repo, clock, ref, ["two words"], [], "jo")
        assert [a for a, _ in actions(repo, ref)] == [casework.TAGGED, casework.TAGGED]


def test_merge_refusals_name_the_fix() -> None:
    with store() as (repo, clock):
        a, b, c = open_case(repo, "a"), open_case(repo, "b"), open_case(repo, "c")
        with pytest.raises(RefusedError, match="into itself"):
            casework.merge(repo, clock, a, a.lower(), "jo")
        casework.change_status(repo, clock, c, CaseStatus.CLOSED, "done", "jo")
        with pytest.raises(RefusedError, match=f"{c} is closed, so it cannot be merged into"):
            casework.merge(repo, clock, a, c, "jo")
        casework.merge(repo, clock, a, b, "jo")
        with pytest.raises(RefusedError, match=f"{a} was merged into {b}; act on {b}"):
            casework.merge(repo, clock, a, c, "jo")
        with pytest.raises(RefusedError, match=f"merged into {b}"):
            casework.merge(repo, clock, c, a, "jo")
        with pytest.raises(RefusedError, match=f"merged into {b}"):
            casework.add_note(repo, clock, a, "hello", "jo")
        with pytest.raises(RefusedError, match="to itself"):
            casework.link(repo, clock, b, b, "jo")


def test_merge_carries_threat_flags_urgency_tags_and_links() -> None:
    with store() as (repo, clock):
        source = open_case(repo, "a", tags=("damp",), flags=frozenset({CaseFlag.THREAT}))
        target = open_case(repo, "b", tags=("housing",))
        linked = open_case(repo, "c")
        casework.link(repo, clock, source, linked, "jo")
        casework.link(repo, clock, source, target, "jo")
        done = casework.merge(repo, clock, source, target, "jo", "same flat")
        kept = repo.get_case(target)
        assert kept.tags == ("housing", "damp") and CaseFlag.THREAT in kept.flags
        assert done.links_moved == (linked,) and repo.linked_cases(source) == []
        assert repo.linked_cases(target) == [linked]
        [merged] = [e for e in repo.audit_entries(source) if e.action == casework.MERGED]
        assert merged.detail["into"] == target and merged.detail["reason"] == "same flat"


def test_bulk_each_reports_refusals_and_carries_on() -> None:
    with store() as (repo, clock):
        a, b = open_case(repo, "a"), open_case(repo, "b")
        casework.change_status(repo, clock, a, CaseStatus.CLOSED, "done", "jo")
        out = casework.each(
            [a, b], lambda ref: casework.assign(repo, clock, ref, "tom", "jo", "bulk")
        )
        assert [o.changes for o in out] == [False, True]
        assert out[0].refused is not None and "is closed" in out[0].refused
        assert isinstance(RefusedError("x"), CaseDeskError)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=3), min_size=2, max_size=6),
    merges=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=8),
)
def test_merging_keeps_every_message_exactly_once(
    sizes: list[int], merges: list[tuple[int, int]]
) -> None:
    with store() as (repo, clock):
        refs = [open_case(repo, f"p{i}", messages=n) for i, n in enumerate(sizes)]
        before = sorted(m.message_id for r in refs for m in repo.case_messages(r))
        for i, j in merges:
            source, target = refs[i % len(refs)], refs[j % len(refs)]
            with suppress(RefusedError):
                casework.merge(repo, clock, source, target, "jo")
        after = [m.message_id for r in refs for m in repo.case_messages(r)]
        assert sorted(after) == before  # none lost, none copied
        for ref in refs:
            case = repo.get_case(ref)
            if case.merged_into:
                assert repo.case_messages(ref) == [] and case.status is CaseStatus.CLOSED
                hops, end = 0, case
                while end.merged_into and hops <= len(refs):  # pointers end at a live case
                    end, hops = repo.get_case(end.merged_into), hops + 1
                assert end.merged_into is None and end.status is not CaseStatus.CLOSED
            assert case.message_count == len(repo.case_messages(ref))
        # every merge that happened is audited on both sides
        merged = [r for r in refs if repo.get_case(r).merged_into]
        for ref in merged:
            into = repo.get_case(ref).merged_into
            assert any(e.action == casework.MERGED for e in repo.audit_entries(ref))
            assert any(
                e.action == casework.MERGED_IN and e.detail["from"] == ref
                for e in repo.audit_entries(str(into))
            )
