"""The Teams bot over real HTTP: Teams activity JSON in, Adaptive Cards out.

Activities are shaped as in Microsoft's Teams docs (bots/how-to/conversations:
conversation-messages.md "Receive a message", channel-and-group-conversations.md "Work with
mentions", subscribe-to-conversation-events.md "Team members added" / installationUpdate)
and the Universal Actions `adaptiveCard/action` invoke
(adaptive-cards/authoring-cards/universal-action-model.md "Request format"). Every request
carries a token signed by tests/botfake's key; replies are caught by its Bot Connector.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from botfake import BotFake
from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App, build_app
from casedesk.bootstrap_teams import build_bot, embedded_drafts
from casedesk.core.models import CaseFlag, Category, RawMessage
from casedesk.entrypoints.bot import BotService, handle_bot_messages
from casedesk.entrypoints.http_server import RouteTable, make_server
from casedesk.settings import load_settings
from mailmaker import mail

APP_ID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = f"28:{APP_ID}"
JO = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"  # office manager
PRIYA = "520e4d1e-2108-43ee-a092-46a9507c6200"  # caseworker
SAM = "976e4d1e-2108-43ee-a092-46a9507c5606"  # safety lead
ALEX = "c33aafc4-646d-4543-9d4c-abd28e4d2110"  # the MP
STRANGER = "0b8e6f55-2f3c-4d6a-9f7e-1d2c3b4a5f60"  # a tenant account not in the office
CHANNEL = "19:efa9296d959346209fea44151c742e73@thread.tacv2"
CONNECTOR_TOKEN = "bot-connector-token"

RULES = f"""version: 1
people:
  - {{id: alex.morgan, name: Alex Morgan MP, role: mp, entra_id: {ALEX}}}
  - {{id: jo.price, name: Jo Price, role: office_manager, entra_id: {JO}, email: jo.price@parliament.example}}
  - {{id: sam.okafor, name: Sam Okafor, role: safety_lead, entra_id: {SAM}}}
  - {{id: priya.shah, name: Priya Shah, role: caseworker, entra_id: "{PRIYA.upper()}"}}
rules:
  - name: housing
    when: {{category: casework, topic: housing}}
    then: {{assign: {{person: priya.shah}}, sla_hours: 8}}
  - name: everything-else
    default: true
    then: {{priority: low}}
"""

DAMP = mail(
    "Dear Alex,\n\nMy landlord will not fix the damp and mould in my flat. My children keep "
    "getting ill. Can you help?\n\nAnn Lee\nCB1 2AD\n",
    sender="Ann Lee <ann.lee@example.org>",
    subject="Damp and mould in my flat",
    message_id="<damp@example.org>",
    date=datetime(2026, 11, 16, 9, 30, tzinfo=UTC),
)
DAMP_AGAIN = mail(
    "Dear Alex,\n\nThe council has still not inspected the repairs to my flat. Please help.\n\n"
    "Ann Lee\n",
    sender="Ann Lee <ann.lee@example.org>",
    subject="Council repairs inspection",
    message_id="<repairs@example.org>",
    date=datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
)
THREAT = mail(
    "You are a disgrace. I know where you live and I will hurt you.",
    sender="anon@example.com",
    subject="you",
    message_id="<threat@example.org>",
    date=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
)


@dataclass
class Office:
    app: App
    fake: BotFake
    service: BotService
    url: str
    clock: FixedClock

    def triage(self, data: bytes, name: str, received: datetime | None = None) -> str:
        """Filed as received on Monday 16 November unless said otherwise, so SLA deadlines
        have passed by now."""
        received = received or datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
        result = self.app.triage.triage_one(RawMessage(name, data, received))
        assert result.case_ref
        return result.case_ref

    def post(self, activity: dict[str, Any], token: str | None = "valid") -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token == "valid":
            token = self.fake.token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"{self.url}/api/messages",
            data=json.dumps(activity).encode(),
            method="POST",
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body = response.read()
                return response.status, json.loads(body) if body else None
        except urllib.error.HTTPError as err:
            body = err.read()
            return err.code, body

    def say(self, text: str, who: str, **kw: Any) -> dict[str, Any]:
        """Send a message and return the card the bot replied with."""
        before = len(self.fake.posted)
        status, _ = self.post(message(self.fake.service_url, text, who, **kw))
        assert status == 200
        assert len(self.fake.posted) == before + 1, "the bot should reply exactly once"
        return self.fake.posted[-1].card


def message(
    service_url: str,
    text: str,
    aad: str,
    channel: bool = False,
    value: dict[str, Any] | None = None,
    activity_id: str = "1485983408511",
) -> dict[str, Any]:
    """conversation-messages.md "Receive a message" (personal) or a channel @mention."""
    activity: dict[str, Any] = {
        "type": "message",
        "id": activity_id,
        "timestamp": "2026-11-23T09:00:07.437Z",
        "localTimestamp": "2026-11-23T09:00:07.437+00:00",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {
            "id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
            "name": "Office member",
            "aadObjectId": aad,
        },
        "conversation": {
            "conversationType": "personal",
            "tenantId": TENANT,
            "id": f"a:17I0kl9EkpE1O9PH5TWrzrLNwnWWcfrU7QZjKR0WSfOpzbfcAg2IaydGElSo10tVr4C7Fc6GtieTJX663WuJCc1uA83n4CSrHSgGBj5XNYLcVlJAs2ZX8DbYBPck201w-{aad[:8]}",
        },
        "recipient": {"id": BOT, "name": "CaseDesk"},
        "textFormat": "plain",
        "text": text,
        "entities": [
            {
                "locale": "en-GB",
                "country": "GB",
                "platform": "Windows",
                "timezone": "Europe/London",
                "type": "clientInfo",
            }
        ],
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }
    if channel:
        activity["conversation"] = {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": TENANT,
            "id": f"{CHANNEL};messageid={activity_id}",
        }
        activity["text"] = f"<at>CaseDesk</at> {text}"
        activity["entities"].append(
            {
                "type": "mention",
                "mentioned": {"id": BOT, "name": "CaseDesk"},
                "text": "<at>CaseDesk</at>",
            }
        )
        activity["channelData"] = {
            "teamsChannelId": CHANNEL,
            "teamsTeamId": CHANNEL,
            "channel": {"id": CHANNEL},
            "team": {"id": CHANNEL},
            "tenant": {"id": TENANT},
        }
    if value is not None:
        activity["value"] = value
        activity["text"] = ""
    return activity


def invoke(
    service_url: str, aad: str, verb: str, data: dict[str, Any], channel: bool = False
) -> dict[str, Any]:
    """universal-action-model.md "Request format": an Action.Execute press."""
    activity = message(service_url, "", aad, channel=channel)
    activity.pop("text")
    activity.pop("textFormat")
    activity["entities"] = activity["entities"][:1]
    activity.update(
        {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "id": "f:invoke-1",
            "value": {
                "action": {"type": "Action.Execute", "id": "button-1", "verb": verb, "data": data},
                "trigger": "manual",
            },
        }
    )
    return activity


def team_added(service_url: str, aad: str) -> dict[str, Any]:
    """subscribe-to-conversation-events.md: the bot added to a team."""
    return {
        "membersAdded": [{"id": BOT}],
        "type": "conversationUpdate",
        "timestamp": "2026-11-23T09:01:35.312Z",
        "id": "f:5f85c2ad",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {
            "id": "29:1I9Is_Sx0OIy2rQ7Xz1lcaPKlO9eqmBRTBuW6XzkFtcjqxTjPaCMij8BVMdBcL9L_RwWNJyAHFQb0TRzXgyQvA",
            "aadObjectId": aad,
        },
        "conversation": {"isGroup": True, "conversationType": "channel", "id": CHANNEL},
        "recipient": {"id": BOT, "name": "CaseDesk"},
        "channelData": {
            "team": {"id": CHANNEL},
            "eventType": "teamMemberAdded",
            "tenant": {"id": TENANT},
        },
    }


def texts(card: dict[str, Any]) -> str:
    """Every string in the card, for 'does it say / not say' checks."""
    return json.dumps(card, ensure_ascii=False)


def actions_of(card: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(card, dict):
        if str(card.get("type", "")).startswith("Action."):
            found.append(card)
        for value in card.values():
            found += actions_of(value)
    elif isinstance(card, list):
        for item in card:
            found += actions_of(item)
    return found


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # a Monday, 09:00 in London
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    settings = load_settings(
        {"data_dir": tmp_path / "data", "safety_lead": "sam.okafor", "rules_file": rules},
        environ={},
    )
    app = build_app(settings, clock)
    with BotFake(APP_ID, clock.now, accept_token=lambda t: t == CONNECTOR_TOKEN) as fake:
        bot_settings = settings.model_copy(
            update={
                "bot_app_id": APP_ID,
                "bot_tenant_id": TENANT,
                "bot_openid_metadata_url": fake.metadata_url,
            }
        )
        service = build_bot(
            bot_settings, app.repo, app.ops, app.clock, app.triage.rules,
            drafts=embedded_drafts(settings.data_dir), token=lambda: CONNECTOR_TOKEN,
        )  # fmt: skip
        app.triage.notifier = service.notifier
        table = RouteTable()
        table.add_with_headers(
            "POST", "/api/messages", lambda q, b, h: handle_bot_messages(h, b, service)
        )
        httpd = make_server("127.0.0.1", 0, table)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            yield Office(app, fake, service, f"http://127.0.0.1:{httpd.server_port}", clock)
        finally:
            httpd.shutdown()
            httpd.server_close()
            service.close()
            app.close()


# --- commands ------------------------------------------------------------------------------


def test_my_queue_in_personal_chat_replies_to_the_message_with_the_members_cases(
    office: Office,
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    card = office.say("my queue", PRIYA)
    posted = office.fake.posted[-1]
    assert posted.reply_to_id == "1485983408511"
    assert posted.headers["authorization"] == f"Bearer {CONNECTOR_TOKEN}"
    assert posted.activity["type"] == "message"
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["body"][0]["text"] == "Your queue (1)"
    opens = [a for a in actions_of(card) if a["type"] == "Action.Execute"]
    assert opens[0]["verb"] == "openCase" and opens[0]["data"] == {"action": "openCase", "ref": ref}
    assert opens[0]["fallback"]["type"] == "Action.Submit"
    assert "Damp and mould in my flat" in texts(card)


def test_channel_mention_is_stripped_before_the_command_is_read(office: Office) -> None:
    office.triage(mail("I think the government should change the law on tax.",
                       message_id="<p@example.org>", subject="Tax law", sender="b@example.org"), "p.eml")  # fmt: skip
    card = office.say("unassigned", JO, channel=True)
    assert card["body"][0]["text"] == "Unassigned (1)"
    assert office.fake.posted[-1].conversation_id.startswith(CHANNEL)


def test_overdue_lists_cases_past_their_due_time(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    assert office.app.repo.get_case(ref).due_at is not None
    card = office.say("overdue", JO)
    assert card["body"][0]["text"] == "Overdue (1)"
    assert ref in texts(card) and "overdue" in texts(card)


def test_case_card_shows_summary_category_history_draft_and_actions(office: Office) -> None:
    first = office.triage(DAMP, "damp.eml")
    second = office.triage(DAMP_AGAIN, "again.eml")
    card = office.say(f"case {first.lower()}", PRIYA)
    body = texts(card)
    assert first in body and "casework" in body and "housing" in body
    assert "landlord will not fix the damp" in body  # the summary
    assert "Thank you" in body or "Dear Ann" in body  # the draft preview from the case folder
    assert second in body  # the constituent's other case
    verbs = {a.get("verb") for a in actions_of(card)}
    assert {"changeCategory", "note", "close"} <= verbs
    assert "assign" not in verbs  # a caseworker does not assign
    summary = next(
        b for b in card["body"] if b["type"] == "RichTextBlock" and "landlord" in texts(b)
    )
    assert summary["inlines"][0]["type"] == "TextRun"  # constituent text is never markdown


def test_search_finds_cases_by_their_words(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    card = office.say("search mould", JO)
    assert card["body"][0]["text"] == "Search results (1)" and ref in texts(card)
    assert office.say("search nothing-like-this", JO)["body"][0]["text"] == "Search results (0)"


def test_help_lists_the_commands(office: Office) -> None:
    card = office.say("help", PRIYA)
    titles = [f["title"] for f in card["body"][2]["facts"]]
    assert "my queue" in titles and "overdue" in titles and "help" in titles
    assert "Priya Shah (caseworker)" in texts(card)


def test_change_category_command_corrects_the_case_and_audits_who(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    card = office.say(f"change category {ref} policy", PRIYA)
    assert office.app.repo.get_case(ref).category is Category.POLICY
    assert "Category changed from casework to policy." in texts(card)
    corrected = [e for e in office.app.repo.audit_entries(ref) if e.action == "case.corrected"]
    assert corrected[-1].actor == "priya.shah"
    assert corrected[-1].detail["to_category"] == "policy"


def test_unknown_words_get_help_not_an_error(office: Office) -> None:
    card = office.say("please make me a sandwich", PRIYA)
    assert "did not understand" in texts(card)


# --- card actions --------------------------------------------------------------------------


def test_open_button_answers_the_invoke_with_the_case_card(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    before = len(office.fake.posted)
    status, body = office.post(
        invoke(office.fake.service_url, PRIYA, "openCase", {"action": "openCase", "ref": ref})
    )
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["type"] == "AdaptiveCard" and ref in texts(body["value"])
    assert len(office.fake.posted) == before  # an invoke is answered in the HTTP response


def test_change_category_button_is_rechecked_on_the_server(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    status, body = office.post(
        invoke(
            office.fake.service_url,
            JO,
            "changeCategory",
            {"action": "changeCategory", "ref": ref, "category": "campaign"},
        )
    )
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert office.app.repo.get_case(ref).category is Category.CAMPAIGN
    assert "Category changed from casework to campaign." in texts(body["value"])


def test_card_data_claiming_a_role_is_ignored(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    forged = {"action": "assign", "ref": ref, "assignee": "priya.shah",
              "by": "jo.price", "role": "office_manager", "aadObjectId": JO}  # fmt: skip
    status, body = office.post(invoke(office.fake.service_url, PRIYA, "assign", forged))
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == "Only the office manager and the safety lead may assign cases."
    refused = office.app.repo.audit_entries(ref)[-1]
    assert (refused.actor, refused.action, refused.detail["action"]) == (
        "priya.shah",
        "teams.refused",
        "assign",
    )


def test_a_caseworker_cannot_recategorise_abusive_mail(office: Office) -> None:
    ref = office.triage(THREAT, "threat.eml")
    status, body = office.post(
        invoke(
            office.fake.service_url,
            PRIYA,
            "changeCategory",
            {"action": "changeCategory", "ref": ref, "category": "casework"},
        )
    )
    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    assert "abusive or threatening" in body["value"]
    assert office.app.repo.get_case(ref).category is Category.ABUSE


def test_the_mp_may_not_change_categories(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    card = office.say(f"change category {ref} policy", ALEX)
    assert "Only caseworkers, the office manager and the safety lead may change" in texts(card)
    assert office.app.repo.get_case(ref).category is Category.CASEWORK


@pytest.mark.parametrize(
    ("verb", "data"),
    [
        ("claim", {}),
        ("assign", {"assignee": "priya.shah"}),
        ("close", {"reason": "resolved by the council"}),
        ("note", {"note": "Rang the council"}),
    ],
)
def test_casework_actions_go_through_the_casework_core_and_are_audited(
    office: Office, verb: str, data: dict[str, str]
) -> None:
    ref = office.triage(DAMP, "damp.eml")
    status, _ = office.post(
        invoke(office.fake.service_url, JO, verb, {"action": verb, "ref": ref, **data})
    )
    assert status == 200
    case = office.app.repo.get_case(ref)
    if verb == "claim":
        assert case.assignee == "jo.price"
    elif verb == "assign":
        assert case.assignee == "priya.shah"
    elif verb == "close":
        assert case.status.value == "closed"
    else:
        assert [n.text for n in office.app.repo.notes(ref)] == ["Rang the council"]
    done = [e for e in office.app.repo.audit_entries(ref) if e.actor == "jo.price"]
    assert (
        done[-1].action == f"teams.{verb}"
    )  # after the core's own entry, when it changed anything


def test_only_the_mp_may_approve_and_a_refusal_changes_nothing(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    before = office.app.repo.get_case(ref)
    status, body = office.post(
        invoke(office.fake.service_url, JO, "approve", {"action": "approve", "ref": ref})
    )
    assert status == 200
    assert body["value"] == "Only the MP may approve a reply."
    assert office.app.repo.get_case(ref) == before


def test_a_refusal_from_the_casework_core_is_shown_not_raised(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    close = {"action": "close", "ref": ref, "reason": "done"}
    assert office.post(invoke(office.fake.service_url, JO, "close", close))[0] == 200
    status, body = office.post(
        invoke(office.fake.service_url, JO, "claim", {"action": "claim", "ref": ref})
    )
    assert status == 200 and "closed" in body["value"]
    # The bot's own policy or the casework core refuses; either way it is shown and audited.
    assert office.app.repo.audit_entries(ref)[-1].action in {
        "teams.refused",
        "teams.action_refused",
    }


def test_action_submit_from_an_older_client_is_handled_like_execute(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    card = office.say("", PRIYA, value={"action": "openCase", "ref": ref})
    assert card["body"][0]["text"] == ref


def test_approve_is_only_for_the_mp(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    _status, body = office.post(
        invoke(office.fake.service_url, JO, "approve", {"action": "approve", "ref": ref})
    )
    assert body["value"] == "Only the MP may approve a reply."


# --- who may see what ----------------------------------------------------------------------


def test_unknown_user_is_refused_politely_with_no_data(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    card = office.say("my queue", STRANGER)
    assert "does not know your account" in texts(card)
    assert "CD-" not in texts(card) and "Damp" not in texts(card)
    _status, body = office.post(
        invoke(office.fake.service_url, STRANGER, "openCase", {"action": "openCase", "ref": ref})
    )
    assert (
        body["type"] == "application/vnd.microsoft.activity.message" and "CD-" not in body["value"]
    )
    refused = [e for e in office.app.repo.audit_entries() if e.action == "teams.refused"]
    assert refused and refused[-1].actor == "teams:unknown-user"
    assert refused[-1].detail["entra_id"] == STRANGER


def test_abusive_text_is_hidden_behind_show_for_the_safety_lead(office: Office) -> None:
    ref = office.triage(THREAT, "threat.eml")
    card = office.say(f"case {ref}", SAM)
    hidden = next(b for b in card["body"] if b.get("id") == "casedesk-hidden-text")
    assert hidden["isVisible"] is False and "I will hurt you" in texts(hidden)
    toggles = [a for a in actions_of(card) if a["type"] == "Action.ToggleVisibility"]
    assert toggles[0]["targetElements"] == ["casedesk-hidden-text"]
    shown = [b for b in card["body"] if b.get("id") != "casedesk-hidden-text"]
    assert "hurt you" not in texts(shown)  # nowhere else on the card


def test_abusive_text_never_reaches_a_caseworker_or_a_channel(office: Office) -> None:
    ref = office.triage(THREAT, "threat.eml")
    for card in (office.say(f"case {ref}", PRIYA), office.say(f"case {ref}", JO, channel=True)):
        assert "hurt you" not in texts(card) and "casedesk-hidden-text" not in texts(card)
        assert "abusive or threatening" in texts(card)
    queue = office.say("overdue", JO)  # lists hide abusive subjects for everyone
    assert '"you"' not in texts(queue)


def test_actions_are_audited_with_the_member_as_actor(office: Office) -> None:
    ref = office.triage(DAMP, "damp.eml")
    office.say(f"case {ref}", PRIYA)
    office.say("my queue", PRIYA)
    entries = office.app.repo.audit_entries()
    viewed = [e for e in entries if e.action == "teams.viewed_case"]
    listed = [e for e in entries if e.action == "teams.listed"]
    assert viewed[-1].actor == "priya.shah" and viewed[-1].object_ref == ref
    assert listed[-1].actor == "priya.shah" and listed[-1].object_ref == "teams:my_queue"


# --- proactive -----------------------------------------------------------------------------


def test_bot_added_to_a_team_by_the_office_manager_keeps_the_channel(office: Office) -> None:
    status, _ = office.post(team_added(office.fake.service_url, JO))
    assert status == 200
    channels = list(office.service.bot.references.channels())
    assert [c.conversation_id for c in channels] == [CHANNEL]
    assert "daily digest" in texts(office.fake.posted[-1].card)


def test_bot_added_to_a_team_by_someone_else_keeps_nothing(office: Office) -> None:
    office.post(team_added(office.fake.service_url, PRIYA))
    assert list(office.service.bot.references.channels()) == []
    assert "will not post digests here" in texts(office.fake.posted[-1].card)


def test_threat_alert_goes_to_the_safety_lead_once(office: Office) -> None:
    office.say("help", SAM)  # the safety lead's personal chat is now known
    sam_chat = office.fake.posted[-1].conversation_id
    before = len(office.fake.posted)
    ref = office.triage(THREAT, "threat.eml")
    assert CaseFlag.THREAT in office.app.repo.get_case(ref).flags
    alerts = office.fake.posted[before:]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.conversation_id == sam_chat and alert.reply_to_id is None
    assert alert.activity["from"] == {"id": BOT}
    assert alert.activity["summary"] == f"Threat filed: {ref}"
    hidden = next(b for b in alert.card["body"] if b.get("id") == "casedesk-hidden-text")
    assert hidden["isVisible"] is False
    office.app.triage.triage_one(RawMessage("again.eml", THREAT, office.clock.now()))  # duplicate
    assert len(office.fake.posted) == before + 1
    sent = [e for e in office.app.repo.audit_entries(ref) if e.action == "teams.threat_alert_sent"]
    assert sent[0].detail == {"to": "sam.okafor"}


def test_threat_alert_waits_when_the_safety_lead_has_no_chat_and_never_blocks_filing(
    office: Office,
) -> None:
    ref = office.triage(THREAT, "threat.eml")
    assert office.app.repo.get_case(ref).category is Category.ABUSE  # filed all the same
    assert office.fake.posted == []
    office.say("help", SAM)
    office.app.triage.triage_one(RawMessage("retry.eml", THREAT, office.clock.now()))
    assert office.fake.posted[-1].activity["summary"] == f"Threat filed: {ref}"


def test_daily_digest_per_person_and_for_the_office_channel(office: Office) -> None:
    office.triage(mail("My landlord has not fixed the damp for months. CB1 2AD",
                       message_id="<d2@example.org>", sender="c@example.org", subject="Damp again",
                       date=datetime(2026, 11, 23, 7, 0, tzinfo=UTC)), "d2.eml",
                  received=office.clock.now())  # fmt: skip
    office.triage(DAMP, "damp.eml")  # overdue by now
    office.say("help", PRIYA)
    office.post(team_added(office.fake.service_url, JO))
    before = len(office.fake.posted)
    run = office.service.notifier.send_digests()
    assert run.sent_to_members == ["priya.shah"] and run.sent_to_channels == 1
    assert sorted(run.unreachable) == ["alex.morgan", "jo.price", "sam.okafor"]
    personal, channel = office.fake.posted[before:]
    assert personal.card["body"][0]["text"] == "CaseDesk digest for you"
    assert channel.conversation_id == CHANNEL
    assert channel.card["body"][0]["text"] == "CaseDesk digest for the office"
    facts = {f["title"]: f["value"] for f in channel.card["body"][2]["facts"]}
    assert facts == {"New in the last day": "1", "Open": "2", "Overdue": "1"}
    image = next(b for b in channel.card["body"] if b["type"] == "Image")
    assert base64.b64decode(image["url"].split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    assert office.service.notifier.send_digests().skipped == "not due"  # once a day
    office.clock.advance(timedelta(days=1))
    assert office.service.notifier.send_digests().skipped is None


# --- authentication ------------------------------------------------------------------------


def _forged(office: Office, how: str) -> tuple[str | None, dict[str, Any]]:
    fake, now = office.fake, office.clock.now()
    activity = message(fake.service_url, "my queue", JO)
    header = (
        base64.urlsafe_b64encode(
            json.dumps({"alg": "none", "typ": "JWT", "kid": "casedesk-test-signing-key"}).encode()
        )
        .decode()
        .rstrip("=")
    )
    payload = base64.urlsafe_b64encode(json.dumps(fake.claims()).encode()).decode().rstrip("=")
    tokens: dict[str, str | None] = {
        "no header": None,
        "unsigned": f"{header}.{payload}.",
        "garbage": "not-a-jwt",
        "expired": fake.token(exp=int((now - timedelta(minutes=6)).timestamp())),
        "not yet valid": fake.token(nbf=int((now + timedelta(minutes=6)).timestamp())),
        "wrong audience": fake.token(aud="11111111-2222-3333-4444-555555555555"),
        "wrong issuer": fake.token(
            iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
        ),
        "wrong key": fake.sign(fake.claims(), key=fake.rogue_key),
        "unknown key id": fake.sign(fake.claims(), key=fake.rogue_key, kid="someone-elses-key"),
        "serviceUrl mismatch": fake.token(serviceurl="https://smba.trafficmanager.net/emea/"),
        "no serviceurl claim": fake.token(serviceurl=None),
        "no expiry": fake.token(exp=None),
        "HS256 with the public key": None,
    }
    if how == "activity serviceUrl changed":
        activity["serviceUrl"] = "https://attacker.example/"
        return fake.token(), activity
    if how == "HS256 with the public key":
        from jwt.algorithms import RSAAlgorithm  # the classic key-confusion attack

        public = json.dumps(RSAAlgorithm.to_jwk(fake.key.public_key()))
        return fake.sign(fake.claims(), key=public.encode(), algorithm="HS256"), activity  # type: ignore[arg-type]
    return tokens[how], activity


@pytest.mark.parametrize(
    "how",
    [
        "no header", "unsigned", "garbage", "expired", "not yet valid", "wrong audience",
        "wrong issuer", "wrong key", "unknown key id", "serviceUrl mismatch",
        "no serviceurl claim", "no expiry", "activity serviceUrl changed", "HS256 with the public key",
    ],
)  # fmt: skip
def test_requests_not_from_the_bot_framework_get_401_and_no_data(office: Office, how: str) -> None:
    office.triage(DAMP, "damp.eml")
    token, activity = _forged(office, how)
    audit_before = len(office.app.repo.audit_entries())
    status, body = office.post(activity, token=token)
    assert status == 401
    assert body == b""
    assert office.fake.posted == []  # nothing was sent anywhere
    assert len(office.app.repo.audit_entries()) == audit_before  # nothing was done


def test_tokens_within_the_five_minute_skew_are_accepted(office: Office) -> None:
    now = office.clock.now()
    token = office.fake.token(exp=int((now - timedelta(minutes=4)).timestamp()))
    status, _ = office.post(message(office.fake.service_url, "help", JO), token=token)
    assert status == 200 and len(office.fake.posted) == 1


def test_a_key_not_endorsed_for_the_channel_gets_403(office: Office) -> None:
    activity = message(office.fake.service_url, "help", JO)
    activity["channelId"] = "webchat"
    status, body = office.post(activity)
    assert (status, body) == (403, b"")


def test_activities_from_another_tenant_get_403(office: Office) -> None:
    activity = message(office.fake.service_url, "help", JO)
    activity["conversation"]["tenantId"] = "00000000-0000-0000-0000-000000000001"
    status, _ = office.post(activity)
    assert status == 403 and office.fake.posted == []


def test_signing_keys_are_fetched_once_and_cached(office: Office) -> None:
    for _ in range(3):
        office.say("help", JO)
    assert office.fake.metadata_requests == 1


def test_constituent_text_is_never_logged(office: Office, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    ref = office.triage(DAMP, "damp.eml")
    office.say(f"case {ref}", PRIYA)
    office.say("search mould", PRIYA)
    office.post(
        invoke(office.fake.service_url, PRIYA, "openCase", {"action": "openCase", "ref": ref})
    )
    logged = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    assert "landlord" not in logged and "mould" not in logged and "Ann Lee" not in logged


def test_the_sweeps_pending_notifications_reach_people_with_a_chat(office: Office) -> None:
    """The SLA sweep (core/sweep.py on the SLA branch) leaves notifications in ops state,
    one key each, JSON {to, kind, case_ref, about, due_at, created_at}; the bot delivers
    them and removes each delivered one."""
    ref = office.triage(DAMP, "damp.eml")
    due = office.app.repo.get_case(ref).due_at
    assert due is not None
    for who, kind in (("priya.shah", "case.overdue"), ("jo.price", "case.escalated_to_you")):
        record = {"to": who, "kind": kind, "case_ref": ref, "about": ref,
                  "due_at": due.isoformat(), "created_at": office.clock.now().isoformat()}  # fmt: skip
        office.app.ops.put("notifications.pending", f"{ref}|{kind}|{due.isoformat()}|{who}",
                           json.dumps(record, sort_keys=True))  # fmt: skip
    office.say("help", PRIYA)
    before = len(office.fake.posted)
    assert office.service.notifier.deliver_pending() == (1, 1)
    [sent] = office.fake.posted[before:]
    assert sent.card["body"][0]["text"] == f"Overdue: {ref}"
    assert [a["verb"] for a in actions_of(sent.card) if a["type"] == "Action.Execute"] == [
        "openCase"
    ]
    left = [k for k, _ in office.app.ops.items("notifications.pending")]
    assert left == [f"{ref}|case.escalated_to_you|{due.isoformat()}|jo.price"]
    audit = office.app.repo.audit_entries(ref)[-1]
    assert (audit.action, audit.detail["to"]) == ("teams.notification_sent", "priya.shah")
