"""ReplyChannel on Microsoft 365: the reply is an Outlook reply draft on the constituent's
message in the office mailbox, and sending it is Graph `send` on that draft.

Finding the draft: by the id CaseDesk recorded, else the constituent's message is looked up by
its Message-ID (`$filter=internetMessageId eq '…'`) in each office mailbox and the draft is
the one in Drafts in the same conversation that is addressed only to the constituent (the
intake made it with createReply; a forward to the council in the same conversation is not
it). Placing text: createReply with the text as its comment when there is no draft, else a
PATCH of the draft's body (plain text). A draft's fingerprint is the sha256 of its body as
Graph returns it in text form (`Prefer: outlook.body-content-type="text"`), so an edit made
in Outlook shows.

Refused rather than done: sending a draft with any recipient other than the constituent (a CC
added in Outlook); a draft that CaseDesk recorded and Graph no longer has as a draft (sent or
deleted in Outlook); a conversation that already has a reply in Sent Items. The constituent
may already have the answer, or someone else would get it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from casedesk.adapters.m365.graph_mailbox import GraphMailbox, Original
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
        view = self.graph.draft_view(mailbox, draft_id)
        if view is None:
            return None
        return RemoteDraft(draft_id, mailbox, _sha(view.text), view.text, view.recipients)

    def _original(self, draft: ReplyDraft) -> tuple[str, Original]:
        """The office mailbox holding the message the reply answers, and that message."""
        for mailbox in self.mailboxes:
            found = self.graph.find_by_internet_id(mailbox, draft.in_reply_to)
            if found:
                return mailbox, found
        raise CaseDeskError(
            f"{draft.case_ref}: the constituent's message {draft.in_reply_to[:60]} is in none of "
            f"the office mailboxes ({', '.join(self.mailboxes)}); it may have been deleted or "
            "moved to an archive. Reply from Outlook by hand, or restore the message"
        )

    @staticmethod
    def _for_constituent(remote: RemoteDraft, draft: ReplyDraft, original: Original) -> bool:
        allowed = {draft.to_addr.lower(), *original.reply_to}
        return bool(remote.recipients) and set(remote.recipients) <= allowed

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
        mailbox, original = self._original(draft)
        if not original.conversation_id:
            return None
        for draft_id in self.graph.in_conversation(mailbox, "drafts", original.conversation_id):
            candidate = self._snapshot(mailbox, draft_id)
            if candidate is not None and self._for_constituent(candidate, draft, original):
                return candidate
        if self.graph.in_conversation(mailbox, "sentitems", original.conversation_id):
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
            mailbox, original = self._original(draft)
            created = self.graph.create_reply_draft(mailbox, original.id, draft.body)
            placed = self._snapshot(mailbox, created)
        if placed is None:
            raise CaseDeskError(f"{draft.case_ref}: the Outlook draft vanished while being written")
        return placed

    def send(self, draft: ReplyDraft, message: bytes) -> str:
        """Graph `send` on the Outlook draft, if it is still addressed only to the constituent
        (Exchange builds the message; `message` is the copy for the case folder)."""
        if not draft.remote_id or not draft.remote_mailbox:
            raise CaseDeskError(f"{draft.case_ref}: no Outlook draft to send; place it first")
        now = self.find(draft)  # refuses a recorded draft that has gone
        if now is None:
            raise CaseDeskError(f"{draft.case_ref}: the Outlook draft could not be read")
        if not set(now.recipients) <= {draft.to_addr.lower()}:
            _, original = self._original(draft)
            if not self._for_constituent(now, draft, original):
                others = sorted(set(now.recipients) - {draft.to_addr.lower(), *original.reply_to})
                raise ReplyRefusedError(
                    f"{draft.case_ref}: the Outlook draft is addressed to "
                    f"{', '.join(others) or 'nobody'} as well as (or instead of) the constituent "
                    f"{draft.to_addr}; a reply goes to the constituent only. Remove the other "
                    "recipients in Outlook and send again, or forward separately"
                )
        self.graph.send_draft(draft.remote_mailbox, draft.remote_id)
        return f"outlook:{draft.remote_mailbox}:{draft.remote_id}"
