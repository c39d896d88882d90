"""ReplyChannel on Microsoft 365: the reply is an Outlook reply draft on the constituent's
message in the office mailbox, and sending it is Graph `send` on that draft.

Finding the draft: by the id CaseDesk recorded, else the constituent's message is looked up by
its Message-ID (`$filter=internetMessageId eq '…'`) in each office mailbox and the draft is
the one in Drafts in the same conversation (the intake made it with createReply). Placing
text: createReply with the text as its comment when there is no draft, else a PATCH of the
draft's body (plain text). A draft's fingerprint is the sha256 of its body as Graph returns
it in text form (`Prefer: outlook.body-content-type="text"`), so an edit made in Outlook shows.

A draft that CaseDesk recorded and Graph no longer has was sent or deleted in Outlook; so is
one whose conversation already has a reply in Sent Items. Both are refused rather than
replaced, because the constituent may already have the answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from casedesk.adapters.m365.graph_mailbox import GraphMailbox
from casedesk.core.replies import RemoteDraft, ReplyDraft, ReplyRefusedError
from casedesk.errors import CaseDeskError


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class GraphReplyChannel:
    name = "outlook"

    def __init__(self, mailbox: GraphMailbox, mailboxes: Sequence[str]) -> None:
        self.graph = mailbox
        self.mailboxes = tuple(mailboxes)

    def _snapshot(self, mailbox: str, draft_id: str) -> RemoteDraft | None:
        text = self.graph.draft_text(mailbox, draft_id)
        return None if text is None else RemoteDraft(draft_id, mailbox, _sha(text), text)

    def _original(self, draft: ReplyDraft) -> tuple[str, str, str]:
        """(mailbox, message id, conversation id) of the message the reply answers."""
        for mailbox in self.mailboxes:
            found = self.graph.find_by_internet_id(mailbox, draft.in_reply_to)
            if found:
                return mailbox, found[0], found[1]
        raise CaseDeskError(
            f"{draft.case_ref}: the constituent's message {draft.in_reply_to[:60]} is in none of "
            f"the office mailboxes ({', '.join(self.mailboxes)}); it may have been deleted or "
            "moved to an archive. Reply from Outlook by hand, or restore the message"
        )

    def find(self, draft: ReplyDraft) -> RemoteDraft | None:
        if draft.remote_id and draft.remote_mailbox:
            found = self._snapshot(draft.remote_mailbox, draft.remote_id)
            if found is None:
                raise ReplyRefusedError(
                    f"{draft.case_ref}: the Outlook draft CaseDesk wrote is no longer in "
                    f"{draft.remote_mailbox}'s Drafts: someone sent or deleted it in Outlook. "
                    "Check Sent Items before doing anything else; if it was deleted, "
                    f"`casedesk draft {draft.case_ref} --edit FILE --by NAME` writes it again"
                )
            return found
        mailbox, _, conversation = self._original(draft)
        drafts = self.graph.in_conversation(mailbox, "drafts", conversation) if conversation else []
        if drafts:
            return self._snapshot(mailbox, drafts[0])
        if conversation and self.graph.in_conversation(mailbox, "sentitems", conversation):
            raise ReplyRefusedError(
                f"{draft.case_ref}: {mailbox} already sent a message in this conversation (see "
                "Sent Items): it was probably answered from Outlook. Nothing was sent; if "
                "another reply is needed, send it from Outlook"
            )
        return None

    def place(self, draft: ReplyDraft) -> RemoteDraft | None:
        """The draft's text in Outlook: the recorded draft, else the conversation's, else new."""
        existing = self.find(draft)
        if existing is not None:
            self.graph.set_body(existing.mailbox, existing.id, draft.body)
            placed = self._snapshot(existing.mailbox, existing.id)
        else:
            mailbox, original, _ = self._original(draft)
            created = self.graph.create_reply_draft(mailbox, original, draft.body)
            placed = self._snapshot(mailbox, created)
        if placed is None:
            raise CaseDeskError(f"{draft.case_ref}: the Outlook draft vanished while being written")
        return placed

    def send(self, draft: ReplyDraft, message: bytes) -> str:
        """Graph `send` on the Outlook draft (Exchange builds the message; `message` is the
        copy for the case folder)."""
        if not draft.remote_id or not draft.remote_mailbox:
            raise CaseDeskError(f"{draft.case_ref}: no Outlook draft to send; place it first")
        self.graph.send_draft(draft.remote_mailbox, draft.remote_id)
        return f"outlook:{draft.remote_mailbox}:{draft.remote_id}"
