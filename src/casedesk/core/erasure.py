"""Right to erasure: delete everything held about one person, leave a tombstone with no
personal data in it, and keep the audit chain verifiable.

What goes: every case where they are the constituent (records, messages, files, notes,
drafts), every message they sent into someone else's case (its record, .eml and
attachments; that case stays and its case.json is rewritten), quarantined mail (mail that
could not be read) whose bytes contain their address, their campaign signatures,
their constituent record, and the detail of any audit entry that names them (an old entry
holding a Message-ID, a rules diff naming their address), redacted in place by the rule in
core/audit.py. What stays: audit entries that name only references (case refs, message
tokens, counts), and the `person.erased` tombstone, which names the person only by a salted
HMAC of their address (core/personal_data.person_ref). Why: docs/decisions/0012.
If the routing rules in force name the address, the plan says so: the rules are the office's
own file, changed with `casedesk rules apply`, not by erasure.

A case on legal hold stops the whole erasure, naming the hold: nothing is deleted.
Order: plan (read-only) -> tombstone -> deletions -> redactions. A run cut short is finished
by running it again; the tombstone is never missing for data that went.
Pure apart from the ports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from casedesk.core import case_paths, rules_history
from casedesk.core.audit import ERASED, REDACTED_LIST, is_redacted, redacted_hash, redaction_marker
from casedesk.core.holds import LegalHold, check_free_text, holds_from
from casedesk.core.models import AuditEntry, Case, QuarantineItem, StoredMessage
from casedesk.core.personal_data import normalise_email, person_ref
from casedesk.core.retention import QUARANTINE, QUARANTINE_DELETED, delete_case
from casedesk.core.sar import cases_mentioning, quarantined_naming
from casedesk.core.triage import message_token
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseFiles, CaseRepository, Clock, OpsState

MESSAGE_DELETED = "message.deleted"


class HeldError(CaseDeskError):
    """A case this erasure would touch is on legal hold."""


@dataclass
class ErasurePlan:
    email: str
    person_ref: str
    cases: list[Case] = field(default_factory=list)
    messages_elsewhere: list[StoredMessage] = field(default_factory=list)
    quarantined: list[QuarantineItem] = field(default_factory=list)  # mail naming them
    files: int = 0
    has_constituent_record: bool = False
    audit_to_redact: list[AuditEntry] = field(default_factory=list)
    holds: list[LegalHold] = field(default_factory=list)
    mentioned_in: list[str] = field(default_factory=list)  # other cases naming the address
    in_live_rules: bool = False  # the routing rules in force name the address

    @property
    def holds_anything(self) -> bool:
        return bool(
            self.cases or self.messages_elsewhere or self.quarantined
            or self.has_constituent_record
        )  # fmt: skip

    def as_record(self) -> dict[str, object]:
        return {
            "person": self.person_ref,
            "cases": [c.ref for c in self.cases],
            "messages_in_other_cases": [
                {"case": m.case_ref, "message": message_token(m.sha256)}
                for m in self.messages_elsewhere
            ],
            "quarantined_mail": [message_token(q.sha256) for q in self.quarantined],
            "files": self.files,
            "constituent_record": self.has_constituent_record,
            "audit_entries_to_redact": [e.seq for e in self.audit_to_redact],
            "holds": [
                {"ref": h.ref, "reason": h.reason, "by": h.by, "since": h.since.isoformat()}
                for h in self.holds
            ],
            "mentioned_in_other_cases": self.mentioned_in,
            "named_in_live_rules": self.in_live_rules,
        }


def plan(
    repo: CaseRepository, files: CaseFiles, ops: OpsState, salt: str, email: str
) -> ErasurePlan:
    """What erasing this address would delete, redact and keep; reads only."""
    email = normalise_email(email)
    if "@" not in email:
        raise CaseDeskError(f"{email!r} is not an email address")
    found = ErasurePlan(email, person_ref(salt, email))
    person = repo.find_constituent(email)
    found.has_constituent_record = person is not None
    found.cases = repo.cases_of_constituent(email)
    own = {c.ref for c in found.cases}
    found.messages_elsewhere = [m for m in repo.messages_from(email) if m.case_ref not in own]
    found.quarantined = [item for item, _ in quarantined_naming(repo, files, email)]
    found.files = sum(len(files.list_case_files(ref)) for ref in own)
    entries = repo.audit_entries()
    touched = own | {m.case_ref for m in found.messages_elsewhere}
    holds = holds_from(entries)
    found.holds = [holds[ref] for ref in sorted(touched) if ref in holds]
    names = {person.name.strip()} if person and len(person.name.strip()) >= 5 else set()
    postcodes = {person.postcode} if person and person.postcode else set()
    ids = {m.message_id for ref in own for m in repo.case_messages(ref)}
    ids |= {m.message_id for m in found.messages_elsewhere}
    found.audit_to_redact = [e for e in entries if _names_them(e, email, ids, names, postcodes)]
    found.mentioned_in = cases_mentioning(repo, email, person.name if person else None, touched)
    found.in_live_rules = email in (rules_history.live_text(ops) or "").lower()
    return found


def erase(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    clock: Clock,
    salt: str,
    email: str,
    reason: str,
    by: str,
) -> tuple[ErasurePlan, AuditEntry]:
    """Carry out the erasure; (what was done, the tombstone). HeldError if a case is held."""
    by = by.strip()
    if not by:
        raise CaseDeskError("say who is erasing (--by NAME): the erasure is audited")
    reason = check_free_text("--reason", reason)
    done = plan(repo, files, ops, salt, email)
    refuse_if_held(done)
    tombstone = _tombstone(repo, clock, done, reason, by)
    for case in done.cases:
        delete_case(repo, files, ops, clock, case, by, {"erasure": tombstone.seq})
    for message in done.messages_elsewhere:
        _delete_message(repo, files, ops, clock, message, by, tombstone.seq)
    for item in done.quarantined:
        repo.append_audit(clock.now(), by, QUARANTINE_DELETED, QUARANTINE,
                          {"item": message_token(item.sha256), "erasure": tombstone.seq})  # fmt: skip
        files.delete_file(item.stored_path)
        repo.delete_quarantined(item.sha256)
    repo.delete_constituent(done.email)
    for entry in done.audit_to_redact:
        repo.redact_audit(entry.seq, redaction_marker(done.person_ref))
    return done, tombstone


def refuse_if_held(done: ErasurePlan) -> None:
    """HeldError naming every hold that stops this erasure."""
    if not done.holds:
        return
    raise HeldError(
        "not erased: "
        + "; ".join(
            f"{h.ref} is on legal hold ({h.reason}; by {h.by} since {h.since.date()})"
            for h in done.holds
        )
        + ". Release the hold first (casedesk release REF --by NAME) if the erasure must go ahead"
    )


def _tombstone(
    repo: CaseRepository, clock: Clock, done: ErasurePlan, reason: str, by: str
) -> AuditEntry:
    """The person.erased entry, committing to each entry it will redact (core/audit.py)."""
    detail: dict[str, str | int | float | bool | None] = {
        "reason": reason,
        "cases": len(done.cases),
        "messages_in_other_cases": len(done.messages_elsewhere),
        "quarantined_mail": len(done.quarantined),
        "files": done.files,
        "constituent_record": done.has_constituent_record,
        REDACTED_LIST: " ".join(
            f"{e.seq}:{redacted_hash(e, done.person_ref)}" for e in done.audit_to_redact
        ),
    }
    return repo.append_audit(clock.now(), by, ERASED, done.person_ref, detail)


def _delete_message(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    clock: Clock,
    message: StoredMessage,
    by: str,
    erasure_seq: int,
) -> None:
    """Their message in another person's case: the record, the .eml, its attachments."""
    stem = message.filed_path.rsplit("/", 1)[-1].removesuffix(".eml")
    attachments = [
        p for p in files.list_case_files(message.case_ref)
        if p.startswith(f"{case_paths.case_folder(message.case_ref)}/attachments/{stem}/")
    ]  # fmt: skip
    repo.append_audit(
        clock.now(), by, MESSAGE_DELETED, message.case_ref,
        {"message": message_token(message.sha256), "erasure": erasure_seq,
         "files": 1 + len(attachments)},
    )  # fmt: skip
    ops.forget_signatures([message.message_id])
    for path in [message.filed_path, *attachments]:
        files.delete_file(path)
    repo.delete_message(message.message_id)
    case = repo.get_case(message.case_ref)
    files.write_summary(case, repo.case_messages(case.ref))


def _names_them(
    e: AuditEntry, email: str, ids: set[str], names: set[str], postcodes: set[str]
) -> bool:
    if is_redacted(e) or e.action == ERASED:
        return False
    text = json.dumps(e.detail, ensure_ascii=False)
    lowered = text.lower()
    if email in lowered or any(i in text for i in ids):
        return True
    if any(n.casefold() in text.casefold() for n in names):
        return True
    squashed = lowered.replace(" ", "")
    return any(p.replace(" ", "").lower() in squashed for p in postcodes)
