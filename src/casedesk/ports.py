"""The Protocols the core needs from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Protocol

from casedesk.core.geo import Place
from casedesk.core.models import (
    AuditEntry,
    Campaign,
    Case,
    CaseFlag,
    CaseQuery,
    CaseStatus,
    Category,
    Classification,
    Constituent,
    DissolutionChoice,
    Draft,
    NewCase,
    Note,
    ParsedMessage,
    QuarantineItem,
    QueuedWork,
    RawMessage,
    Referral,
    StoredMessage,
    Topic,
)
from casedesk.core.outgoing_mail import OutgoingMail
from casedesk.core.replies import DraftState, RemoteDraft, ReplyDraft


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class Mailbox(Protocol):
    def messages(self) -> Iterator[RawMessage]:
        """Every message waiting to be triaged, as raw bytes."""
        ...


class CaseRepository(Protocol):
    """The system of record: cases, constituents, messages, notes, audit, quarantine."""

    def transaction(self) -> AbstractContextManager[None]: ...

    def find_message(self, message_id: str, sha256: str) -> StoredMessage | None: ...

    def case_for_thread(self, message_ids: Sequence[str]) -> str | None: ...

    def recent_case_for_subject(
        self, sender: str, normalised_subject: str, since: datetime
    ) -> str | None: ...

    def upsert_constituent(
        self, email: str, name: str, postcode: str | None, now: datetime
    ) -> Constituent: ...

    def create_case(self, new: NewCase) -> str: ...

    def add_message(
        self,
        case_ref: str,
        message: ParsedMessage,
        classification: Classification,
        received_at: datetime,
        filed_path: str,
    ) -> None: ...

    def touch_case(self, case_ref: str, at: datetime) -> None: ...

    def recategorise(self, case_ref: str, category: Category, campaign_id: str | None) -> None: ...

    def set_classification(
        self,
        case_ref: str,
        category: Category,
        topic: Topic,
        is_urgent: bool,
        flags: frozenset[CaseFlag],
    ) -> None:
        """Set the case's category, topic, urgency and flags exactly as given (a person's
        correction, or a later message that escalates the case)."""
        ...

    def get_case(self, case_ref: str) -> Case: ...

    def case_messages(self, case_ref: str) -> list[StoredMessage]: ...

    def cases_of_constituent(self, email: str) -> list[Case]: ...

    def query_cases(self, query: CaseQuery) -> list[Case]: ...

    def cases_for_messages(self, message_ids: Iterable[str]) -> list[str]: ...

    def upsert_campaign(self, campaign: Campaign) -> None: ...

    def get_campaign(self, campaign_id: str) -> Campaign | None: ...

    def campaigns(self) -> list[Campaign]: ...

    def record_quarantine(self, item: QuarantineItem) -> bool:
        """Store the item; False when the same bytes were already quarantined."""
        ...

    def quarantined(self) -> list[QuarantineItem]: ...

    def append_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        object_ref: str,
        detail: dict[str, str | int | float | bool | None],
    ) -> AuditEntry: ...

    def audit_entries(self, object_ref: str | None = None) -> list[AuditEntry]:
        """The audit chain in order (only the entries about object_ref, when given)."""
        ...

    # --- SLAs and referrals (docs/decisions/0009-sla-and-agencies.md) ----------------------

    def cases_due_by(self, by: datetime, limit: int = 1000) -> list[Case]:
        """Cases not closed whose due time is at or before `by`, soonest due first (then ref)."""
        ...

    def record_sla_stage(
        self, case_ref: str, stage: str, due_at: datetime, assignee: str | None
    ) -> None:
        """Record that the SLA sweep reached `stage` for the case's due time `due_at`, and set
        the case's assignee (unchanged when the sweep only warned)."""
        ...

    def add_referral(
        self,
        case_ref: str,
        agency: str,
        referred_at: datetime,
        referred_by: str,
        expected_by: datetime,
        note: str = "",
    ) -> Referral:
        """Record a referral; its id is the case ref and the next number, CD-...-R1, -R2."""
        ...

    def referrals(self, case_ref: str | None = None, open_only: bool = False) -> list[Referral]:
        """Referrals (of one case, when given; only unanswered ones, when open_only), in the
        order they were made (referred_at, then id)."""
        ...

    def record_referral_reply(self, referral_id: str, at: datetime, by: str) -> None:
        """The agency answered; NotFoundError for an unknown referral id."""
        ...

    def record_referral_chase(self, referral_id: str, at: datetime, chases: int) -> None:
        """The sweep recorded chase reminder number `chases` at `at`."""

    def save_draft(self, draft: ReplyDraft) -> None:
        """Store the case's reply draft, replacing the one it had (one per case)."""
        ...

    def get_draft(self, case_ref: str) -> ReplyDraft | None: ...

    def drafts_in_state(self, state: DraftState) -> list[ReplyDraft]:
        """Drafts in one state (the approval queue is AWAITING_SIGNOFF), oldest first."""

    # --- data protection: subject access, retention, erasure (issue 10) ------------------

    def find_constituent(self, email: str) -> Constituent | None: ...

    def messages_from(self, email: str) -> list[StoredMessage]:
        """Every message sent from this address, whichever case it is filed in, oldest first."""
        ...

    def delete_case(self, case_ref: str) -> int:
        """Delete the case row with its messages and notes (not its files: CaseFiles does
        those); how many messages went. Sent at once, not held by transaction()."""
        ...

    def delete_message(self, message_id: str) -> bool:
        """Delete one filed message's record (its case stays); True when there was one."""
        ...

    def delete_constituent(self, email: str) -> bool:
        """Delete the constituent record unless a case still names them; True when deleted."""
        ...

    def delete_quarantined(self, sha256: str) -> bool:
        """Delete one quarantine record (not its file: CaseFiles does that); True when there
        was one. Sent at once, not held by transaction()."""
        ...

    def redact_audit(self, seq: int, detail: dict[str, str | int | float | bool | None]) -> None:
        """Replace one audit entry's detail in place (erasure only; core/audit.py's rule)."""

    # --- case management (issue 6): changes only; core/casework.py checks and audits them --

    def set_assignee(self, case_ref: str, assignee: str | None) -> None: ...

    def set_status(self, case_ref: str, status: CaseStatus) -> None: ...

    def set_tags(self, case_ref: str, tags: Sequence[str]) -> None:
        """Replace the case's tags with these (already normalised, unique, in order)."""
        ...

    def add_note(self, case_ref: str, author: str, text: str, at: datetime) -> Note: ...

    def notes(self, case_ref: str) -> list[Note]:
        """The case's notes, oldest first."""
        ...

    def move_messages(self, from_ref: str, to_ref: str) -> int:
        """Refile every message of one case into another (a merge); how many moved."""
        ...

    def set_merged_into(self, case_ref: str, target_ref: str) -> None: ...

    def link_cases(self, a: str, b: str) -> bool:
        """Link two cases both ways; False when they were linked already."""
        ...

    def unlink_cases(self, a: str, b: str) -> bool:
        """Remove the link both ways; False when there was none."""
        ...

    def linked_cases(self, case_ref: str) -> list[str]:
        """References linked to the case, sorted."""
        ...

    # --- insight reports (issue 10 part 5; core/report.py reads only) -------------------

    def cases_opened_between(self, start: datetime, end: datetime) -> list[Case]:
        """Every case opened at or after `start` and before `end` (instants, any zone),
        oldest first, then by ref; no page limit. Merged cases are included."""
        ...

    def open_cases(self) -> list[Case]:
        """Every case that is not closed, oldest first, then by ref; no page limit."""
        ...

    def audit_by_action(self, action: str, since: datetime) -> list[AuditEntry]:
        """The audit entries of one action written at or after `since`, in chain order."""
        ...

    # --- dissolution and turnover (issue 10 part 3; core/dissolution.py) -------------------

    def save_dissolution_choice(self, choice: DissolutionChoice) -> None:
        """Store the case's choice, replacing any earlier one (one per case)."""
        ...

    def dissolution_choices(self) -> list[DissolutionChoice]:
        """Every recorded choice, by case reference (applied ones included)."""
        ...

    # --- empty cases left by a filing cut short (core/empty_cases.py decides) ------------

    def empty_case_candidates(
        self, written_from: datetime | None, written_before: datetime
    ) -> list[str]:
        """Refs of new cases with no message and no note whose row was written at or after
        `written_from` (None: any time) and before `written_before` (SharePoint: the item's
        Created; SQLite: the opening time)."""
        ...


class CaseFiles(Protocol):
    """One folder per case: original .eml byte-for-byte, attachments, case.json, drafts."""

    def file_message(self, case_ref: str, message: ParsedMessage) -> str: ...

    def write_summary(self, case: Case, messages: Sequence[StoredMessage]) -> str: ...

    def write_draft(self, case_ref: str, name: str, data: bytes) -> str: ...

    def quarantine(self, sha256: str, data: bytes) -> str: ...

    def write_briefing(self, week: date, data: bytes) -> str:
        """The MP's weekly briefing (PDF) for the week starting `week`, replacing any earlier
        one for that week; its path relative to the store's root (briefings/...)."""
        ...

    def location(self, case_ref: str) -> str: ...

    # Paths below are relative to the store's root, as file_message returns them
    # ("cases/<REF>/messages/<stem>.eml").

    def read_file(self, path: str) -> bytes:
        """A filed file's bytes; NotFoundError when there is none."""
        ...

    def list_case_files(self, case_ref: str) -> list[str]:
        """Every file in the case folder, sorted ([] when there is no folder)."""
        ...

    def delete_file(self, path: str) -> bool:
        """Delete one file for good (no recycle bin); True when there was one."""
        ...

    def delete_case_files(self, case_ref: str) -> int:
        """Delete the case folder and everything in it for good; how many files went."""
        ...


class WorkQueue(Protocol):
    """Where notifications become work: messages carry IDs, never bodies."""

    def send(self, body: dict[str, str]) -> None: ...

    def receive(self, max_messages: int = 16, visibility_seconds: int = 300) -> list[QueuedWork]:
        """Up to max_messages items, hidden from other receivers until deleted or timed out."""
        ...

    def delete(self, item: QueuedWork) -> None: ...


class RemoteMailbox(Protocol):
    """An Exchange Online mailbox as Microsoft Graph exposes it (production intake)."""

    def fetch_mime(self, mailbox: str, message_id: str) -> bytes:
        """The message's MIME bytes, by immutable id; MessageGoneError if it no longer exists."""
        ...

    def set_categories(self, mailbox: str, message_id: str, categories: Sequence[str]) -> None: ...

    def find_reply_draft(self, mailbox: str, message_id: str) -> str | None:
        """A draft already in the message's conversation, if any."""
        ...

    def create_reply_draft(self, mailbox: str, message_id: str, comment: str) -> str:
        """Create (never send) a reply draft in the mailbox; return the draft's id."""
        ...

    def delta(self, mailbox: str, folder: str, delta_link: str | None) -> tuple[list[str], str]:
        """Message ids added since delta_link (all, when None) and the next delta link."""
        ...


class Subscriptions(Protocol):
    """Graph subscriptions for new mail: created, renewed and removed by the renew timer."""

    def create(
        self,
        mailbox: str,
        notification_url: str,
        lifecycle_url: str,
        client_state: str,
        expires_at: datetime,
    ) -> str: ...

    def renew(self, subscription_id: str, expires_at: datetime) -> None: ...

    def delete(self, subscription_id: str) -> None: ...


class Classifier(Protocol):
    name: str

    def classify(self, message: ParsedMessage) -> Classification: ...


class Drafter(Protocol):
    # True when draft() may wait seconds on a model: triage then drafts after the filing has
    # committed, never holding the store's write lock. False: drafted in the filing's own
    # transaction, which costs no extra store round trips (SharePoint requests).
    calls_a_model: bool

    def draft(
        self,
        case: Case,
        message: ParsedMessage | StoredMessage,
        template: str | None = None,
        chosen_by_staff: bool = False,
    ) -> Draft | None:
        """A reply draft for the case, or None when the category gets no automatic reply
        (spam, abuse). `template` names one (a rule's `template:`, or a person's choice);
        chosen_by_staff drafts even for those categories."""
        ...


class ReplyChannel(Protocol):
    """Where staff send replies from, beyond the case folder: an Outlook reply draft in the
    office mailbox (Microsoft 365), or an outbox folder a local mail relay reads (embedded)."""

    name: str

    def find(self, draft: ReplyDraft) -> RemoteDraft | None:
        """The draft where staff send from, as it is now; None when there is none yet."""
        ...

    def place(self, draft: ReplyDraft) -> RemoteDraft | None:
        """Write the draft's text there (creating it if needed); None when there is no such
        place (embedded: the case folder's .eml is the only copy)."""
        ...

    def send(self, draft: ReplyDraft, message: bytes) -> str:
        """Send the reply (`message` is its RFC 5322 form), at most once per version; where
        it went (an outbox file, an Outlook message)."""
        ...


class OpsState(Protocol):
    """Operational state only: subscriptions, de-duplication keys, delta links, campaign
    signatures. Never message bodies. Values are short strings (JSON where structured)."""

    def get(self, namespace: str, key: str) -> str | None: ...

    def put(self, namespace: str, key: str, value: str) -> None: ...

    def add_if_absent(self, namespace: str, key: str, value: str) -> bool:
        """Store the key unless present; True when this call stored it (atomic)."""
        ...

    def delete(self, namespace: str, key: str) -> None: ...

    def items(self, namespace: str) -> Iterator[tuple[str, str]]:
        """Every (key, value) in the namespace, ordered by key."""
        ...

    def signatures(self) -> Iterable[tuple[str, str, str, bytes]]:
        """(cluster_id, member message id, sender, signature bytes) saved so far."""
        ...

    def save_signature(
        self, cluster_id: str, member: str, sender: str, signature: bytes
    ) -> None: ...

    def forget_signatures(self, members: Iterable[str]) -> int:
        """Delete the saved signatures of these messages (by Message-ID); how many went."""
        ...


class Gazetteer(Protocol):
    """Postcode -> ward and Westminster constituency (2024 boundaries), from the ONSPD."""

    def lookup(self, postcode: str) -> Place | None:
        """The place for a postcode in any spacing or case; None when unknown or not one."""
        ...

    def import_rows(self, rows: Iterable[Place]) -> int:
        """Store the places, replacing any with the same postcode; how many were stored."""
        ...

    def wards(self, constituency_code: str) -> list[tuple[str, str]]:
        """(code, name) of every ward with a live postcode in the constituency, by name."""
        ...

    def count(self) -> int:
        """How many postcodes are held (terminated ones included)."""
        ...

    def find_constituency(self, name_or_code: str) -> tuple[str, str] | None:
        """(code, name) of a constituency by its GSS code or exact name (any case)."""
        ...


class FilingNotifier(Protocol):
    """Told after triage has filed a message into a case and committed it (threat alerts to
    the safety lead, in Teams). Must be idempotent: a retried message calls it again."""

    def case_filed(self, case: Case) -> None: ...


# --- mailings: campaign replies and follow-ups (issue 7 parts 5 and 6) ------------------------


class MailSender(Protocol):
    """Sends new messages (one mail-merged copy of a mailing per constituent), each at most
    once per Message-ID: the embedded outbox folder, or Exchange Online through Graph."""

    name: str

    def send(self, mail: OutgoingMail, eml: bytes, resumed: bool) -> tuple[str, bool]:
        """Send the copy (`eml` is its RFC 5322 form) unless one with its Message-ID already
        went; (where it is, whether this call sent it). `resumed`: an earlier attempt may have
        got part of the way (look before sending)."""
        ...


class Sleeper(Protocol):
    """Waiting between sends (a test's fake moves its fake clock instead)."""

    def sleep(self, seconds: float) -> None: ...


class LetterTemplates(Protocol):
    """The office's templates, for mailings: the text a sign-off covers, and one merged copy."""

    def source(self, template: str) -> tuple[str, str]:
        """(the file it resolves to, its source text); UnknownTemplateError when none."""
        ...

    def merge(
        self,
        case: Case,
        subject: str,
        written_at: datetime | None,
        template: str,
        extra: Mapping[str, str],
    ) -> str:
        """The template rendered for one case (the merge fields, plus `extra` ones)."""
        ...
