"""Replies end to end on the embedded adapters: drafts at triage, the MP's sign-off, edits that
void it, and sending to the outbox only on a person's command and only what was approved."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App, build_app
from casedesk.bootstrap_replies import build_replies
from casedesk.core.audit import first_broken_link
from casedesk.core.models import RawMessage
from casedesk.core.replies import DraftState, ReplyRefusedError
from casedesk.core.reply_desk import ReplyDesk
from casedesk.errors import CaseDeskError
from casedesk.settings import load_settings
from mailmaker import mail

RULES = """\
version: 1
people:
  - {id: alex.morgan, name: Alex Morgan MP, role: mp}
  - {id: priya.shah, name: Priya Shah, role: caseworker}
rules:
  - name: housing-needs-signoff
    when: {category: casework, topic: housing}
    then: {assign: {person: priya.shah}, require_signoff: true}
  - name: campaigns
    when: {category: [campaign, policy]}
    then: {assign: {person: priya.shah}, template: policy}
  - name: everything-else
    default: true
    then: {priority: low}
"""
RECEIVED = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


@dataclass
class Office:
    app: App
    desk: ReplyDesk
    clock: FixedClock
    outbox: Path

    def triage(self, data: bytes, name: str = "m.eml") -> str:
        result = self.app.triage.triage_one(RawMessage(name, data, RECEIVED))
        assert result.case_ref, result
        return result.case_ref

    def actions(self, ref: str) -> list[str]:
        return [e.action for e in self.app.repo.audit_entries(ref)]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    settings = load_settings(
        {"data_dir": tmp_path / "data", "rules_file": rules, "mp_approver": "alex.morgan",
         "features": {"send_mail": True}},  # these tests send
        environ={},
    )
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    app = build_app(settings, clock)
    replies = build_replies(settings, clock)
    yield Office(app, replies.desk, clock, tmp_path / "data" / "outbox")
    replies.close()
    app.close()


def test_a_case_needing_signoff_opens_with_its_draft_in_the_approval_queue(office: Office) -> None:
    result = office.app.triage.triage_one(RawMessage("m.eml", mail(), RECEIVED))
    ref = result.case_ref or ""
    assert result.draft_body is None  # no Outlook draft before the MP approves
    [pending] = office.desk.approvals()
    assert (pending.case.ref, pending.draft.approver, pending.draft.state) == (
        ref,
        "alex.morgan",
        DraftState.AWAITING_SIGNOFF,
    )
    assert pending.draft.template == "casework/housing.txt.j2"
    assert "Dear Priya Shah" in pending.draft.body and ref in pending.draft.body
    assert "Priya Shah\nCaseworker, Office of Alex Morgan MP" not in pending.draft.body
    assert office.actions(ref) == ["case.opened", "draft.created", "signoff.requested"]


def test_send_without_signoff_is_refused_audited_and_sends_nothing(office: Office) -> None:
    ref = office.triage(mail())
    with pytest.raises(ReplyRefusedError, match=r"needs the MP's sign-off and has none.*approve"):
        office.desk.send(ref, "priya.shah")
    assert not office.outbox.exists()
    assert office.actions(ref)[-1] == "reply.send_refused"
    assert office.app.repo.get_draft(ref).state is DraftState.AWAITING_SIGNOFF


def test_only_the_named_approver_signs_off_and_then_the_reply_goes_to_the_outbox(
    office: Office,
) -> None:
    ref = office.triage(mail())
    with pytest.raises(ReplyRefusedError, match=r"'priya.shah' cannot approve.*alex.morgan"):
        office.desk.approve(ref, "priya.shah")
    approved = office.desk.approve(ref, "Alex.Morgan")
    assert approved.is_approved and approved.approved_sha256 == approved.sha256
    assert office.desk.approvals() == []
    office.clock.advance(timedelta(minutes=5))
    done = office.desk.send(ref, "priya.shah")
    assert done.state is DraftState.SENT and done.sent_by == "priya.shah"
    [sent] = list(office.outbox.glob("*.eml"))
    assert done.sent_to == str(sent) and sent.name == f"{ref}-v1.eml"
    msg = message_from_bytes(sent.read_bytes(), policy=default)
    assert msg["In-Reply-To"] == "<m1@example.org>"
    assert msg["References"].split() == ["<m1@example.org>"]
    assert str(msg["Subject"]) == "Re: Damp in my flat"
    assert msg["To"].addresses[0].addr_spec == "priya.shah@example.org"
    assert msg["Message-ID"].endswith("@parliament.example>") and msg["X-Unsent"] is None
    assert msg["Date"] is not None and msg["X-CaseDesk-Sha256"] == approved.sha256
    assert msg.get_content().replace("\r\n", "\n") == approved.body
    folder = Path(office.app.files.location(ref))
    assert (folder / "drafts" / "reply-sent.eml").read_bytes() == sent.read_bytes()
    assert office.actions(ref)[-2:] == ["signoff.approved", "reply.sent"]
    assert first_broken_link(office.app.repo.audit_entries()) is None


def test_an_edit_after_approval_voids_it_and_the_send_is_refused(office: Office) -> None:
    ref = office.triage(mail())
    first = office.desk.approve(ref, "alex.morgan")
    edited = office.desk.edit(ref, first.body.replace("I would like to help", "I will help"), "jo")
    assert (edited.version, edited.state, edited.is_approved) == (
        2,
        DraftState.AWAITING_SIGNOFF,
        False,
    )
    with pytest.raises(ReplyRefusedError, match="needs the MP's sign-off"):
        office.desk.send(ref, "jo")
    assert office.actions(ref)[-4:] == [
        "draft.edited",
        "signoff.voided",
        "signoff.requested",
        "reply.send_refused",
    ]
    voided = office.app.repo.audit_entries(ref)[-3]
    assert voided.detail["approved_sha256"] == first.sha256
    assert voided.detail["new_sha256"] == edited.sha256
    eml = (Path(office.app.files.location(ref)) / "drafts" / "reply-draft.eml").read_bytes()
    assert b"I will help" in eml and b"X-CaseDesk-Version: 2" in eml
    office.desk.approve(ref, "alex.morgan")
    assert office.desk.send(ref, "jo").version == 2


def test_the_same_text_again_is_not_a_new_version_and_keeps_the_approval(office: Office) -> None:
    ref = office.triage(mail())
    approved = office.desk.approve(ref, "alex.morgan")
    again = office.desk.edit(ref, approved.body.replace("\n", "\r\n"), "jo")
    assert again == approved and again.is_approved


def test_text_changed_in_the_store_after_approval_is_caught_by_the_hash(office: Office) -> None:
    ref = office.triage(mail())
    approved = office.desk.approve(ref, "alex.morgan")
    # Someone edits the stored text directly (e.g. the DraftBody column in SharePoint).
    office.app.repo.save_draft(replace(approved, body=approved.body + "P.S. unapproved\n"))
    with pytest.raises(ReplyRefusedError, match="changed after the MP approved it"):
        office.desk.send(ref, "jo")
    assert [p.case.ref for p in office.desk.approvals()] == [ref]  # it waits for sign-off again
    assert not office.outbox.exists()


def test_a_rejection_needs_a_reason_and_an_edit_puts_the_draft_back_in_the_queue(
    office: Office,
) -> None:
    ref = office.triage(mail())
    with pytest.raises(ReplyRefusedError, match="--reason"):
        office.desk.reject(ref, "  ", "alex.morgan")
    back = office.desk.reject(ref, "Too long; mention the council's repair duty.", "alex.morgan")
    assert back.state is DraftState.REJECTED and office.desk.approvals() == []
    with pytest.raises(ReplyRefusedError, match=r"rejected by alex\.morgan: Too long"):
        office.desk.send(ref, "jo")
    office.desk.edit(ref, "Dear Priya,\n\nThe council must repair it.\n", "jo")
    assert [p.case.ref for p in office.desk.approvals()] == [ref]
    assert "signoff.rejected" in office.actions(ref)


def test_without_an_approver_setting_signoff_waits_and_says_which_setting(
    tmp_path: Path, office: Office
) -> None:
    ref = office.triage(mail())
    settings = load_settings({"data_dir": tmp_path / "data"}, environ={})
    unset = build_replies(settings, office.clock)
    try:
        with pytest.raises(ReplyRefusedError, match="set mp_approver"):
            unset.desk.approve(ref, "alex.morgan")
    finally:
        unset.close()


def test_a_case_without_signoff_is_sent_on_command_once_and_never_twice(office: Office) -> None:
    ref = office.triage(
        mail(
            "Dear Alex,\n\nMy Universal Credit payment was stopped last month and the DWP "
            "will not tell me why. I cannot pay my bills.\n\nTom Reid\n",
            subject="Universal Credit stopped",
            sender="Tom Reid <tom@example.org>",
            message_id="<t1@example.org>",
        )
    )
    draft = office.app.repo.get_draft(ref)
    assert draft.state is DraftState.DRAFT and draft.approver is None
    assert (
        draft.template == "casework/benefits.txt.j2" and "mandatory reconsideration" in draft.body
    )
    with pytest.raises(ReplyRefusedError, match="does not need the MP's sign-off"):
        office.desk.approve(ref, "alex.morgan")
    done = office.desk.send(ref, "tom.staff")
    assert done.state is DraftState.SENT
    with pytest.raises(ReplyRefusedError, match="already sent"):
        office.desk.send(ref, "tom.staff")
    with pytest.raises(ReplyRefusedError, match="already sent"):
        office.desk.edit(ref, "Too late.\n", "tom.staff")
    assert len(list(office.outbox.glob("*.eml"))) == 1


def test_an_unwritten_placeholder_is_neither_approved_nor_sent(office: Office) -> None:
    letters = [
        mail(
            "Dear Alex,\n\nI urge you to support the Clean Rivers Bill at second reading. "
            "Sewage in our rivers must stop.\n",
            subject="Support the Clean Rivers Bill",
            sender=f"Person {n} <p{n}@example.org>",
            message_id=f"<c{n}@example.org>",
        )
        for n in range(4)
    ]
    refs = [office.triage(letter, f"c{n}.eml") for n, letter in enumerate(letters)]
    draft = office.app.repo.get_draft(refs[-1])
    assert "[[" in draft.body
    with pytest.raises(ReplyRefusedError, match="paragraph to write"):
        office.desk.send(refs[-1], "jo")
    office.desk.edit(
        refs[-1], draft.body.replace(draft.body[draft.body.index("[[") :], "Yes.\n"), "jo"
    )
    assert office.desk.send(refs[-1], "jo").state is DraftState.SENT


def test_staff_can_draft_by_hand_or_from_a_chosen_template_where_none_was_written(
    office: Office,
) -> None:
    ref = office.triage(
        mail(
            "You are a disgrace and a traitor. I hope you rot.\n",
            subject="You",
            sender="Angry <angry@example.org>",
            message_id="<a1@example.org>",
        )
    )
    assert office.app.repo.get_case(ref).category.value == "abuse"
    assert office.app.repo.get_draft(ref) is None  # abuse never gets an automatic draft
    with pytest.raises(ReplyRefusedError, match="no reply draft"):
        office.desk.send(ref, "jo")
    with pytest.raises(CaseDeskError, match="no template 'polcy'"):
        office.desk.redraft(ref, "polcy", "jo")
    chosen = office.desk.redraft(ref, "default", "jo")
    assert chosen.template == "default.txt.j2" and chosen.in_reply_to == "<a1@example.org>"
    assert office.actions(ref)[-1] == "draft.created"


def test_constituent_text_is_printed_never_run_and_stays_out_of_the_logs(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = (
        "Dear Alex,\n\nMy landlord will not fix the damp in my flat. {{ 7*7 }} "
        "{% include '_signature.txt.j2' %} secret-landlord-detail\n\nPriya Shah\nCB1 2AD\n"
    )
    ref = office.triage(mail(body, subject="Damp {{ 7*7 }}", message_id="<x1@example.org>"))
    draft = office.app.repo.get_draft(ref)
    assert '"Damp {{ 7*7 }}"' in draft.body and draft.subject == "Re: Damp {{ 7*7 }}"
    assert "49" not in draft.body
    if draft.state is DraftState.AWAITING_SIGNOFF:
        office.desk.approve(ref, "alex.morgan")
    office.desk.send(ref, "jo")
    logged = "\n".join(
        f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.name.startswith("casedesk")
    )
    assert "secret-landlord-detail" not in logged and "7*7" not in logged
