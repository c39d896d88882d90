"""Reply drafts and the MP's sign-off: the record, its states and the rules for changing them.

One current draft per case. Every change of its text is a new version; the sign-off covers
one version, identified by the sha256 of its body, so any later edit voids it. Sending is a
person's explicit act and is refused while the case needs sign-off and the text being sent is
not the text that was approved. Pure: no I/O, no clock (callers pass `now`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from casedesk.core.models import Case, Draft
from casedesk.errors import CaseDeskError

# Long enough for any letter; short enough for one SharePoint multi-line text column (63,999).
MAX_BODY_CHARS = 50_000
MAX_REFERENCES = 20  # the thread's Message-IDs kept in References (newest last)
DRAFT_FILE = "reply-draft.eml"  # the current draft in the case folder
SENT_FILE = "reply-sent.eml"  # what was sent, beside it
# A paragraph the office must write before the reply goes: campaign and policy templates
# carry one ("[[The MP's agreed response goes here.]]"), and nothing with one is sent.
PLACEHOLDER = re.compile(r"\[\[.*?\]\]", re.DOTALL)


class DraftState(StrEnum):
    DRAFT = "draft"  # ready for staff to edit and send; the case needs no sign-off
    AWAITING_SIGNOFF = "awaiting_signoff"  # in the MP's approval queue
    APPROVED = "approved"  # this version is signed off
    REJECTED = "rejected"  # the approver sent it back, with a reason
    SENT = "sent"


class ReplyRefusedError(CaseDeskError):
    """A draft action that the sign-off rules do not allow; the message names the fix."""


class DraftChangedError(ReplyRefusedError):
    """The approver decided on a version that is no longer the current one (someone edited
    the draft after it was shown to them); `current` is the version to show instead."""

    def __init__(self, current: ReplyDraft, seen_sha256: str) -> None:
        seen = seen_sha256[:12] or "no version"
        super().__init__(
            f"{current.case_ref}: the draft changed since it was shown to you (now version "
            f"{current.version}, sha256 {current.sha256[:12]}; you saw {seen}); nothing was "
            "decided: read the new version and decide again"
        )
        self.current = current


def version_refusal(reply: ReplyDraft, seen_sha256: str | None) -> DraftChangedError | None:
    """When a decision names the version it was made on (its body hash, as shown to the
    approver), that must still be the current version."""
    if seen_sha256 is None or seen_sha256 == reply.sha256:
        return None
    return DraftChangedError(reply, seen_sha256)


@dataclass(frozen=True)
class RemoteDraft:
    """The draft where staff send from (an Outlook reply draft), as CaseDesk last saw it."""

    id: str
    mailbox: str
    sha256: str  # of its body text as the mail service returns it
    text: str = ""  # that text
    recipients: tuple[str, ...] = ()  # to, cc and bcc, lower-case


@dataclass(frozen=True)
class ReplyDraft:
    case_ref: str
    version: int  # 1, 2, 3: every change of the text is a new version
    state: DraftState
    subject: str
    body: str
    template: str
    to_addr: str
    to_name: str
    in_reply_to: str  # the constituent's Message-ID this answers
    references: tuple[str, ...]  # the thread, oldest first, in_reply_to last
    created_at: datetime
    updated_at: datetime
    updated_by: str
    approver: str | None = None  # who was asked to sign off (None: no sign-off asked for)
    decided_by: str | None = None  # who approved or rejected the current version
    decided_at: datetime | None = None
    approved_sha256: str | None = None  # the body hash that was signed off
    rejection: str | None = None  # the approver's reason
    sent_at: datetime | None = None
    sent_by: str | None = None
    sent_to: str | None = None  # where it went: the outbox file, or the Outlook message
    remote_id: str | None = None  # the Outlook draft's id (Microsoft 365)
    remote_mailbox: str | None = None
    remote_sha256: str | None = None  # the Outlook draft's body when CaseDesk last wrote it
    sources: tuple[str, ...] = ()  # what an AI draft was written from (core/grounding.py)

    @property
    def sha256(self) -> str:
        return body_sha256(self.body)

    @property
    def is_approved(self) -> bool:
        """Signed off, and the text is still exactly what was signed off."""
        return self.approved_sha256 is not None and self.approved_sha256 == self.sha256

    @property
    def changed_after_approval(self) -> bool:
        return self.approved_sha256 is not None and self.approved_sha256 != self.sha256

    def as_record(self) -> dict[str, object]:
        """JSON-ready fields for `--json` output."""
        return {
            "case_ref": self.case_ref,
            "version": self.version,
            "state": self.state.value,
            "sha256": self.sha256,
            "subject": self.subject,
            "template": self.template,
            "to": {"name": self.to_name, "email": self.to_addr},
            "in_reply_to": self.in_reply_to,
            "approver": self.approver,
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "approved_sha256": self.approved_sha256,
            "is_approved": self.is_approved,
            "rejection": self.rejection,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
            "sent_at": _iso(self.sent_at),
            "sent_by": self.sent_by,
            "sent_to": self.sent_to,
            "outlook_draft_id": self.remote_id,
            "sources": list(self.sources),
            "body": self.body,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def body_sha256(body: str) -> str:
    """The hash the sign-off covers: sha256 of the body's UTF-8 bytes, exactly as stored."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def normalise_body(text: str) -> str:
    """Line endings as LF and one final newline: an edit saved on Windows is the same text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    return lines + "\n"


def approvers(setting: str | None) -> tuple[str, ...]:
    """The people who may sign off, from the `mp_approver` setting ("alex.morgan, jo.price")."""
    return tuple(p.strip() for p in (setting or "").split(",") if p.strip())


def new_reply(
    case: Case,
    draft: Draft,
    to_addr: str,
    to_name: str,
    in_reply_to: str,
    references: Sequence[str],
    now: datetime,
    by: str,
    approver: str | None,
) -> ReplyDraft:
    """Version 1 of a case's reply: in the approval queue when the case needs sign-off."""
    needs = case.signoff_required
    thread = [r for r in references if r != in_reply_to][-(MAX_REFERENCES - 1) :]
    return ReplyDraft(
        case_ref=case.ref,
        version=1,
        state=DraftState.AWAITING_SIGNOFF if needs else DraftState.DRAFT,
        subject=draft.subject,
        body=_checked_body(draft.body),
        template=draft.template,
        to_addr=to_addr,
        to_name=to_name,
        in_reply_to=in_reply_to,
        references=(*thread, in_reply_to),
        created_at=now,
        updated_at=now,
        updated_by=by,
        approver=approver if needs else None,
        sources=draft.sources,
    )


def _checked_body(text: str) -> str:
    body = normalise_body(text)
    if not body.strip():
        raise ReplyRefusedError("the draft is empty; write the reply text and try again")
    if len(body) > MAX_BODY_CHARS:
        raise ReplyRefusedError(
            f"the draft is {len(body):,} characters; the most a reply can hold is "
            f"{MAX_BODY_CHARS:,}: shorten it, or attach the long part as a document"
        )
    return body


def _refuse_if_sent(reply: ReplyDraft) -> None:
    if reply.state is DraftState.SENT:
        raise ReplyRefusedError(
            f"{reply.case_ref}: the reply was already sent ({_when(reply.sent_at)} by "
            f"{reply.sent_by}); nothing more can change in it. Write a new message from Outlook "
            "if the constituent needs another answer"
        )


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="minutes") if value else "at an unknown time"


def edited(
    reply: ReplyDraft,
    text: str,
    by: str,
    now: datetime,
    needs_signoff: bool,
    template: str = "",
    sources: tuple[str, ...] | None = None,
) -> tuple[ReplyDraft, bool]:
    """The reply with new text as the next version; and whether that voided a sign-off.

    The same text again changes nothing. New text of a case that needs sign-off goes back
    into the approval queue: the approval covered the old text only. A new draft from a
    template brings its own `sources`; a person's edit keeps the ones it was based on."""
    _refuse_if_sent(reply)
    body = _checked_body(text)
    if body == reply.body and template in ("", reply.template):
        return reply, False
    voided = reply.state is DraftState.APPROVED
    state = DraftState.AWAITING_SIGNOFF if needs_signoff else DraftState.DRAFT
    return (
        replace(
            reply,
            version=reply.version + 1,
            state=state,
            body=body,
            template=template or reply.template,
            sources=reply.sources if sources is None else sources,
            updated_at=now,
            updated_by=by,
            decided_by=None,
            decided_at=None,
            approved_sha256=None,
            rejection=None,
        ),
        voided,
    )


def _check_approver(reply: ReplyDraft, by: str, allowed: Sequence[str], verb: str) -> None:
    check_approver(reply.case_ref, by, allowed, verb)


def check_approver(
    label: str, by: str, allowed: Sequence[str], verb: str, thing: str = "reply"
) -> None:
    """Refuse unless `by` is one of the approvers (the mp_approver setting), naming the fix."""
    if not allowed:
        raise ReplyRefusedError(
            f"{label}: nobody is set to sign off {thing}s for the MP; set mp_approver "
            'in the settings file (or CASEDESK_MP_APPROVER), e.g. mp_approver = "alex.morgan"'
        )
    if by.casefold() not in {a.casefold() for a in allowed}:
        raise ReplyRefusedError(
            f"{label}: {by!r} cannot {verb} this {thing}: sign-off is for "
            f"{', '.join(allowed)} (the mp_approver setting)"
        )


def placeholder_refusal(reply: ReplyDraft) -> str | None:
    found = PLACEHOLDER.search(reply.body)
    if found is None:
        return None
    return (
        f"{reply.case_ref}: the draft still has a paragraph to write: {found[0][:80]!r}; replace "
        f"it (`casedesk draft {reply.case_ref} --edit FILE --by NAME`) and try again"
    )


def _check_signoff_asked(case: Case, reply: ReplyDraft, verb: str) -> None:
    if not case.signoff_required:
        raise ReplyRefusedError(
            f"{case.ref}: this case does not need the MP's sign-off, so there is nothing to "
            f"{verb}; staff send it with `casedesk send {case.ref} --by NAME`"
        )
    _refuse_if_sent(reply)


def approved(
    case: Case, reply: ReplyDraft, by: str, now: datetime, allowed: Sequence[str]
) -> ReplyDraft:
    """The current version signed off by `by`, who must be one of the approvers."""
    _check_signoff_asked(case, reply, "approve")
    _check_approver(reply, by, allowed, "approve")
    unfinished = placeholder_refusal(reply)
    if unfinished:
        raise ReplyRefusedError(unfinished)
    if reply.is_approved:
        raise ReplyRefusedError(
            f"{reply.case_ref}: version {reply.version} is already approved (by "
            f"{reply.decided_by}, {_when(reply.decided_at)}); `casedesk send "
            f"{reply.case_ref} --by NAME` sends it"
        )
    return replace(
        reply,
        state=DraftState.APPROVED,
        decided_by=by,
        decided_at=now,
        approved_sha256=reply.sha256,
        rejection=None,
        approver=reply.approver or ", ".join(allowed),
    )


def rejected(
    case: Case, reply: ReplyDraft, by: str, reason: str, now: datetime, allowed: Sequence[str]
) -> ReplyDraft:
    """Sent back by the approver with a reason; an edit puts it in the queue again."""
    _check_signoff_asked(case, reply, "reject")
    _check_approver(reply, by, allowed, "reject")
    if not reason.strip():
        raise ReplyRefusedError(
            f"{reply.case_ref}: say why with --reason, so whoever edits it knows what to change"
        )
    return replace(
        reply,
        state=DraftState.REJECTED,
        decided_by=by,
        decided_at=now,
        approved_sha256=None,
        rejection=reason.strip(),
    )


def send_refusal(case: Case, reply: ReplyDraft | None, remote_sha256: str | None) -> str | None:
    """Why this reply cannot be sent now (with the fix), or None when it can.

    remote_sha256: the Outlook draft's body hash now, when the reply lives in Outlook; it must
    still be what CaseDesk wrote there when the MP signed off."""
    if reply is None:
        return (
            f"{case.ref} has no reply draft; write one with `casedesk draft {case.ref} --edit FILE "
            f"--by NAME` (or --template NAME)"
        )
    if reply.state is DraftState.SENT:
        return (
            f"{case.ref}: the reply was already sent ({_when(reply.sent_at)} by {reply.sent_by}, "
            f"to {reply.sent_to}); it is never sent twice"
        )
    unfinished = placeholder_refusal(reply)
    if unfinished:
        return unfinished
    if not case.signoff_required:
        return None
    if reply.changed_after_approval:
        return (
            f"{case.ref}: the draft changed after the MP approved it (approved sha256 "
            f"{(reply.approved_sha256 or '')[:12]}, now {reply.sha256[:12]}); get sign-off for "
            f"this version: `casedesk approve {case.ref} --by NAME`"
        )
    if not reply.is_approved:
        why = f" (rejected by {reply.decided_by}: {reply.rejection})" if reply.rejection else ""
        who = reply.approver or "the mp_approver setting's person"
        return (
            f"{case.ref} needs the MP's sign-off and has none{why}; {who} approves it with "
            f"`casedesk approve {case.ref} --by NAME` (see `casedesk approvals`)"
        )
    if remote_sha256 is not None and reply.remote_sha256 != remote_sha256:
        return (
            f"{case.ref}: the Outlook draft is not the text the MP approved (edited in Outlook "
            f"after sign-off?); copy the text you want into a file, run `casedesk draft "
            f"{case.ref} --edit FILE --by NAME`, and get sign-off for that version"
        )
    return None


def sent(reply: ReplyDraft, by: str, now: datetime, where: str) -> ReplyDraft:
    return replace(reply, state=DraftState.SENT, sent_at=now, sent_by=by, sent_to=where)


def with_remote(reply: ReplyDraft, remote: RemoteDraft | None) -> ReplyDraft:
    if remote is None:
        return reply
    return replace(
        reply, remote_id=remote.id, remote_mailbox=remote.mailbox, remote_sha256=remote.sha256
    )
