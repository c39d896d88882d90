"""The handover card: `handover @person` in Teams, from the same notes as `casedesk handover`.

One section per open case (core/handover.py: status, due time, what it waits for, the last
action and note, the next step) with its reassignment: one click to the person named with
`to`, or a choice of anyone in the office. The buttons say which case and whose handover it
is; the server checks again that the case is still that person's and that the presser may
hand it over (core/permissions.py:handover_refusal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from casedesk.core.handover import CaseHandover, Handover
from casedesk.core.permissions import is_abusive
from casedesk.core.roster import Member
from casedesk.teams.cards import (
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
MAX_CASES = 10  # sections on one card; the rest are listed by reference
NOTE_CHARS = 300


@dataclass(frozen=True)
class HandoverView:
    handover: Handover
    person: Member
    people: tuple[Member, ...]  # whom cases can go to (the office, less the person)
    target: Member | None = None  # `handover @priya to @ana`: one click to Ana
    notice: str | None = None


def choice_id(ref: str) -> str:
    """Each case's own chooser: input ids must be unique on a card."""
    return f"to_{ref}"


def _reassign(view: HandoverView, item: CaseHandover) -> list[Json]:
    ref = item.case.ref
    data = {"ref": ref, "from": view.person.id}
    actions: list[Json] = []
    if view.target is not None:
        actions.append(
            execute(
                f"Reassign to {view.target.name}",
                "reassign",
                data | {"assignee": view.target.id},
                style="positive",
            )
        )
    choices = [{"title": m.name, "value": m.id} for m in view.people]
    if choices:
        actions.append(
            show_card(
                "Reassign…" if view.target else "Reassign to…",
                [
                    {
                        "type": "Input.ChoiceSet",
                        "id": choice_id(ref),
                        "label": f"Give {ref} to",
                        "isRequired": True,
                        "errorMessage": "Choose who takes the case",
                        "choices": choices,
                    },
                    action_set([execute("Reassign", "reassign", data)]),
                ],
            )
        )
    return [action_set(actions)] if actions else []


def _section(view: HandoverView, item: CaseHandover) -> list[Json]:
    case = item.case
    marks = ["urgent"] if case.is_urgent else []
    marks += sorted(f.value for f in case.flags if f.value in ("threat", "safeguarding"))
    title = f"**{case.ref}**" + (f" · {', '.join(marks)}" if marks else "")
    body: list[Json] = [text(title, spacing="None")]
    if is_abusive(case):
        body.append(text("_Subject hidden: abusive or threatening mail._", isSubtle=True))
    else:
        body.append(untrusted(case.subject or "(no subject)", limit=140, weight="Bolder"))
    pairs = [("Status", case.status.value.replace("_", " ") + f", priority {case.priority}")]
    if case.due_at:
        pairs.append(
            ("Due", ("OVERDUE, was due " if item.overdue else "") + local_time(case.due_at))
        )
    if item.waiting_for:
        since = f" since {local_time(item.waiting_since)}" if item.waiting_since else ""
        pairs.append(("Waiting for", item.waiting_for + since))
    if item.last_action:
        pairs.append(
            ("Last action", f"{local_time(item.last_action.at)} by {item.last_action.actor}")
        )
    if item.last_message:
        pairs.append(("Last message", local_time(item.last_message.at)))
    body.append(facts(pairs))
    if item.latest_note and not is_abusive(case):
        note = item.latest_note
        body.append(text(f"Latest note ({note.actor}, {local_time(note.at)})", size="Small",
                         weight="Bolder"))  # fmt: skip
        body.append(untrusted(note.text, limit=NOTE_CHARS))
    body.append(text(f"Next step: {item.next_step}", size="Small"))
    body += _reassign(view, item)
    return [{"type": "Container", "separator": True, "items": body}]


def handover_card(view: HandoverView) -> Json:
    h = view.handover
    body: list[Json] = []
    if view.notice:
        body.append(text(view.notice, weight="Bolder", color="Good"))
    body.append(heading(f"Handover: {view.person.name}"))
    by = f" by {h.written_by}" if h.written_by else ""
    summary = f"{len(h.cases)} open case(s), written {local_time(h.written_at)}{by}."
    if view.target:
        summary += f" One click reassigns a case to {view.target.name}."
    body.append(text(summary, isSubtle=True, spacing="None"))
    if not h.cases:
        body.append(text(f"{view.person.name} has no open cases."))
    for item in h.cases[:MAX_CASES]:
        body += _section(view, item)
    rest: Sequence[CaseHandover] = h.cases[MAX_CASES:]
    if rest:
        refs = ", ".join(i.case.ref for i in rest)
        body.append(text(f"…and {len(rest)} more: {refs}. `casedesk handover {view.person.id}` "
                         "writes the full note."))  # fmt: skip
    return card(body)
