"""The office's reply templates: which file answers a case, and the mail-merge fields they may use.

Layout (docs/replies.md), inside the office's templates folder, with the built-in set behind it:

    casework/housing.txt.j2   a category and a topic
    casework.txt.j2           a category
    default.txt.j2            anything else
    _signature.txt.j2         a partial for {% include %}: a leading underscore is never chosen
    handoff-own-mp.txt.j2     any other file is chosen only by name (a rule's `template:`)

Pure: names and values only; rendering is the Jinja adapter's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from casedesk.core.models import Case, Category, Topic

SUFFIX = ".txt.j2"
DEFAULT = "default"
LONDON = ZoneInfo("Europe/London")
# Never drafted automatically: staff may still pick a template by hand for one.
NO_AUTO_DRAFT = frozenset({Category.ABUSE, Category.SPAM})

# Every field a template may use, and what it holds. `casedesk templates check` refuses others.
MERGE_FIELDS: dict[str, str] = {
    "salutation": "'Dear Priya Shah', or 'Dear constituent' when the name is unknown",
    "constituent_name": "the constituent's name as their mail gave it ('' if none)",
    "constituent_first_name": "the first word of the name ('' if none)",
    "constituent_email": "the constituent's address",
    "case_ref": "the case reference, CD-2026-000042",
    "subject": "the subject of their message (their words: printed, never run)",
    "summary": "the first lines of their message (their words: printed, never run)",
    "category": "casework, campaign, policy, invitation, press, other",
    "topic": "housing, benefits, immigration, ... (the value)",
    "topic_label": "the topic in words, e.g. 'social care'",
    "is_urgent": "true when the case is urgent",
    "received_date": "when they wrote, e.g. '16 November 2026'",
    "today": "the date of the draft, e.g. '23 November 2026'",
    "staff_name": "the assigned caseworker's name ('' when unassigned or unknown)",
    "staff_signature": "the caseworker's name and role, two lines ('' when unassigned)",
    "mp_name": "the MP's name, e.g. 'Alex Morgan MP'",
    "mp_signature": "the MP's name and 'Member of Parliament for <constituency>', two lines",
    "office_name": "e.g. 'Office of Alex Morgan MP'",
    "office_email": "the office mailbox replies come from",
    "constituency": "the constituency, e.g. 'Cambridge'",
    # Follow-ups (`casedesk follow-up`): what was done, as recorded with `casedesk outcome`.
    "outcome": "what the office did, as recorded with `casedesk outcome` ('' outside follow-ups)",
    "outcome_date": "when that outcome was recorded, e.g. '30 November 2026' ('' outside)",
}

_ROLE_TITLES = {
    "caseworker": "Caseworker",
    "office_manager": "Office Manager",
    "mp": "Member of Parliament",
    "safety_lead": "Office Manager",
}


@dataclass(frozen=True)
class Office:
    """Who the replies come from."""

    office_name: str
    mp_name: str
    constituency: str
    office_email: str


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: str = "caseworker"


def template_file(name: str) -> str:
    """A template's file from its name: 'casework/housing' -> 'casework/housing.txt.j2'."""
    name = name.strip().strip("/")
    return name if name.endswith(SUFFIX) else name + SUFFIX


def template_name(file: str) -> str:
    return file[: -len(SUFFIX)] if file.endswith(SUFFIX) else file


def template_chain(category: Category, topic: Topic, chosen: str | None = None) -> list[str]:
    """Files to try, most specific first: the chosen one (a rule or a person named it), the
    category and topic, the category, then the default."""
    chain = [template_file(chosen)] if chosen else []
    chain += [f"{category.value}/{topic.value}{SUFFIX}", f"{category.value}{SUFFIX}"]
    chain.append(DEFAULT + SUFFIX)
    return list(dict.fromkeys(chain))


def is_partial(file: str) -> bool:
    return file.rsplit("/", 1)[-1].startswith("_")


def salutation(name: str) -> str:
    """'Dear Priya Shah' from a display name; 'Dear constituent' when there is none."""
    cleaned = _display_name(name)
    return f"Dear {cleaned}" if cleaned else "Dear constituent"


def _display_name(name: str) -> str:
    cleaned = " ".join(name.replace('"', "").split())
    if not cleaned or "@" in cleaned:
        return ""
    if "," in cleaned:  # "Shah, Priya" as Outlook often writes it
        last, _, first = cleaned.partition(",")
        cleaned = f"{first.strip()} {last.strip()}"
    return cleaned


def inert(text: str) -> str:
    """Their words, unable to pose as a [[placeholder]] that would block the reply."""
    return text.replace("[[", "[ [").replace("]]", "] ]")


def long_date(moment: datetime) -> str:
    """'16 November 2026', in London time."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


def merge_values(
    case: Case,
    subject: str,
    written_at: datetime | None,
    now: datetime,
    office: Office,
    staff: Mapping[str, StaffMember],
) -> dict[str, object]:
    """The values of every merge field for one case (exactly the keys of MERGE_FIELDS)."""
    name = _display_name(case.constituent_name)
    person = staff.get(case.assignee or "")
    staff_signature = ""
    if person is not None:
        role = _ROLE_TITLES.get(person.role, person.role.replace("_", " ").title())
        staff_signature = f"{person.name}\n{role}, {office.office_name}"
    values: dict[str, object] = {
        "salutation": inert(salutation(case.constituent_name)),
        "constituent_name": inert(name),
        "constituent_first_name": inert(name.split()[0]) if name else "",
        "constituent_email": case.constituent_email,
        "case_ref": case.ref,
        "subject": inert(subject),
        "summary": inert(case.summary),
        "category": case.category.value,
        "topic": case.topic.value,
        "topic_label": case.topic.value.replace("_", " "),
        "is_urgent": case.is_urgent,
        "received_date": long_date(written_at or case.created_at),
        "today": long_date(now),
        "staff_name": person.name if person else "",
        "staff_signature": staff_signature,
        "mp_name": office.mp_name,
        "mp_signature": f"{office.mp_name}\nMember of Parliament for {office.constituency}",
        "office_name": office.office_name,
        "office_email": office.office_email,
        "constituency": office.constituency,
        "outcome": "",
        "outcome_date": "",
    }
    assert values.keys() == MERGE_FIELDS.keys()
    return values


def sample_values(office: Office, now: datetime) -> dict[str, object]:
    """Plausible values for every field, to try-render templates in `casedesk templates check`."""
    return {
        "salutation": "Dear Priya Shah",
        "constituent_name": "Priya Shah",
        "constituent_first_name": "Priya",
        "constituent_email": "priya.shah@example.org",
        "case_ref": "CD-2026-000042",
        "subject": "Damp and mould in my flat",
        "summary": "My landlord has not repaired the damp in my flat.",
        "category": "casework",
        "topic": "housing",
        "topic_label": "housing",
        "is_urgent": False,
        "received_date": long_date(now),
        "today": long_date(now),
        "staff_name": "Sam Caseworker",
        "staff_signature": f"Sam Caseworker\nCaseworker, {office.office_name}",
        "mp_name": office.mp_name,
        "mp_signature": f"{office.mp_name}\nMember of Parliament for {office.constituency}",
        "office_name": office.office_name,
        "office_email": office.office_email,
        "constituency": office.constituency,
        "outcome": "The council has agreed to re-inspect the flat and re-opened the repair.",
        "outcome_date": long_date(now),
    }


def reply_subject(subject: str) -> str:
    subject = " ".join(subject.split()) or "Your message"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"
