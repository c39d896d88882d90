"""Read back the reply draft triage wrote into a local case folder (drafts/reply-draft.eml)."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from casedesk.core import case_paths

REPLY_DRAFT = "reply-draft.eml"


class LocalDraftSource:
    def __init__(self, root: Path) -> None:
        self.root = root

    def reply_draft(self, case_ref: str) -> str | None:
        """The draft's text, or None when triage wrote none (spam, abuse) or it was removed."""
        path = self.root / case_paths.draft_path(case_ref, REPLY_DRAFT)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        message = BytesParser(policy=policy.default).parsebytes(data)
        body = message.get_body(preferencelist=("plain",))
        if body is None:
            return None
        text = body.get_content()
        return str(text).replace("\r\n", "\n").strip() or None


class NoDraftSource:
    """Where drafts live only in the mailbox (the M365 intake drafts replies in Outlook)."""

    def reply_draft(self, case_ref: str) -> str | None:
        return None
