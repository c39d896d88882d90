"""A person hands CaseDesk a message it has not filed (the Outlook add-in's "Create a case
from this message", e.g. for mail forwarded by hand): the same triage as webhook mail.

The bytes go through `Triage.triage_one` exactly as a message fetched for a Graph
notification does (parse, de-duplicate, thread, classify, campaign, route, file, draft,
audit), so a message already filed is recognised, not filed twice, and one that cannot be
read is quarantined with the reason. On top, the audit log records who handed it over.

A colleague's "forward as attachment" from the office's own domain carries the constituent's
message inside: that message is what is filed (`original_of`), so the case is the
constituent's, not the colleague's. A forward with the letter quoted inline cannot be told
apart reliably from the colleague's own words, so it is filed as it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from casedesk.core.mime import parse_message
from casedesk.core.models import RawMessage
from casedesk.core.triage import Outcome, Triage, message_token
from casedesk.errors import CaseDeskError, MalformedMessageError
from casedesk.ports import CaseRepository, Clock

SUBMITTED = "message.submitted"
# Exchange Online's default largest message a mailbox receives is 36 MB ("Message limits",
# https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits);
# a message in Outlook is no bigger unless the office raised that limit.
MAX_MESSAGE_BYTES = 36 * 1024 * 1024


class MessageTooLargeError(CaseDeskError):
    """The message is larger than CaseDesk takes by hand."""


@dataclass(frozen=True)
class HandFiled:
    outcome: Outcome
    case_ref: str | None
    reason: str | None  # why it was quarantined (None when filed)
    message: str  # how the audit log names the message (sha256 prefix)
    unwrapped: bool = False  # the attached original of an office forward was filed


def too_large(size: int, limit: int = MAX_MESSAGE_BYTES) -> str | None:
    """The refusal for a message of `size` bytes, or None when it is small enough."""
    if size <= limit:
        return None
    return (
        f"the message is {size / 1_048_576:.1f} MB; CaseDesk takes messages up to "
        f"{limit / 1_048_576:.0f} MB by hand. Save its attachments to the case folder "
        "instead, or forward it without them"
    )


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def original_of(data: bytes, office_address: str) -> bytes | None:
    """The one attached email of a forward sent from the office's own domain, or None."""
    try:
        outer = parse_message(data)
    except MalformedMessageError:
        return None
    if not office_address or _domain(outer.from_addr) != _domain(office_address):
        return None  # a constituent's own mail with an email attached is theirs: keep it whole
    enclosed = [a for a in outer.attachments if a.content_type == "message/rfc822"]
    return enclosed[0].data if len(enclosed) == 1 else None


def file_by_hand(
    triage: Triage,
    repo: CaseRepository,
    clock: Clock,
    data: bytes,
    actor: str,
    via: str,
    limit: int = MAX_MESSAGE_BYTES,
) -> HandFiled:
    """Triage `data` as mail that just arrived, then audit that `actor` handed it over."""
    if not actor.strip():
        raise ValueError("a message handed over by hand needs the person's name")
    refusal = too_large(len(data), limit)
    if refusal:
        raise MessageTooLargeError(refusal)
    original = original_of(data, triage.policy.office_address)
    if original is not None:
        data = original
    sha = hashlib.sha256(data).hexdigest()
    # The source names the route and the member, never the mailbox or the sender.
    result = triage.triage_one(RawMessage(f"{via}:{actor}", data, clock.now()))
    token = message_token(sha)
    with repo.transaction():
        # A quarantined message is named as `casedesk quarantine` names it.
        repo.append_audit(
            clock.now(),
            actor,
            SUBMITTED,
            result.case_ref or sha[:16],
            {"via": via, "outcome": result.outcome.value, "message": token,
             "unwrapped": original is not None},
        )  # fmt: skip
    return HandFiled(result.outcome, result.case_ref, result.reason, token, original is not None)
