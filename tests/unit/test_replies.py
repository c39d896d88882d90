"""The sign-off rules on their own: versions, hashes, who may approve, and when a send is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.core.models import Case, CaseStatus, Category, Draft, Topic
from casedesk.core.replies import (
    MAX_BODY_CHARS,
    DraftState,
    ReplyDraft,
    ReplyRefusedError,
    approved,
    approvers,
    body_sha256,
    edited,
    new_reply,
    normalise_body,
    rejected,
    send_refusal,
    sent,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
MP = ("alex.morgan",)


def a_case(signoff: bool = True) -> Case:
    return Case(
        "CD-2026-000042", "p@example.org", "Priya Shah", "Damp", Category.CASEWORK, Topic.HOUSING,
        False, CaseStatus.NEW, None, None, "", NOW, NOW, signoff_required=signoff,
    )  # fmt: skip


def first(case: Case, body: str = "Dear Priya,\n\nWe will help.\n") -> ReplyDraft:
    return new_reply(
        case, Draft("Re: Damp", body, "casework.txt.j2"), "p@example.org", "Priya Shah",
        "<m3@x>", ["<m1@x>", "<m2@x>", "<m3@x>"], NOW, "casedesk-triage", "alex.morgan",
    )  # fmt: skip


def test_a_new_reply_waits_for_signoff_only_when_the_case_needs_it() -> None:
    assert first(a_case()).state is DraftState.AWAITING_SIGNOFF
    assert first(a_case()).approver == "alex.morgan"
    plain = first(a_case(signoff=False))
    assert plain.state is DraftState.DRAFT and plain.approver is None
    assert plain.references == ("<m1@x>", "<m2@x>", "<m3@x>")


def test_the_approval_covers_the_sha256_of_the_body_and_any_edit_voids_it() -> None:
    case = a_case()
    ok = approved(case, first(case), "Alex.Morgan", LATER, MP)
    assert ok.approved_sha256 == body_sha256(ok.body) and ok.is_approved
    assert send_refusal(case, ok, None) is None
    changed, voided = edited(ok, ok.body + "One more line.\n", "jo", LATER, True)
    assert voided and changed.version == 2 and not changed.is_approved
    assert changed.state is DraftState.AWAITING_SIGNOFF and changed.approved_sha256 is None
    assert "needs the MP's sign-off" in (send_refusal(case, changed, None) or "")


def test_the_same_text_with_other_line_endings_is_not_an_edit() -> None:
    case = a_case()
    ok = approved(case, first(case), "alex.morgan", LATER, MP)
    same, voided = edited(ok, ok.body.replace("\n", "\r\n") + "\n\n", "jo", LATER, True)
    assert same is ok and not voided


def test_only_an_approver_may_approve_or_reject_and_only_what_needs_it() -> None:
    case = a_case()
    with pytest.raises(ReplyRefusedError, match="set mp_approver"):
        approved(case, first(case), "alex.morgan", LATER, ())
    with pytest.raises(ReplyRefusedError, match="'jo' cannot reject"):
        rejected(case, first(case), "jo", "no", LATER, MP)
    plain = a_case(signoff=False)
    with pytest.raises(ReplyRefusedError, match="does not need the MP's sign-off"):
        approved(plain, first(plain), "alex.morgan", LATER, MP)
    twice = approved(case, first(case), "alex.morgan", LATER, MP)
    with pytest.raises(ReplyRefusedError, match="already approved"):
        approved(case, twice, "alex.morgan", LATER, MP)


def test_approvers_come_from_a_comma_separated_setting() -> None:
    assert approvers(" alex.morgan, jo.price ,") == ("alex.morgan", "jo.price")
    assert approvers(None) == ()


def test_a_draft_changed_behind_the_approval_is_refused_with_both_hashes() -> None:
    case = a_case()
    ok = approved(case, first(case), "alex.morgan", LATER, MP)
    tampered = replace(ok, body=ok.body + "x\n")
    why = send_refusal(case, tampered, None) or ""
    assert "changed after the MP approved it" in why
    assert ok.sha256[:12] in why and tampered.sha256[:12] in why


def test_an_outlook_draft_edited_after_signoff_is_refused() -> None:
    case = a_case()
    ok = replace(approved(case, first(case), "alex.morgan", LATER, MP), remote_sha256="a" * 64)
    assert send_refusal(case, ok, "a" * 64) is None
    assert "Outlook draft is not the text the MP approved" in (
        send_refusal(case, ok, "b" * 64) or ""
    )


def test_nothing_is_sent_twice_and_nothing_without_a_draft() -> None:
    case = a_case(signoff=False)
    done = sent(first(case), "jo", LATER, "outbox/x.eml")
    assert "already sent" in (send_refusal(case, done, None) or "")
    assert "no reply draft" in (send_refusal(case, None, None) or "")
    with pytest.raises(ReplyRefusedError, match="already sent"):
        edited(done, "new", "jo", LATER, False)


def test_a_placeholder_paragraph_blocks_approval_and_sending() -> None:
    case = a_case()
    unfinished = first(case, "Dear Priya,\n\n[[The MP's position\ngoes here.]]\n")
    with pytest.raises(ReplyRefusedError, match="paragraph to write"):
        approved(case, unfinished, "alex.morgan", LATER, MP)
    plain = a_case(signoff=False)
    assert "paragraph to write" in (send_refusal(plain, first(plain, unfinished.body), None) or "")


def test_empty_and_overlong_drafts_are_refused_with_the_limit() -> None:
    case = a_case()
    with pytest.raises(ReplyRefusedError, match="empty"):
        edited(first(case), " \n\n", "jo", LATER, True)
    with pytest.raises(ReplyRefusedError, match="50,000"):
        edited(first(case), "x" * (MAX_BODY_CHARS + 1), "jo", LATER, True)


def test_a_rejection_keeps_its_reason_until_the_next_edit() -> None:
    case = a_case()
    back = rejected(case, first(case), "alex.morgan", " Too long. ", LATER, MP)
    assert (back.state, back.rejection, back.decided_by) == (
        DraftState.REJECTED,
        "Too long.",
        "alex.morgan",
    )
    assert "rejected by alex.morgan: Too long." in (send_refusal(case, back, None) or "")
    again, voided = edited(back, "Shorter.\n", "jo", LATER, True)
    assert not voided and again.rejection is None and again.state is DraftState.AWAITING_SIGNOFF


@given(st.text(min_size=1).filter(lambda t: t.strip()))
def test_normalising_is_idempotent_and_the_hash_follows_the_text(text: str) -> None:
    once = normalise_body(text)
    assert normalise_body(once) == once and once.endswith("\n") and "\r" not in once
    assert body_sha256(once) == body_sha256(normalise_body(once.replace("\n", "\r\n")))
