"""Reply use cases: show and edit a draft, the MP's approval queue, approve, reject, send.

Each action reads the case and its draft, decides with core.replies (pure), then writes the
draft, its copy in the case folder and the audit entries in one repository transaction. The
mail service (ReplyChannel) is called last inside the transaction, so a refusal or a failure
there stores nothing; a refused send is audited on its own, after the transaction.

Sending happens only here, only on a person's command, and only what the rules allow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from casedesk.core.audit import Detail
from casedesk.core.draft_mail import reply_record_eml, sent_message_id
from casedesk.core.models import Case, Draft, StoredMessage
from casedesk.core.replies import (
    DRAFT_FILE,
    SENT_FILE,
    DraftState,
    RemoteDraft,
    ReplyDraft,
    ReplyRefusedError,
    approved,
    edited,
    new_reply,
    rejected,
    send_refusal,
    sent,
    version_refusal,
    with_remote,
)
from casedesk.core.reply_templates import reply_subject
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseFiles, CaseRepository, Clock, Drafter, ReplyChannel

log = logging.getLogger("casedesk.replies")
HAND_WRITTEN = "(written by hand)"
OUTLOOK = "outlook"  # updated_by for text taken from the Outlook draft


@dataclass(frozen=True)
class ReplyOffice:
    address: str  # the office mailbox replies come from
    name: str  # its display name
    approvers: tuple[str, ...]  # who may sign off (the mp_approver setting)


@dataclass(frozen=True)
class Pending:
    """One reply in the MP's approval queue, with its case."""

    draft: ReplyDraft
    case: Case


class ReplyDesk:
    def __init__(
        self,
        repo: CaseRepository,
        files: CaseFiles,
        drafter: Drafter,
        channel: ReplyChannel,
        clock: Clock,
        office: ReplyOffice,
        *,
        sending_off: str | None = None,
    ) -> None:
        """sending_off: why sending is switched off and how to switch it on (the office's
        send_mail switch, src/casedesk/features.py); every send is then refused with it."""
        self.repo, self.files, self.drafter, self.channel = repo, files, drafter, channel
        self.clock, self.office, self.sending_off = clock, office, sending_off

    # --- reads -----------------------------------------------------------------------------

    def show(self, ref: str) -> tuple[Case, ReplyDraft | None]:
        case = self.repo.get_case(ref)
        return case, self.repo.get_draft(case.ref)

    def approvals(self) -> list[Pending]:
        """Waiting for sign-off, oldest first; approved drafts whose text changed since (an
        edit outside CaseDesk) wait again."""
        waiting = self.repo.drafts_in_state(DraftState.AWAITING_SIGNOFF)
        changed = [d for d in self.repo.drafts_in_state(DraftState.APPROVED) if not d.is_approved]
        drafts = sorted(waiting + changed, key=lambda d: (d.created_at, d.case_ref))
        return [Pending(d, self.repo.get_case(d.case_ref)) for d in drafts]

    # --- changes to the text ---------------------------------------------------------------

    def edit(self, ref: str, text: str, by: str) -> ReplyDraft:
        """Replace the draft's text (a new version); a sign-off it had is void."""
        return self._change(ref, by, text=text)

    def redraft(self, ref: str, template: str | None, by: str) -> ReplyDraft:
        """Write the draft again from a template a person chose (any category, abuse too), or
        with None as triage would (the AI drafter when ai_drafting is on)."""
        return self._change(ref, by, template=template or "", fresh=True)

    def _change(
        self, ref: str, by: str, text: str | None = None, template: str = "", fresh: bool = False
    ) -> ReplyDraft:
        now = self.clock.now()
        sources: tuple[str, ...] | None = None
        with self.repo.transaction():
            case = self.repo.get_case(ref)
            current = self.repo.get_draft(case.ref)
            if fresh:
                draft = self._render(case, template or None)
                text, template, sources = draft.body, draft.template, draft.sources
            assert text is not None
            if current is None:
                updated = self._first_version(case, text, template or HAND_WRITTEN, by, sources)
                voided = False
            else:
                updated, voided = edited(
                    current, text, by, now, case.signoff_required, template, sources
                )
                if updated is current:
                    return current  # the same text: nothing to record
            if not case.signoff_required:
                # Outlook gets the new text (a reply needing sign-off gets it once approved).
                updated = with_remote(updated, self.channel.place(updated))
            self._store(updated)
            self._audit_change(case, current, updated, voided, by)
        return updated

    def _render(self, case: Case, template: str | None) -> Draft:
        latest = self._latest_from_constituent(case)
        draft = self.drafter.draft(case, latest, template, chosen_by_staff=template is not None)
        if draft is None:
            raise CaseDeskError(
                f"{case.ref}: {case.category.value} mail gets no automatic draft; name a "
                "template with --template NAME, or write one with --edit FILE"
                if template is None
                else f"{case.ref}: template {template!r} wrote nothing"
            )
        return draft

    def _latest_from_constituent(self, case: Case) -> StoredMessage:
        messages = self.repo.case_messages(case.ref)
        theirs = [m for m in messages if m.from_addr == case.constituent_email] or messages
        if not theirs:
            raise CaseDeskError(f"{case.ref} has no messages to reply to")
        return theirs[-1]

    def _first_version(
        self, case: Case, text: str, template: str, by: str, sources: tuple[str, ...] | None
    ) -> ReplyDraft:
        latest = self._latest_from_constituent(case)
        thread = [m.message_id for m in self.repo.case_messages(case.ref)]
        subject = reply_subject(latest.subject or case.subject)
        draft = Draft(subject, text, template, sources or ())
        return new_reply(
            case, draft, case.constituent_email, case.constituent_name, latest.message_id,
            thread[: thread.index(latest.message_id) + 1], self.clock.now(), by,
            ", ".join(self.office.approvers) or None,
        )  # fmt: skip

    def _audit_change(
        self, case: Case, before: ReplyDraft | None, after: ReplyDraft, voided: bool, by: str
    ) -> None:
        now = self.clock.now()
        common: Detail = {
            "version": after.version, "sha256": after.sha256, "template": after.template,
            "sources": " ".join(after.sources) or None,
        }  # fmt: skip
        if before is None:
            self.repo.append_audit(now, by, "draft.created", case.ref, common)
        else:
            self.repo.append_audit(
                now, by, "draft.edited", case.ref, {**common, "previous_sha256": before.sha256}
            )
        if voided and before is not None:
            self.repo.append_audit(now, by, "signoff.voided", case.ref, {
                "approved_version": before.version, "approved_sha256": before.approved_sha256,
                "new_sha256": after.sha256, "why": "edited after approval",
            })  # fmt: skip
        if after.state is DraftState.AWAITING_SIGNOFF:
            self.repo.append_audit(now, by, "signoff.requested", case.ref, {
                "approver": after.approver, "version": after.version, "sha256": after.sha256,
            })  # fmt: skip

    # --- sign-off --------------------------------------------------------------------------

    def approve(self, ref: str, by: str, seen_sha256: str | None = None) -> ReplyDraft:
        """Sign off the current version; in Microsoft 365 it becomes the Outlook draft.
        seen_sha256: the version the approver was shown (Teams); refused if it changed."""
        with self.repo.transaction():
            case, current = self._case_and_draft(ref, seen_sha256)
            updated = approved(case, current, by, self.clock.now(), self.office.approvers)
            remote = self.channel.place(updated)
            updated = with_remote(updated, remote)
            self.repo.save_draft(updated)
            self.repo.append_audit(self.clock.now(), by, "signoff.approved", case.ref, {
                "version": updated.version, "sha256": updated.sha256,
                "outlook_draft": remote.id if remote else None,
            })  # fmt: skip
        return updated

    def reject(
        self, ref: str, reason: str, by: str, seen_sha256: str | None = None
    ) -> ReplyDraft:
        with self.repo.transaction():
            case, current = self._case_and_draft(ref, seen_sha256)
            updated = rejected(case, current, by, reason, self.clock.now(), self.office.approvers)
            self.repo.save_draft(updated)
            self.repo.append_audit(self.clock.now(), by, "signoff.rejected", case.ref, {
                "version": updated.version, "sha256": updated.sha256, "reason": reason.strip(),
            })  # fmt: skip
        return updated

    def _case_and_draft(
        self, ref: str, seen_sha256: str | None = None
    ) -> tuple[Case, ReplyDraft]:
        case = self.repo.get_case(ref)
        current = self.repo.get_draft(case.ref)
        if current is None:
            raise ReplyRefusedError(
                send_refusal(case, None, None) or f"{case.ref} has no reply draft"
            )
        changed = version_refusal(current, seen_sha256)
        if changed is not None:
            raise changed
        return case, current

    # --- sending ---------------------------------------------------------------------------

    def send(self, ref: str, by: str) -> ReplyDraft:
        """Send the reply on a person's command, or refuse with the reason and the fix."""
        now = self.clock.now()
        case = self.repo.get_case(ref)
        current: ReplyDraft | None = None
        try:
            if self.sending_off is not None:
                raise ReplyRefusedError(f"{case.ref}: not sent. {self.sending_off}")
            with self.repo.transaction():
                current = self.repo.get_draft(case.ref)
                refusal = send_refusal(case, current, None)
                if refusal is None and current is not None:
                    current, remote = self._remote_copy(case, current, by)
                    refusal = send_refusal(case, current, remote.sha256 if remote else None)
                if refusal is None and current is not None:
                    return self._send(case, current, by)
                raise ReplyRefusedError(refusal or f"{case.ref}: not sent")
        except ReplyRefusedError as exc:
            # The transaction rolled back: nothing was recorded as sent. The refusal is.
            self.repo.append_audit(now, by, "reply.send_refused", case.ref, {
                "version": current.version if current else None,
                "sha256": current.sha256 if current else None, "why": str(exc),
            })  # fmt: skip
            raise

    def _remote_copy(
        self, case: Case, reply: ReplyDraft, by: str
    ) -> tuple[ReplyDraft, RemoteDraft | None]:
        """The draft where staff send from, as it is now (made from the stored text when there
        is none and that text may go). Without sign-off, text a person left in Outlook is what
        goes: it becomes the stored version first, so the record says what was sent. With
        sign-off, the recorded fingerprint stays, for send_refusal to compare."""
        remote = self.channel.find(reply)
        if remote is None:
            if case.signoff_required and not reply.is_approved:
                return reply, None
            remote = self.channel.place(reply)
            return with_remote(reply, remote), remote
        located = replace(reply, remote_id=remote.id, remote_mailbox=remote.mailbox)
        if case.signoff_required or remote.sha256 == reply.remote_sha256 or not remote.text:
            return located, remote
        taken, _ = edited(located, remote.text, OUTLOOK, self.clock.now(), False)
        taken = with_remote(taken, remote)
        self.repo.append_audit(self.clock.now(), by, "draft.edited", case.ref, {
            "version": taken.version, "sha256": taken.sha256, "previous_sha256": reply.sha256,
            "template": taken.template, "source": "the Outlook draft, as staff left it",
        })  # fmt: skip
        return taken, remote

    def _send(self, case: Case, reply: ReplyDraft, by: str) -> ReplyDraft:
        at = self.clock.now()
        message_id = sent_message_id(reply, self.office.address)
        eml = reply_record_eml(reply, self.office.address, self.office.name, at, message_id)
        done = sent(reply, by, at, "")
        self.repo.save_draft(done)
        where = self.channel.send(reply, eml)  # the last step that can fail before commit
        done = replace(done, sent_to=where)
        self.repo.save_draft(done)
        copy = self._sent_copy(case.ref, eml)
        self.repo.append_audit(at, by, "reply.sent", case.ref, {
            "version": done.version, "sha256": done.sha256, "channel": self.channel.name,
            "to": where, "message_id": message_id, "copy": copy,
            "signed_off_by": done.decided_by if case.signoff_required else None,
        })  # fmt: skip
        log.info("reply sent", extra={"event": "reply.sent", "case": case.ref})
        return done

    def _sent_copy(self, ref: str, eml: bytes) -> str | None:
        """The sent reply in the case folder. It has gone by now, so a failure here is logged
        and audited (copy: None), never allowed to undo the record of sending."""
        try:
            return self.files.write_draft(ref, SENT_FILE, eml)
        except Exception as exc:
            log.warning(
                "sent reply not copied to the case folder",
                extra={"event": "reply.copy_failed", "case": ref, "error": type(exc).__name__},
            )
            return None

    # --- storage ---------------------------------------------------------------------------

    def _store(self, reply: ReplyDraft) -> None:
        """The record, and its .eml in the case folder (what Outlook opens as a draft)."""
        data = reply_record_eml(reply, self.office.address, self.office.name, self.clock.now())
        self.files.write_draft(reply.case_ref, DRAFT_FILE, data)
        self.repo.save_draft(reply)
