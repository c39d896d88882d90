"""A case's timeline: who did what, when, from stored messages, notes and the audit log.

The audit log is the source for every action (triage opening the case and the rules that
routed it, drafts, corrections, assignments, status changes, tags, merges, links); the
messages and notes tables give the messages and notes themselves. Audit entries that only
restate a message or a note (`message.threaded`, `note.added`) are left out so nothing shows
twice. A case that others were merged into shows their notes and actions too, marked with
the reference they happened on. Events are ordered by time, then by kind (a message before
what was done about it) and audit sequence, so equal timestamps keep a stable order.

Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from casedesk.core.models import AuditEntry, Note, StoredMessage

_RESTATED = frozenset({"message.threaded", "note.added"})
_CHANNEL_RECORDS = "teams."
_KIND_ORDER = {"message": 0, "opened": 1}


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # message, note, opened, assigned, status, tags, correction, draft, merge, link, ...
    actor: str
    text: str
    ref: str  # the case it happened on (another one for a case merged into this)
    seq: int = 0  # the audit entry's sequence number (0: not from the audit log)
    detail: Mapping[str, object] = field(default_factory=dict)  # the audit entry's detail

    def as_record(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "actor": self.actor,
            "text": self.text,
            "ref": self.ref,
            "audit_seq": self.seq or None,
        }


Detail = Mapping[str, object]


def _s(value: object) -> str:
    return "" if value is None else str(value)


def _opened(d: Detail) -> str:
    urgent = ", urgent" if d.get("urgent") else ""
    rules = _s(d.get("rules"))
    who = _s(d.get("assignee")) or "nobody"
    routed = f"; rules {rules.replace(' ', ', ')} -> {who}" if rules else f"; assigned to {who}"
    return f"opened as {_s(d.get('category'))}/{_s(d.get('topic'))}{urgent}{routed}"


def _assigned(d: Detail) -> str:
    was = _s(d.get("from")) or "nobody"
    text = f"assigned to {d['to']} (was {was})" if d.get("to") else f"unassigned (was {was})"
    return text + (f": {d['reason']}" if d.get("reason") else "")


def _status(d: Detail) -> str:
    return f"status {_s(d.get('from'))} -> {_s(d.get('to'))}: {_s(d.get('reason'))}"


def _tags(d: Detail) -> str:
    words = [f"+{t}" for t in _s(d.get("added")).split()]
    words += [f"-{t}" for t in _s(d.get("removed")).split()]
    return "tags " + " ".join(words)


def _corrected(d: Detail) -> str:
    parts = [
        f"{key} {_s(d.get('from_' + key))} -> {_s(d.get('to_' + key))}"
        for key in ("category", "topic", "urgent", "flags")
        if _s(d.get("from_" + key)) != _s(d.get("to_" + key))
    ]
    return "triage corrected: " + ("; ".join(parts) or "confirmed as it was")


def _messages(d: Detail) -> str:
    n = d.get("messages")
    return f"{n} message" + ("" if n == 1 else "s")


def _merged(d: Detail) -> str:
    return f"merged into {_s(d.get('into'))} ({_messages(d)} moved)" + (
        f": {d['reason']}" if d.get("reason") else ""
    )


def _merged_in(d: Detail) -> str:
    return f"took in {_s(d.get('from'))} ({_messages(d)})" + (
        f": {d['reason']}" if d.get("reason") else ""
    )


_TEXT: dict[str, tuple[str, Callable[[Detail], str]]] = {
    "case.opened": ("opened", _opened),
    "draft.created": ("draft", lambda d: f"reply draft written ({_s(d.get('template'))})"),
    "case.corrected": ("correction", _corrected),
    "case.joined_campaign": ("campaign", lambda d: f"joined campaign {_s(d.get('campaign'))}"),
    "case.assigned": ("assigned", _assigned),
    "case.status_changed": ("status", _status),
    "case.tagged": ("tags", _tags),
    "case.merged": ("merge", _merged),
    "case.merged_in": ("merge", _merged_in),
    "case.linked": ("link", lambda d: f"linked to {_s(d.get('other'))}"),
    "case.unlinked": ("link", lambda d: f"unlinked from {_s(d.get('other'))}"),
}


def audit_event(entry: AuditEntry) -> Event | None:
    """One audit entry as a timeline event (None for entries that restate a message/note,
    and for the Teams bot's own records: a view, a list, an alert sent, or the channel's
    copy of an action whose core entry, e.g. `case.assigned`, is already there)."""
    if entry.action in _RESTATED or entry.action.startswith(_CHANNEL_RECORDS):
        return None
    kind, describe = _TEXT.get(entry.action, ("other", _generic(entry.action)))
    return Event(
        entry.at, kind, entry.actor, describe(entry.detail), entry.object_ref, entry.seq,
        dict(entry.detail),
    )  # fmt: skip


def _generic(action: str) -> Callable[[Detail], str]:
    """Actions this module does not know yet (added by later features) still show up."""

    def describe(d: Detail) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(d.items()) if v not in (None, ""))
        return f"{action}" + (f" ({shown})" if shown else "")

    return describe


def message_event(m: StoredMessage) -> Event:
    c = m.classification
    urgent = ", urgent" if c.is_urgent else ""
    return Event(
        m.sent_at or m.received_at,
        "message",
        m.from_addr,
        f"{m.subject or '(no subject)'} [{c.category.value}{urgent}]",
        m.case_ref,
    )


def note_event(n: Note) -> Event:
    return Event(n.created_at, "note", n.author, n.text, n.case_ref)


def build_timeline(
    messages: Iterable[StoredMessage], notes: Iterable[Note], audit: Iterable[AuditEntry]
) -> list[Event]:
    """Every event, oldest first; an audit entry seen twice (same seq) counts once."""
    events = [message_event(m) for m in messages] + [note_event(n) for n in notes]
    seen: set[int] = set()
    for entry in audit:
        if entry.seq in seen:
            continue
        seen.add(entry.seq)
        event = audit_event(entry)
        if event is not None:
            events.append(event)
    return sorted(events, key=lambda e: (e.at, _KIND_ORDER.get(e.kind, 2), e.seq))
