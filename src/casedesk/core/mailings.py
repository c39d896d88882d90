"""Mailings: one letter sent to many constituents (a campaign reply, a follow-up), each copy
mail-merged for its recipient. The record, its sign-off, who gets it, and the send ledger.

A mailing is the office's answer to a campaign (`reply-<campaign>`) or its "you raised this,
here is what we did" after an outcome (`follow-up-<target>-<n>`). What the approver signs off
is its fingerprint: the sha256 over the template's source text, each attachment's bytes and the
outcome text. Any change to any of them gives a new fingerprint, so the approval no longer
matches and nothing is sent until it is approved again.

The send ledger has one entry per recipient case: `sending` (written, durably, before the mail
service is called) then `sent`. The Message-ID of each copy is derived from the mailing and
the case alone, so a send interrupted at any point is finished on the next run by asking the
mail service whether that Message-ID already went (docs/decisions/0017). Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from casedesk.core.models import Case, CaseFlag, Category
from casedesk.core.replies import PLACEHOLDER, ReplyRefusedError, check_approver
from casedesk.errors import CaseDeskError

# Graph takes a file attachment inline (fileAttachment, base64) below 3 MB; larger ones need an
# upload session (https://learn.microsoft.com/graph/outlook-large-attachments), not built.
MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_TEMPLATE_CHARS = 30_000  # the record lives in operational state (a Table entity <= 64 KB)
NO_REPLY_CATEGORIES = frozenset({Category.ABUSE, Category.SPAM})


class MailingKind(StrEnum):
    CAMPAIGN_REPLY = "campaign-reply"
    FOLLOW_UP = "follow-up"


class MailingState(StrEnum):
    AWAITING_SIGNOFF = "awaiting_signoff"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENDING = "sending"  # some copies have gone; `mailing send` carries on
    SENT = "sent"  # every recipient known at the last run has their copy


@dataclass(frozen=True)
class Attachment:
    """A file sent with every copy, pinned by its sha256 when the mailing was written."""

    name: str
    path: str
    sha256: str
    size: int
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class Mailing:
    id: str
    kind: MailingKind
    target: str  # the campaign id, or the case reference (follow-up on one case)
    template: str  # the template's name, e.g. "campaign-reply"
    template_file: str  # the file it resolved to (office's or built-in)
    template_sha256: str  # of that file's source text
    attachments: tuple[Attachment, ...]
    outcome: str  # the outcome text a follow-up reports ('' for a campaign reply)
    version: int
    state: MailingState
    created_at: datetime
    updated_at: datetime
    updated_by: str
    approved_sha256: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    rejection: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.template_sha256, [a.sha256 for a in self.attachments], self.outcome)

    @property
    def is_approved(self) -> bool:
        return self.approved_sha256 is not None and self.approved_sha256 == self.fingerprint

    def as_record(self) -> dict[str, object]:
        data = asdict(self)
        data.update(
            kind=self.kind.value,
            state=self.state.value,
            attachments=[asdict(a) for a in self.attachments],
            created_at=self.created_at.isoformat(),
            updated_at=self.updated_at.isoformat(),
            decided_at=self.decided_at.isoformat() if self.decided_at else None,
            fingerprint=self.fingerprint,
            is_approved=self.is_approved,
        )
        return data

    def to_json(self) -> str:
        data = self.as_record()
        data.pop("fingerprint")
        data.pop("is_approved")
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Mailing:
        d = json.loads(text)
        return cls(
            id=d["id"], kind=MailingKind(d["kind"]), target=d["target"], template=d["template"],
            template_file=d["template_file"], template_sha256=d["template_sha256"],
            attachments=tuple(Attachment(**a) for a in d["attachments"]), outcome=d["outcome"],
            version=d["version"], state=MailingState(d["state"]),
            created_at=datetime.fromisoformat(d["created_at"]),
            updated_at=datetime.fromisoformat(d["updated_at"]), updated_by=d["updated_by"],
            approved_sha256=d["approved_sha256"], decided_by=d["decided_by"],
            decided_at=datetime.fromisoformat(d["decided_at"]) if d["decided_at"] else None,
            rejection=d["rejection"],
        )  # fmt: skip


def fingerprint(template_sha256: str, attachment_sha256s: Iterable[str], outcome: str) -> str:
    """What a sign-off covers: the template's text, every attachment's bytes, the outcome."""
    parts = ["casedesk-mailing-v1", template_sha256, *attachment_sha256s, outcome]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def campaign_reply_id(campaign_id: str) -> str:
    return f"reply-{campaign_id}"


def follow_up_id(target: str, outcome_number: int) -> str:
    return f"follow-up-{target}-{outcome_number}"


def written(
    current: Mailing | None,
    draft: Mailing,
    by: str,
    now: datetime,
) -> tuple[Mailing, bool]:
    """The mailing as (re)written by `by`: a new version waiting for sign-off when anything the
    approver signs off changed; and whether that voided an approval. The same content again
    changes nothing."""
    if len(draft.attachments) > MAX_ATTACHMENTS:
        raise ReplyRefusedError(
            f"{draft.id}: {len(draft.attachments)} attachments; at most {MAX_ATTACHMENTS} "
            "go with a mailing: combine them into one PDF"
        )
    if current is None:
        return replace(draft, version=1, state=MailingState.AWAITING_SIGNOFF,
                       created_at=now, updated_at=now, updated_by=by), False  # fmt: skip
    if current.state is MailingState.SENT or current.state is MailingState.SENDING:
        if current.fingerprint != draft.fingerprint or current.template != draft.template:
            raise ReplyRefusedError(
                f"{current.id} has already gone to constituents ({current.state.value}); its "
                "letter can no longer change. Run `casedesk mailing send "
                f"{current.id} --by NAME` to finish it, then record an outcome and send a "
                "follow-up for anything new"
            )
        return current, False
    if current.fingerprint == draft.fingerprint and current.template == draft.template:
        return current, False
    voided = current.is_approved
    return (
        replace(
            draft, version=current.version + 1, state=MailingState.AWAITING_SIGNOFF,
            created_at=current.created_at, updated_at=now, updated_by=by,
            approved_sha256=None, decided_by=None, decided_at=None, rejection=None,
        ),
        voided,
    )  # fmt: skip


def _check_approver(mailing: Mailing, by: str, allowed: Sequence[str], verb: str) -> None:
    check_approver(mailing.id, by, allowed, verb, "mailing")


def approved(
    mailing: Mailing,
    current_fingerprint: str,
    sample_bodies: Sequence[str],
    by: str,
    now: datetime,
    allowed: Sequence[str],
) -> Mailing:
    """Signed off by an approver. `current_fingerprint` is recomputed from the files as they
    are now: if the template or an attachment changed since the mailing was written, the
    approver would be signing off something they have not seen, so it is refused."""
    _check_approver(mailing, by, allowed, "approve")
    if mailing.state in (MailingState.SENDING, MailingState.SENT):
        raise ReplyRefusedError(f"{mailing.id} is already {mailing.state.value}")
    stale = changed_since_written(mailing, current_fingerprint)
    if stale:
        raise ReplyRefusedError(stale)
    for body in sample_bodies:
        found = PLACEHOLDER.search(body)
        if found:
            raise ReplyRefusedError(
                f"{mailing.id}: the letter still has a paragraph to write: {found[0][:80]!r}; "
                "edit the template and run the command that wrote the mailing again"
            )
    if mailing.is_approved:
        raise ReplyRefusedError(
            f"{mailing.id}: version {mailing.version} is already approved by "
            f"{mailing.decided_by}; `casedesk mailing send {mailing.id} --by NAME` sends it"
        )
    return replace(
        mailing, state=MailingState.APPROVED, approved_sha256=mailing.fingerprint,
        decided_by=by, decided_at=now, rejection=None,
    )  # fmt: skip


def rejected(
    mailing: Mailing, by: str, reason: str, now: datetime, allowed: Sequence[str]
) -> Mailing:
    _check_approver(mailing, by, allowed, "reject")
    if mailing.state in (MailingState.SENDING, MailingState.SENT):
        raise ReplyRefusedError(f"{mailing.id} is already {mailing.state.value}")
    if not reason.strip():
        raise ReplyRefusedError(f"{mailing.id}: say why with --reason")
    return replace(
        mailing, state=MailingState.REJECTED, approved_sha256=None, decided_by=by,
        decided_at=now, rejection=reason.strip(),
    )  # fmt: skip


def changed_since_written(mailing: Mailing, current_fingerprint: str) -> str | None:
    if current_fingerprint == mailing.fingerprint:
        return None
    return (
        f"{mailing.id}: the template or an attachment changed after version {mailing.version} "
        "was written (its fingerprint no longer matches the files); write it again with the "
        "same command (campaign reply / follow-up), check the preview, and get sign-off for "
        "that version"
    )


def send_refusal(mailing: Mailing | None, current_fingerprint: str | None) -> str | None:
    """Why this mailing cannot be sent now (with the fix), or None when it can."""
    if mailing is None:
        return (
            "no such mailing; write one with `casedesk campaign reply CAMPAIGN --template T` "
            "or `casedesk follow-up REF|CAMPAIGN --template T` (`casedesk mailings` lists them)"
        )
    if mailing.state is MailingState.REJECTED:
        return (
            f"{mailing.id} was rejected by {mailing.decided_by}: {mailing.rejection}; change "
            "the template and write it again"
        )
    if mailing.approved_sha256 is None:
        return (
            f"{mailing.id} needs the MP's sign-off and has none; preview it "
            f"(`casedesk mailing show {mailing.id}`), then `casedesk mailing approve "
            f"{mailing.id} --by NAME`"
        )
    if not mailing.is_approved or (
        current_fingerprint is not None and current_fingerprint != mailing.approved_sha256
    ):
        return (
            f"{mailing.id}: the template or an attachment changed after the MP approved it "
            f"(approved {mailing.approved_sha256[:12]}, now "
            f"{(current_fingerprint or mailing.fingerprint)[:12]}); write it again, preview "
            "it and get sign-off for that version"
        )
    return None


# --- who gets it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    case_ref: str  # the case the copy is recorded on
    email: str  # lower-case
    name: str


@dataclass(frozen=True)
class Targeting:
    recipients: tuple[Recipient, ...]
    skipped: dict[str, int] = field(default_factory=dict)  # why -> how many cases


def recipients(cases: Sequence[Case], office_address: str) -> Targeting:
    """Everyone who raised it, each once: one copy per constituent address, recorded on their
    earliest case. Left out, and counted: merged cases (their mail lives in the case they were
    merged into), abuse and spam, threats, cases with no address, and the office itself.
    Erased people have no cases left, so they are never written to."""
    skipped: dict[str, int] = {}
    chosen: dict[str, Case] = {}
    office = office_address.strip().lower()

    def skip(why: str) -> None:
        skipped[why] = skipped.get(why, 0) + 1

    for case in sorted(cases, key=lambda c: (c.created_at, c.ref)):
        email = case.constituent_email.strip().lower()
        if case.merged_into:
            skip("merged into another case")
        elif case.category in NO_REPLY_CATEGORIES:
            skip(f"{case.category.value} (never written to)")
        elif CaseFlag.THREAT in case.flags:
            skip("threat (never written to)")
        elif not email or "@" not in email:
            skip("no email address")
        elif email == office:
            skip("the office's own address")
        elif email in chosen:
            skip("same constituent, earlier case")
        else:
            chosen[email] = case
    found = tuple(
        Recipient(c.ref, email, c.constituent_name)
        for email, c in sorted(chosen.items(), key=lambda kv: kv[1].ref)
    )
    return Targeting(found, skipped)


def campaign_cases(cases: Iterable[Case], campaign_id: str) -> list[Case]:
    return [c for c in cases if c.campaign_id == campaign_id]


# --- the send ledger --------------------------------------------------------------------------


class SendState(StrEnum):
    SENDING = "sending"  # about to call the mail service (or called it; the outcome unknown)
    SENT = "sent"


@dataclass(frozen=True)
class SendRecord:
    mailing_id: str
    case_ref: str
    state: SendState
    message_id: str
    started_at: datetime
    sent_at: datetime | None = None
    where: str = ""
    version: int = 0  # the mailing version that went

    @property
    def key(self) -> str:
        return ledger_key(self.mailing_id, self.case_ref)

    def to_json(self) -> str:
        return json.dumps({
            "mailing": self.mailing_id, "case": self.case_ref, "state": self.state.value,
            "message_id": self.message_id, "started_at": self.started_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "where": self.where, "version": self.version,
        }, sort_keys=True)  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> SendRecord:
        d = json.loads(text)
        return cls(
            d["mailing"], d["case"], SendState(d["state"]), d["message_id"],
            datetime.fromisoformat(d["started_at"]),
            datetime.fromisoformat(d["sent_at"]) if d["sent_at"] else None,
            d["where"], d["version"],
        )  # fmt: skip


def ledger_key(mailing_id: str, case_ref: str) -> str:
    return f"{mailing_id}|{case_ref.upper()}"


def copy_message_id(mailing_id: str, case_ref: str, office_address: str) -> str:
    """The Message-ID of one recipient's copy: the same on every run and every version, so a
    resumed send finds a copy that went before a crash instead of sending another."""
    domain = office_address.rpartition("@")[2] or "casedesk.invalid"
    return f"<casedesk.{mailing_id.lower()}.{case_ref.lower()}@{domain}>"


def check_attachment_size(name: str, size: int) -> None:
    if size > MAX_ATTACHMENT_BYTES:
        raise CaseDeskError(
            f"{name}: {size / 1024 / 1024:.1f} MB; attachments on a mailing can be at most "
            f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB each (larger files need a Graph upload "
            "session, which CaseDesk does not do yet): compress the PDF, or link to the document "
            "on the MP's website instead"
        )
