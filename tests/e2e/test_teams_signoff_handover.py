"""The MP's sign-off and handover in Teams, over real HTTP: activity JSON in, cards out.

Same shapes as test_teams_bot.py (Microsoft's Teams docs: a personal-chat message, an
`adaptiveCard/action` invoke for Action.Execute, and a message whose `value` is the data of
an Action.Submit from an older client). The office here has a rule that housing replies need
the MP's sign-off and `mp_approver = alex.morgan`; approve / request changes go through the
same reply desk as `casedesk approve/reject` (core/reply_desk.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from test_teams_bot import (
    ALEX,
    APP_ID,
    CONNECTOR_TOKEN,
    DAMP,
    DAMP_AGAIN,
    JO,
    PRIYA,
    SAM,
    STRANGER,
    TENANT,
    Office,
    actions_of,
    invoke,
    message,
    texts,
)

from botfake import BotFake
from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import build_app
from casedesk.bootstrap_teams import build_bot, embedded_drafts, reply_desk
from casedesk.core.replies import DraftState
from casedesk.core.reply_desk import ReplyDesk
from casedesk.entrypoints.bot import handle_bot_messages
from casedesk.entrypoints.http_server import RouteTable, make_server
from casedesk.settings import load_settings

LEE = "4d1e520e-2108-43ee-a092-46a9507c6201"  # a second MP-role member, not the approver
MESSAGE = "application/vnd.microsoft.activity.message"
CARD = "application/vnd.microsoft.card.adaptive"

RULES = f"""version: 1
people:
  - {{id: alex.morgan, name: Alex Morgan MP, role: mp, entra_id: {ALEX}}}
  - {{id: lee.chan, name: Lee Chan, role: mp, entra_id: {LEE}}}
  - {{id: jo.price, name: Jo Price, role: office_manager, entra_id: {JO}}}
  - {{id: sam.okafor, name: Sam Okafor, role: safety_lead, entra_id: {SAM}}}
  - {{id: priya.shah, name: Priya Shah, role: caseworker, entra_id: {PRIYA}}}
rules:
  - name: housing-needs-signoff
    when: {{category: casework, topic: housing}}
    then: {{assign: {{person: priya.shah}}, require_signoff: true, sla_hours: 8}}
  - name: everything-else
    default: true
    then: {{priority: low}}
"""


class SignoffOffice(Office):
    desk: ReplyDesk

    def press(self, aad: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
        """An Action.Execute press; the invoke's answer (statusCode, type, value)."""
        status, body = self.post(invoke(self.fake.service_url, aad, verb, {"action": verb, **data}))
        assert status == 200 and body["statusCode"] == 200
        return dict(body)

    def draft(self, ref: str) -> Any:
        return self.app.repo.get_draft(ref)

    def actions(self, ref: str) -> list[tuple[str, str]]:
        return [(e.actor, e.action) for e in self.app.repo.audit_entries(ref)]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[SignoffOffice]:
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    settings = load_settings(
        {"data_dir": tmp_path / "data", "rules_file": rules, "mp_approver": "alex.morgan",
         "safety_lead": "sam.okafor"},
        environ={},
    )  # fmt: skip
    app = build_app(settings, clock)
    with BotFake(APP_ID, clock.now, accept_token=lambda t: t == CONNECTOR_TOKEN) as fake:
        bot_settings = settings.model_copy(
            update={
                "bot_app_id": APP_ID,
                "bot_tenant_id": TENANT,
                "bot_openid_metadata_url": fake.metadata_url,
            }
        )
        desk = reply_desk(bot_settings, app.repo, app.files, app.triage.drafter, app.clock)
        service = build_bot(
            bot_settings, app.repo, app.ops, app.clock, app.triage.rules,
            drafts=embedded_drafts(settings.data_dir), token=lambda: CONNECTOR_TOKEN,
            replies=desk,
        )  # fmt: skip
        app.triage.notifier = service.notifier
        table = RouteTable()
        table.add_with_headers(
            "POST", "/api/messages", lambda q, b, h: handle_bot_messages(h, b, service)
        )
        httpd = make_server("127.0.0.1", 0, table)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        built = SignoffOffice(app, fake, service, f"http://127.0.0.1:{httpd.server_port}", clock)
        built.desk = desk
        try:
            yield built
        finally:
            httpd.shutdown()
            httpd.server_close()
            service.close()
            app.close()


def button(card: dict[str, Any], verb: str) -> dict[str, Any]:
    return next(a for a in actions_of(card) if a.get("verb") == verb)


# --- approval requests ---------------------------------------------------------------------


def test_a_reply_needing_signoff_reaches_the_mp_at_once_as_an_approval_request(
    office: SignoffOffice,
) -> None:
    office.say("help", ALEX)  # the MP's personal chat is now known
    alex_chat = office.fake.posted[-1].conversation_id
    before = len(office.fake.posted)
    ref = office.triage(DAMP, "damp.eml")
    draft = office.draft(ref)
    assert draft.state is DraftState.AWAITING_SIGNOFF
    [request] = office.fake.posted[before:]
    assert request.conversation_id == alex_chat and request.reply_to_id is None
    assert request.activity["summary"] == f"Sign-off needed: {ref}"
    card = request.card
    assert card["body"][0]["text"] == f"Sign-off needed: {ref}"
    assert draft.body.split("\n\n")[0].strip() in texts(card)  # the reply itself
    approve = button(card, "approve")
    assert approve["data"] == {"action": "approve", "ref": ref, "version": 1,
                               "sha256": draft.sha256}  # fmt: skip
    assert approve["fallback"]["type"] == "Action.Submit"
    assert button(card, "reject")["data"]["sha256"] == draft.sha256
    sent = [e for e in office.app.repo.audit_entries(ref)
            if e.action == "teams.signoff_request_sent"]  # fmt: skip
    assert sent[0].detail == {"to": "alex.morgan", "version": 1, "sha256": draft.sha256}
    office.triage(DAMP, "again.eml")  # the same message again: no second request
    assert len(office.fake.posted) == before + 1


def test_the_request_waits_for_the_mps_chat_and_goes_out_with_the_next_sweep(
    office: SignoffOffice,
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    assert office.fake.posted == []  # nobody to send it to yet; filing is not held up
    assert office.service.notifier.request_signoffs() == (0, 1)
    office.say("help", ALEX)
    assert office.service.notifier.request_signoffs() == (1, 0)
    assert office.fake.posted[-1].activity["summary"] == f"Sign-off needed: {ref}"
    assert office.service.notifier.request_signoffs() == (0, 0)  # once per version


def test_an_edited_draft_is_asked_about_again_as_its_new_version(office: SignoffOffice) -> None:
    office.say("help", ALEX)
    ref = office.triage(DAMP, "damp.eml")
    office.desk.edit(ref, "Dear Ann,\n\nI have written to the council today.\n", "priya.shah")
    assert office.service.notifier.request_signoffs() == (1, 0)
    card = office.fake.posted[-1].card
    assert "I have written to the council today." in texts(card)
    assert button(card, "approve")["data"]["version"] == 2


# --- approve and request changes ----------------------------------------------------------


def test_the_mp_approves_the_version_on_the_card(office: SignoffOffice) -> None:
    office.say("help", ALEX)
    ref = office.triage(DAMP, "damp.eml")
    data = button(office.fake.posted[-1].card, "approve")["data"]
    answer = office.press(ALEX, "approve", data)
    assert answer["type"] == CARD
    assert "Reply approved" in texts(answer["value"])
    assert not [a for a in actions_of(answer["value"]) if a.get("verb") in ("approve", "reject")]
    draft = office.draft(ref)
    assert draft.state is DraftState.APPROVED and draft.is_approved
    assert (draft.decided_by, draft.approved_sha256) == ("alex.morgan", data["sha256"])
    assert office.actions(ref)[-2:] == [("alex.morgan", "signoff.approved"),
                                        ("alex.morgan", "teams.approve")]  # fmt: skip


def test_a_draft_changed_since_the_card_is_not_approved_and_the_new_version_is_shown(
    office: SignoffOffice,
) -> None:
    office.say("help", ALEX)
    ref = office.triage(DAMP, "damp.eml")
    old = button(office.fake.posted[-1].card, "approve")["data"]
    office.desk.edit(ref, "Dear Ann,\n\nA different reply, written later.\n", "priya.shah")
    answer = office.press(ALEX, "approve", old)
    assert answer["type"] == CARD  # the card is replaced by the current version
    card = answer["value"]
    assert "Nothing was approved: the draft changed" in texts(card)
    assert "A different reply, written later." in texts(card)
    current = office.draft(ref)
    assert button(card, "approve")["data"]["sha256"] == current.sha256 != old["sha256"]
    assert current.state is DraftState.AWAITING_SIGNOFF and not current.is_approved
    refused = office.app.repo.audit_entries(ref)[-1]
    assert (refused.actor, refused.action, refused.detail["why"]) == (
        "alex.morgan", "teams.action_refused", "draft changed")  # fmt: skip
    answer = office.press(ALEX, "approve", button(card, "approve")["data"])
    assert "Reply approved" in texts(answer["value"]) and office.draft(ref).is_approved


def test_request_changes_sends_the_draft_back_with_the_reason(office: SignoffOffice) -> None:
    ref = office.triage(DAMP, "damp.eml")
    card = office.say(f"approve {ref}", ALEX)  # typed: shows the card, decides nothing
    assert office.draft(ref).state is DraftState.AWAITING_SIGNOFF
    data = button(card, "reject")["data"]
    answer = office.press(ALEX, "reject", data | {"reason": "Mention the surgery on Friday."})
    assert "Sent back for changes." in texts(answer["value"])
    draft = office.draft(ref)
    assert draft.state is DraftState.REJECTED
    assert draft.rejection == "Mention the surgery on Friday."
    assert ("alex.morgan", "signoff.rejected") in office.actions(ref)
    assert office.actions(ref)[-1] == ("alex.morgan", "teams.reject")


def test_request_changes_without_a_reason_changes_nothing(office: SignoffOffice) -> None:
    ref = office.triage(DAMP, "damp.eml")
    data = button(office.say(f"approve {ref}", ALEX), "reject")["data"]
    answer = office.press(ALEX, "reject", data)
    assert answer["type"] == MESSAGE and "Say what should change" in answer["value"]
    assert office.draft(ref).state is DraftState.AWAITING_SIGNOFF


@pytest.mark.parametrize(("who", "member"), [(JO, "jo.price"), (PRIYA, "priya.shah"),
                                            (SAM, "sam.okafor")])  # fmt: skip
def test_only_the_mp_may_decide_whatever_the_card_data_says(
    office: SignoffOffice, who: str, member: str
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    data = button(office.say(f"approve {ref}", ALEX), "approve")["data"]
    forged = data | {"by": "alex.morgan", "role": "mp", "aadObjectId": ALEX}
    for verb in ("approve", "reject"):
        answer = office.press(who, verb, forged | {"reason": "no"})
        assert answer["type"] == MESSAGE
        assert answer["value"] == "Only the MP may approve a reply."
        refused = office.app.repo.audit_entries(ref)[-1]
        assert (refused.actor, refused.action, refused.detail["action"]) == (
            member, "teams.refused", verb)  # fmt: skip
    assert office.draft(ref).state is DraftState.AWAITING_SIGNOFF


def test_an_mp_role_member_who_is_not_the_approver_is_refused_by_the_reply_desk(
    office: SignoffOffice,
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    data = button(office.say(f"approve {ref}", ALEX), "approve")["data"]
    answer = office.press(LEE, "approve", data)
    assert answer["type"] == MESSAGE
    assert "'lee.chan' cannot approve this reply: sign-off is for alex.morgan" in answer["value"]
    assert office.draft(ref).state is DraftState.AWAITING_SIGNOFF
    assert office.actions(ref)[-1] == ("lee.chan", "teams.action_refused")


def test_an_unknown_user_cannot_approve_and_sees_nothing(office: SignoffOffice) -> None:
    ref = office.triage(DAMP, "damp.eml")
    data = button(office.say(f"approve {ref}", ALEX), "approve")["data"]
    answer = office.press(STRANGER, "approve", data)
    assert answer["type"] == MESSAGE and "does not know your account" in answer["value"]
    assert "CD-" not in answer["value"]
    assert office.draft(ref).state is DraftState.AWAITING_SIGNOFF
    card = office.say("approvals", STRANGER)
    assert "CD-" not in texts(card)


def test_action_submit_from_an_older_client_approves_too(office: SignoffOffice) -> None:
    ref = office.triage(DAMP, "damp.eml")
    data = button(office.say(f"approve {ref}", ALEX), "approve")["fallback"]["data"]
    card = office.say("", ALEX, value=data)  # Action.Submit: a message whose value is the data
    assert "Reply approved" in texts(card)
    assert office.draft(ref).is_approved


def test_message_back_with_text_is_read_by_its_value(office: SignoffOffice) -> None:
    """cards-actions.md "messageBack": the bot gets `text` and the card's `value`."""
    ref = office.triage(DAMP, "damp.eml")
    data = button(office.say(f"approve {ref}", ALEX), "reject")["data"]
    value = data | {"reason": "Say when the council will visit."}
    activity = message(office.fake.service_url, "", ALEX, value=value)
    activity["text"] = "Send back for changes"  # the messageBack's text
    before = len(office.fake.posted)
    assert office.post(activity)[0] == 200
    assert len(office.fake.posted) == before + 1
    assert "Sent back for changes." in texts(office.fake.posted[-1].card)
    assert office.draft(ref).rejection == "Say when the council will visit."


@pytest.mark.parametrize(
    ("verb", "extra"),
    [("approve", {}), ("reject", {"reason": "no"}), ("reviewDraft", {}), ("reassign", {})],
)
def test_an_unknown_user_gets_nothing_from_any_new_button(
    office: SignoffOffice, verb: str, extra: dict[str, str]
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    draft = office.draft(ref)
    data = {"ref": ref, "sha256": draft.sha256, "version": 1, "from": "priya.shah",
            "assignee": "jo.price", **extra}  # fmt: skip
    answer = office.press(STRANGER, verb, data)
    assert answer["type"] == MESSAGE and "does not know your account" in answer["value"]
    assert "CD-" not in answer["value"]
    assert office.draft(ref) == draft
    assert office.app.repo.get_case(ref).assignee == "priya.shah"


def test_reviewing_a_reply_is_for_the_mp_only(office: SignoffOffice) -> None:
    ref = office.triage(DAMP, "damp.eml")
    answer = office.press(JO, "reviewDraft", {"ref": ref})
    assert answer["type"] == MESSAGE and answer["value"] == "Only the MP may approve a reply."


def test_an_approve_without_a_version_shows_the_current_one_and_decides_nothing(
    office: SignoffOffice,
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    answer = office.press(ALEX, "approve", {"ref": ref})
    assert answer["type"] == CARD
    assert "Check the version below" in texts(answer["value"])
    assert office.draft(ref).state is DraftState.AWAITING_SIGNOFF


def test_case_card_shows_the_draft_version_and_a_long_reply_is_read_in_full_before_deciding(
    office: SignoffOffice,
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    draft = office.draft(ref)
    assert len(draft.body) > 600  # longer than the case card's preview
    mine = office.say(f"case {ref}", ALEX)
    assert "Draft reply · version 1 · waiting for the MP's sign-off" in texts(mine)
    assert not [a for a in actions_of(mine) if a.get("verb") in ("approve", "reject")]
    review = button(mine, "reviewDraft")
    answer = office.press(ALEX, "reviewDraft", review["data"])
    assert draft.body.strip().splitlines()[-1].strip() in texts(answer["value"])  # all of it
    assert button(answer["value"], "approve")["data"]["sha256"] == draft.sha256


def test_case_card_offers_the_decision_on_a_short_reply_and_only_to_the_mp(
    office: SignoffOffice,
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    office.desk.edit(ref, "Dear Ann,\n\nI have asked the council to inspect.\n", "priya.shah")
    mine = office.say(f"case {ref}", ALEX)
    assert button(mine, "approve")["data"] == {"action": "approve", "ref": ref, "version": 2,
                                               "sha256": office.draft(ref).sha256}  # fmt: skip
    answer = office.press(ALEX, "approve", button(mine, "approve")["data"])
    assert office.draft(ref).is_approved and "Reply approved" in texts(answer["value"])
    theirs = office.say(f"case {ref}", PRIYA)
    assert "version 2 · approved" in texts(theirs)  # the preview, without any decision
    assert not [
        a for a in actions_of(theirs) if a.get("verb") in ("approve", "reject", "reviewDraft")
    ]


def test_approvals_lists_the_replies_waiting_for_the_mp(office: SignoffOffice) -> None:
    first = office.triage(DAMP, "damp.eml")
    second = office.triage(DAMP_AGAIN, "again.eml")
    card = office.say("approvals", ALEX)
    assert card["body"][0]["text"] == "Waiting for your sign-off (2)"
    reviews = [a["data"]["ref"] for a in actions_of(card) if a.get("verb") == "reviewDraft"]
    assert reviews == [first, second]
    answer = office.press(ALEX, "reviewDraft", {"ref": second})
    assert answer["value"]["body"][0]["text"] == f"Sign-off needed: {second}"
    refused = office.say("approvals", JO)
    assert "Only the MP may approve a reply." in texts(refused)


# --- handover ------------------------------------------------------------------------------


def handover_text(who: str, to: str | None = None) -> str:
    """As Teams sends it: other people's @mentions as <at> runs (channel-and-group docs)."""
    return f"handover <at>{who}</at>" + (f" to <at>{to}</at>" if to else "")


def test_handover_shows_the_persons_open_cases_with_one_click_reassignment(
    office: SignoffOffice,
) -> None:
    first = office.triage(DAMP, "damp.eml")
    second = office.triage(DAMP_AGAIN, "again.eml")
    card = office.say(handover_text("Priya Shah", "Sam Okafor"), JO)
    assert card["body"][0]["text"] == "Handover: Priya Shah"
    assert "2 open case(s)" in texts(card) and "One click reassigns" in texts(card)
    assert first in texts(card) and second in texts(card)
    assert "Next step: overdue since" in texts(card)  # from core/handover.py
    clicks = [a for a in actions_of(card) if a.get("verb") == "reassign" and a["title"] ==
              "Reassign to Sam Okafor"]  # fmt: skip
    assert [c["data"] for c in clicks] == [
        {"action": "reassign", "ref": ref, "from": "priya.shah", "assignee": "sam.okafor"}
        for ref in (first, second)
    ]
    shown = office.app.repo.audit_entries()[-1]
    assert (shown.actor, shown.action, shown.object_ref) == (
        "jo.price", "teams.handover_shown", "handover:priya.shah")  # fmt: skip


def test_one_click_reassigns_the_case_and_refreshes_the_handover(office: SignoffOffice) -> None:
    first = office.triage(DAMP, "damp.eml")
    second = office.triage(DAMP_AGAIN, "again.eml")
    card = office.say(handover_text("Priya Shah", "Sam Okafor"), JO)
    click = next(a for a in actions_of(card) if a.get("verb") == "reassign" and
                 a["data"]["ref"] == first and "assignee" in a["data"])  # fmt: skip
    answer = office.press(JO, "reassign", click["data"])
    assert office.app.repo.get_case(first).assignee == "sam.okafor"
    assert office.app.repo.get_case(second).assignee == "priya.shah"
    refreshed = answer["value"]
    assert f"{first} reassigned to Sam Okafor." in texts(refreshed)
    assert "1 open case(s)" in texts(refreshed) and "Reassign to Sam Okafor" in texts(refreshed)
    assert office.actions(first)[-1] == ("jo.price", "teams.reassign")
    assigned = [e for e in office.app.repo.audit_entries(first) if e.action == "case.assigned"]
    assert assigned[-1].actor == "jo.price"
    assert assigned[-1].detail["reason"] == "handover from priya.shah"
    again = office.press(JO, "reassign", click["data"])  # the stale card's button
    assert again["type"] == MESSAGE and "is no longer with priya.shah" in again["value"]


def test_the_chooser_reassigns_to_whoever_was_picked(office: SignoffOffice) -> None:
    ref = office.triage(DAMP, "damp.eml")
    card = office.say(handover_text("Priya Shah"), JO)
    chooser = next(b for b in texts_blocks(card) if b.get("id") == f"to_{ref}")
    assert {c["value"] for c in chooser["choices"]} == {"alex.morgan", "lee.chan", "jo.price",
                                                       "sam.okafor"}  # fmt: skip
    office.press(JO, "reassign", {"ref": ref, "from": "priya.shah", f"to_{ref}": "jo.price"})
    assert office.app.repo.get_case(ref).assignee == "jo.price"


def test_a_caseworker_hands_over_only_their_own_cases(office: SignoffOffice) -> None:
    ref = office.triage(DAMP, "damp.eml")
    own = office.say("handover me", PRIYA)
    assert own["body"][0]["text"] == "Handover: Priya Shah" and ref in texts(own)
    office.press(PRIYA, "reassign", {"ref": ref, "from": "priya.shah", "assignee": "jo.price"})
    assert office.app.repo.get_case(ref).assignee == "jo.price"
    refused = office.say(handover_text("Jo Price"), PRIYA)
    assert "Only the office manager may hand cases over for someone else" in texts(refused)
    # Card data naming Priya as the holder does not make Jo's case hers to move.
    answer = office.press(PRIYA, "reassign",
                          {"ref": ref, "from": "priya.shah", "assignee": "priya.shah"})  # fmt: skip
    assert answer["type"] == MESSAGE and "Only the office manager" in answer["value"]
    assert office.app.repo.get_case(ref).assignee == "jo.price"
    last = office.app.repo.audit_entries(ref)[-1]
    assert (last.actor, last.action, last.detail["action"]) == (
        "priya.shah", "teams.refused", "reassign")  # fmt: skip


def test_the_safety_lead_may_not_hand_over_someone_elses_cases(office: SignoffOffice) -> None:
    office.triage(DAMP, "damp.eml")
    card = office.say(handover_text("Priya Shah"), SAM)
    assert "Only the office manager may hand cases over" in texts(card)
    assert "CD-" not in texts(card)


def test_handover_for_an_unknown_user_or_person_is_refused(office: SignoffOffice) -> None:
    office.triage(DAMP, "damp.eml")
    card = office.say(handover_text("Priya Shah"), STRANGER)
    assert "does not know your account" in texts(card) and "CD-" not in texts(card)
    card = office.say(handover_text("Nobody Here"), JO)
    assert "is not in the office's people list" in texts(card)


def texts_blocks(card: Any) -> list[dict[str, Any]]:
    """Every object in the card (inputs inside show-cards included)."""
    found: list[dict[str, Any]] = []
    if isinstance(card, dict):
        found.append(card)
        for value in card.values():
            found += texts_blocks(value)
    elif isinstance(card, list):
        for item in card:
            found += texts_blocks(item)
    return found
