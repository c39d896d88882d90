"""The Protocols the core needs from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
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
    Draft,
    NewCase,
    Note,
    ParsedMessage,
    QuarantineItem,
    QueuedWork,
    RawMessage,
    StoredMessage,
    Topic,
)


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


class CaseFiles(Protocol):
    """One folder per case: original .eml byte-for-byte, attachments, case.json, drafts."""

    def file_message(self, case_ref: str, message: ParsedMessage) -> str: ...

    def write_summary(self, case: Case, messages: Sequence[StoredMessage]) -> str: ...

    def write_draft(self, case_ref: str, name: str, data: bytes) -> str: ...

    def quarantine(self, sha256: str, data: bytes) -> str: ...

    def location(self, case_ref: str) -> str: ...


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
    def draft(self, case: Case, message: ParsedMessage) -> Draft | None:
        """A reply draft for the case, or None when the category gets no reply (spam, abuse)."""
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
