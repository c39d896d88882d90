"""The sweep's clean-up of empty cases (core/empty_cases.py) on both case stores (SQLite,
SharePoint on the local Graph server) and both ops states: a case a filing cut short left with
no message goes once it is older than the grace period, audited; a case a person touched, or
one still holding mail or notes, never does.

The SharePoint store ages a case by its item's Created time, written by the server when the
row is: so the cases here are opened "now" and the sweep's clock moves on from there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.embedded.local_files import LocalCaseFiles
from casedesk.core import casework
from casedesk.core.empty_cases import REMOVED_EMPTY, find_empty_cases
from casedesk.core.mime import parse_message
from casedesk.core.models import CaseStatus, Category, Classification, Draft, NewCase, Topic
from casedesk.core.office_hours import OfficeHours
from casedesk.core.replies import edited, new_reply
from casedesk.core.sla import SlaPolicy
from casedesk.core.sweep import ACTOR, Sweep
from casedesk.errors import NotFoundError
from mailmaker import mail

HOUSING = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.8, (), "test")
GRACE = timedelta(hours=1)


def open_case(repo: Any, when: datetime, email: str, due_at: datetime | None = None) -> str:
    """What intake's commit writes first: the constituent and the case row, no message."""
    person = repo.upsert_constituent(email, "P", None, when)
    new = NewCase(person.id, "Damp", "damp", HOUSING, None, None, "s", when, due_at=due_at)
    return str(repo.create_case(new))


def triage_draft(repo: Any, ref: str, when: datetime) -> Any:
    """The reply draft triage writes (on SharePoint it rides on the case row it created)."""
    draft = Draft("Re: Damp", "Dear P,\n\nThank you for writing.\n", "casework.txt.j2")
    reply = new_reply(repo.get_case(ref), draft, "a@example.org", "P", "<m@example.org>",
                      [], when, "casedesk-triage", None)  # fmt: skip
    repo.save_draft(reply)
    return reply


def sweeper(repo: Any, ops: Any, files: Any, clock: FixedClock) -> Sweep:
    return Sweep(
        repo, ops, clock, SlaPolicy(OfficeHours(), 4), None, {}, files=files, empty_grace=GRACE
    )


def test_empty_cases_go_after_the_grace_period_and_touched_ones_never(
    repo: Any, ops: Any, tmp_path: Path
) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    files = LocalCaseFiles(tmp_path / "files")
    letter = parse_message(mail(message_id="<cut-short@example.org>"))
    empty = open_case(repo, start, "a@example.org")
    files.file_message(empty, letter)  # the .eml goes into the folder before the rows
    triage_draft(repo, empty, start)
    redrafted = open_case(repo, start, "g@example.org")
    first = triage_draft(repo, redrafted, start)
    repo.save_draft(
        edited(first, "Dear P,\n\nI have written to the council.\n", "jo", start, False)[0]
    )
    overdue = open_case(repo, start, "b@example.org", due_at=start - timedelta(days=2))
    filed = open_case(repo, start, "c@example.org")
    kept = parse_message(mail(message_id="<kept@example.org>"))
    repo.add_message(filed, kept, HOUSING, start, "x")
    noted = open_case(repo, start, "d@example.org")
    claimed = open_case(repo, start, "e@example.org")
    closed = open_case(repo, start, "f@example.org")

    clock = FixedClock(start + timedelta(minutes=30))
    sweep = sweeper(repo, ops, files, clock)
    casework.add_note(repo, clock, noted, "Rang the council", by="jo")
    casework.assign(repo, clock, claimed, "tom", by="tom")
    casework.change_status(repo, clock, closed, CaseStatus.CLOSED, "sorted", by="jo")

    young = sweep.run()
    assert young.empty_removed == []  # inside the grace period: maybe still being filed
    assert [a.case_ref for a in young.actions] == [overdue]  # the SLA sweep escalates it

    clock.advance(GRACE)
    assert {e.ref for e in find_empty_cases(repo, clock.now() - GRACE)} == {empty, overdue}
    preview = sweep.run(dry_run=True)
    assert sorted(preview.empty_removed) == sorted([empty, overdue])
    assert repo.get_case(empty).ref == empty and files.list_case_files(empty)  # nothing done

    done = sweep.run()
    assert sorted(done.empty_removed) == sorted([empty, overdue])
    assert done.counts()["empty_removed"] == 2
    for ref in (empty, overdue):
        with pytest.raises(NotFoundError):
            repo.get_case(ref)
    assert files.list_case_files(empty) == []
    entries = [e for e in repo.audit_entries() if e.action == REMOVED_EMPTY]
    assert sorted(e.object_ref for e in entries) == sorted([empty, overdue])
    assert all(e.actor == ACTOR for e in entries)
    assert all("a@example.org" not in str(e.detail) for e in entries)
    for ref in (filed, noted, claimed, closed, redrafted):
        assert repo.get_case(ref).ref == ref
    assert repo.find_constituent("a@example.org") is None  # nobody else's case named them

    assert sweep.run().empty_removed == []  # nothing left to do


def test_no_grace_no_files_no_clean_up(repo: Any, ops: Any) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    empty = open_case(repo, start, "a@example.org")
    clock = FixedClock(start + timedelta(days=2))
    off = Sweep(repo, ops, clock, SlaPolicy(OfficeHours(), 4), None, {})
    assert off.run().empty_removed == []
    assert repo.get_case(empty).ref == empty
