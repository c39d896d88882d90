"""The SharePoint lists that hold CaseDesk's system of record, and how rows map to the core's models.

An administrator creates these lists once (docs/sharepoint-schema.md walks through it, and
`create_list_body` renders the Graph `POST /sites/{site-id}/lists` body for each) and puts
their ids in settings. Every list's Title column is its natural key, indexed and set to
enforce unique values, so a second writer cannot create a duplicate.

Times are ISO 8601 text, not SharePoint DateTime columns: DateTime columns keep whole seconds
only, and the audit hash covers the exact timestamp. All of CaseDesk's times are UTC, so the
text sorts in time order.

Pure: no I/O here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal

from casedesk.core.models import (
    AuditEntry,
    Campaign,
    Case,
    CaseStatus,
    Category,
    Classification,
    Constituent,
    DissolutionChoice,
    DissolutionOption,
    NewCase,
    Note,
    ParsedMessage,
    QuarantineItem,
    Referral,
    StoredMessage,
    Topic,
    flags_text,
    parse_flags,
)
from casedesk.errors import SettingsError

Kind = Literal["text", "note", "number", "boolean"]
Fields = dict[str, Any]
TITLE_MAX = 255  # single line of text
NOTE_MAX = 63_999  # multiple lines of text in a list


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    meaning: str
    indexed: bool = False


@dataclass(frozen=True)
class ListSpec:
    key: str  # the settings key naming the list's id
    display_name: str
    title: str  # what the Title column holds (always indexed, unique)
    columns: tuple[Column, ...]

    @property
    def non_indexed(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.indexed)

    @property
    def indexed(self) -> tuple[str, ...]:
        return ("Title", *(c.name for c in self.columns if c.indexed))


def _t(name: str, meaning: str, indexed: bool = False) -> Column:
    return Column(name, "text", meaning, indexed)


def _n(name: str, meaning: str) -> Column:
    return Column(name, "note", meaning)


def _num(name: str, meaning: str, indexed: bool = False) -> Column:
    return Column(name, "number", meaning, indexed)


def _b(name: str, meaning: str) -> Column:
    return Column(name, "boolean", meaning)


_UNIT = _t("UnitId", "which CaseDesk commit wrote the row (makes a retried create idempotent)")

SCHEMA: tuple[ListSpec, ...] = (
    ListSpec(
        "cases",
        "CaseDesk Cases",
        "case reference, CD-YYYY-NNNNNN",
        (
            _num("ConstituentId", "item id in CaseDesk Constituents"),
            _t("ConstituentEmail", "the constituent's address (never changes)", indexed=True),
            _n("Subject", "subject of the first message"),
            _n("NormalisedSubject", "subject without Re:/Fwd: and case, for threading"),
            _t("Category", "casework, campaign, policy, ...", indexed=True),
            _t("Topic", "housing, benefits, ..."),
            _b("IsUrgent", "safety or deadline words found"),
            _num("Confidence", "classifier confidence, 0 to 1"),
            _t("Status", "new, open, awaiting_constituent, awaiting_agency, closed", indexed=True),
            _t("Assignee", "member of staff, or empty", indexed=True),
            _t("CampaignId", "campaign cluster id, or empty", indexed=True),
            _n("Summary", "a few lines for the queue"),
            _t("CreatedAt", "ISO 8601 UTC"),
            _t("UpdatedAt", "ISO 8601 UTC; latest message"),
            _num("MessageCount", "messages filed in the case"),
            _t(
                "Flags", "needs_review, threat, safeguarding, outside_constituency: space-separated"
            ),
            _t("Priority", "low, normal, high, urgent (from the routing rules)"),
            _t("DueAt", "ISO 8601 UTC: when the SLA runs out, or empty", indexed=True),
            _t("Tags", "space-separated tags from the routing rules"),
            _b("SignoffRequired", "replies need the MP's sign-off"),
            _t("RoutedBy", "the routing rules that matched, space-separated"),
            _t("Ward", "ward name from the postcode directory, or empty", indexed=True),
            # The reply draft (sharepoint_drafts.py): empty until the case has one.
            _t("DraftState", "draft, awaiting_signoff, approved, rejected, sent", indexed=True),
            _n("DraftBody", "the reply's current text"),
            _t("DraftApprover", "who was asked to sign it off"),
            _t("DraftDecidedBy", "who approved or rejected the current version"),
            _t("DraftSentAt", "ISO 8601 UTC, when it was sent"),
            _n("DraftDetail", "JSON: version, subject, hashes, thread, Outlook draft id, ..."),
            _UNIT,
            _t("SlaStage", "how far the SLA sweep has gone: empty, warned or escalated"),
            _t("SlaStageDue", "ISO 8601 UTC: the due time SlaStage belongs to"),
            _t("MergedInto", "the case this one was merged into (it is then closed), or empty"),
            _t("LinkedRefs", "related cases, space-separated (each links back to this one)"),
        ),
    ),
    ListSpec(
        "constituents",
        "CaseDesk Constituents",
        "email address",
        (
            _t("FullName", "display name from the latest mail that had one"),
            _t("Postcode", "latest postcode found, or empty"),
            _t("CreatedAt", "ISO 8601 UTC"),
            _t("UpdatedAt", "ISO 8601 UTC"),
            _UNIT,
        ),
    ),
    ListSpec(
        "messages",
        "CaseDesk Messages",
        "Message-ID (or sha256: of it when longer than 255 characters)",
        (
            _n("MessageId", "the full Message-ID"),
            _t("Sha256", "sha256 of the original bytes", indexed=True),
            _t("ContentHash", "hash of subject, text and attachments"),
            _t("CaseRef", "the case it is filed in", indexed=True),
            _t(
                "FromAddr",
                "sender address (subject access and erasure look up by it)",
                indexed=True,
            ),
            _n("Subject", "subject"),
            _t("SentAt", "ISO 8601 UTC from the Date header, or empty"),
            _t("ReceivedAt", "ISO 8601 UTC"),
            _n(
                "Classification",
                "JSON: category, topic, is_urgent, confidence, reasons, classifier",
            ),
            _t("FiledPath", "path of the .eml in the document library"),
            _n("NewText", "what the sender wrote this time (quoted history removed)"),
            _UNIT,
        ),
    ),
    ListSpec(
        "audit",
        "CaseDesk Audit",
        "entry hash (sha256 over the previous hash and this entry)",
        (
            _num("Seq", "1, 2, 3, ... in chain order", indexed=True),
            _t("At", "ISO 8601 UTC, exactly as hashed"),
            _t("Actor", "who or what acted"),
            _t("Action", "e.g. case.opened", indexed=True),
            _t("ObjectRef", "case reference or other object", indexed=True),
            _n("Detail", "JSON, as hashed"),
            _t("PrevHash", "hash of entry Seq - 1 (64 zeros for the first)"),
        ),
    ),
    ListSpec(
        "quarantine",
        "CaseDesk Quarantine",
        "sha256 of the quarantined bytes",
        (
            _n("Source", "where it came from (file path or Graph message id)"),
            _n("Reason", "why it could not be filed"),
            _t("QuarantinedAt", "ISO 8601 UTC"),
            _n("StoredPath", "where the bytes are kept"),
        ),
    ),
    ListSpec(
        "campaigns",
        "CaseDesk Campaigns",
        "campaign cluster id",
        (
            _n("CampaignName", "short name"),
            _num("ClusterSize", "messages in the cluster"),
            _t("FirstSeen", "ISO 8601 UTC"),
            _t("LastSeen", "ISO 8601 UTC"),
            _b("IsCampaign", "enough distinct senders to be a campaign"),
            _n("CanonicalSubject", "subject of the first message"),
        ),
    ),
    ListSpec(
        "counters",
        "CaseDesk Counters",
        "CD-YYYY for case references, 'audit' for the audit chain's head",
        (
            _num("Last", "last number handed out (or last audit Seq)"),
            _t("Hash", "audit only: hash of the last entry"),
        ),
    ),
    ListSpec(
        "referrals",
        "CaseDesk Referrals",
        "referral id: the case reference and a number, CD-YYYY-NNNNNN-R1",
        (
            _t("CaseRef", "the case referred", indexed=True),
            _t("Agency", "the agency's key in the agencies table, e.g. dwp", indexed=True),
            _t("State", "open, or replied", indexed=True),
            _t("ReferredAt", "ISO 8601 UTC"),
            _t("ReferredBy", "who referred it"),
            _t("ExpectedBy", "ISO 8601 UTC: when the agency's reply is due"),
            _n("Note", "the referrer's note, or empty"),
            _t("RepliedAt", "ISO 8601 UTC, or empty while open"),
            _t("RepliedBy", "who recorded the reply"),
            _t("ChasedAt", "ISO 8601 UTC of the latest chase reminder, or empty"),
            _num("Chases", "chase reminders recorded so far"),
            _UNIT,
        ),
    ),
    ListSpec(
        "notes",
        "CaseDesk Notes",
        "note id (random, made when the note is written)",
        (
            _t("CaseRef", "the case the note is on", indexed=True),
            _t("Author", "the member of staff who wrote it"),
            _n("NoteText", "the note"),
            _t("CreatedAt", "ISO 8601 UTC"),
        ),
    ),
    ListSpec(
        "dissolution",
        "CaseDesk Dissolution",
        "case reference, CD-YYYY-NNNNNN: one choice per case, replaced when decided again",
        (
            _t("Choice", "transfer, hand-back or purge"),
            _t("DecidedBy", "the member of staff who recorded the choice"),
            _t("DecidedAt", "ISO 8601 UTC"),
            _n("ConsentRef", "transfer only: where the constituent's consent is recorded"),
            _t("AppliedAt", "ISO 8601 UTC, once carried out; empty while pending"),
            _t("AppliedBy", "who carried it out, or empty"),
            _n("Outcome", "what was done: the bundle's name and sha256, or the erasure"),
        ),
    ),
)
SPECS: dict[str, ListSpec] = {spec.key: spec for spec in SCHEMA}
# A new case has no reply draft yet (the triage unit usually adds one before the row is written).
NO_DRAFT: dict[str, None] = {
    c.name: None for c in SPECS["cases"].columns if c.name.startswith("Draft")
}


@dataclass(frozen=True)
class CaseDeskLists:
    """The id (GUID or display name) of each list on the site."""

    cases: str
    constituents: str
    messages: str
    audit: str
    quarantine: str
    campaigns: str
    counters: str
    referrals: str
    notes: str
    dissolution: str

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> CaseDeskLists:
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if not mapping.get(n)]
        if missing:
            raise SettingsError(
                "SharePoint list ids missing for: "
                + ", ".join(missing)
                + " (docs/sharepoint-schema.md says how to create the lists and find their ids)"
            )
        return cls(**{n: mapping[n] for n in names})


def create_list_body(spec: ListSpec) -> dict[str, Any]:
    """Body for Graph `POST /sites/{site-id}/lists` creating the list with its columns.

    The Title column comes with the generic list; index it and enforce unique values
    afterwards (`PATCH .../lists/{id}/columns/{title-column-id}`), see the schema doc."""

    def definition(c: Column) -> dict[str, Any]:
        body: dict[str, Any] = {"name": c.name, "indexed": c.indexed}
        if c.kind == "text":
            body["text"] = {"maxLength": TITLE_MAX}
        elif c.kind == "note":
            body["text"] = {"allowMultipleLines": True, "textType": "plain", "linesForEditing": 6}
        elif c.kind == "number":
            body["number"] = {}
        else:
            body["boolean"] = {}
        return body

    return {
        "displayName": spec.display_name,
        "columns": [definition(c) for c in spec.columns],
        "list": {"template": "genericList"},
    }


# ---- values ------------------------------------------------------------------------------


def ts(value: datetime) -> str:
    return value.isoformat()


def dt(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def opt_dt(value: Any) -> datetime | None:
    return dt(value) if value else None


def num(value: Any, default: int = 0) -> int:
    return int(float(value)) if value is not None and value != "" else default


def opt_text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def text(value: Any) -> str:
    return "" if value is None else str(value)


def note(value: str) -> str:
    """Multiple lines of text hold 63,999 characters; the .eml in the library has everything."""
    return value if len(value) <= NOTE_MAX else value[: NOTE_MAX - 1] + "…"


def message_key(message_id: str) -> str:
    """The Messages list's Title: the Message-ID, or a digest when too long for a text column."""
    if len(message_id) <= TITLE_MAX:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode("utf-8")).hexdigest()


def odata_string(value: str) -> str:
    """An OData string literal: single quotes doubled, so user text is never filter syntax."""
    return "'" + value.replace("'", "''") + "'"


# ---- rows <-> models --------------------------------------------------------------------


def constituent_fields(
    email: str, name: str, postcode: str | None, now: datetime, unit_id: str
) -> Fields:
    return {
        "Title": email,
        "FullName": name,
        "Postcode": postcode,
        "CreatedAt": ts(now),
        "UpdatedAt": ts(now),
        "UnitId": unit_id,
    }


def constituent_update(current: Fields, name: str, postcode: str | None, now: datetime) -> Fields:
    """What the SQLite upsert does: a new name only if given, a postcode only if found."""
    return {
        "FullName": name if name else text(current.get("FullName")),
        "Postcode": postcode if postcode is not None else opt_text(current.get("Postcode")),
        "UpdatedAt": ts(now),
    }


def constituent(item_id: int, f: Fields) -> Constituent:
    return Constituent(
        item_id, text(f.get("Title")), text(f.get("FullName")), opt_text(f.get("Postcode"))
    )


def case_fields(ref: str, new: NewCase, email: str, unit_id: str) -> Fields:
    c = new.classification
    return {
        "Title": ref,
        "ConstituentId": new.constituent_id,
        "ConstituentEmail": email,
        "Subject": note(new.subject),
        "NormalisedSubject": note(new.normalised_subject),
        "Category": c.category.value,
        "Topic": c.topic.value,
        "IsUrgent": c.is_urgent,
        "Confidence": c.confidence,
        "Status": CaseStatus.NEW.value,
        "Assignee": new.assignee,
        "CampaignId": new.campaign_id,
        "Summary": note(new.summary),
        "CreatedAt": ts(new.opened_at),
        "UpdatedAt": ts(new.opened_at),
        "MessageCount": 0,
        "Flags": flags_text(new.flags),
        "Priority": new.priority,
        "DueAt": ts(new.due_at) if new.due_at else None,
        "Tags": " ".join(new.tags),
        "SignoffRequired": new.signoff_required,
        "RoutedBy": " ".join(new.routed_by),
        "Ward": new.ward,
        **NO_DRAFT,
        "UnitId": unit_id,
        "SlaStage": "",
        "SlaStageDue": None,
        "MergedInto": None,
        "LinkedRefs": "",
    }


def case(f: Fields, person: Fields | None, message_count: int) -> Case:
    person = person or {}
    return Case(
        ref=text(f.get("Title")),
        constituent_email=text(person.get("Title") or f.get("ConstituentEmail")),
        constituent_name=text(person.get("FullName")),
        subject=text(f.get("Subject")),
        category=Category(f["Category"]),
        topic=Topic(f["Topic"]),
        is_urgent=bool(f.get("IsUrgent")),
        status=CaseStatus(f["Status"]),
        assignee=opt_text(f.get("Assignee")),
        campaign_id=opt_text(f.get("CampaignId")),
        summary=text(f.get("Summary")),
        created_at=dt(f["CreatedAt"]),
        updated_at=dt(f["UpdatedAt"]),
        message_count=message_count,
        postcode=opt_text(person.get("Postcode")),
        flags=parse_flags(f.get("Flags")),
        priority=text(f.get("Priority")) or "normal",
        due_at=dt(f["DueAt"]) if f.get("DueAt") else None,
        tags=tuple(text(f.get("Tags")).split()),
        signoff_required=bool(f.get("SignoffRequired")),
        routed_by=tuple(text(f.get("RoutedBy")).split()),
        ward=opt_text(f.get("Ward")),
        sla_stage=text(f.get("SlaStage")),
        sla_stage_due=opt_dt(f.get("SlaStageDue")),
        merged_into=opt_text(f.get("MergedInto")),
    )


def classification_json(c: Classification) -> str:
    return json.dumps(
        {
            "category": c.category.value,
            "topic": c.topic.value,
            "is_urgent": c.is_urgent,
            "confidence": c.confidence,
            "reasons": list(c.reasons),
            "classifier": c.classifier,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def classification(raw: Any) -> Classification:
    data = json.loads(str(raw))
    return Classification(
        category=Category(data["category"]),
        topic=Topic(data["topic"]),
        is_urgent=bool(data["is_urgent"]),
        confidence=float(data["confidence"]),
        reasons=tuple(data["reasons"]),
        classifier=str(data["classifier"]),
    )


def message_fields(
    case_ref: str,
    message: ParsedMessage,
    c: Classification,
    received_at: datetime,
    filed_path: str,
    unit_id: str,
) -> Fields:
    return {
        "Title": message_key(message.message_id),
        "MessageId": message.message_id,
        "Sha256": message.sha256,
        "ContentHash": message.content_hash,
        "CaseRef": case_ref,
        "FromAddr": message.from_addr,
        "Subject": note(message.subject),
        "SentAt": ts(message.sent_at) if message.sent_at else None,
        "ReceivedAt": ts(received_at),
        "Classification": classification_json(c),
        "FiledPath": filed_path,
        "NewText": note(message.new_text),
        "UnitId": unit_id,
    }


def stored_message(f: Fields) -> StoredMessage:
    return StoredMessage(
        case_ref=text(f.get("CaseRef")),
        message_id=text(f.get("MessageId") or f.get("Title")),
        sha256=text(f.get("Sha256")),
        from_addr=text(f.get("FromAddr")),
        subject=text(f.get("Subject")),
        sent_at=opt_dt(f.get("SentAt")),
        received_at=dt(f["ReceivedAt"]),
        classification=classification(f["Classification"]),
        filed_path=text(f.get("FiledPath")),
        new_text=text(f.get("NewText")),
        content_hash=text(f.get("ContentHash")),
    )


def campaign_fields(c: Campaign) -> Fields:
    return {
        "Title": c.id,
        "CampaignName": note(c.name),
        "ClusterSize": c.size,
        "FirstSeen": ts(c.first_seen),
        "LastSeen": ts(c.last_seen),
        "IsCampaign": c.is_campaign,
        "CanonicalSubject": note(c.canonical_subject),
    }


def campaign_update(c: Campaign) -> Fields:
    """What the SQLite upsert changes on a known campaign: the name and first sighting stay."""
    return {"ClusterSize": c.size, "LastSeen": ts(c.last_seen), "IsCampaign": c.is_campaign}


def campaign(f: Fields) -> Campaign:
    return Campaign(
        id=text(f.get("Title")),
        name=text(f.get("CampaignName")),
        size=num(f.get("ClusterSize")),
        first_seen=dt(f["FirstSeen"]),
        last_seen=dt(f["LastSeen"]),
        is_campaign=bool(f.get("IsCampaign")),
        canonical_subject=text(f.get("CanonicalSubject")),
    )


def quarantine_fields(item: QuarantineItem) -> Fields:
    return {
        "Title": item.sha256,
        "Source": note(item.source),
        "Reason": note(item.reason),
        "QuarantinedAt": ts(item.quarantined_at),
        "StoredPath": note(item.stored_path),
    }


def quarantine_item(f: Fields) -> QuarantineItem:
    return QuarantineItem(
        text(f.get("Title")),
        text(f.get("Source")),
        text(f.get("Reason")),
        dt(f["QuarantinedAt"]),
        text(f.get("StoredPath")),
    )


def audit_fields(e: AuditEntry) -> Fields:
    return {
        "Title": e.hash,
        "Seq": e.seq,
        "At": ts(e.at),
        "Actor": e.actor,
        "Action": e.action,
        "ObjectRef": e.object_ref,
        "Detail": json.dumps(e.detail, sort_keys=True, ensure_ascii=False),
        "PrevHash": e.prev_hash,
    }


def audit_entry(f: Fields) -> AuditEntry:
    return AuditEntry(
        num(f.get("Seq")),
        dt(f["At"]),
        text(f.get("Actor")),
        text(f.get("Action")),
        text(f.get("ObjectRef")),
        json.loads(str(f.get("Detail") or "{}")),
        text(f.get("PrevHash")),
        text(f.get("Title")),
    )


def referral_fields(r: Referral, unit_id: str) -> Fields:
    return {
        "Title": r.id,
        "CaseRef": r.case_ref,
        "Agency": r.agency,
        "State": "open" if r.is_open else "replied",
        "ReferredAt": ts(r.referred_at),
        "ReferredBy": r.referred_by,
        "ExpectedBy": ts(r.expected_by),
        "Note": note(r.note),
        "RepliedAt": ts(r.replied_at) if r.replied_at else None,
        "RepliedBy": r.replied_by,
        "ChasedAt": ts(r.chased_at) if r.chased_at else None,
        "Chases": r.chases,
        "UnitId": unit_id,
    }


def referral(f: Fields) -> Referral:
    return Referral(
        id=text(f.get("Title")),
        case_ref=text(f.get("CaseRef")),
        agency=text(f.get("Agency")),
        referred_at=dt(f["ReferredAt"]),
        referred_by=text(f.get("ReferredBy")),
        expected_by=dt(f["ExpectedBy"]),
        note=text(f.get("Note")),
        replied_at=opt_dt(f.get("RepliedAt")),
        replied_by=opt_text(f.get("RepliedBy")),
        chased_at=opt_dt(f.get("ChasedAt")),
        chases=num(f.get("Chases")),
    )


def note_fields(n: Note) -> Fields:
    return {
        "Title": n.id,
        "CaseRef": n.case_ref,
        "Author": n.author,
        "NoteText": note(n.text),
        "CreatedAt": ts(n.created_at),
    }


def stored_note(f: Fields) -> Note:
    return Note(
        text(f.get("Title")),
        text(f.get("CaseRef")),
        text(f.get("Author")),
        text(f.get("NoteText")),
        dt(f["CreatedAt"]),
    )


def dissolution_fields(c: DissolutionChoice) -> Fields:
    """Every column, so saving again replaces the whole row (SQLite's INSERT OR REPLACE)."""
    return {
        "Title": c.case_ref,
        "Choice": c.choice.value,
        "DecidedBy": c.decided_by,
        "DecidedAt": ts(c.decided_at),
        "ConsentRef": c.consent_ref,
        "AppliedAt": ts(c.applied_at) if c.applied_at else None,
        "AppliedBy": c.applied_by,
        "Outcome": c.outcome,
    }


def dissolution_choice(f: Fields) -> DissolutionChoice:
    return DissolutionChoice(
        case_ref=text(f.get("Title")),
        choice=DissolutionOption(f["Choice"]),
        decided_by=text(f.get("DecidedBy")),
        decided_at=dt(f["DecidedAt"]),
        consent_ref=opt_text(f.get("ConsentRef")),
        applied_at=opt_dt(f.get("AppliedAt")),
        applied_by=opt_text(f.get("AppliedBy")),
        outcome=text(f.get("Outcome")),
    )
