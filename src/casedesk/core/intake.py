"""Production intake use cases, through ports only: Graph notifications to queue work,
queue work to triage, subscription upkeep and delta catch-up.

Queue messages carry a mailbox and a message id, never content. The mailbox always comes
from our own subscription record, never from the notification, so a forged notification
cannot point the worker at another mailbox.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from casedesk.core.models import Category, RawMessage
from casedesk.core.notifications import (
    ChangeNotification,
    LifecycleEvent,
    LifecycleNotification,
    client_state_matches,
    is_office_tenant,
)
from casedesk.core.triage import Outcome, Triage, TriageResult
from casedesk.errors import MessageGoneError
from casedesk.ports import CaseRepository, Clock, OpsState, RemoteMailbox, Subscriptions, WorkQueue

log = logging.getLogger("casedesk.intake")
security_log = logging.getLogger("casedesk.security")

SUBSCRIPTIONS = "subscriptions"
DELTA_LINKS = "delta"
ENQUEUED = "enqueued"
DRAFTS = "reply-drafts"

# Microsoft's pages disagree on the longest lifetime of a subscription to Outlook messages
# (10,080 minutes on the subscription resource page; 4,230 minutes in older guidance).
# Ask for less than the smaller one and renew when under a day remains.
MAX_LIFETIME = timedelta(minutes=4230)
REQUESTED_LIFETIME = timedelta(minutes=4200)
RENEW_WHEN_LEFT = timedelta(hours=24)


@dataclass(frozen=True)
class SubscriptionRecord:
    id: str
    mailbox: str
    client_state: str
    expires_at: str  # ISO 8601 UTC

    def expires(self) -> datetime:
        return datetime.fromisoformat(self.expires_at)


@dataclass(frozen=True)
class IntakeConfig:
    mailboxes: tuple[str, ...]
    notification_url: str
    lifecycle_url: str
    folder: str = "inbox"
    max_attempts: int = 5


class SubscriptionBook:
    """Our record of the subscriptions we created, kept in ops state."""

    def __init__(self, ops: OpsState) -> None:
        self.ops = ops

    def get(self, subscription_id: str) -> SubscriptionRecord | None:
        raw = self.ops.get(SUBSCRIPTIONS, subscription_id)
        return SubscriptionRecord(**json.loads(raw)) if raw else None

    def save(self, record: SubscriptionRecord) -> None:
        self.ops.put(SUBSCRIPTIONS, record.id, json.dumps(asdict(record)))

    def remove(self, subscription_id: str) -> None:
        self.ops.delete(SUBSCRIPTIONS, subscription_id)

    def all(self) -> list[SubscriptionRecord]:
        return [SubscriptionRecord(**json.loads(v)) for _, v in self.ops.items(SUBSCRIPTIONS)]


def enqueue_once(
    ops: OpsState, queue: WorkQueue, mailbox: str, message_id: str, now: datetime
) -> bool:
    """Queue a message for triage unless it was queued before; True when queued now."""
    if not ops.add_if_absent(ENQUEUED, f"{mailbox}|{message_id}", now.isoformat()):
        return False
    queue.send({"mailbox": mailbox, "message_id": message_id})
    return True


def _is_genuine(record: SubscriptionRecord | None, client_state: str | None) -> bool:
    """Ours, with the right secret; otherwise log a security event (never the payload)."""
    if record is not None and client_state_matches(record.client_state, client_state):
        return True
    security_log.warning(
        "notification refused: unknown subscription or clientState mismatch",
        extra={"event": "security.client_state_mismatch", "known_subscription": record is not None},
    )
    return False


def _is_from_office(
    record: SubscriptionRecord, tenant_id: str | None, received: str | None
) -> bool:
    """Our subscription and secret, but is it the office's tenant? Logs our id only."""
    if is_office_tenant(tenant_id, received):
        return True
    security_log.warning(
        "notification refused: not from the office's tenant",
        extra={
            "event": "security.tenant_mismatch",
            "subscription_id": record.id,  # ours: the notification's own fields are not logged
            "tenant_configured": tenant_id is not None,
            "tenant_named": received is not None,
        },
    )
    return False


def accept_notifications(
    notes: Sequence[ChangeNotification],
    ops: OpsState,
    queue: WorkQueue,
    now: datetime,
    *,
    tenant_id: str | None,
) -> int:
    """Enqueue each genuine new message once; returns how many were queued now.

    Genuine: our subscription, its clientState, and the office's tenant (`tenant_id`; None
    refuses everything, as nothing can be shown to come from the office)."""
    book = SubscriptionBook(ops)
    queued = 0
    for note in notes:
        record = book.get(note.subscription_id)
        if not _is_genuine(record, note.client_state) or record is None:
            continue
        if not _is_from_office(record, tenant_id, note.tenant_id):
            continue
        if note.change_type == "created":
            queued += enqueue_once(ops, queue, record.mailbox, note.message_id, now)
    return queued


def accept_lifecycle(
    notes: Sequence[LifecycleNotification],
    ops: OpsState,
    queue: WorkQueue,
    *,
    tenant_id: str | None,
) -> int:
    """Queue each genuine lifecycle event for the worker (renewing inline could deadlock:
    recreating a subscription makes Graph call our validation endpoint back). Genuine as
    for accept_notifications."""
    book = SubscriptionBook(ops)
    queued = 0
    for note in notes:
        record = book.get(note.subscription_id)
        if not _is_genuine(record, note.client_state) or record is None:
            continue
        if _is_from_office(record, tenant_id, note.tenant_id):
            queue.send(
                {
                    "kind": "lifecycle",
                    "subscription_id": note.subscription_id,
                    "event": note.event.value,
                }
            )
            queued += 1
    return queued


class Intake:
    """Subscription upkeep, lifecycle events and delta catch-up for the configured mailboxes."""

    def __init__(
        self,
        config: IntakeConfig,
        remote: RemoteMailbox,
        subscriptions: Subscriptions,
        ops: OpsState,
        queue: WorkQueue,
        clock: Clock,
    ) -> None:
        self.config, self.remote, self.subscriptions = config, remote, subscriptions
        self.ops, self.queue, self.clock = ops, queue, clock
        self.book = SubscriptionBook(ops)

    def ensure_subscriptions(self) -> dict[str, str]:
        """Create a subscription for each mailbox that lacks one; renew any near expiry."""
        now = self.clock.now()
        actions: dict[str, str] = {}
        by_mailbox = {r.mailbox: r for r in self.book.all()}
        for mailbox in self.config.mailboxes:
            record = by_mailbox.get(mailbox)
            if record is None:
                self._create(mailbox)
                actions[mailbox] = "created"
            elif record.expires() - now < RENEW_WHEN_LEFT:
                self._renew(record)
                actions[mailbox] = "renewed"
            else:
                actions[mailbox] = "ok"
        return actions

    def _create(self, mailbox: str) -> SubscriptionRecord:
        expires = self.clock.now() + REQUESTED_LIFETIME
        client_state = secrets.token_urlsafe(32)
        sub_id = self.subscriptions.create(
            mailbox, self.config.notification_url, self.config.lifecycle_url, client_state, expires
        )
        record = SubscriptionRecord(sub_id, mailbox, client_state, expires.isoformat())
        self.book.save(record)
        return record

    def _renew(self, record: SubscriptionRecord) -> None:
        expires = self.clock.now() + REQUESTED_LIFETIME
        self.subscriptions.renew(record.id, expires)
        self.book.save(
            SubscriptionRecord(record.id, record.mailbox, record.client_state, expires.isoformat())
        )

    def on_lifecycle_event(self, subscription_id: str, event: LifecycleEvent) -> str:
        """Renew, recreate-then-catch-up, or catch up, per documented lifecycle event.

        Called from the queue: the HTTP handler already checked the clientState."""
        record = self.book.get(subscription_id)
        if record is None:
            return f"ignored {event.value}: subscription no longer ours"
        if event is LifecycleEvent.REAUTHORIZATION_REQUIRED:
            self._renew(record)
            return f"renewed {record.id}"
        if event is LifecycleEvent.SUBSCRIPTION_REMOVED:
            self.book.remove(record.id)
            self._create(record.mailbox)
            return f"recreated; caught up {self.catch_up(record.mailbox)}"
        return f"caught up {self.catch_up(record.mailbox)}"

    def catch_up(self, mailbox: str) -> int:
        """Queue anything the notifications missed, from the stored delta link onwards."""
        link = self.ops.get(DELTA_LINKS, mailbox)
        ids, next_link = self.remote.delta(mailbox, self.config.folder, link)
        now = self.clock.now()
        queued = sum(enqueue_once(self.ops, self.queue, mailbox, i, now) for i in ids)
        self.ops.put(DELTA_LINKS, mailbox, next_link)
        return queued

    def catch_up_all(self) -> dict[str, int]:
        return {mailbox: self.catch_up(mailbox) for mailbox in self.config.mailboxes}


_CATEGORY_LABELS = {c: f"CaseDesk: {c.value}" for c in Category}


def outlook_categories(result: TriageResult, is_urgent: bool) -> list[str]:
    """What staff see on the message in Outlook."""
    labels = [_CATEGORY_LABELS[result.category]] if result.category else []
    if is_urgent:
        labels.append("CaseDesk: urgent")
    if result.case_ref:
        labels.append(f"CaseDesk: {result.case_ref}")
    return labels


class TriageWorker:
    """The queue trigger's work: fetch by id, triage idempotently, label and draft in Outlook."""

    def __init__(
        self,
        remote: RemoteMailbox,
        triage: Triage,
        repo: CaseRepository,
        ops: OpsState,
        clock: Clock,
        config: IntakeConfig,
    ) -> None:
        self.remote, self.triage, self.repo, self.ops = remote, triage, repo, ops
        self.clock, self.config = clock, config

    def handle(self, body: dict[str, str], dequeue_count: int) -> TriageResult:
        """Raise to have the queue retry; after max_attempts the item is quarantined instead."""
        mailbox, message_id = body.get("mailbox", ""), body.get("message_id", "")
        source = f"graph:{mailbox}:{message_id}"
        if mailbox not in self.config.mailboxes or not message_id:
            return self.triage.quarantine_reference(
                source, "queue item names no configured mailbox or message"
            )
        try:
            return self._process(mailbox, message_id, source)
        except MessageGoneError:
            return self.triage.quarantine_reference(
                source, "message deleted or moved before it was triaged"
            )
        except Exception as exc:
            if dequeue_count < self.config.max_attempts:
                raise
            reason = f"failed {dequeue_count} times; last error {type(exc).__name__}"
            log.error(
                "triage gave up",
                extra={"event": "triage.quarantined", "message_id": message_id},  # IDs only
            )
            return self.triage.quarantine_reference(source, reason)

    def _process(self, mailbox: str, message_id: str, source: str) -> TriageResult:
        data = self.remote.fetch_mime(mailbox, message_id)
        # Errors go back to the queue to be retried; handle() quarantines after the last try.
        result = self.triage.triage_or_raise(RawMessage(source, data, self.clock.now()))
        if result.outcome is Outcome.QUARANTINED or not result.case_ref:
            return result
        # Labelling and drafting are repeatable, so a retry after a crash at any point
        # (even after filing, when triage now says "duplicate") finishes the job once.
        labelled, urgent = result, result.urgent
        if result.category is None or urgent is None:  # a duplicate: ask the case
            case = self.repo.get_case(result.case_ref)
            labelled = TriageResult(result.outcome, source, case.ref, case.category)
            urgent = case.is_urgent
        self.remote.set_categories(mailbox, message_id, outlook_categories(labelled, urgent))
        if not self.ops.get(DRAFTS, f"{mailbox}|{message_id}"):
            text = result.draft_body
            if result.outcome is Outcome.DUPLICATE:
                text = self.triage.reply_draft_text(result.case_ref, data)
            if text:
                # Only an earlier attempt that got as far as filing can have made a draft.
                self._draft_once(mailbox, message_id, text, result.outcome is Outcome.DUPLICATE)
        return result

    def _draft_once(self, mailbox: str, message_id: str, text: str, may_exist: bool) -> None:
        """Look before creating when an earlier attempt may have made the draft: a crash after
        Graph made it but before we recorded it must not produce a second one."""
        key = f"{mailbox}|{message_id}"
        if self.ops.get(DRAFTS, key):
            return
        draft_id = self.remote.find_reply_draft(mailbox, message_id) if may_exist else None
        if draft_id is None:
            draft_id = self.remote.create_reply_draft(mailbox, message_id, text)
        self.ops.put(DRAFTS, key, draft_id)


class QueueDispatcher:
    """One queue, two kinds of work: triage a message, or act on a lifecycle event."""

    def __init__(self, worker: TriageWorker, intake: Intake) -> None:
        self.worker, self.intake = worker, intake

    def handle(self, body: dict[str, str], dequeue_count: int) -> str:
        if body.get("kind") == "lifecycle":
            try:
                event = LifecycleEvent(body.get("event", ""))
            except ValueError:
                return "ignored: unknown lifecycle event"
            return self.intake.on_lifecycle_event(body.get("subscription_id", ""), event)
        result = self.worker.handle(body, dequeue_count)
        return f"{result.outcome.value} {result.case_ref or ''}".strip()
