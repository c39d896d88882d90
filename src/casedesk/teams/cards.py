"""Adaptive Cards (schema 1.5, as Teams renders it) for the bot's replies. Pure JSON builders.

Elements and properties used are from the Adaptive Cards schema explorer
(https://adaptivecards.io/explorer/): TextBlock, RichTextBlock/TextRun, FactSet, Container,
ColumnSet/Column, Image, ActionSet, Input.ChoiceSet, Input.Text, Action.Execute (1.4,
Universal Actions, with an Action.Submit fallback for older Teams clients),
Action.ShowCard and Action.ToggleVisibility.

Text that came from constituents (subjects, summaries, drafts) is put in TextRuns, which
are not read as markdown, so a link or formatting in a letter cannot dress itself up as
CaseDesk's own. Abusive or threatening text sits in a hidden container that only a
"Show" button opens, and only for roles that may read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from casedesk.core.digest import LONDON, Digest
from casedesk.core.models import Case, Category
from casedesk.core.permissions import Permission, is_abusive, who_may
from casedesk.core.replies import ReplyDraft
from casedesk.core.roster import Member

Json = dict[str, Any]
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
HIDDEN_TEXT_ID = "casedesk-hidden-text"
MAX_ROWS = 15
MAX_UNTRUSTED = 600


# --- building blocks ---------------------------------------------------------------------


def card(body: Iterable[Json]) -> Json:
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": list(body)}


def text(value: str, **style: Any) -> Json:
    """CaseDesk's own words (markdown subset allowed); never constituent text."""
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def untrusted(value: str, limit: int = MAX_UNTRUSTED, **style: Any) -> Json:
    """Constituent text, shown literally (TextRun is not read as markdown) and cut short."""
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": value, **style}]}


def facts(pairs: Iterable[tuple[str, str]]) -> Json:
    return {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in pairs]}


def execute(title: str, verb: str, data: Json | None = None, style: str | None = None) -> Json:
    """Action.Execute (an adaptiveCard/action invoke), falling back to Action.Submit (a
    message whose value is the data) where Teams is too old for Universal Actions."""
    payload = {"action": verb, **(data or {})}
    action: Json = {"type": "Action.Execute", "title": title, "verb": verb, "data": payload}
    if style:
        action["style"] = style
    action["fallback"] = {"type": "Action.Submit", "title": title, "data": payload}
    return action


def action_set(actions: Sequence[Json]) -> Json:
    return {"type": "ActionSet", "actions": list(actions)}


def show_card(title: str, body: Sequence[Json]) -> Json:
    return {"type": "Action.ShowCard", "title": title, "card": card(body)}


def heading(value: str) -> Json:
    return text(value, size="Medium", weight="Bolder")


def local_time(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%a %d %b %H:%M")


def message_card(message: str, title: str | None = None) -> Json:
    return card(([heading(title)] if title else []) + [text(message)])


# --- what a member sees ------------------------------------------------------------------


def _labels(case: Case, now: datetime) -> str:
    parts = [case.category.value, case.topic.value, case.status.value]
    if case.is_urgent:
        parts.append("**urgent**")
    parts += sorted(flag.value for flag in case.flags)
    if case.due_at is not None:
        late = case.due_at < now and case.status.value != "closed"
        parts.append(("**overdue**, was due " if late else "due ") + local_time(case.due_at))
    parts.append(f"assigned to {case.assignee}" if case.assignee else "unassigned")
    return " · ".join(parts)


def _subject(case: Case) -> Json:
    if is_abusive(case):
        return text("_Subject hidden: abusive or threatening mail._", isSubtle=True)
    return untrusted(case.subject or "(no subject)", limit=140, weight="Bolder")


def queue_card(title: str, cases: Sequence[Case], now: datetime, empty: str) -> Json:
    """A list of cases with an Open button on each (MAX_ROWS at most; then a hint)."""
    body: list[Json] = [heading(f"{title} ({len(cases)})")]
    if not cases:
        body.append(text(empty))
    for case in cases[:MAX_ROWS]:
        summary = {
            "type": "Column",
            "width": "stretch",
            "items": [
                text(f"**{case.ref}**", spacing="None"),
                _subject(case),
                text(_labels(case, now), isSubtle=True, size="Small", spacing="None"),
            ],
        }
        button = {
            "type": "Column",
            "width": "auto",
            "verticalContentAlignment": "Center",
            "items": [action_set([execute("Open", "openCase", {"ref": case.ref})])],
        }
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [{"type": "ColumnSet", "columns": [summary, button]}],
            }
        )
    if len(cases) > MAX_ROWS:
        body.append(text(f"…and {len(cases) - MAX_ROWS} more. Narrow it with `search <words>`."))
    return card(body)


@dataclass(frozen=True)
class CaseView:
    """Everything a case card shows, gathered (and permission-checked) by the bot."""

    case: Case
    viewer: Member
    allowed: frozenset[Permission]
    other_cases: tuple[Case, ...] = ()
    draft_preview: str | None = None
    people: tuple[Member, ...] = ()  # assign choices
    notice: str | None = None  # what just happened ("Category changed to policy.")
    reply: ReplyDraft | None = None  # the stored reply draft (version, state, text)


PREVIEW_CHARS = 600


def _draft(view: CaseView) -> list[Json]:
    """The reply draft: its version and state with a preview, or the folder's text."""
    from casedesk.teams.signoff_cards import draft_block

    if view.reply is not None:
        return draft_block(view.reply, PREVIEW_CHARS)
    return [
        text("Draft reply", weight="Bolder", size="Small"),
        untrusted(view.draft_preview)
        if view.draft_preview
        else text("No draft yet.", isSubtle=True, size="Small"),
    ]


def _hidden_text(view: CaseView) -> list[Json]:
    """Summary and draft of an abusive case: hidden until "Show", and only for readers."""
    case = view.case
    if Permission.VIEW_ABUSE not in view.allowed:
        return [
            text(
                "The text is not shown: this is abusive or threatening mail, which only "
                f"{who_may(Permission.VIEW_ABUSE)} read.",
                isSubtle=True,
            )
        ]
    hidden: list[Json] = [
        text("Subject", weight="Bolder", size="Small"),
        untrusted(case.subject or "(no subject)", limit=200),
        text("Summary", weight="Bolder", size="Small"),
        untrusted(case.summary or "(empty)"),
    ]
    if view.reply is not None:  # the office's reply can quote what it answers
        hidden += _draft(view)
    return [
        text("The text is hidden because this mail is abusive or threatening.", isSubtle=True),
        {
            "type": "ActionSet",
            "actions": [
                {
                    "type": "Action.ToggleVisibility",
                    "title": "Show / hide the text",
                    "targetElements": [HIDDEN_TEXT_ID],
                }
            ],
        },
        {"type": "Container", "id": HIDDEN_TEXT_ID, "isVisible": False, "items": hidden},
    ]


def _other_cases(view: CaseView) -> list[Json]:
    if not view.other_cases:
        return [text("No other cases from this constituent.", isSubtle=True, size="Small")]
    rows: list[Json] = [text("Other cases from this constituent", weight="Bolder", size="Small")]
    for other in view.other_cases[:5]:
        label = f"{other.ref} · {other.category.value} · {other.status.value}"
        rows.append(text(label, size="Small", spacing="None"))
        rows.append(_subject(other) | {"spacing": "None"})
    if len(view.other_cases) > 5:
        rows.append(text(f"…and {len(view.other_cases) - 5} more.", size="Small"))
    return rows


def _case_actions(view: CaseView) -> list[Json]:
    case, allowed = view.case, view.allowed
    ref = {"ref": case.ref}
    actions: list[Json] = []
    if Permission.CLAIM in allowed and case.assignee != view.viewer.id:
        actions.append(execute("Claim", "claim", ref, style="positive"))
    if Permission.ASSIGN in allowed and view.people:
        choices = [{"title": m.name, "value": m.id} for m in view.people]
        actions.append(
            show_card(
                "Assign…",
                [
                    {
                        "type": "Input.ChoiceSet",
                        "id": "assignee",
                        "label": "Assign to",
                        "isRequired": True,
                        "errorMessage": "Choose who takes the case",
                        "choices": choices,
                        **({"value": case.assignee} if case.assignee else {}),
                    },
                    action_set([execute("Assign", "assign", ref)]),
                ],
            )
        )
    if Permission.CHANGE_CATEGORY in allowed:
        categories = [{"title": c.value, "value": c.value} for c in Category]
        actions.append(
            show_card(
                "Change category…",
                [
                    {
                        "type": "Input.ChoiceSet",
                        "id": "category",
                        "label": "Category",
                        "isRequired": True,
                        "errorMessage": "Choose a category",
                        "value": case.category.value,
                        "choices": categories,
                    },
                    action_set([execute("Save category", "changeCategory", ref)]),
                ],
            )
        )
    if Permission.NOTE in allowed:
        actions.append(
            show_card(
                "Note…",
                [
                    {
                        "type": "Input.Text",
                        "id": "note",
                        "label": "Note",
                        "isMultiline": True,
                        "isRequired": True,
                        "maxLength": 2000,
                        "errorMessage": "Write the note",
                    },
                    action_set([execute("Add note", "note", ref)]),
                ],
            )
        )
    if Permission.APPROVE in allowed and _draft_is_shown(view):
        from casedesk.teams.signoff_cards import awaits_decision, decision_actions

        if view.reply is not None and awaits_decision(case, view.reply):
            # Decide here only on a reply the preview shows whole; else read it all first.
            if len(view.reply.body.strip()) <= PREVIEW_CHARS:
                actions += decision_actions(view.reply)
            else:
                actions.append(execute("Read the reply and decide", "reviewDraft", ref,
                                       style="positive"))  # fmt: skip
    if Permission.CLOSE in allowed:
        actions.append(
            show_card(
                "Close…",
                [
                    {
                        "type": "Input.Text",
                        "id": "reason",
                        "label": "Why is it closed?",
                        "isRequired": True,
                        "maxLength": 500,
                        "errorMessage": "Give a reason",
                    },
                    action_set([execute("Close case", "close", ref, style="destructive")]),
                ],
            )
        )
    return [action_set(actions)] if actions else []


def _draft_is_shown(view: CaseView) -> bool:
    """Nobody decides on text the card does not carry (abusive mail, for non-readers)."""
    return not is_abusive(view.case) or Permission.VIEW_ABUSE in view.allowed


def case_card(view: CaseView, now: datetime) -> Json:
    case = view.case
    body: list[Json] = []
    if view.notice:
        body.append(text(view.notice, color="Good", weight="Bolder"))
    body += [heading(case.ref)]
    if not is_abusive(case):
        body.append(untrusted(case.subject or "(no subject)", limit=200, weight="Bolder"))
    details = [
        ("Category", case.category.value),
        ("Topic", case.topic.value),
        ("Status", case.status.value),
        ("Assigned to", case.assignee or "nobody"),
        ("Priority", case.priority + (" (urgent)" if case.is_urgent else "")),
        ("Due", local_time(case.due_at) if case.due_at else "no deadline"),
        ("Flags", ", ".join(sorted(f.value for f in case.flags)) or "none"),
        ("Opened", local_time(case.created_at)),
        ("Messages", str(case.message_count)),
        ("Ward", case.ward or "unknown"),
    ]
    if case.signoff_required:
        details.append(("Sign-off", "the MP approves the reply"))
    body.append(facts(details))
    body.append(text("Constituent", weight="Bolder", size="Small"))
    body.append(untrusted(case.constituent_name or case.constituent_email, limit=100))
    if is_abusive(case):
        body += _hidden_text(view)
    else:
        body.append(text("Summary", weight="Bolder", size="Small"))
        body.append(untrusted(case.summary or "(empty)"))
        body += _draft(view)
    body += _other_cases(view)
    body += _case_actions(view)
    return card(body)


# --- help, refusals, alerts, digests -----------------------------------------------------

HELP = [
    ("my queue", "your open cases, urgent and oldest first"),
    ("unassigned", "open cases nobody has yet"),
    ("overdue", "open cases past their due time"),
    ("case CD-2026-000042", "one case: summary, history, draft and actions"),
    ("search damp Arbury", "cases whose text has all these words"),
    ("change category CD-2026-000042 policy", "correct the category (audited)"),
    ("claim / assign / close / note CD-…", "case actions, e.g. `close CD-… resolved`"),
    ("handover @person [to @someone]", "their open cases with one-click reassignment"),
    ("approvals / approve CD-…", "replies waiting for the MP's sign-off"),
    ("help", "this list"),
]


# The same commands for the Teams app manifest's `bots[].commandLists` (the compose box's
# suggestions): a title (at most 32 characters) that, followed by its example, is the command
# the bot parses, and a description (at most 128). scripts/package_addin.py reads this list.
MANIFEST_COMMANDS: list[tuple[str, str, str]] = [  # title, what follows it, description
    ("my queue", "", "Your open cases, urgent and oldest first"),
    ("unassigned", "", "Open cases nobody has yet"),
    ("overdue", "", "Open cases past their due time"),
    ("case", " CD-2026-000042", "One case: summary, history, draft and actions"),
    ("search", " damp Arbury", "Cases whose text has all these words"),
    ("change category", " CD-2026-000042 policy", "Correct a case's category (audited)"),
    ("handover", " @person", "Someone's open cases with one-click reassignment"),
    ("approvals", "", "Replies waiting for the MP's sign-off"),
    ("help", "", "What CaseDesk can do here"),
]


def help_card(member: Member | None, intro: str | None = None) -> Json:
    body: list[Json] = [heading("CaseDesk")]
    if intro:
        body.append(text(intro))
    if member is not None:
        role = member.role.value.replace("_", " ")
        body.append(text(f"You are {member.name} ({role}).", isSubtle=True))
    body.append(facts(HELP))
    hint = "In a channel, start with @CaseDesk. Abusive mail stays hidden until you ask."
    body.append(text(hint, isSubtle=True, size="Small"))
    return card(body)


UNKNOWN_USER = (
    "Sorry, CaseDesk does not know your account yet, so it cannot show you any casework. "
    "Ask your office manager to add your Microsoft 365 account to the office's people list "
    "(rules file or CaseDesk People list, column EntraId)."
)


def unknown_user_card() -> Json:
    return message_card(UNKNOWN_USER, "CaseDesk")


def refusal_card(reason: str) -> Json:
    return card([text("Not done", weight="Bolder", color="Attention"), text(reason)])


def threat_alert_card(case: Case) -> Json:
    """To the safety lead: facts at once, the text only behind Show."""
    hidden = [
        text("Subject", weight="Bolder", size="Small"),
        untrusted(case.subject or "(no subject)", limit=200),
        text("Summary", weight="Bolder", size="Small"),
        untrusted(case.summary or "(empty)"),
    ]
    flags = ", ".join(sorted(f.value for f in case.flags))
    return card(
        [
            text(f"Threat filed: {case.ref}", size="Large", weight="Bolder", color="Attention"),
            facts(
                [
                    ("Received", local_time(case.created_at)),
                    ("Category", case.category.value),
                    ("Flags", flags),
                    ("Assigned to", case.assignee or "nobody"),
                    ("Ward", case.ward or "unknown"),
                ]
            ),
            text("The text is hidden until you choose to read it.", isSubtle=True),
            {
                "type": "ActionSet",
                "actions": [
                    {
                        "type": "Action.ToggleVisibility",
                        "title": "Show / hide the text",
                        "targetElements": [HIDDEN_TEXT_ID],
                    },
                    execute("Open case", "openCase", {"ref": case.ref}),
                ],
            },
            {"type": "Container", "id": HIDDEN_TEXT_ID, "isVisible": False, "items": hidden},
        ]
    )


_NOTICE_TITLES = {
    "case.due_soon": "Due soon",
    "case.overdue": "Overdue",
    "case.escalated_to_you": "Escalated to you",
    "referral.late": "An agency's reply is late",
}


def sla_notice_card(kind: str, case_ref: str, about: str, due_at: datetime) -> Json:
    """One of the sweep's notifications (SLA warning or escalation, late referral)."""
    title = _NOTICE_TITLES.get(kind, "CaseDesk reminder")
    pairs = [("Case", case_ref), ("Due", local_time(due_at))]
    if about and about != case_ref:
        pairs.append(("About", about))
    return card(
        [
            text(
                f"{title}: {case_ref}",
                weight="Bolder",
                size="Medium",
                color="Attention" if kind != "case.due_soon" else "Warning",
            ),
            facts(pairs),
            action_set([execute("Open case", "openCase", {"ref": case_ref})]),
        ]
    )


def digest_card(digest: Digest, whose: str, chart_uri: str | None) -> Json:
    """The daily digest; the chart is an image beside a text version of the same counts."""
    from casedesk.teams.chart import text_bar

    body: list[Json] = [
        heading(f"CaseDesk digest for {whose}"),
        text(digest.day.strftime("%A %d %B %Y"), isSubtle=True, spacing="None"),
        facts(
            [
                ("New in the last day", str(digest.new_cases)),
                ("Open", str(digest.open_cases)),
                ("Overdue", str(len(digest.overdue))),
            ]
        ),
    ]
    if digest.week is not None:  # the same figures as the MP's weekly briefing (core/report.py)
        w = digest.week
        rising = ", ".join(f"{t.replace('_', ' ')} {a} ({a - b:+d})" for t, a, b in w.rising)
        body.append(text(f"Last week {w.last_week} new cases (the week before {w.week_before}, "
                         f"{w.last_week - w.week_before:+d})" + (f"; rising: {rising}" if rising
                         else ""), size="Small"))  # fmt: skip
    if digest.by_category:
        top = digest.by_category[0][1]
        body.append(text("New cases by category", weight="Bolder", size="Small"))
        if chart_uri:
            body.append(
                {
                    "type": "Image",
                    "url": chart_uri,
                    "altText": "Bar chart of new cases by category",
                    "size": "Stretch",
                }
            )
        body.append(facts((k, f"{n} {text_bar(n, top)}") for k, n in digest.by_category))
    if digest.by_topic:
        body.append(text("By topic", weight="Bolder", size="Small"))
        body.append(facts((k.replace("_", " "), str(n)) for k, n in digest.by_topic[:8]))
    if digest.new_campaigns:
        body.append(text("New campaigns", weight="Bolder", size="Small"))
        for name, size in digest.new_campaigns[:5]:
            body.append(untrusted(f"{name} ({size} letters)", limit=120))
    if digest.overdue:
        body.append(text("Overdue", weight="Bolder", size="Small", color="Attention"))
        for late in digest.overdue[:10]:
            who = late.assignee or "unassigned"
            body.append(
                text(f"{late.ref} · was due {local_time(late.due_at)} · {who}", size="Small")
            )
        if len(digest.overdue) > 10:
            body.append(text(f"…and {len(digest.overdue) - 10} more: send `overdue`."))
    elif digest.open_cases:
        body.append(text("Nothing overdue.", color="Good"))
    return card(body)


def attachment(content: Json) -> Json:
    """A card as a Bot Framework message attachment."""
    return {"contentType": CONTENT_TYPE, "content": content}
