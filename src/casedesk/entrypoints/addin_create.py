"""`POST /api/addin/create`: a case from a message CaseDesk has not filed (e.g. one forwarded
by hand), through the same triage as webhook mail (core/hand_filing.py).

Two ways to get the message, in the order the pane tries them:

1. `{"eml": <Base64>}`: the pane reads the open message with Office.js
   `item.getAsFileAsync` (Mailbox 1.14, read item permission: the add-in's own), which gives
   "the current message in EML format encoded in Base64"
   (https://learn.microsoft.com/javascript/api/outlook/office.messageread#outlook-office-messageread-getasfileasync-member(1)).
   Works with both adapter sets and in any mailbox the member has open, with no Graph
   permission beyond what the add-in already holds.
2. `{"mailbox", "itemId"}` (older Outlook builds without Mailbox 1.14): with the Microsoft 365
   adapters CaseDesk fetches `GET /users/{mailbox}/messages/{id}/$value` itself, the same call
   and permission as the webhook intake, and only from a mailbox it watches, so a member
   cannot point CaseDesk's application permission at anyone else's mail.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence

from casedesk.core.hand_filing import (
    MAX_MESSAGE_BYTES,
    HandFiled,
    MessageTooLargeError,
    file_by_hand,
    too_large,
)
from casedesk.core.triage import Triage
from casedesk.errors import CaseDeskError, MessageGoneError
from casedesk.ports import CaseRepository, Clock, RemoteMailbox

# Graph REST ids (Office.js convertToRestId) are URL-safe Base64.
_REST_ID = re.compile(r"^[A-Za-z0-9_=-]{8,512}$")
# The JSON body carrying the largest message in Base64 (4 bytes per 3), with room to spare.
MAX_CREATE_REQUEST_BYTES = MAX_MESSAGE_BYTES * 4 // 3 + 64 * 1024
FORWARD_INSTEAD = "forward the message to the office mailbox and CaseDesk files it"


class CreateRefusedError(CaseDeskError):
    """A create request CaseDesk will not carry out; `status` and `code` for the answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


class CreateFromMessage:
    """Hand a message to triage on a member's behalf; the member is the audited actor."""

    def __init__(
        self,
        triage: Triage,
        repo: CaseRepository,
        clock: Clock,
        remote: RemoteMailbox | None = None,
        mailboxes: Sequence[str] = (),
    ) -> None:
        self.triage, self.repo, self.clock = triage, repo, clock
        self.remote = remote
        self.mailboxes = {m.lower(): m for m in mailboxes}  # as Outlook spells it -> ours

    def from_eml(self, actor: str, encoded: str) -> HandFiled:
        """The Base64 EML Office.js gave the pane."""
        compact = "".join(encoded.split())
        refusal = too_large(len(compact) * 3 // 4 - compact[-2:].count("="))
        if refusal:  # before decoding: never hold more than the limit
            raise MessageTooLargeError(refusal)
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CreateRefusedError(
                400, "bad_request", "eml must be the message in Base64, as getAsFileAsync gives it"
            ) from exc
        return file_by_hand(self.triage, self.repo, self.clock, data, actor, "outlook-eml")

    def from_mailbox(self, actor: str, mailbox: str, item_id: str) -> HandFiled:
        """Fetch the message from an office mailbox through Graph, then triage it."""
        if self.remote is None:
            raise CreateRefusedError(
                422, "cannot_fetch",
                "this Outlook cannot hand the message to CaseDesk (it needs Outlook's Mailbox "
                f"1.14 API) and CaseDesk is not connected to Microsoft 365 to fetch it: {FORWARD_INSTEAD}",
            )  # fmt: skip
        watched = self.mailboxes.get(mailbox.lower())
        if watched is None:
            raise CreateRefusedError(
                422, "cannot_fetch",
                "CaseDesk fetches mail only from the office mailboxes it watches, and this message "
                f"is in another mailbox: {FORWARD_INSTEAD}",
            )  # fmt: skip
        if not _REST_ID.match(item_id):
            raise CreateRefusedError(400, "bad_request", "itemId must be an Outlook REST item id")
        try:
            data = self.remote.fetch_mime(watched, item_id)
        except MessageGoneError as exc:
            raise CreateRefusedError(
                404, "not_found", "the message is no longer in the mailbox (moved or deleted)"
            ) from exc
        return file_by_hand(self.triage, self.repo, self.clock, data, actor, "outlook-graph")
