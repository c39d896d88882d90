"""Mailing use cases: write a campaign reply or a follow-up, preview it, record outcomes, sign
off, and send it in paced, resumable batches with every copy recorded on its case.

Sending (docs/decisions/0017-bulk-replies.md): for each recipient case in turn,
1. a ledger entry `sending` with the copy's deterministic Message-ID is stored (committed)
   before the mail service is called;
2. the mail service sends it; when the entry was already `sending` (an earlier run stopped
   part-way) the service first looks for that Message-ID and does not send again if it went;
3. the copy goes into the case folder, and in one transaction the `mailing.sent` audit entry
   is written on the case and the ledger entry becomes `sent`.
A run stopped at any point is finished by running it again: nobody gets two copies, nobody
is skipped. Pure apart from the ports.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from casedesk.core.mailing_store import MailingStore, Outcome
from casedesk.core.mailings import (
    MAX_TEMPLATE_CHARS,
    Attachment,
    Mailing,
    MailingKind,
    MailingState,
    Recipient,
    SendRecord,
    SendState,
    Targeting,
    approved,
    campaign_cases,
    campaign_reply_id,
    changed_since_written,
    check_attachment_size,
    copy_message_id,
    fingerprint,
    follow_up_id,
    recipients,
    rejected,
    send_refusal,
    written,
)
from casedesk.core.models import Case, CaseQuery
from casedesk.core.outgoing_mail import FilePart, OutgoingMail, outgoing_eml
from casedesk.core.pacing import DAY, Pacer, SendingLimits
from casedesk.core.replies import ReplyRefusedError
from casedesk.core.reply_templates import long_date, reply_subject
from casedesk.errors import CaseDeskError, NotFoundError
from casedesk.ports import (
    CaseFiles,
    CaseRepository,
    Clock,
    LetterTemplates,
    MailSender,
    OpsState,
    Sleeper,
)

log = logging.getLogger("casedesk.mailings")
PREVIEW_COPIES = 3
ALL_CASES = 1_000_000
MAX_OUTCOME_CHARS = 2_000


@dataclass(frozen=True)
class MailingOffice:
    address: str
    name: str
    approvers: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    mailing: Mailing
    targeting: Targeting
    copies: tuple[OutgoingMail, ...]  # the first few, fully merged
    already_sent: int
    stored: bool  # False for a dry run
    voided: bool = False  # writing it voided an approval

    @property
    def to_send(self) -> int:
        return len(self.targeting.recipients) - self.already_sent


@dataclass
class SendReport:
    mailing: Mailing
    sent: int = 0
    already: int = 0  # had their copy before this run
    recovered: int = 0  # an earlier run sent it and stopped before recording it
    remaining: int = 0
    paused_until: datetime | None = None  # the day's budget is used up until then
    waited_seconds: float = 0.0
    send_times: list[datetime] = field(default_factory=list)


class MailingDesk:
    def __init__(
        self,
        repo: CaseRepository,
        files: CaseFiles,
        ops: OpsState,
        templates: LetterTemplates,
        sender: MailSender,
        clock: Clock,
        sleeper: Sleeper,
        office: MailingOffice,
        limits: SendingLimits,
        read_attachment: Callable[[str], bytes],
        sending_off: str | None = None,
    ) -> None:
        """sending_off: why sending is switched off and how to switch it on (the office's
        `send_mail` feature switch, casedesk.features), or None when it is on."""
        self.repo, self.files, self.store = repo, files, MailingStore(ops)
        self.sending_off = sending_off
        self.templates, self.sender, self.clock, self.sleeper = templates, sender, clock, sleeper
        self.office, self.limits, self.read_attachment = office, limits, read_attachment

    # --- targets ---------------------------------------------------------------------------

    def _target_cases(self, target: str) -> tuple[str, list[Case]]:
        """('campaign' or 'case', the cases whose constituents raised it)."""
        campaign = self.repo.get_campaign(target)
        if campaign is not None:
            everything = self.repo.query_cases(CaseQuery(limit=ALL_CASES))
            return "campaign", campaign_cases(everything, campaign.id)
        try:
            case = self.repo.get_case(target)
        except NotFoundError:
            raise CaseDeskError(
                f"{target}: no such campaign or case; `casedesk campaigns` lists campaigns, "
                "`casedesk search` finds cases"
            ) from None
        return "case", [case]

    def targeting(self, mailing: Mailing) -> Targeting:
        _, cases = self._target_cases(mailing.target)
        return recipients(cases, self.office.address)

    # --- writing a mailing -----------------------------------------------------------------

    def campaign_reply(
        self, campaign_id: str, template: str, attachments: Sequence[str], by: str, dry_run: bool
    ) -> Preview:
        """The campaign's one reply, written (or rewritten) from a template, and previewed."""
        if self.repo.get_campaign(campaign_id) is None:
            raise CaseDeskError(f"{campaign_id}: no such campaign; `casedesk campaigns` lists them")
        draft = self._draft(
            campaign_reply_id(campaign_id), MailingKind.CAMPAIGN_REPLY, campaign_id, template,
            attachments, "", by,
        )  # fmt: skip
        return self._write(draft, by, dry_run)

    def record_outcome(self, target: str, text: str, by: str) -> Outcome:
        """What was done about a case or a campaign, for its follow-up to report."""
        text = " ".join(text.split())
        if not text:
            raise CaseDeskError('say what was done, e.g. "The council re-opened the repair"')
        if len(text) > MAX_OUTCOME_CHARS:
            raise CaseDeskError(f"an outcome is at most {MAX_OUTCOME_CHARS:,} characters")
        kind, cases = self._target_cases(target)
        target = cases[0].ref if kind == "case" else target
        now = self.clock.now()
        with self.repo.transaction():
            outcome = self.store.add_outcome(target, text, by, now)
            if kind == "case":
                self.repo.add_note(target, by, f"Outcome: {text}", now)
            self.repo.append_audit(now, by, "outcome.recorded", target, {
                "number": outcome.number, "kind": kind, "cases": len(cases),
            })  # fmt: skip
        return outcome

    def follow_up(
        self, target: str, template: str, attachments: Sequence[str], by: str, dry_run: bool
    ) -> Preview:
        """A "you raised this, here is what we did" mailing for the latest outcome."""
        kind, cases = self._target_cases(target)
        target = cases[0].ref if kind == "case" else target
        outcomes = self.store.outcomes(target)
        if not outcomes:
            raise CaseDeskError(
                f"{target}: no outcome recorded yet; record what was done first: "
                f'casedesk outcome {target} "The council re-opened the repair" --by NAME'
            )
        latest = outcomes[-1]
        draft = self._draft(
            follow_up_id(target, latest.number), MailingKind.FOLLOW_UP, target, template,
            attachments, latest.text, by,
        )  # fmt: skip
        return self._write(draft, by, dry_run)

    def _draft(
        self,
        mailing_id: str,
        kind: MailingKind,
        target: str,
        template: str,
        attachments: Sequence[str],
        outcome: str,
        by: str,
    ) -> Mailing:
        file, source = self.templates.source(template)
        if len(source) > MAX_TEMPLATE_CHARS:
            raise CaseDeskError(
                f"{file}: {len(source):,} characters; a mailing's template is at most "
                f"{MAX_TEMPLATE_CHARS:,}: attach the long part as a PDF"
            )
        pinned = []
        for path in attachments:
            data = self.read_attachment(path)
            name = path.replace("\\", "/").rsplit("/", 1)[-1]
            check_attachment_size(name, len(data))
            pinned.append(
                Attachment(name, path, body_sha256_bytes(data), len(data), content_type_of(name))
            )
        now = self.clock.now()
        return Mailing(
            id=mailing_id, kind=kind, target=target, template=template, template_file=file,
            template_sha256=body_sha256_bytes(source.encode("utf-8")),
            attachments=tuple(pinned), outcome=outcome, version=0,
            state=MailingState.AWAITING_SIGNOFF, created_at=now, updated_at=now, updated_by=by,
        )  # fmt: skip

    def _write(self, draft: Mailing, by: str, dry_run: bool) -> Preview:
        current = self.store.get(draft.id)
        updated, voided = written(current, draft, by, self.clock.now())
        targeting = self.targeting(updated)
        copies = self._copies(updated, targeting.recipients[:PREVIEW_COPIES])
        sent = self._sent_count(updated.id, targeting)
        if dry_run or updated is current:
            return Preview(updated, targeting, copies, sent, stored=updated is current)
        now = self.clock.now()
        with self.repo.transaction():
            self.store.put(updated)
            self.repo.append_audit(now, by, "mailing.written", updated.id, {
                "version": updated.version, "kind": updated.kind.value,
                "target": updated.target, "template": updated.template_file,
                "template_sha256": updated.template_sha256,
                "attachments": ",".join(f"{a.name}:{a.sha256[:16]}" for a in updated.attachments),
                "fingerprint": updated.fingerprint, "recipients": len(targeting.recipients),
            })  # fmt: skip
            if voided and current is not None:
                self.repo.append_audit(now, by, "mailing.voided", updated.id, {
                    "approved_version": current.version,
                    "approved_sha256": current.approved_sha256,
                    "new_sha256": updated.fingerprint, "why": "changed after approval",
                })  # fmt: skip
        return Preview(updated, targeting, copies, sent, stored=True, voided=voided)

    # --- reading ---------------------------------------------------------------------------

    def get(self, mailing_id: str) -> Mailing:
        found = self.store.get(mailing_id)
        if found is None:
            raise CaseDeskError(send_refusal(None, None) or mailing_id)
        return found

    def show(self, mailing_id: str) -> Preview:
        mailing = self.get(mailing_id)
        targeting = self.targeting(mailing)
        copies = self._copies(mailing, targeting.recipients[:PREVIEW_COPIES])
        return Preview(mailing, targeting, copies, self._sent_count(mailing.id, targeting), True)

    def mailings(self) -> list[tuple[Mailing, int]]:
        """Every mailing with how many copies went, newest first."""
        counts: dict[str, int] = {}
        for record in self.store.records():
            if record.state is SendState.SENT:
                counts[record.mailing_id] = counts.get(record.mailing_id, 0) + 1
        found = sorted(self.store.all(), key=lambda m: (m.updated_at, m.id), reverse=True)
        return [(m, counts.get(m.id, 0)) for m in found]

    def _sent_count(self, mailing_id: str, targeting: Targeting) -> int:
        done = {r.case_ref for r in self.store.records(mailing_id) if r.state is SendState.SENT}
        return sum(1 for r in targeting.recipients if r.case_ref in done)

    def current_fingerprint(self, mailing: Mailing) -> str:
        """The fingerprint of the template and attachments as the files are now."""
        file, source = self.templates.source(mailing.template)
        attachment_hashes = [
            body_sha256_bytes(self.read_attachment(a.path)) for a in mailing.attachments
        ]
        template_sha = body_sha256_bytes(source.encode("utf-8"))
        if file != mailing.template_file:
            template_sha = f"{file}:{template_sha}"  # another file answers now: not what was seen
        return fingerprint(template_sha, attachment_hashes, mailing.outcome)

    # --- one recipient's copy --------------------------------------------------------------

    def _copies(self, mailing: Mailing, chosen: Sequence[Recipient]) -> tuple[OutgoingMail, ...]:
        parts = tuple(self._parts(mailing))
        return tuple(self._copy(mailing, r, parts) for r in chosen)

    def _parts(self, mailing: Mailing) -> list[FilePart]:
        return [
            FilePart(a.name, a.content_type, self.read_attachment(a.path))
            for a in mailing.attachments
        ]

    def _copy(
        self, mailing: Mailing, recipient: Recipient, parts: tuple[FilePart, ...]
    ) -> OutgoingMail:
        case = self.repo.get_case(recipient.case_ref)
        messages = self.repo.case_messages(case.ref)
        theirs = [m for m in messages if m.from_addr.lower() == recipient.email] or messages
        latest = theirs[-1] if theirs else None
        subject = (latest.subject if latest else "") or case.subject
        extra = self._outcome_fields(mailing)
        body = self.templates.merge(
            case, subject, latest.sent_at if latest else None, mailing.template, extra
        )
        thread = tuple(m.message_id for m in messages if m.message_id)
        return OutgoingMail(
            mailing_id=mailing.id, case_ref=case.ref,
            message_id=copy_message_id(mailing.id, case.ref, self.office.address),
            from_addr=self.office.address, from_name=self.office.name,
            to_addr=recipient.email, to_name=case.constituent_name,
            subject=reply_subject(subject), body=body, attachments=parts,
            in_reply_to=latest.message_id if latest else "",
            references=thread[-20:],
        )  # fmt: skip

    def _outcome_fields(self, mailing: Mailing) -> dict[str, str]:
        if mailing.kind is not MailingKind.FOLLOW_UP:
            return {}
        outcomes = self.store.outcomes(mailing.target)
        same = [o for o in outcomes if o.text == mailing.outcome]
        when = same[-1].at if same else mailing.created_at
        return {"outcome": mailing.outcome, "outcome_date": long_date(when)}

    # --- sign-off --------------------------------------------------------------------------

    def approve(self, mailing_id: str, by: str) -> Mailing:
        mailing = self.get(mailing_id)
        targeting = self.targeting(mailing)
        samples = [c.body for c in self._copies(mailing, targeting.recipients[:PREVIEW_COPIES])]
        now = self.clock.now()
        done = approved(
            mailing, self.current_fingerprint(mailing), samples, by, now, self.office.approvers
        )
        with self.repo.transaction():
            self.store.put(done)
            self.repo.append_audit(now, by, "mailing.approved", done.id, {
                "version": done.version, "sha256": done.fingerprint,
                "recipients": len(targeting.recipients),
            })  # fmt: skip
        return done

    def reject(self, mailing_id: str, reason: str, by: str) -> Mailing:
        mailing = self.get(mailing_id)
        now = self.clock.now()
        done = rejected(mailing, by, reason, now, self.office.approvers)
        with self.repo.transaction():
            self.store.put(done)
            self.repo.append_audit(now, by, "mailing.rejected", done.id, {
                "version": done.version, "sha256": done.fingerprint, "reason": done.rejection,
            })  # fmt: skip
        return done

    # --- sending ---------------------------------------------------------------------------

    def send(self, mailing_id: str, by: str, batch: int | None = None) -> SendReport:
        """Send the approved mailing's copies not yet sent, paced within the sending limits;
        at most `batch` of them in this run. Run it again to carry on."""
        mailing = self.store.get(mailing_id)
        refusal = send_refusal(mailing, self.current_fingerprint(mailing) if mailing else None)
        if refusal is None and self.sending_off is not None:
            refusal = f"{mailing_id}: not sent. {self.sending_off}"
        if refusal is not None or mailing is None:
            self.repo.append_audit(self.clock.now(), by, "mailing.send_refused", mailing_id, {
                "version": mailing.version if mailing else None, "why": refusal,
            })  # fmt: skip
            raise ReplyRefusedError(refusal or mailing_id)
        targeting = self.targeting(mailing)
        if mailing.state is not MailingState.SENDING:
            mailing = replace(mailing, state=MailingState.SENDING)
            self.store.put(mailing)
        report = SendReport(mailing)
        pacer = Pacer(self.limits, self.store.send_times_since(self.clock.now() - DAY))
        parts = tuple(self._parts(mailing))
        for recipient in targeting.recipients:
            record = self.store.record(mailing.id, recipient.case_ref)
            if record is not None and record.state is SendState.SENT:
                report.already += 1
                continue
            if report.paused_until is not None or (batch is not None and report.sent >= batch):
                report.remaining += 1
                continue
            slot = pacer.next_slot(self.clock.now())
            if slot.daily:
                report.paused_until = slot.at
                report.remaining += 1
                continue
            wait = (slot.at - self.clock.now()).total_seconds()
            if wait > 0:
                self.sleeper.sleep(wait)
                report.waited_seconds += wait
            at = self._send_one(mailing, recipient, record, parts, by, report)
            pacer.record(at)
            report.send_times.append(at)
        if report.remaining == 0:
            mailing = replace(mailing, state=MailingState.SENT)
            with self.repo.transaction():
                self.store.put(mailing)
                self.repo.append_audit(self.clock.now(), by, "mailing.completed", mailing.id, {
                    "version": mailing.version, "recipients": len(targeting.recipients),
                    "sent_this_run": report.sent, "skipped": sum(targeting.skipped.values()),
                })  # fmt: skip
        report.mailing = mailing
        return report

    def _send_one(
        self,
        mailing: Mailing,
        recipient: Recipient,
        record: SendRecord | None,
        parts: tuple[FilePart, ...],
        by: str,
        report: SendReport,
    ) -> datetime:
        mail = self._copy(mailing, recipient, parts)
        resumed = record is not None  # an earlier run got as far as `sending`
        if record is None:
            record = SendRecord(
                mailing.id, recipient.case_ref, SendState.SENDING, mail.message_id,
                self.clock.now(), version=mailing.version,
            )  # fmt: skip
            self.store.put_record(record)  # committed before the mail service is called
        at = self.clock.now()
        eml = outgoing_eml(mail, at, mailing.version)
        where, sent_now = self.sender.send(mail, eml, resumed)
        copy = self._case_copy(recipient.case_ref, mailing.id, eml)
        at = self.clock.now()
        with self.repo.transaction():
            if not (resumed and self._already_audited(recipient.case_ref, mailing.id)):
                self.repo.append_audit(at, by, "mailing.sent", recipient.case_ref, {
                    "mailing": mailing.id, "version": mailing.version,
                    "message_id": mail.message_id, "channel": self.sender.name, "to": where,
                    "copy": copy, "found_sent": not sent_now,
                })  # fmt: skip
            self.store.put_record(
                replace(record, state=SendState.SENT, sent_at=at, where=where,
                        version=mailing.version)
            )  # fmt: skip
        if sent_now:
            report.sent += 1
        else:
            report.recovered += 1
        log.info("mailing copy sent", extra={
            "event": "mailing.sent", "case": recipient.case_ref, "mailing": mailing.id,
        })  # fmt: skip
        return at

    def _already_audited(self, case_ref: str, mailing_id: str) -> bool:
        return any(
            e.action == "mailing.sent" and e.detail.get("mailing") == mailing_id
            for e in self.repo.audit_entries(case_ref)
        )

    def _case_copy(self, case_ref: str, mailing_id: str, eml: bytes) -> str | None:
        """The copy as sent, in the case folder; it has gone by now, so a failure here is
        logged and recorded (copy: None), never allowed to undo the record of sending."""
        try:
            return self.files.write_draft(case_ref, f"{mailing_id}.eml", eml)
        except Exception as exc:
            log.warning("mailing copy not kept in the case folder", extra={
                "event": "mailing.copy_failed", "case": case_ref, "error": type(exc).__name__,
            })  # fmt: skip
            return None

    def check_unchanged(self, mailing: Mailing) -> str | None:
        return changed_since_written(mailing, self.current_fingerprint(mailing))


def body_sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_TYPES = {
    "pdf": "application/pdf",
    "txt": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


def content_type_of(name: str) -> str:
    return _TYPES.get(name.rpartition(".")[2].lower(), "application/octet-stream")
