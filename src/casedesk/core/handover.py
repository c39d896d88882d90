"""Handover notes: for each of a person's open cases, where it stands and what to do next.

Built from the case and its timeline (core/timeline.py), so the CLI and, later, the Teams
bot write the same note. Per case: status, priority and flags; the last action (who, what,
when) and the constituent's last message; what the case is waiting for (the agency or the
constituent, since when, from the status change that said so); the due time and whether it
has passed; the latest note; and a next step derived from those. Cases come urgent first,
then by due time, then oldest first.

Pure: plain data and `now` in, a Handover (and its Markdown) out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from casedesk.core.models import Case, CaseFlag, CaseStatus
from casedesk.core.timeline import Event

LONDON = ZoneInfo("Europe/London")
SYSTEM_PREFIX = "casedesk-"  # actors that are CaseDesk itself (casedesk-triage, ...)
_WAITING = {
    CaseStatus.AWAITING_AGENCY: "the agency",
    CaseStatus.AWAITING_CONSTITUENT: "the constituent",
}


@dataclass(frozen=True)
class CaseHandover:
    case: Case
    last_action: Event | None  # the latest thing anyone (or CaseDesk) did, not a message
    last_message: Event | None  # the latest message in the case
    latest_note: Event | None
    waiting_for: str | None  # "the agency" / "the constituent"
    waiting_since: datetime | None
    waiting_reason: str | None  # the reason given when the status was set
    overdue: bool
    next_step: str


@dataclass(frozen=True)
class Handover:
    person: str
    written_at: datetime
    written_by: str | None
    reassign_to: str | None
    cases: tuple[CaseHandover, ...]


def _is_person(actor: str) -> bool:
    return not actor.startswith(SYSTEM_PREFIX)


def _latest(events: Sequence[Event], kind: str | None = None) -> Event | None:
    found = [e for e in events if (e.kind == kind if kind else e.kind not in ("message", "note"))]
    return found[-1] if found else None


def _waiting(case: Case, events: Sequence[Event]) -> tuple[datetime | None, str | None]:
    """When and why the case entered its current waiting status (None if not recorded)."""
    for e in reversed(events):
        if e.kind == "status" and e.detail.get("to") == case.status.value:
            reason = e.detail.get("reason")
            return e.at, str(reason) if reason else None
    return None, None


def _day(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%a %d %b %Y")


def _days(start: datetime, end: datetime) -> str:
    """Whole days from start to end: 'under a day', '1 day', '3 days'."""
    n = (end - start).days
    return "under a day" if n < 1 else ("1 day" if n == 1 else f"{n} days")


def next_step(
    case: Case,
    events: Sequence[Event],
    now: datetime,
    waiting_since: datetime | None,
    overdue: bool,
) -> str:
    """A plain suggestion from the case's state; the caseworker's latest note says more."""
    staff = [e for e in events if e.kind not in ("message",) and _is_person(e.actor)]
    last_message = _latest(events, "message")
    if case.status in _WAITING:
        who = _WAITING[case.status]
        since = f" since {_day(waiting_since)}" if waiting_since else ""
        step = f"waiting for {who}{since}: chase if there is no answer"
        if case.status is CaseStatus.AWAITING_CONSTITUENT:
            step += ", or close the case if they no longer need help"
    elif not staff:
        step = "nobody has acted yet: read the case and acknowledge the constituent"
    elif last_message and last_message.at > staff[-1].at:
        step = f"reply to the constituent's message of {_day(last_message.at)}"
    elif _latest(events, "note"):
        step = "carry on from the latest note"
    else:
        step = "decide the next step and write it in a note"
    if overdue:
        step = f"overdue since {_day(case.due_at)}: {step}" if case.due_at else step
    return step


def case_handover(case: Case, events: Sequence[Event], now: datetime) -> CaseHandover:
    waiting_since, reason = _waiting(case, events) if case.status in _WAITING else (None, None)
    overdue = case.due_at is not None and case.due_at < now
    return CaseHandover(
        case=case,
        last_action=_latest(events),
        last_message=_latest(events, "message"),
        latest_note=_latest(events, "note"),
        waiting_for=_WAITING.get(case.status),
        waiting_since=waiting_since,
        waiting_reason=reason,
        overdue=overdue,
        next_step=next_step(case, events, now, waiting_since, overdue),
    )


def _order(h: CaseHandover) -> tuple[bool, str, str, str]:
    due = h.case.due_at.isoformat() if h.case.due_at else "9999"
    return (not h.case.is_urgent, due, h.case.created_at.isoformat(), h.case.ref)


def build_handover(
    person: str,
    items: Sequence[tuple[Case, Sequence[Event]]],
    now: datetime,
    written_by: str | None = None,
    reassign_to: str | None = None,
) -> Handover:
    """The handover for a person's open cases (closed and merged ones are left out)."""
    notes = [
        case_handover(case, events, now)
        for case, events in items
        if case.status is not CaseStatus.CLOSED and not case.merged_into
    ]
    return Handover(person, now, written_by, reassign_to, tuple(sorted(notes, key=_order)))


# --- output -------------------------------------------------------------------------------


def _when(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _case_markdown(h: CaseHandover, now: datetime) -> list[str]:
    c = h.case
    marks = ["URGENT"] if c.is_urgent else []
    marks += [
        f.value.upper() for f in sorted(c.flags) if f in (CaseFlag.THREAT, CaseFlag.SAFEGUARDING)
    ]
    status = c.status.value.replace("_", " ")
    lines = [
        f"## {c.ref}: {_one_line(c.subject, 100)}" + (f" ({', '.join(marks)})" if marks else ""),
        "",
        f"- Constituent: {c.constituent_name or c.constituent_email} <{c.constituent_email}>"
        + (f", {c.postcode}" if c.postcode else "")
        + (f", {c.ward}" if c.ward else ""),
        f"- Status: {status}, priority {c.priority}, {c.category.value}/{c.topic.value}"
        + (f", tags {' '.join(c.tags)}" if c.tags else ""),
    ]
    if c.due_at:
        state = (
            f"OVERDUE by {_days(c.due_at, now)}" if h.overdue else f"{_days(now, c.due_at)} left"
        )
        lines.append(f"- Due: {_when(c.due_at)} ({state})")
    if h.waiting_for:
        since = (
            f" since {_day(h.waiting_since)} ({_days(h.waiting_since, now)})"
            if h.waiting_since
            else ""
        )
        why = f": {_one_line(h.waiting_reason)}" if h.waiting_reason else ""
        lines.append(f"- Waiting for {h.waiting_for}{since}{why}")
    if h.last_action:
        a = h.last_action
        lines.append(f"- Last action: {_one_line(a.text)} ({a.actor}, {_when(a.at)})")
    if h.last_message:
        lines.append(f"- Last message: {_when(h.last_message.at)} from {h.last_message.actor}")
    if h.latest_note:
        n = h.latest_note
        lines.append(f"- Latest note ({n.actor}, {_when(n.at)}): {_one_line(n.text)}")
    lines += [f"- Next step: {h.next_step}", ""]
    return lines


def render_markdown(h: Handover) -> str:
    """The handover as Markdown (what the CLI prints and saves, and a bot can post)."""
    by = f" by {h.written_by}" if h.written_by else ""
    lines = [
        f"# Handover: {h.person}, {_day(h.written_at)}",
        "",
        f"Written {_when(h.written_at)}{by}. {len(h.cases)} open case(s)."
        + (f" Reassigned to {h.reassign_to}." if h.reassign_to else ""),
        "",
    ]
    if not h.cases:
        lines += [f"{h.person} has no open cases.", ""]
    for item in h.cases:
        lines += _case_markdown(item, h.written_at)
    return "\n".join(lines)


def _event(e: Event | None) -> dict[str, object] | None:
    return e.as_record() if e else None


def as_record(h: Handover) -> dict[str, object]:
    """The handover as JSON-ready fields (`--json`)."""
    return {
        "person": h.person,
        "written_at": h.written_at.isoformat(),
        "written_by": h.written_by,
        "reassign_to": h.reassign_to,
        "cases": [
            {
                "ref": item.case.ref,
                "subject": item.case.subject,
                "status": item.case.status.value,
                "priority": item.case.priority,
                "urgent": item.case.is_urgent,
                "flags": sorted(f.value for f in item.case.flags),
                "due_at": item.case.due_at.isoformat() if item.case.due_at else None,
                "overdue": item.overdue,
                "waiting_for": item.waiting_for,
                "waiting_since": item.waiting_since.isoformat() if item.waiting_since else None,
                "waiting_reason": item.waiting_reason,
                "last_action": _event(item.last_action),
                "last_message": _event(item.last_message),
                "latest_note": _event(item.latest_note),
                "next_step": item.next_step,
            }
            for item in h.cases
        ],
    }
