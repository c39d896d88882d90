"""What every CaseRepository must do with reply drafts, whatever it stores them in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casedesk.core.models import Category, Classification, NewCase, Topic
from casedesk.core.replies import DraftState, ReplyDraft, body_sha256

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HOUSING = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.8, (), "test")


def open_case(repo: Any, email: str = "priya@example.org", when: datetime = NOW) -> str:
    person = repo.upsert_constituent(email, "Priya Shah", "CB1 2AD", when)
    return str(
        repo.create_case(NewCase(person.id, "Damp", "damp", HOUSING, None, None, "summary", when))
    )


def reply(ref: str, **changes: Any) -> ReplyDraft:
    base = ReplyDraft(
        case_ref=ref,
        version=1,
        state=DraftState.AWAITING_SIGNOFF,
        subject="Re: Damp in my flat — ‘urgent’",
        body="Dear Zoë Ní Bhriain,\n\nRent of £1,150 …\n",
        template="casework/housing.txt.j2",
        to_addr="zoe@example.org",
        to_name="Zoë Ní Bhriain",
        in_reply_to="<m2@example.org>",
        references=("<m1@example.org>", "<m2@example.org>"),
        created_at=NOW,
        updated_at=NOW,
        updated_by="casedesk-triage",
        approver="alex.morgan",
        sources=("template:casework/housing.txt.j2", "case", "message:2", "policy:damp"),
    )
    return replace(base, **changes)


def test_a_case_has_no_draft_until_one_is_saved(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
    assert repo.get_draft(ref) is None
    assert repo.get_draft("CD-1999-000001") is None
    assert repo.drafts_in_state(DraftState.AWAITING_SIGNOFF) == []


def test_a_saved_draft_round_trips_every_field(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
        saved = reply(ref)
        repo.save_draft(saved)
    assert repo.get_draft(ref) == saved
    assert repo.get_draft(ref.lower()) == saved
    later = NOW + timedelta(hours=2)
    approved = replace(
        saved,
        version=3,
        state=DraftState.SENT,
        decided_by="alex.morgan",
        decided_at=later,
        approved_sha256=body_sha256(saved.body),
        rejection=None,
        sent_at=later,
        sent_by="jo.price",
        sent_to="outlook:office@parliament.example:AAkALg=",
        remote_id="AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A=",
        remote_mailbox="office@parliament.example",
        remote_sha256="ab" * 32,
    )
    repo.save_draft(approved)
    assert repo.get_draft(ref) == approved
    assert repo.get_draft(ref).is_approved


def test_saving_again_replaces_the_draft_one_per_case(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
        repo.save_draft(reply(ref))
    repo.save_draft(reply(ref, version=2, body="Dear Zoë,\n\nShorter.\n", approver=None))
    found = repo.get_draft(ref)
    assert (found.version, found.body, found.approver) == (2, "Dear Zoë,\n\nShorter.\n", None)


def test_the_approval_queue_is_drafts_in_one_state_oldest_first(repo: Any) -> None:
    with repo.transaction():
        refs = [open_case(repo, f"p{n}@example.org", NOW + timedelta(minutes=n)) for n in range(4)]
        repo.save_draft(reply(refs[0], created_at=NOW + timedelta(hours=3)))
        repo.save_draft(reply(refs[1], created_at=NOW + timedelta(hours=1)))
        repo.save_draft(reply(refs[2], state=DraftState.DRAFT, approver=None))
        repo.save_draft(reply(refs[3], state=DraftState.APPROVED))
    waiting = repo.drafts_in_state(DraftState.AWAITING_SIGNOFF)
    assert [d.case_ref for d in waiting] == [refs[1], refs[0]]
    assert [d.case_ref for d in repo.drafts_in_state(DraftState.DRAFT)] == [refs[2]]
    assert repo.drafts_in_state(DraftState.SENT) == []


def test_a_draft_saved_in_a_failed_transaction_is_not_kept(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
    with pytest.raises(RuntimeError), repo.transaction():
        repo.save_draft(reply(ref))
        assert repo.get_draft(ref) is not None  # visible inside the transaction
        raise RuntimeError("crash before commit")
    assert repo.get_draft(ref) is None


def test_a_case_and_its_draft_saved_together_are_both_kept(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
        repo.save_draft(reply(ref))
        repo.append_audit(NOW, "test", "draft.created", ref, {"version": 1})
    assert repo.get_case(ref).ref == ref
    assert repo.get_draft(ref) == reply(ref)
    assert [e.action for e in repo.audit_entries(ref)] == ["draft.created"]


def test_a_long_draft_and_a_long_thread_round_trip(repo: Any) -> None:
    body = ("Paragraph with ‘quotes’ and £ signs. " * 40 + "\n") * 30  # ~37,000 characters
    thread = tuple(f"<{'x' * 200}.{n}@example.org>" for n in range(20))
    with repo.transaction():
        ref = open_case(repo)
        repo.save_draft(reply(ref, body=body, references=thread, in_reply_to=thread[-1]))
    found = repo.get_draft(ref)
    assert found.body == body and found.references == thread
