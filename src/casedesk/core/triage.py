"""The triage pipeline: parse -> classify -> dedupe -> thread -> constituent -> campaign ->
route -> file -> audit, then draft, for one message at a time, idempotently.

A model call never runs inside a transaction: it can take seconds, and on the embedded
store a transaction holds SQLite's write lock for the whole office (Teams bot, add-in, CLI).
So the classifier runs before the filing opens its transaction, and a drafter that calls a
model drafts after it commits, saving the draft in a transaction of its own. If an attempt
dies between the two, the case is filed without its draft, and the next attempt at the same
message (the queue's retry, or triage run again) finds it a duplicate and writes the draft.
A template drafter drafts inside the filing's transaction: no gap, and on SharePoint no
extra requests.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

import numpy as np

from casedesk.core import campaigns
from casedesk.core.draft_mail import reply_record_eml
from casedesk.core.geo import Place, Residency, residency
from casedesk.core.mime import parse_message
from casedesk.core.models import (
    Campaign,
    Case,
    CaseFlag,
    CaseQuery,
    Category,
    Classification,
    NewCase,
    ParsedMessage,
    QuarantineItem,
    RawMessage,
    RunReport,
)
from casedesk.core.office_hours import OfficeHours
from casedesk.core.postcode import find_postcode
from casedesk.core.replies import DRAFT_FILE, new_reply
from casedesk.core.routing import route
from casedesk.core.rules import Decision, Facts, RuleSet, decide
from casedesk.core.subjects import is_reply_subject, normalise_subject
from casedesk.core.summary import summarise
from casedesk.errors import MalformedMessageError
from casedesk.ports import (
    CaseFiles,
    CaseRepository,
    Classifier,
    Clock,
    Drafter,
    FilingNotifier,
    Gazetteer,
    OpsState,
)

ACTOR = "casedesk-triage"
ROUND_ROBIN = "routing-round-robin"
log = logging.getLogger("casedesk.triage")
# Categories a campaign cluster must not swallow: they are routed on their own merits.
_NOT_CAMPAIGN = frozenset({Category.ABUSE, Category.SPAM})


class Outcome(StrEnum):
    FILED_NEW = "filed_new"
    FILED_EXISTING = "filed_existing"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class TriageResult:
    outcome: Outcome
    source: str
    case_ref: str | None = None
    category: Category | None = None
    reason: str | None = None
    draft_body: str | None = None  # the reply draft's text, for adapters that also draft remotely
    urgent: bool | None = None  # the case's urgency once filed (None: not known here)


@dataclass(frozen=True)
class PendingDraft:
    """A case this message opened, whose reply is drafted once the filing has committed."""

    case_ref: str
    message: ParsedMessage
    template: str | None  # a rule's `template:`, or None for the category's own


@dataclass(frozen=True)
class TriagePolicy:
    office_address: str
    office_name: str
    safety_lead: str | None = None
    campaign_min_size: int = 3
    campaign_threshold: float = 0.5
    thread_window: timedelta = timedelta(days=30)
    # Below this classifier confidence a case is flagged needs_review: a person checks the
    # category rather than the office acting on a guess. The embedded classifier's confidence
    # is calibrated, so 0.8 means "less than 80% likely right" (docs/decisions/0010).
    review_below: float = 0.8
    mp_approver: str | None = None  # who signs off replies when a rule requires it


def with_safety_invariants(c: Classification) -> Classification:
    """A threat or a safeguarding concern is always urgent, and a threat is always abuse's
    concern too (the safety lead sees it), whatever the classifier said."""
    reasons = c.reasons
    if (c.threat or c.safeguarding) and not c.is_urgent:
        reasons = (*reasons, "urgent because flagged " + ("threat" if c.threat else "safeguarding"))
        c = replace(c, is_urgent=True, reasons=reasons)
    return c


def case_flags(c: Classification, review_below: float) -> frozenset[CaseFlag]:
    flags: set[CaseFlag] = set()
    if c.threat:
        flags.add(CaseFlag.THREAT)
    if c.safeguarding:
        flags.add(CaseFlag.SAFEGUARDING)
    if c.confidence < review_below and not c.threat:
        flags.add(CaseFlag.NEEDS_REVIEW)
    return frozenset(flags)


class StoredWorkload:
    """Round-robin turns kept in ops state (they survive restarts and are shared by workers);
    open-case counts from the repository, for least-loaded assignment."""

    def __init__(self, repo: CaseRepository, ops: OpsState) -> None:
        self.repo, self.ops = repo, ops

    def turn(self, team: str, size: int) -> int:
        n = int(self.ops.get(ROUND_ROBIN, team) or 0)
        self.ops.put(ROUND_ROBIN, team, str((n + 1) % max(size, 1)))
        return n % max(size, 1)

    def open_cases(self, person: str) -> int:
        return len(self.repo.query_cases(CaseQuery(assignee=person, open_only=True, limit=10**6)))


class Triage:
    """One office's pipeline, wired to its adapters by bootstrap."""

    def __init__(
        self,
        repo: CaseRepository,
        files: CaseFiles,
        classifier: Classifier,
        drafter: Drafter,
        ops: OpsState,
        clock: Clock,
        policy: TriagePolicy,
        rules: RuleSet | None = None,
        hours: OfficeHours | None = None,
        gazetteer: Gazetteer | None = None,
        constituency_code: str | None = None,
        notifier: FilingNotifier | None = None,
    ) -> None:
        self.repo, self.files, self.classifier, self.drafter = repo, files, classifier, drafter
        self.ops, self.clock, self.policy = ops, clock, policy
        self.rules, self.hours = rules, hours or OfficeHours()
        # Without imported postcodes (or without the office's seat in them) every place is
        # unknown: unknown is never treated as outside the constituency.
        self.gazetteer, self.constituency_code = gazetteer, constituency_code
        self.workload = StoredWorkload(repo, ops)
        self._index: campaigns.CampaignIndex | None = None
        self.notifier = notifier  # told after each filing commits (Teams threat alerts)

    @property
    def index(self) -> campaigns.CampaignIndex:
        if self._index is None:
            self._index = campaigns.CampaignIndex(self.policy.campaign_threshold)
            for cluster_id, member, sender, sig in self.ops.signatures():
                self._index.restore(cluster_id, member, sender, np.frombuffer(sig, dtype=np.uint32))
        return self._index

    def run(
        self,
        raws: Iterable[RawMessage],
        on_result: Callable[[TriageResult], None] | None = None,
        mapper: Mapper | None = None,
    ) -> RunReport:
        """Triage a batch oldest first, so replies never arrive before what they answer.

        Classifying reads nothing stored, so a caller may pass `mapper` (a process pool's
        ordered, lazy map) to classify on other cores while this thread files."""
        report = RunReport()
        parsed = [(raw, _parse_or_error(raw)) for raw in raws]
        parsed.sort(key=lambda item: _order_key(item[0], item[1]))
        readable = [m for _, m in parsed if isinstance(m, ParsedMessage)]
        # Without a pool, classify lazily in triage_parsed, after the duplicate check.
        classified = (
            iter(mapper(partial(classify_or_none, self.classifier), readable)) if mapper else None
        )
        for raw, message in parsed:
            classification = (
                next(classified) if classified and isinstance(message, ParsedMessage) else None
            )
            result = self.triage_safely(raw, message, classification)
            _count(report, result)
            if on_result:
                on_result(result)
        return report

    def triage_one(self, raw: RawMessage) -> TriageResult:
        try:
            message: ParsedMessage | MalformedMessageError = parse_message(raw.data)
        except MalformedMessageError as exc:
            message = exc
        return self.triage_safely(raw, message)

    def triage_or_raise(self, raw: RawMessage) -> TriageResult:
        """As triage_one, but an unexpected error propagates instead of quarantining, for a
        caller that retries: the queue worker, where a SharePoint 500 must not quarantine a
        good letter (the queue tries again, and quarantines after its last attempt)."""
        try:
            message: ParsedMessage | MalformedMessageError = parse_message(raw.data)
        except MalformedMessageError as exc:
            message = exc
        result = self.triage_parsed(raw, message)
        self._notify(result)
        return result

    def triage_safely(
        self,
        raw: RawMessage,
        message: ParsedMessage | MalformedMessageError,
        classification: Classification | None = None,
    ) -> TriageResult:
        """Triage, and if anything unexpected breaks, quarantine the message with the reason.

        The message's own transaction has rolled back by then, so nothing half-filed remains;
        the bytes are kept in quarantine and the rest of the batch carries on.
        """
        try:
            result, pending = self._file(raw, message, classification)
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            # IDs only: an exception's message can quote the mail (a library echoing its
            # input), and a file name or Graph source can hold an address. The frames say
            # where it broke; the quarantined bytes, found by this id, say what broke it.
            log.error(
                "triage failed; quarantining",
                extra={
                    "event": "triage.error",
                    "quarantine_id": hashlib.sha256(raw.data).hexdigest()[:16],
                    "error": type(exc).__name__,
                    "frames": "".join(traceback.format_tb(exc.__traceback__)),
                },
            )
            return self._quarantine(
                raw, f"internal error while triaging ({type(exc).__name__}); report it"
            )
        try:
            result = self._with_draft(result, pending)
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            # Filed and committed: quarantining it now would report a filed letter as lost.
            log.error(
                "drafting failed; the message is filed without its reply draft. Triage it "
                "again, or draft from the case (casedesk draft)",
                extra={
                    "event": "triage.draft_failed",
                    "case": result.case_ref,
                    "error": type(exc).__name__,
                    "frames": "".join(traceback.format_tb(exc.__traceback__)),
                },
            )
        self._notify(result)
        return result

    def _notify(self, result: TriageResult) -> None:
        """After the filing committed; duplicates too, so a retry finishes an alert a crash
        interrupted. A failing notifier never un-files or quarantines the message."""
        if self.notifier is None or result.case_ref is None:
            return
        try:
            self.notifier.case_filed(self.repo.get_case(result.case_ref))
        except Exception:
            log.exception(
                "notifier failed; the message stays filed",
                extra={"event": "triage.notify_failed", "case": result.case_ref},
            )

    def triage_parsed(
        self,
        raw: RawMessage,
        message: ParsedMessage | MalformedMessageError,
        classification: Classification | None = None,
    ) -> TriageResult:
        """File, then draft; an error in either propagates (the caller retries)."""
        result, pending = self._file(raw, message, classification)
        return self._with_draft(result, pending)

    def _file(
        self,
        raw: RawMessage,
        message: ParsedMessage | MalformedMessageError,
        classification: Classification | None = None,
    ) -> tuple[TriageResult, PendingDraft | None]:
        """Everything but the draft, committed; and the draft still to write, if any."""
        if isinstance(message, MalformedMessageError):
            return self._quarantine(raw, str(message)), None
        received_at = raw.received_at or self.clock.now()
        if classification is None:
            # Outside the write transaction (see the module's docstring). A duplicate is
            # classified for nothing; checking first would cost every SharePoint message two
            # more Graph requests.
            classification = self.classifier.classify(message)
        with self.repo.transaction():
            message, known = self._identity(message)
            if known is None:
                classification = with_safety_invariants(classification)
                existing = self._thread_case(message, received_at)
                if existing:
                    filed = self._file_into(existing, message, raw, received_at, classification)
                    return filed, None
                opened, pending = self._open_case(message, raw, received_at, classification)
                if self.drafter.calls_a_model:
                    return opened, pending
                return self._with_draft(opened, pending), None
        duplicate = TriageResult(Outcome.DUPLICATE, raw.source, known, reason="already filed")
        return duplicate, self._unfinished_draft(known, message)

    # --- steps ---------------------------------------------------------------------------

    def _identity(self, message: ParsedMessage) -> tuple[ParsedMessage, str | None]:
        """Is this a message we filed before? Same bytes, or same Message-ID and same content,
        is a duplicate. A Message-ID reused for different content (broken senders, test
        suites) is a different message: it is filed under a derived id, never dropped."""
        stored = self.repo.find_message(message.message_id, message.sha256)
        if stored is None:
            return message, None
        if stored.sha256 == message.sha256 or stored.content_hash == message.content_hash:
            return message, stored.case_ref
        inner = message.message_id.strip("<>")
        derived = replace(message, message_id=f"<reused-{message.sha256[:16]}.{inner}>")
        again = self.repo.find_message(derived.message_id, derived.sha256)
        return derived, again.case_ref if again else None

    def _thread_case(self, message: ParsedMessage, received_at: datetime) -> str | None:
        ref = self.repo.case_for_thread(message.thread_ids)
        if ref or not is_reply_subject(message.subject):
            return ref
        since = (message.sent_at or received_at) - self.policy.thread_window
        return self.repo.recent_case_for_subject(
            message.from_addr, normalise_subject(message.subject), since
        )

    def _file_into(
        self,
        ref: str,
        message: ParsedMessage,
        raw: RawMessage,
        received_at: datetime,
        classification: Classification,
    ) -> TriageResult:
        case = self.repo.get_case(ref)
        path = self.files.file_message(ref, message)
        self.repo.add_message(ref, message, classification, received_at, path)
        self.repo.touch_case(ref, received_at)
        case = self._escalate(case, classification)
        self.files.write_summary(self.repo.get_case(ref), self.repo.case_messages(ref))
        self._audit("message.threaded", ref, message, classification, matched_by="thread")
        return TriageResult(
            Outcome.FILED_EXISTING, raw.source, ref, case.category, urgent=case.is_urgent
        )

    def _route(
        self,
        message: ParsedMessage,
        classification: Classification,
        postcode: str | None,
        place: Place | None,
        campaign_id: str | None,
        received_at: datetime,
    ) -> Decision:
        """The office's rules (if any) then the built-in safety routing."""
        if self.rules is None:
            return Decision(assignee=route(classification, self.policy.safety_lead))
        facts = Facts(
            category=classification.category.value,
            topic=classification.topic.value,
            urgent=classification.is_urgent,
            threat=classification.threat,
            safeguarding=classification.safeguarding,
            mailbox=self.policy.office_address,
            sender=message.from_addr,
            postcode=postcode,
            ward=place.ward_name if place else None,
            outside_constituency=self._outside(place),
            subject=message.subject,
            body=message.new_text,
            campaign_id=campaign_id,
            existing_constituent=bool(self.repo.cases_of_constituent(message.from_addr)),
            office_hours=self.hours.is_open(received_at),
        )
        return decide(self.rules, facts, classification, self.workload, self.policy.safety_lead)

    def _place(self, postcode: str | None) -> Place | None:
        if postcode is None or self.gazetteer is None:
            return None
        return self.gazetteer.lookup(postcode)

    def _outside(self, place: Place | None) -> bool | None:
        """True or False only when the postcode's constituency is known; None otherwise."""
        if self.constituency_code is None:
            return None
        where = residency(place, self.constituency_code)
        return None if where is Residency.UNKNOWN else where is Residency.OUTSIDE

    def _escalate(self, case: Case, classification: Classification) -> Case:
        """A later message in a case can raise it (urgent, threat, safeguarding), never lower
        it: only a person's correction does that."""
        added = case_flags(classification, 0.0) - case.flags
        urgent = case.is_urgent or classification.is_urgent
        if not added and urgent == case.is_urgent:
            return case
        flags = case.flags | added
        self.repo.set_classification(case.ref, case.category, case.topic, urgent, flags)
        self.repo.append_audit(
            self.clock.now(), ACTOR, "case.escalated", case.ref,
            {"urgent": urgent, "flags_added": " ".join(sorted(f.value for f in added))},
        )  # fmt: skip
        return replace(case, is_urgent=urgent, flags=flags)

    def _open_case(
        self,
        message: ParsedMessage,
        raw: RawMessage,
        received_at: datetime,
        classification: Classification,
    ) -> tuple[TriageResult, PendingDraft]:
        now = self.clock.now()
        postcode = find_postcode(message.new_text)
        constituent = self.repo.upsert_constituent(
            message.from_addr, message.from_name, postcode, now
        )
        sig = campaigns.signature(message.new_text)
        joined = self.index.add(message.message_id, message.from_addr, sig)
        self.ops.save_signature(
            joined.cluster_id, message.message_id, message.from_addr, sig.tobytes()
        )
        is_campaign = joined.distinct_senders >= self.policy.campaign_min_size
        campaign_id = joined.cluster_id if is_campaign else None
        # A campaign copy's category comes from clustering, not the classifier, so the
        # classifier's doubt about it is no reason for review (a surge would flood the queue).
        swallowed = is_campaign and classification.category not in _NOT_CAMPAIGN
        if swallowed:
            classification = replace(
                classification,
                category=Category.CAMPAIGN,
                reasons=(*classification.reasons, f"near-copy of {joined.size - 1} other messages"),
            )
        opened_at = message.sent_at or received_at
        place = self._place(constituent.postcode or postcode)
        # Clustering, not the classifier, decided a campaign copy's category: no review.
        flags = case_flags(classification, 0.0 if swallowed else self.policy.review_below)
        if self._outside(place) and place is not None:
            flags |= {CaseFlag.OUTSIDE}
            seat = place.constituency_name or place.constituency_code
            classification = replace(
                classification,
                reasons=(*classification.reasons, f"outside the constituency: postcode in {seat}"),
            )
        decision = self._route(
            message, classification, constituent.postcode or postcode, place, campaign_id,
            received_at,
        )  # fmt: skip
        ref = self.repo.create_case(
            NewCase(
                constituent_id=constituent.id,
                subject=message.subject or "(no subject)",
                normalised_subject=normalise_subject(message.subject),
                classification=classification,
                assignee=decision.assignee,
                campaign_id=campaign_id,
                summary=summarise(message.new_text),
                opened_at=opened_at,
                flags=flags,
                priority=decision.priority.value,
                due_at=(
                    received_at  # `escalate: true`: due at once, so the sweep escalates it
                    if decision.escalate
                    else self.hours.add_working_hours(received_at, decision.sla_hours)
                    if decision.sla_hours
                    else None
                ),
                tags=decision.tags,
                signoff_required=decision.require_signoff,
                routed_by=decision.matched,
                ward=place.ward_name if place else None,
            )
        )
        path = self.files.file_message(ref, message)
        self.repo.add_message(ref, message, classification, received_at, path)
        case = self.repo.get_case(ref)
        self.files.write_summary(case, self.repo.case_messages(ref))
        # The template a rule chose is kept with the case's opening, so an attempt that
        # finishes the draft after a crash drafts the same letter.
        chosen = {"template": decision.template} if decision.template else {}
        self._audit(
            "case.opened", ref, message, classification, constituent=constituent.id,
            assignee=decision.assignee or "", rules=" ".join(decision.matched), **chosen,
        )  # fmt: skip
        if is_campaign:
            self._record_campaign(joined, message, message.sent_at or received_at)
        result = TriageResult(
            Outcome.FILED_NEW, raw.source, ref, classification.category, urgent=case.is_urgent
        )
        return result, PendingDraft(ref, message, decision.template)

    def _record_campaign(
        self, joined: campaigns.Assignment, message: ParsedMessage, at: datetime
    ) -> None:
        current = self.repo.get_campaign(joined.cluster_id)
        self.repo.upsert_campaign(
            Campaign(
                id=joined.cluster_id,
                name=current.name if current else _campaign_name(message.subject),
                size=joined.size,
                first_seen=current.first_seen if current else at,
                last_seen=at,
                is_campaign=True,
                canonical_subject=current.canonical_subject if current else message.subject,
            )
        )
        if current is not None:
            return
        # Just crossed the threshold: the earlier copies were filed one by one; bring them in.
        members = set(self.index.clusters[joined.cluster_id].members)
        for ref in self.repo.cases_for_messages(members):
            case = self.repo.get_case(ref)
            if case.campaign_id == joined.cluster_id or case.category in _NOT_CAMPAIGN:
                continue
            self.repo.recategorise(ref, Category.CAMPAIGN, joined.cluster_id)
            if CaseFlag.NEEDS_REVIEW in case.flags:  # clustering has decided: no doubt is left
                self.repo.set_classification(
                    ref, Category.CAMPAIGN, case.topic, case.is_urgent,
                    case.flags - {CaseFlag.NEEDS_REVIEW},
                )  # fmt: skip
            first = self.repo.case_messages(ref)[0]
            self.files.write_summary(self.repo.get_case(ref), self.repo.case_messages(ref))
            self.repo.append_audit(
                self.clock.now(),
                ACTOR,
                "case.joined_campaign",
                ref,
                {"campaign": joined.cluster_id, "message": message_token(first.sha256)},
            )
        self.repo.append_audit(
            self.clock.now(),
            ACTOR,
            "campaign.announced",
            joined.cluster_id,
            {"size": joined.size, "senders": joined.distinct_senders},
        )

    # --- the reply draft ------------------------------------------------------------------

    def _unfinished_draft(self, ref: str, message: ParsedMessage) -> PendingDraft | None:
        """The draft an earlier attempt at this message filed its case but never wrote (it
        died in between), or None. Only for the message that opened the case, and never
        where a draft was written once (sent, erased or replaced since: not triage's to redo).
        """
        if self.repo.get_draft(ref) is not None or not self._opened(ref, message):
            return None
        entries = self.repo.audit_entries(ref)
        if any(e.action == "draft.created" for e in entries):
            return None
        opened = next((e for e in entries if e.action == "case.opened"), None)
        if opened is None:
            return None
        template = opened.detail.get("template")
        return PendingDraft(ref, message, template if isinstance(template, str) else None)

    def _opened(self, ref: str, message: ParsedMessage) -> bool:
        """Did this message open the case (not join it later)?"""
        messages = self.repo.case_messages(ref)
        return bool(messages) and messages[0].sha256 == message.sha256

    def _with_draft(self, result: TriageResult, pending: PendingDraft | None) -> TriageResult:
        if pending is None:
            return result
        body = self._write_draft(pending)
        return replace(result, draft_body=body) if body else result

    def _write_draft(self, pending: PendingDraft) -> str | None:
        """The reply draft: stored (with its sign-off state) and in the case folder. Returns the
        text for an Outlook draft, or None: a reply that needs the MP's sign-off reaches
        Outlook only once approved, so nobody sends it from there before."""
        case, message = self.repo.get_case(pending.case_ref), pending.message
        # A model's draft: after the filing committed. A template's: inside its transaction.
        draft = self.drafter.draft(case, message, pending.template)
        if draft is None:
            return None
        now = self.clock.now()
        with self.repo.transaction():
            if self.repo.get_draft(case.ref) is not None:
                return None  # written meanwhile, by a person or another attempt: theirs stands
            reply = new_reply(
                case, draft, message.from_addr, message.from_name, message.message_id,
                message.references, now, ACTOR, self.policy.mp_approver,
            )  # fmt: skip
            data = reply_record_eml(reply, self.policy.office_address, self.policy.office_name, now)
            self.files.write_draft(case.ref, DRAFT_FILE, data)
            self.repo.save_draft(reply)
            self.repo.append_audit(now, ACTOR, "draft.created", case.ref, {
                "template": draft.template, "asked_for": pending.template,
                "version": reply.version, "sha256": reply.sha256,
                "sources": " ".join(draft.sources) or None,
            })  # fmt: skip
            if case.signoff_required:
                self.repo.append_audit(now, ACTOR, "signoff.requested", case.ref, {
                    "approver": reply.approver, "version": reply.version, "sha256": reply.sha256,
                })  # fmt: skip
                return None
        return draft.body

    def _audit(
        self, action: str, ref: str, message: ParsedMessage, c: Classification, **extra: str | int
    ) -> None:
        self.repo.append_audit(
            self.clock.now(),
            ACTOR,
            action,
            ref,
            {
                "message": message_token(message.sha256),
                "category": c.category.value,
                "topic": c.topic.value,
                "urgent": c.is_urgent,
                "confidence": round(c.confidence, 3),
                "classifier": c.classifier,
                **extra,
            },
        )

    def _quarantine(self, raw: RawMessage, reason: str) -> TriageResult:
        sha = hashlib.sha256(raw.data).hexdigest()
        with self.repo.transaction():
            path = self.files.quarantine(sha, raw.data)
            self._record_quarantine(QuarantineItem(sha, raw.source, reason, self.clock.now(), path))
        return TriageResult(Outcome.QUARANTINED, raw.source, reason=reason)

    def reply_draft_text(self, case_ref: str, data: bytes) -> str | None:
        """The stored draft reply for a case opened by this message, or None if it did not
        open it or has none. Lets a retried worker finish remote drafting after a crash
        between filing and the Outlook draft (triage has written the stored one by then)."""
        if not self._opened(case_ref, parse_message(data)):
            return None
        case = self.repo.get_case(case_ref)
        if case.signoff_required:  # reaches Outlook once the MP approves (replies module)
            return None
        reply = self.repo.get_draft(case_ref)
        return reply.body if reply is not None else None

    def quarantine_reference(self, source: str, reason: str) -> TriageResult:
        """Quarantine something we could not fetch: the record names where it still lives."""
        sha = hashlib.sha256(source.encode("utf-8")).hexdigest()
        with self.repo.transaction():
            self._record_quarantine(QuarantineItem(sha, source, reason, self.clock.now(), source))
        return TriageResult(Outcome.QUARANTINED, source, reason=reason)

    def _record_quarantine(self, item: QuarantineItem) -> None:
        if self.repo.record_quarantine(item):
            self.repo.append_audit(
                item.quarantined_at,
                ACTOR,
                "message.quarantined",
                item.sha256[:16],
                {"reason": item.reason},
            )


Mapper = Callable[
    [Callable[[ParsedMessage], Classification | None], Iterable[ParsedMessage]],
    Iterable[Classification | None],
]


def message_token(sha256: str) -> str:
    """How the audit log names a message: the start of its sha256, as in its file name.

    Not the Message-ID: senders' software often builds that from their address, and the
    audit log holds no personal data (docs/decisions/0012-erasure-and-the-audit-chain.md)."""
    return sha256[:12]


def classify_or_none(classifier: Classifier, message: ParsedMessage) -> Classification | None:
    """Classify, or None if the classifier fails (filing classifies again, and quarantines)."""
    try:
        return classifier.classify(message)
    except Exception:
        return None


def _parse_or_error(raw: RawMessage) -> ParsedMessage | MalformedMessageError:
    try:
        return parse_message(raw.data)
    except MalformedMessageError as exc:
        return exc


def _campaign_name(subject: str) -> str:
    name = " ".join(subject.split())[:80]
    return name or "Untitled campaign"


def _order_key(raw: RawMessage, message: ParsedMessage | MalformedMessageError) -> tuple[str, str]:
    when = message.sent_at if isinstance(message, ParsedMessage) else None
    when = when or raw.received_at
    return (when.isoformat() if when else "", raw.source)


def _count(report: RunReport, result: TriageResult) -> None:
    report.seen += 1
    if result.outcome is Outcome.FILED_NEW:
        report.filed_new += 1
    elif result.outcome is Outcome.FILED_EXISTING:
        report.filed_existing += 1
    elif result.outcome is Outcome.DUPLICATE:
        report.duplicates += 1
    else:
        report.quarantined += 1
    if result.category and result.outcome is Outcome.FILED_NEW:
        key = result.category.value
        report.by_category[key] = report.by_category.get(key, 0) + 1
