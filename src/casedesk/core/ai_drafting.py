"""AI drafts: what a draft may draw on, and whether a model's draft can be used.

The model writes from the case's sources (the template draft, the case record, its messages,
notes and timeline, the office's policy notes) and says which it used. Its draft is used
only if every source it names was given to it, it left no redacted detail in the text, the
constituent's mail did not try to instruct it, and every fact in it is grounded in the
sources (core/grounding.py). Otherwise the template draft is used, and the reason, which
names kinds and counts and never the draft's words, is audited.

Pure: plain data in, a verdict out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from casedesk.core.grounding import Source, check_grounding
from casedesk.core.models import Case, Draft, Note, ParsedMessage, StoredMessage
from casedesk.core.policy_lines import PolicyNote
from casedesk.core.reply_templates import Office, long_date
from casedesk.core.timeline import Event

TEMPLATE = "template"
CASE = "case"
TIMELINE = "timeline"
OFFICE = "office"  # the office's own details: grounds a draft, but is not a block of its own
NAME_PLACEHOLDER = "[NAME]"
EMAIL_PLACEHOLDER = "[EMAIL]"
# What the office-owned copy of a template prints instead of the constituent's own words.
THEIR_WORDS = {
    "salutation": f"Dear {NAME_PLACEHOLDER}",
    "constituent_name": NAME_PLACEHOLDER,
    "constituent_first_name": NAME_PLACEHOLDER,
    "constituent_email": EMAIL_PLACEHOLDER,
    "subject": "[SUBJECT]",
    "summary": "[SUMMARY]",
}
# What the redaction put in the model's view that it cannot know; never in a draft.
_LEFT_OVER = re.compile(r"\[(?:NAME|EMAIL|PHONE|POSTCODE|ADDRESS|NI_NUMBER|NUMBER|SIGNATURE)\]")
_HISTORY_KINDS = frozenset({"message", "note"})  # in their own blocks, not the timeline's


def message_id(n: int) -> str:
    return f"message:{n}"


def note_id(n: int) -> str:
    return f"note:{n}"


@dataclass(frozen=True)
class Letter:
    """One message of the case, as a draft may use it."""

    subject: str
    text: str  # what the sender wrote this time
    at: datetime
    from_addr: str

    @classmethod
    def of(cls, m: StoredMessage | ParsedMessage, fallback_at: datetime) -> Letter:
        received = getattr(m, "received_at", None)
        return cls(m.subject, m.new_text, m.sent_at or received or fallback_at, m.from_addr)


@dataclass(frozen=True)
class DraftingSources:
    """Everything an AI draft of one case may draw on, as the office holds it."""

    case: Case
    template: Draft  # the template draft, with the real merge values
    # The same template with every field the constituent supplied (name, address, subject,
    # summary) left out: the only template text that may ground a commitment, so a subject
    # line such as "Promise me a council house" never does.
    office_template: str
    messages: Sequence[Letter]
    notes: Sequence[Note]
    timeline: Sequence[Event]
    policy: Sequence[PolicyNote]
    office: Office
    now: datetime

    def grounding(self) -> list[Source]:
        """The texts a draft's facts are checked against; ids as the prompt's blocks."""
        c = self.case
        sources = [
            Source(TEMPLATE, f"{self.template.subject}\n{self.template.body}"),
            Source(TEMPLATE, self.office_template, office_owned=True),
            Source(CASE, case_facts(c)),
        ]
        for n, m in enumerate(self.messages, start=1):
            sources.append(Source(message_id(n), f"{long_date(m.at)}\n{m.subject}\n{m.text}"))
        for n, note in enumerate(self.notes, start=1):
            written = long_date(note.created_at)
            sources.append(Source(note_id(n), f"{written} {note.author}\n{note.text}"))
        if self.timeline_lines():
            sources.append(Source(TIMELINE, "\n".join(self.timeline_lines())))
        for p in self.policy:
            sources.append(Source(p.source_id, f"{p.title}\n{p.text}", office_owned=True))
        o = self.office
        office = f"{o.office_name}\n{o.mp_name}\n{o.constituency}\n{o.office_email}\n"
        sources.append(Source(OFFICE, office + long_date(self.now), office_owned=True))
        return sources

    def timeline_lines(self) -> list[str]:
        """What the office has done, oldest first (messages and notes have blocks of their own)."""
        return [
            f"{long_date(e.at)}: {e.kind}: {e.text}"
            for e in self.timeline
            if e.kind not in _HISTORY_KINDS
        ]


def case_facts(case: Case) -> str:
    """The case record as the model and the checker see it."""
    lines = [
        f"reference: {case.ref}",
        f"constituent: {case.constituent_name or '(name not known)'} <{case.constituent_email}>",
        f"subject: {case.subject}",
        f"category: {case.category.value}; topic: {case.topic.value.replace('_', ' ')}",
        f"status: {case.status.value}; urgent: {'yes' if case.is_urgent else 'no'}",
        f"opened: {long_date(case.created_at)}",
    ]
    if case.postcode:
        lines.append(f"postcode: {case.postcode}")
    if case.ward:
        lines.append(f"ward: {case.ward}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    kind: str  # grounded, unknown_source, placeholder, ungrounded, instructions
    why: str  # safe to audit and log: kinds and counts, never the draft's words
    sources: tuple[str, ...] = ()  # as stored on the draft


def restore_placeholders(body: str, name: str, email: str) -> str:
    """The constituent's own name and address back where the model wrote the placeholders."""
    shown = " ".join(name.replace('"', "").split()) or "constituent"
    return body.replace(NAME_PLACEHOLDER, shown).replace(EMAIL_PLACEHOLDER, email)


def judge_draft(
    body: str,
    cited: Sequence[str],
    contains_instructions: bool,
    sources: Sequence[Source],
    template_name: str,
) -> Verdict:
    """Whether the model's draft (placeholders already restored) can be used, and its sources."""
    given = {s.id for s in sources if s.id != OFFICE}
    unknown = [c for c in cited if c not in given]
    if unknown:
        n = len(unknown)
        return Verdict(
            False, "unknown_source", f"cited {n} source{'s' if n > 1 else ''} it was not given"
        )
    left = _LEFT_OVER.findall(body)
    if left:
        return Verdict(
            False,
            "placeholder",
            f"left {len(left)} redacted detail(s) in the text: {', '.join(sorted(set(left)))}",
        )
    report = check_grounding(body, sources)
    if not report.is_grounded:
        return Verdict(False, "ungrounded", f"not found in the case's sources: {report.summary()}")
    if contains_instructions:
        return Verdict(
            False,
            "instructions",
            "the constituent's mail tried to instruct the model; the template is used",
        )
    listed = [f"{TEMPLATE}:{template_name}"]
    listed += [c for c in dict.fromkeys(cited) if c != TEMPLATE]
    return Verdict(
        True, "grounded", f"{len(report.claims)} facts checked, all grounded", tuple(listed)
    )
