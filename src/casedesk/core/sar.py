"""Subject access: everything CaseDesk holds about one person, gathered for a staffer to review.

What goes in (all through the CaseRepository and CaseFiles ports, so it works on either store):

- their constituent record, and a record of each of their cases as the system of record
  holds it (category, status, flags, routing, each message's classification and reasons);
- every file in each of their case folders: the messages as the original .eml, attachments,
  reply drafts, case.json, and any notes or other documents kept there;
- messages they sent that were filed in someone else's case (the .eml and its attachments,
  not the rest of that case);
- the audit entries about their cases, their messages and earlier exports for them;
- per case, what the system of record holds beside the case row (records/casework/<REF>.json):
  staff notes, agency referrals, the reply draft and its sign-off, linked cases, tags, pending
  notifications and any dissolution choice;
- quarantined files (mail that could not be read) that contain their address, and the lines
  of the routing rules in force that name it.

`case_bundle` makes the same kind of bundle for one case (a dissolution transfer or hand-back,
core/dissolution.py); it is written by the same zip code.

Every file is scanned for third-party personal data (core/third_party.py) and the bundle's
index lists each finding for redaction review. Other people's cases whose letters mention the
requester's address are listed, not included: a person decides what to disclose from them.
Pure: the ports do the I/O; writing the zip is the entrypoint's job.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from casedesk.core import case_paths
from casedesk.core.audit_query import entry_record
from casedesk.core.models import (
    AuditEntry,
    Case,
    CaseQuery,
    Constituent,
    QuarantineItem,
    StoredMessage,
)
from casedesk.core.personal_data import Kind, normalise_email, person_ref
from casedesk.core.rules_history import live_text
from casedesk.core.sweep import PendingNotifications
from casedesk.core.third_party import Subject, ThirdParty, scan
from casedesk.core.triage import message_token
from casedesk.errors import CaseDeskError, NotFoundError
from casedesk.ports import CaseFiles, CaseRepository, Clock, OpsState

EXPORTED = "sar.exported"
PRIVACY, SALT = "privacy", "salt"
# What a bundle is for: its index.html says so (entrypoints/sar_archive.py).
SUBJECT_ACCESS, TRANSFER, HAND_BACK = "subject-access", "transfer", "hand-back"


def office_salt(ops: OpsState) -> str:
    """The office's secret salt for person keys, made on first use and kept in ops state."""
    ops.add_if_absent(PRIVACY, SALT, secrets.token_hex(32))
    salt = ops.get(PRIVACY, SALT)
    if not salt:
        raise CaseDeskError("could not read the office's privacy salt from ops state")
    return salt


@dataclass(frozen=True)
class BundleFile:
    path: str  # inside the zip, "/"-separated
    data: bytes
    kind: str  # message, attachment, draft, summary, document, record
    case_ref: str | None
    third_party: tuple[ThirdParty, ...] = ()
    scanned: bool = True

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class SarBundle:
    email: str
    person: Constituent | None
    generated_at: datetime
    generated_by: str
    office: str
    cases: list[Case] = field(default_factory=list)
    other_cases: dict[str, list[str]] = field(default_factory=dict)  # ref -> their messages
    files: list[BundleFile] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # named by a record, not in the store
    mentioned_in: list[str] = field(default_factory=list)  # other cases naming the address
    purpose: str = SUBJECT_ACCESS

    @property
    def holds_anything(self) -> bool:
        return bool(
            self.person
            or self.cases
            or self.other_cases
            or any(f.kind == "quarantined" for f in self.files)
        )

    @property
    def third_party(self) -> list[dict[str, Any]]:
        """Every distinct finding with the files it is in: the redaction review list."""
        where: dict[tuple[str, str], list[str]] = {}
        for f in self.files:
            for t in f.third_party:
                where.setdefault((t.kind.value, t.value), [])
                if f.path not in where[(t.kind.value, t.value)]:
                    where[(t.kind.value, t.value)].append(f.path)
        order = {k.value: i for i, k in enumerate(Kind)}
        return [
            {"kind": kind, "value": value, "files": paths}
            for (kind, value), paths in sorted(
                where.items(), key=lambda i: (order[i[0][0]], i[0][1])
            )
        ]

    def index(self) -> dict[str, Any]:
        """index.json: what the bundle holds, for a person and for scripts."""
        return {
            "purpose": self.purpose,
            "about": {
                "email": self.email,
                "name": self.person.name if self.person else None,
                "postcode": self.person.postcode if self.person else None,
            },
            "generated_at": self.generated_at.isoformat(),
            "generated_by": self.generated_by,
            "office": self.office,
            "holds_anything": self.holds_anything,
            "cases": [
                {
                    "ref": c.ref,
                    "subject": c.subject,
                    "category": c.category.value,
                    "status": c.status.value,
                    "opened": c.created_at.isoformat(),
                    "last_message": c.updated_at.isoformat(),
                    "messages": c.message_count,
                }
                for c in self.cases
            ],
            "their_messages_in_other_cases": [
                {"ref": ref, "message_ids": ids} for ref, ids in sorted(self.other_cases.items())
            ],
            "files": [
                {
                    "path": f.path,
                    "kind": f.kind,
                    "case": f.case_ref,
                    "bytes": len(f.data),
                    "sha256": f.sha256,
                    "scanned": f.scanned,
                    "third_party": [
                        {"kind": t.kind.value, "value": t.value, "where": t.where}
                        for t in f.third_party
                    ],
                }
                for f in self.files
            ],
            "third_party_for_review": self.third_party,
            "audit_entries": len(self.audit),
            "missing_files": self.missing,
            "mentioned_in_other_cases": self.mentioned_in,
        }


def collect(
    repo: CaseRepository,
    files: CaseFiles,
    email: str,
    now: datetime,
    by: str,
    office: str,
    office_emails: Iterable[str],
    salt: str,
    ops: OpsState | None = None,
) -> SarBundle:
    """Everything held about the person with this address, read through the ports (and ops
    state, when given: pending notifications and the routing rules in force)."""
    email = normalise_email(email)
    if "@" not in email:
        raise CaseDeskError(f"{email!r} is not an email address")
    person = repo.find_constituent(email)
    bundle = SarBundle(email, person, now, by, office)
    bundle.cases = repo.cases_of_constituent(email)
    own = {c.ref for c in bundle.cases}
    held = {c.ref: repo.case_messages(c.ref) for c in bundle.cases}
    elsewhere = [m for m in repo.messages_from(email) if m.case_ref not in own]
    subject = _subject(
        email, person, office_emails, [*elsewhere, *(m for ms in held.values() for m in ms)]
    )
    tokens: set[str] = set()
    ids: set[str] = set()
    for case in bundle.cases:
        messages = held[case.ref]
        tokens |= {message_token(m.sha256) for m in messages if m.from_addr == email}
        ids |= {m.message_id for m in messages if m.from_addr == email}
        _add_record(bundle, f"records/cases/{case.ref}.json", case.ref,
                    case_paths.summary_json(case, messages), subject)  # fmt: skip
        _add_record(bundle, f"records/casework/{case.ref}.json", case.ref,
                    _json(casework_record(repo, ops, case)), subject)  # fmt: skip
        in_folder = files.list_case_files(case.ref)
        _add_case_files(bundle, files, case.ref, in_folder, subject)
        _note_missing(bundle, messages, in_folder)
    for ref in sorted({m.case_ref for m in elsewhere}):
        theirs = [m for m in elsewhere if m.case_ref == ref]
        bundle.other_cases[ref] = [m.message_id for m in theirs]
        tokens |= {message_token(m.sha256) for m in theirs}
        ids |= {m.message_id for m in theirs}
        listed = files.list_case_files(ref)
        wanted = [p for m in theirs for p in listed if _belongs_to(p, m)]
        _add_case_files(bundle, files, ref, wanted, subject)
        _note_missing(bundle, theirs, listed)
        _add_record(bundle, f"records/other-cases/{ref}.json", ref,
                    _messages_json(theirs), subject)  # fmt: skip
    bundle.audit = _audit_about(
        repo.audit_entries(), own, tokens, ids, email, person_ref(salt, email)
    )
    bundle.mentioned_in = cases_mentioning(
        repo, email, person.name if person else None, own | set(bundle.other_cases)
    )
    _add_quarantined(bundle, repo, files, email, subject)
    rules_lines = _lines_naming(live_text(ops) if ops else None, email)
    if rules_lines:
        _add_record(bundle, "records/routing-rules.json", None, _json({
            "note": "lines of the routing rules in force that name this address",
            "lines": rules_lines}), subject)  # fmt: skip
    person_json = {
        "email": email,
        "name": person.name if person else None,
        "postcode": person.postcode if person else None,
        "cases": sorted(own),
    }
    _add_record(bundle, "records/constituent.json", None, _json(person_json), subject)
    audit_json = _json({"entries": [entry_record(e) for e in bundle.audit]})
    _add_record(bundle, "records/audit.json", None, audit_json, subject)
    return bundle


def case_bundle(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState | None,
    case: Case,
    now: datetime,
    by: str,
    office: str,
    office_emails: Iterable[str],
    purpose: str,
    extra: Iterable[tuple[str, bytes]] = (),
) -> SarBundle:
    """One case as a bundle (a dissolution transfer or hand-back): its record, casework
    record, every file in its folder, its audit entries, and `extra` records (the handover
    note). Third-party data is flagged for review as in a subject access bundle."""
    email = normalise_email(case.constituent_email)
    person = repo.find_constituent(email)
    bundle = SarBundle(email, person, now, by, office, purpose=purpose)
    bundle.cases = [case]
    messages = repo.case_messages(case.ref)
    subject = _subject(email, person, office_emails, messages)
    _add_record(bundle, f"records/cases/{case.ref}.json", case.ref,
                case_paths.summary_json(case, messages), subject)  # fmt: skip
    _add_record(bundle, f"records/casework/{case.ref}.json", case.ref,
                _json(casework_record(repo, ops, case)), subject)  # fmt: skip
    for path, data in extra:
        _add_record(bundle, path, case.ref, data, subject)
    in_folder = files.list_case_files(case.ref)
    _add_case_files(bundle, files, case.ref, in_folder, subject)
    _note_missing(bundle, messages, in_folder)
    bundle.audit = repo.audit_entries(case.ref)
    audit_json = _json({"entries": [entry_record(e) for e in bundle.audit]})
    _add_record(bundle, "records/audit.json", case.ref, audit_json, subject)
    return bundle


def casework_record(repo: CaseRepository, ops: OpsState | None, case: Case) -> dict[str, Any]:
    """What the store holds about a case beside its row and messages."""
    draft = repo.get_draft(case.ref)
    pending = PendingNotifications(ops).all() if ops else []
    choice = next((c for c in repo.dissolution_choices() if c.case_ref == case.ref), None)
    return {
        "case": case.ref,
        "tags": list(case.tags),
        "linked_cases": repo.linked_cases(case.ref),
        "sla": {
            "stage": case.sla_stage,
            "stage_due": case.sla_stage_due.isoformat() if case.sla_stage_due else None,
        },
        "classification_of_messages": [
            {
                "message_id": m.message_id,
                "received_at": m.received_at.isoformat(),
                "category": m.classification.category.value,
                "topic": m.classification.topic.value,
                "urgent": m.classification.is_urgent,
                "confidence": m.classification.confidence,
                "classifier": m.classification.classifier,
            }
            for m in repo.case_messages(case.ref)
        ],
        "notes": [
            {"author": n.author, "text": n.text, "written_at": n.created_at.isoformat()}
            for n in repo.notes(case.ref)
        ],
        "referrals": [
            {
                "id": r.id,
                "agency": r.agency,
                "referred_at": r.referred_at.isoformat(),
                "referred_by": r.referred_by,
                "expected_by": r.expected_by.isoformat(),
                "note": r.note,
                "replied_at": r.replied_at.isoformat() if r.replied_at else None,
                "replied_by": r.replied_by,
                "chased_at": r.chased_at.isoformat() if r.chased_at else None,
                "chases": r.chases,
            }
            for r in repo.referrals(case.ref)
        ],
        "reply_draft": (
            {
                **draft.as_record(),
                "references": list(draft.references),
                "outlook_mailbox": draft.remote_mailbox,
            }
            if draft
            else None
        ),
        "pending_notifications": [
            {k: v for k, v in n.as_record().items() if k != "key"}
            for n in pending
            if n.case_ref == case.ref
        ],
        "dissolution_choice": (
            {
                "choice": choice.choice.value,
                "decided_by": choice.decided_by,
                "decided_at": choice.decided_at.isoformat(),
                "consent_ref": choice.consent_ref,
                "applied_at": choice.applied_at.isoformat() if choice.applied_at else None,
                "outcome": choice.outcome,
            }
            if choice
            else None
        ),
    }


def record_export(
    repo: CaseRepository, clock: Clock, salt: str, bundle: SarBundle, archive_sha256: str
) -> AuditEntry:
    """The `sar.exported` entry: who exported, for whom (by key), what, and the zip's hash."""
    detail: dict[str, str | int | float | bool | None] = {
        "cases": len(bundle.cases),
        "other_cases": len(bundle.other_cases),
        "files": len(bundle.files),
        "third_party_findings": len(bundle.third_party),
        "archive_sha256": archive_sha256,
    }
    return repo.append_audit(
        clock.now(), bundle.generated_by, EXPORTED, person_ref(salt, bundle.email), detail
    )


# --- helpers -----------------------------------------------------------------------------


def _subject(
    email: str,
    person: Constituent | None,
    office_emails: Iterable[str],
    messages: Iterable[StoredMessage],
) -> Subject:
    return Subject(
        emails=frozenset({email}),
        names=frozenset(n.casefold() for n in {person.name if person else ""} if n),
        postcodes=frozenset(p for p in {person.postcode if person else None} if p),
        office_emails=frozenset(normalise_email(e) for e in office_emails),
        message_ids=frozenset(m.message_id.lower() for m in messages),
    )


def quarantined_naming(
    repo: CaseRepository, files: CaseFiles, email: str
) -> list[tuple[QuarantineItem, bytes]]:
    """Quarantined mail (mail that could not be read) whose bytes contain the address, with
    those bytes; a record whose file is gone is skipped."""
    needle = normalise_email(email).encode()
    found = []
    for item in repo.quarantined():
        try:
            data = files.read_file(item.stored_path)
        except NotFoundError:
            continue
        if needle in data.lower():
            found.append((item, data))
    return found


def _add_quarantined(
    bundle: SarBundle, repo: CaseRepository, files: CaseFiles, email: str, subject: Subject
) -> None:
    """Mail that could not be read but contains their address: held about them, so included
    (kind "quarantined") for the staffer to review."""
    for item, data in quarantined_naming(repo, files, email):
        found, scanned = scan(item.stored_path, data, subject)
        bundle.files.append(
            BundleFile(item.stored_path, data, "quarantined", None, tuple(found), scanned)
        )


def _lines_naming(text: str | None, email: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if email in line.lower()]


def _kind(path: str) -> str:
    parts = path.split("/")
    section = parts[2] if len(parts) > 3 else ""
    if section == "messages":
        return "message"
    if section == "attachments":
        return "attachment"
    if section == "drafts":
        return "draft"
    return "summary" if parts[-1] == "case.json" else "document"


def _add_case_files(
    bundle: SarBundle, files: CaseFiles, ref: str, paths: Iterable[str], subject: Subject
) -> None:
    for path in paths:
        try:
            data = files.read_file(path)
        except NotFoundError:
            bundle.missing.append(path)
            continue
        found, scanned = scan(path, data, subject)
        bundle.files.append(BundleFile(path, data, _kind(path), ref, tuple(found), scanned))


def _add_record(
    bundle: SarBundle, path: str, ref: str | None, data: bytes, subject: Subject
) -> None:
    found, _ = scan(path, data, subject)
    bundle.files.append(BundleFile(path, data, "record", ref, tuple(found)))


def _note_missing(bundle: SarBundle, messages: Iterable[StoredMessage], listed: list[str]) -> None:
    present = set(listed)
    bundle.missing += [
        m.filed_path for m in messages if m.filed_path and m.filed_path not in present
    ]


def _belongs_to(path: str, message: StoredMessage) -> bool:
    """The message's .eml, or a file in its attachments folder."""
    if path == message.filed_path:
        return True
    stem = message.filed_path.rsplit("/", 1)[-1].removesuffix(".eml")
    return f"/attachments/{stem}/" in path and path.startswith(f"cases/{message.case_ref}/")


def _messages_json(messages: Iterable[StoredMessage]) -> bytes:
    return _json(
        {
            "note": "messages this person sent that were filed in another person's case",
            "messages": [
                {
                    "message_id": m.message_id,
                    "subject": m.subject,
                    "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                    "received_at": m.received_at.isoformat(),
                    "file": m.filed_path,
                    "category": m.classification.category.value,
                    "reasons": list(m.classification.reasons),
                }
                for m in messages
            ],
        }
    )


def _audit_about(
    entries: Iterable[AuditEntry],
    refs: set[str],  # their own cases: every entry about them
    tokens: set[str],
    ids: set[str],
    email: str,
    ref_of_person: str,
) -> list[AuditEntry]:
    def about(e: AuditEntry) -> bool:
        if e.object_ref in refs or e.object_ref == ref_of_person:
            return True
        values = {str(v) for v in e.detail.values()}
        if values & tokens or values & ids:
            return True
        text = json.dumps(e.detail, ensure_ascii=False).lower()
        return email in text

    return [e for e in entries if about(e)]


def cases_mentioning(
    repo: CaseRepository, email: str, name: str | None, known: set[str]
) -> list[str]:
    """Cases not in `known` whose letters contain the address, or the full name when it has
    two words or more (search narrows, the text decides)."""
    wanted = [email]
    if name and len(name.split()) >= 2:
        wanted.append(" ".join(name.split()).casefold())
    found: set[str] = set()
    for needle in wanted:
        for case in repo.query_cases(CaseQuery(text=needle, limit=10**6)):
            if case.ref in known or case.ref in found:
                continue
            texts = (f"{m.subject}\n{m.new_text}" for m in repo.case_messages(case.ref))
            if any(needle in " ".join(t.split()).casefold() for t in texts):
                found.add(case.ref)
    return sorted(found)


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8")
