"""Plain data the core passes around. No I/O, no SDK types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Category(StrEnum):
    CASEWORK = "casework"
    CAMPAIGN = "campaign"
    POLICY = "policy"
    INVITATION = "invitation"
    PRESS = "press"
    ABUSE = "abuse"
    SPAM = "spam"
    OTHER = "other"


class Topic(StrEnum):
    HOUSING = "housing"
    BENEFITS = "benefits"
    IMMIGRATION = "immigration"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    EDUCATION = "education"
    POLICE_CRIME = "police_crime"
    TRANSPORT = "transport"
    ENVIRONMENT_PLANNING = "environment_planning"
    COUNCIL_SERVICES = "council_services"
    TAX = "tax"
    EMPLOYMENT = "employment"
    CONSUMER_UTILITIES = "consumer_utilities"
    INTERNATIONAL = "international"
    ANIMAL_WELFARE = "animal_welfare"
    OTHER = "other"


class CaseFlag(StrEnum):
    """Marks on a case that change who sees it first."""

    NEEDS_REVIEW = "needs_review"  # the classifier was unsure: a person checks the category
    THREAT = "threat"  # threatens violence or harm: the safety lead, today
    SAFEGUARDING = "safeguarding"  # self-harm or suicide risk, a child or adult at risk
    OUTSIDE = "outside_constituency"  # the postcode is in another MP's seat: rules decide


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    AWAITING_CONSTITUENT = "awaiting_constituent"
    AWAITING_AGENCY = "awaiting_agency"
    CLOSED = "closed"


@dataclass(frozen=True)
class RawMessage:
    """Bytes as they arrived, with where they came from (a path, a Graph id)."""

    source: str
    data: bytes
    received_at: datetime | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str  # already a safe basename, never a path
    content_type: str
    data: bytes
    is_inline: bool = False
    content_id: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ParsedMessage:
    """An email reduced to what triage needs; `raw` keeps the original bytes for filing."""

    raw: bytes
    sha256: str
    message_id: str  # "<...>"; synthetic from the hash when the header is missing
    has_message_id_header: bool
    from_addr: str  # lower-case address
    from_name: str
    to: tuple[str, ...]
    subject: str
    sent_at: datetime | None  # UTC
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str  # clean text of the whole body, quoted history included (what is filed)
    new_text: str  # the part the sender wrote this time (what is classified)
    is_html_only: bool
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...] = ()
    content_hash: str = ""  # subject, text and attachments: equal for two deliveries of one message

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this message replies to, nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids.extend(reversed(self.references))
        seen: dict[str, None] = {}
        for i in ids:
            seen.setdefault(i, None)
        return tuple(seen)


@dataclass(frozen=True)
class Classification:
    category: Category
    topic: Topic
    is_urgent: bool
    confidence: float
    reasons: tuple[str, ...]
    classifier: str
    threat: bool = False
    safeguarding: bool = False


@dataclass(frozen=True)
class Constituent:
    id: int
    email: str
    name: str
    postcode: str | None


@dataclass(frozen=True)
class Case:
    ref: str
    constituent_email: str
    constituent_name: str
    subject: str
    category: Category
    topic: Topic
    is_urgent: bool
    status: CaseStatus
    assignee: str | None
    campaign_id: str | None
    summary: str
    created_at: datetime
    updated_at: datetime
    message_count: int = 0
    postcode: str | None = None
    flags: frozenset[CaseFlag] = frozenset()
    priority: str = "normal"
    due_at: datetime | None = None
    tags: tuple[str, ...] = ()
    signoff_required: bool = False
    routed_by: tuple[str, ...] = ()  # the routing rules that matched, in order
    ward: str | None = None  # ward name from the postcode directory when the case opened
    sla_stage: str = ""  # how far the SLA sweep has gone ("warned", "escalated") ...
    sla_stage_due: datetime | None = None  # ... for this due time (a new due_at starts again)
    merged_into: str | None = None  # set when merged: this case is closed, its mail moved there

    @property
    def needs_review(self) -> bool:
        return CaseFlag.NEEDS_REVIEW in self.flags

    def as_record(self) -> dict[str, object]:
        """The case as plain JSON-ready fields (case.json and `--json` output share it)."""
        return {
            "ref": self.ref,
            "subject": self.subject,
            "status": self.status.value,
            "category": self.category.value,
            "topic": self.topic.value,
            "urgent": self.is_urgent,
            "flags": sorted(flag.value for flag in self.flags),
            "priority": self.priority,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "tags": list(self.tags),
            "signoff_required": self.signoff_required,
            "routed_by": list(self.routed_by),
            "assignee": self.assignee,
            "campaign_id": self.campaign_id,
            "constituent": {
                "name": self.constituent_name,
                "email": self.constituent_email,
                "postcode": self.postcode,
                "ward": self.ward,
            },
            "summary": self.summary,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "merged_into": self.merged_into,
        }


@dataclass(frozen=True)
class NewCase:
    """What the pipeline asks the repository to open; the repository assigns the ref."""

    constituent_id: int
    subject: str
    normalised_subject: str
    classification: Classification
    assignee: str | None
    campaign_id: str | None
    summary: str
    opened_at: datetime
    flags: frozenset[CaseFlag] = frozenset()
    priority: str = "normal"
    due_at: datetime | None = None
    tags: tuple[str, ...] = ()
    signoff_required: bool = False
    routed_by: tuple[str, ...] = ()
    ward: str | None = None


@dataclass(frozen=True)
class StoredMessage:
    case_ref: str
    message_id: str
    sha256: str
    from_addr: str
    subject: str
    sent_at: datetime | None
    received_at: datetime
    classification: Classification
    filed_path: str
    new_text: str
    content_hash: str = ""


@dataclass(frozen=True)
class QuarantineItem:
    sha256: str
    source: str
    reason: str
    quarantined_at: datetime
    stored_path: str


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    size: int
    first_seen: datetime
    last_seen: datetime
    is_campaign: bool
    canonical_subject: str


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    template: str
    # What it was written from (AI drafts: 'template:casework.txt.j2', 'policy:sewage', ...).
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    object_ref: str
    detail: dict[str, str | int | float | bool | None]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class QueuedWork:
    """One queue message as received: its body (IDs only), and the handle to delete it."""

    body: dict[str, str]
    receipt: str
    dequeue_count: int


@dataclass(frozen=True)
class CaseQuery:
    """Filters for queue and search; None means 'any'."""

    text: str | None = None
    postcode: str | None = None
    ward: str | None = None  # ward name, any case
    category: Category | None = None
    status: CaseStatus | None = None
    assignee: str | None = None
    open_only: bool = False
    flag: CaseFlag | None = None
    limit: int = 200
    topic: Topic | None = None
    tag: str | None = None
    unassigned: bool = False  # only cases nobody is assigned to
    opened_from: datetime | None = None  # created_at >= this (UTC)
    opened_before: datetime | None = None  # created_at < this (UTC)


@dataclass(frozen=True)
class Note:
    """A member of staff's note on a case (never constituent text)."""

    id: str
    case_ref: str
    author: str
    text: str
    created_at: datetime


@dataclass
class RunReport:
    """Counting law: seen == filed_new + filed_existing + duplicates + quarantined."""

    seen: int = 0
    filed_new: int = 0
    filed_existing: int = 0
    duplicates: int = 0
    quarantined: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    campaigns_announced: list[str] = field(default_factory=list)

    @property
    def filed(self) -> int:
        return self.filed_new + self.filed_existing

    @property
    def balances(self) -> bool:
        return self.seen == self.filed + self.duplicates + self.quarantined


def flags_text(flags: frozenset[CaseFlag]) -> str:
    """Flags as stored: sorted values, space-separated ('' for none)."""
    return " ".join(sorted(flag.value for flag in flags))


def parse_flags(value: object) -> frozenset[CaseFlag]:
    """Stored flags back; unknown words (from a newer version) are ignored."""
    known = {flag.value for flag in CaseFlag}
    return frozenset(CaseFlag(w) for w in str(value or "").split() if w in known)


@dataclass(frozen=True)
class Referral:
    """A case referred to an outside body (an agency such as DWP or the council)."""

    id: str  # "<case ref>-R<n>", given by the repository
    case_ref: str
    agency: str  # the agency's key in the agencies table, e.g. "dwp"
    referred_at: datetime
    referred_by: str
    expected_by: datetime  # when a reply is due, from the agency's response time
    note: str = ""  # staff's own words; may name the constituent, so never logged
    replied_at: datetime | None = None
    replied_by: str | None = None
    chased_at: datetime | None = None  # the latest chase reminder the sweep recorded
    chases: int = 0

    @property
    def is_open(self) -> bool:
        return self.replied_at is None


class DissolutionOption(StrEnum):
    """What happens to an open case when Parliament dissolves or the MP changes (UK GDPR:
    the outgoing MP is the controller; docs/data-protection.md "Dissolution")."""

    TRANSFER = "transfer"  # to the successor, with the constituent's consent
    HAND_BACK = "hand-back"  # the file goes back to the constituent
    PURGE = "purge"  # erased, leaving tombstones in the audit log


@dataclass(frozen=True)
class DissolutionChoice:
    """The office's recorded choice for one case, and whether it has been carried out."""

    case_ref: str
    choice: DissolutionOption
    decided_by: str
    decided_at: datetime
    consent_ref: str | None = None  # where the constituent's consent is recorded (transfer)
    applied_at: datetime | None = None
    applied_by: str | None = None
    outcome: str = ""  # what apply did: the bundle's file name and sha256, or the erasure

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None
