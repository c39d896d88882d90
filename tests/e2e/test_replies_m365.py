"""Replies on Microsoft 365, against the local Graph-speaking server: drafts as Outlook reply
drafts on the office mailbox, the record in the SharePoint Cases list, a copy in the case
folder, sending with Graph `send`, and every refusal when Outlook and the approval disagree.
Real MSAL, msgraph-sdk, GraphCaller and SharePoint adapters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.m365.graph_mailbox import GraphMailbox
from casedesk.adapters.m365.graph_replies import GraphReplyChannel
from casedesk.bootstrap import App, drafter_for
from casedesk.core.audit import first_broken_link
from casedesk.core.models import RawMessage
from casedesk.core.replies import DraftState, ReplyRefusedError
from casedesk.core.reply_desk import ReplyDesk, ReplyOffice
from casedesk.core.triage import Triage, TriagePolicy
from casedesk.rules_file import live_rules
from mailmaker import mail
from sharepoint_stack import DRIVE, SITE, SharePointStack, start_stack

OFFICE = "alex.morgan.mp@parliament.example"
RULES = """\
version: 1
people:
  - {id: alex.morgan, name: Alex Morgan MP, role: mp}
rules:
  - name: housing-needs-signoff
    when: {category: casework, topic: housing}
    then: {require_signoff: true}
  - name: everything-else
    default: true
    then: {priority: low}
"""
BENEFITS = (
    "Dear Alex,\n\nMy Universal Credit payment was stopped last month and the DWP will not "
    "tell me why. I cannot pay my bills.\n\nTom Reid\n"
)


@dataclass
class M365:
    sp: SharePointStack
    triage: Triage
    desk: ReplyDesk
    graph: GraphMailbox

    def deliver(self, data: bytes) -> tuple[str, str]:
        """(graph id, case ref): the message arrives in the office mailbox and is triaged."""
        graph_id = self.sp.fake.deliver(OFFICE, data, notify=False)
        received = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
        result = self.triage.triage_one(RawMessage(f"graph:{OFFICE}:{graph_id}", data, received))
        assert result.case_ref
        if result.draft_body:  # what the intake's worker does with it (core.intake)
            self.graph.create_reply_draft(OFFICE, graph_id, result.draft_body)
        return graph_id, result.case_ref

    def drafts(self) -> list[dict[str, object]]:
        return self.sp.fake.drafts(OFFICE)

    def actions(self, ref: str) -> list[str]:
        return [e.action for e in self.triage.repo.audit_entries(ref)]


@pytest.fixture
def m365(app: App, tmp_path: Path) -> Iterator[M365]:
    sp = start_stack()
    sp.fake.add_mailbox(OFFICE)
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(RULES)
    rules = live_rules(rules_file)
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    repo, files = sp.repository(), sp.files()
    drafter = drafter_for(app.settings, clock, rules)
    policy = TriagePolicy(OFFICE, "Office of Alex Morgan MP", mp_approver="alex.morgan")
    triage = Triage(repo, files, app.classifier, drafter, app.ops, clock, policy, rules=rules)
    graph = GraphMailbox(sp.caller)
    channel = GraphReplyChannel(graph, (OFFICE,))
    office = ReplyOffice(OFFICE, "Office of Alex Morgan MP", ("alex.morgan",))
    yield M365(sp, triage, ReplyDesk(repo, files, drafter, channel, clock, office, sending_off=None), graph)
    sp.close()


def test_signoff_reply_reaches_outlook_only_when_approved_and_is_sent_by_graph(m365: M365) -> None:
    _, ref = m365.deliver(mail())
    assert m365.drafts() == []  # nobody can send it from Outlook before the MP approves
    [row] = [r for r in m365.sp.rows("cases") if r["Title"] == ref]
    assert (row["DraftState"], row["DraftApprover"]) == ("awaiting_signoff", "alex.morgan")
    assert "Dear Priya Shah" in row["DraftBody"]
    assert [p.case.ref for p in m365.desk.approvals()] == [ref]
    with pytest.raises(ReplyRefusedError, match="needs the MP's sign-off"):
        m365.desk.send(ref, "jo")
    assert m365.sp.fake.sent == []

    approved = m365.desk.approve(ref, "alex.morgan")
    [outlook] = m365.drafts()
    assert approved.remote_id == outlook["id"] and approved.remote_mailbox == OFFICE
    assert "Dear Priya Shah" in str(outlook["body"]["content"])  # type: ignore[index]
    assert outlook["subject"] == "RE: Damp in my flat"

    done = m365.desk.send(ref, "jo")
    [sent] = m365.sp.fake.sent
    assert sent["id"] == outlook["id"] and m365.drafts() == []
    assert done.state is DraftState.SENT and done.sent_to == f"outlook:{OFFICE}:{outlook['id']}"
    stored = m365.triage.repo.get_draft(ref)
    assert stored is not None and stored.state is DraftState.SENT and stored.sent_by == "jo"
    library = m365.sp.fake.drive_files(SITE, DRIVE)
    assert f"cases/{ref}/drafts/reply-sent.eml" in library
    assert m365.actions(ref)[-3:] == ["reply.send_refused", "signoff.approved", "reply.sent"]
    assert first_broken_link(m365.triage.repo.audit_entries()) is None


def test_an_outlook_draft_edited_after_signoff_is_not_sent(m365: M365) -> None:
    _, ref = m365.deliver(mail())
    approved = m365.desk.approve(ref, "alex.morgan")
    assert approved.remote_id
    m365.graph.set_body(OFFICE, approved.remote_id, "Dear Priya,\n\nSomething the MP never saw.\n")
    with pytest.raises(ReplyRefusedError, match="not the text the MP approved"):
        m365.desk.send(ref, "jo")
    assert m365.sp.fake.sent == [] and len(m365.drafts()) == 1
    assert m365.actions(ref)[-1] == "reply.send_refused"


def test_without_signoff_what_staff_left_in_outlook_is_sent_and_recorded(m365: M365) -> None:
    _, ref = m365.deliver(mail(BENEFITS, subject="Universal Credit stopped",
                               sender="Tom Reid <tom@example.org>", message_id="<t1@example.org>"))  # fmt: skip
    [outlook] = m365.drafts()  # the intake's createReply draft
    m365.graph.set_body(OFFICE, str(outlook["id"]), "Dear Tom,\n\nWe have written to the DWP.\n")
    done = m365.desk.send(ref, "jo")
    [sent] = m365.sp.fake.sent
    assert sent["id"] == outlook["id"]
    assert done.body == "Dear Tom,\n\nWe have written to the DWP.\n" and done.version == 2
    assert m365.actions(ref)[-2:] == ["draft.edited", "reply.sent"]
    edited = m365.triage.repo.audit_entries(ref)[-2]
    assert edited.detail["source"] == "the Outlook draft, as staff left it"


def test_an_edit_in_casedesk_is_written_to_the_outlook_draft(m365: M365) -> None:
    _, ref = m365.deliver(mail(BENEFITS, subject="Universal Credit stopped",
                               sender="Tom Reid <tom@example.org>", message_id="<t1@example.org>"))  # fmt: skip
    changed = m365.desk.edit(ref, "Dear Tom,\n\nWe will ask the DWP today.\n", "jo")
    [outlook] = m365.drafts()
    assert changed.remote_id == outlook["id"]
    view = m365.graph.draft_view(OFFICE, str(outlook["id"]))
    assert view is not None and view.text == changed.body
    assert view.recipients == ("tom@example.org",)
    assert m365.desk.send(ref, "jo").version == 2  # unchanged in Outlook: no new version


def test_a_reply_already_sent_from_outlook_is_never_sent_again(m365: M365) -> None:
    _, ref = m365.deliver(mail(BENEFITS, subject="Universal Credit stopped",
                               sender="Tom Reid <tom@example.org>", message_id="<t1@example.org>"))  # fmt: skip
    [outlook] = m365.drafts()
    m365.graph.send_draft(OFFICE, str(outlook["id"]))  # a staffer pressed Send in Outlook
    with pytest.raises(ReplyRefusedError, match="already sent a message in this conversation"):
        m365.desk.send(ref, "jo")
    assert len(m365.sp.fake.sent) == 1


def test_a_recorded_draft_that_left_drafts_is_refused_not_recreated(m365: M365) -> None:
    _, ref = m365.deliver(mail())
    approved = m365.desk.approve(ref, "alex.morgan")
    assert approved.remote_id
    m365.graph.send_draft(OFFICE, approved.remote_id)
    with pytest.raises(ReplyRefusedError, match=r"no longer in .*Drafts.*Check Sent Items"):
        m365.desk.send(ref, "jo")
    assert len(m365.sp.fake.sent) == 1 and m365.drafts() == []


def test_the_reply_commands_are_wired_to_the_tenant_from_settings(app: App, tmp_path: Path) -> None:
    from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
    from casedesk.adapters.m365.sharepoint_lists import SharePointCaseRepository
    from casedesk.adapters.m365.sharepoint_schema import SCHEMA, CaseDeskLists
    from casedesk.bootstrap_replies import build_replies
    from casedesk.settings import load_settings
    from graphfake import GraphFake

    with GraphFake(client_secret="s3cret") as fake:
        fake.add_mailbox(OFFICE)
        for spec in SCHEMA:  # lists addressed by display name, as the defaults do
            fake.add_list(SITE, spec.display_name, non_indexed=spec.non_indexed)
        fake.add_drive(SITE, DRIVE)
        settings = load_settings(
            {
                "data_dir": tmp_path / "data", "adapters": "m365", "sharepoint_site_id": SITE,
                "sharepoint_drive_id": DRIVE, "tenant_id": fake.tenant_id,
                "client_id": fake.client_id, "client_secret": "s3cret",
                "graph_base_url": fake.base_url, "mailboxes": OFFICE,
                "office_address": OFFICE, "mp_approver": "alex.morgan",
                "notification_url": "https://casedesk.example/api/notifications",
                "lifecycle_url": "https://casedesk.example/api/lifecycle",
                "storage_account_name": "casedesktest", "features": {"send_mail": True},
            },
            environ={},
        )  # fmt: skip
        replies = build_replies(settings, login_http_client=RedirectingHttpClient(fake.root_url))
        try:
            desk = replies.desk
            assert isinstance(desk.repo, SharePointCaseRepository)
            assert isinstance(desk.channel, GraphReplyChannel)
            lists = CaseDeskLists.from_mapping({s.key: s.display_name for s in SCHEMA})
            repo = SharePointCaseRepository(desk.channel.graph.caller, SITE, lists)
            triage = Triage(repo, desk.files, app.classifier, desk.drafter, app.ops, desk.clock,
                            TriagePolicy(OFFICE, "Office"))  # fmt: skip
            data = mail(BENEFITS, subject="Universal Credit stopped",
                        sender="Tom Reid <tom@example.org>", message_id="<t1@example.org>")  # fmt: skip
            fake.deliver(OFFICE, data, notify=False)
            ref = triage.triage_one(RawMessage("graph", data, datetime.now(UTC))).case_ref or ""
            done = desk.send(ref, "jo")
            assert done.state is DraftState.SENT and done.sent_to.startswith("outlook:")
            assert [m["internetMessageId"] for m in fake.messages(OFFICE, "sentitems")] != []
        finally:
            replies.close()


def recipients(*addresses: str) -> list[dict[str, dict[str, str]]]:
    return [{"emailAddress": {"address": a}} for a in addresses]


def test_a_forward_in_the_same_conversation_is_never_taken_for_the_reply(m365: M365) -> None:
    graph_id, ref = m365.deliver(mail())
    # A caseworker forwards the letter to the council from Outlook: a draft in the same
    # conversation, addressed to someone else.
    forward = m365.graph.create_reply_draft(OFFICE, graph_id, "Please see below.")
    fake_url = f"{m365.sp.fake.base_url}/users/{OFFICE}/messages/{forward}"
    from urllib.request import Request, urlopen

    token = m365.sp.fake.issue_token()
    body = json.dumps({"toRecipients": recipients("housing@cambridge.gov.example")}).encode()
    urlopen(Request(fake_url, data=body, method="PATCH", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"}))  # fmt: skip
    approved = m365.desk.approve(ref, "alex.morgan")
    assert approved.remote_id != forward
    m365.desk.send(ref, "jo")
    [sent] = m365.sp.fake.sent
    assert [r["emailAddress"]["address"] for r in sent["toRecipients"]] == [
        "priya.shah@example.org"
    ]
    assert [d["id"] for d in m365.drafts()] == [forward]  # the forward is untouched


def test_a_copy_to_anyone_else_added_in_outlook_stops_the_send(m365: M365) -> None:
    _, ref = m365.deliver(mail())
    approved = m365.desk.approve(ref, "alex.morgan")
    assert approved.remote_id
    from urllib.request import Request, urlopen

    token = m365.sp.fake.issue_token()
    url = f"{m365.sp.fake.base_url}/users/{OFFICE}/messages/{approved.remote_id}"
    body = json.dumps({"ccRecipients": recipients("friend@example.net")}).encode()
    urlopen(Request(url, data=body, method="PATCH", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"}))  # fmt: skip
    with pytest.raises(ReplyRefusedError, match=r"addressed to friend@example\.net"):
        m365.desk.send(ref, "jo")
    assert m365.sp.fake.sent == []
    assert m365.triage.repo.get_draft(ref).state is DraftState.APPROVED  # nothing recorded
    assert m365.actions(ref)[-1] == "reply.send_refused"
