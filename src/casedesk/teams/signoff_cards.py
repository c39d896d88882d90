"""Cards for the MP's sign-off: the reply draft as the approver sees it, and its buttons.

A decision is bound to the version shown: the Approve and Request changes buttons carry the
draft's version and the sha256 of its body, and the server approves only if that is still
the current text (core/reply_desk.py). The card's data says which version was read, never
who may decide: that is the member's role and the mp_approver setting, checked on the server.

The reply is the office's text but can quote the constituent, so it is shown literally
(TextRun, no markdown), a paragraph at a time. A reply longer than the card can carry is
shown in part and cannot be approved from Teams: nobody signs off text they were not shown.
Teams caps a message at about 28 KB
(https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/format-your-bot-messages).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from casedesk.core.models import Case
from casedesk.core.permissions import is_abusive
from casedesk.core.replies import DraftState, ReplyDraft
from casedesk.teams.cards import (
    HIDDEN_TEXT_ID,
    action_set,
    card,
    execute,
    facts,
    heading,
    local_time,
    show_card,
    text,
    untrusted,
)

Json = dict[str, Any]
MAX_SHOWN = 6000  # characters of a reply an approval card carries (well inside 28 KB)
MAX_LINES = 150  # blocks of text on one card
_STATE = {
    DraftState.DRAFT: "draft (no sign-off needed)",
    DraftState.AWAITING_SIGNOFF: "waiting for the MP's sign-off",
    DraftState.APPROVED: "approved",
    DraftState.REJECTED: "sent back for changes",
    DraftState.SENT: "sent",
}


def shown_in_full(reply: ReplyDraft) -> bool:
    return len(reply.body) <= MAX_SHOWN and reply.body.count("\n") < MAX_LINES


def awaits_decision(case: Case, reply: ReplyDraft | None) -> bool:
    """A reply the approver can decide on now: the case needs sign-off, the reply is not
    sent, and the current text is not already approved."""
    return (
        reply is not None
        and case.signoff_required
        and reply.state is not DraftState.SENT
        and not reply.is_approved
    )


def state_label(reply: ReplyDraft) -> str:
    if reply.changed_after_approval:
        return "changed after approval: waiting for sign-off again"
    label = _STATE[reply.state]
    if reply.state is DraftState.REJECTED and reply.rejection:
        label += f" by {reply.decided_by}"
    return label


def paragraphs(body: str, limit: int = MAX_SHOWN) -> list[Json]:
    """The reply's text, literally, a block per line (a letter's line breaks matter: lists,
    the signature), paragraphs spaced apart; cut at `limit` characters."""
    blocks: list[Json] = []
    for chunk in body[:limit].split("\n\n"):
        lines = [line for line in chunk.split("\n") if line.strip()]
        for i, line in enumerate(lines):
            blocks.append(untrusted(line, limit=limit) | {"spacing": "None" if i else "Small"})
        if len(blocks) >= MAX_LINES:
            break
    if len(body) > limit or len(blocks) > MAX_LINES:
        blocks = blocks[:MAX_LINES]
        blocks.append(text("…(the rest is not shown here)", isSubtle=True, size="Small"))
    return blocks


def version_data(reply: ReplyDraft) -> Json:
    """What a decision button sends back: which case, and which version was read."""
    return {"ref": reply.case_ref, "version": reply.version, "sha256": reply.sha256}


def draft_block(reply: ReplyDraft, preview_chars: int) -> list[Json]:
    """The case card's draft section: state, version and a preview."""
    label = f"Draft reply · version {reply.version} · {state_label(reply)}"
    body = [text(label, weight="Bolder", size="Small")]
    if reply.rejection and reply.state is DraftState.REJECTED:
        body.append(text("Changes asked for:", size="Small", isSubtle=True, spacing="None"))
        body.append(untrusted(reply.rejection, limit=300, italic=True))
    body.append(untrusted(reply.body, limit=preview_chars))
    return body


def decision_actions(reply: ReplyDraft) -> list[Json]:
    """Approve this version / Request changes (with a reason); nothing if the text is too
    long to show in full here."""
    if not shown_in_full(reply):
        return []
    data = version_data(reply)
    return [
        execute(f"Approve version {reply.version}", "approve", data, style="positive"),
        show_card(
            "Request changes…",
            [
                {
                    "type": "Input.Text",
                    "id": "reason",
                    "label": "What should change?",
                    "isMultiline": True,
                    "isRequired": True,
                    "maxLength": 1000,
                    "errorMessage": "Say what should change",
                },
                action_set([execute("Send back for changes", "reject", data, style="destructive")]),
            ],
        ),
    ]


def approval_request_card(
    case: Case, reply: ReplyDraft, now: datetime, notice: str | None = None
) -> Json:
    """To the MP: the whole reply (or why not), the case in brief, and the decision buttons.
    For abusive or threatening mail the subject and the reply sit behind Show."""
    body: list[Json] = []
    if notice:
        body.append(text(notice, weight="Bolder", color="Attention"))
    body.append(heading(f"Sign-off needed: {case.ref}"))
    abusive = is_abusive(case)
    if not abusive:
        body.append(untrusted(case.subject or "(no subject)", limit=200, weight="Bolder"))
    body.append(
        facts(
            [
                (
                    "Constituent",
                    " ".join((case.constituent_name or case.constituent_email).split())[:100],
                ),
                ("Category", f"{case.category.value} · {case.topic.value}"),
                ("Reply", f"version {reply.version} · {state_label(reply)}"),
                ("Written", f"{local_time(reply.updated_at)} by {reply.updated_by}"),
                ("Fingerprint", f"sha256 {reply.sha256[:12]}"),
            ]
        )
    )
    reply_text = [text("The reply", weight="Bolder", size="Small"), *paragraphs(reply.body)]
    if abusive:
        body += [
            text(
                "This case is abusive or threatening mail: the reply is hidden until you "
                "choose to read it.",
                isSubtle=True,
            ),
            action_set(
                [
                    {
                        "type": "Action.ToggleVisibility",
                        "title": "Show / hide the text",
                        "targetElements": [HIDDEN_TEXT_ID],
                    }
                ]
            ),
            {"type": "Container", "id": HIDDEN_TEXT_ID, "isVisible": False, "items": reply_text},
        ]
    else:
        body += reply_text
    if not shown_in_full(reply):
        body.append(
            text(
                f"This reply is too long to approve from Teams. Read it in full and approve it "
                f"with `casedesk approve {case.ref}`.",
                color="Warning",
            )
        )
    actions = decision_actions(reply) if awaits_decision(case, reply) else []
    actions.append(execute("Open case", "openCase", {"ref": case.ref}))
    body.append(action_set(actions))
    return card(body)


def decided_card(case: Case, reply: ReplyDraft, notice: str) -> Json:
    """What replaces an approval card once decided: the outcome, no buttons to press again."""
    pairs = [
        ("Reply", f"version {reply.version} · {state_label(reply)}"),
        ("Fingerprint", f"sha256 {reply.sha256[:12]}"),
    ]
    if reply.decided_at:
        pairs.append(("Decided", f"{local_time(reply.decided_at)} by {reply.decided_by}"))
    body: list[Json] = [
        text(notice, weight="Bolder", color="Good"),
        heading(case.ref),
        facts(pairs),
    ]
    if reply.state is DraftState.REJECTED and reply.rejection:
        body += [text("Changes asked for", weight="Bolder", size="Small"),
                 untrusted(reply.rejection, limit=1000)]  # fmt: skip
    body.append(action_set([execute("Open case", "openCase", {"ref": case.ref})]))
    return card(body)


def approvals_list_card(pending: Sequence[tuple[Case, ReplyDraft]], now: datetime) -> Json:
    """`approvals`: the replies waiting for sign-off, oldest first, each with Review."""
    body: list[Json] = [heading(f"Waiting for your sign-off ({len(pending)})")]
    if not pending:
        body.append(text("No reply is waiting for sign-off."))
    for case, reply in pending[:15]:
        subject = (
            text("_Subject hidden: abusive or threatening mail._", isSubtle=True)
            if is_abusive(case)
            else untrusted(case.subject or "(no subject)", limit=140, weight="Bolder")
        )
        row = {
            "type": "ColumnSet",
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [
                        text(f"**{case.ref}** · version {reply.version}", spacing="None"),
                        subject,
                        text(
                            f"written {local_time(reply.updated_at)}",
                            isSubtle=True,
                            size="Small",
                            spacing="None",
                        ),
                    ],
                },
                {
                    "type": "Column",
                    "width": "auto",
                    "verticalContentAlignment": "Center",
                    "items": [action_set([execute("Review", "reviewDraft", {"ref": case.ref})])],
                },
            ],
        }
        body.append({"type": "Container", "separator": True, "items": [row]})
    if len(pending) > 15:
        body.append(text(f"…and {len(pending) - 15} more: `casedesk approvals` lists them all."))
    return card(body)
