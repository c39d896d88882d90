"""ReplyChannel without a mail service: sent replies become .eml files in an outbox folder.

`<data-dir>/outbox/<REF>-v<version>.eml` is a complete RFC 5322 message (From, To, Date,
Message-ID, In-Reply-To, References) that a local SMTP relay can pick up and deliver: for
example a cron job running `sendmail -t < file` and moving the file to outbox/sent/.
CaseDesk itself opens no network connection. There is no remote draft, so `find` and
`place` have nothing to do: the case folder's reply-draft.eml is the draft staff edit.
"""

from __future__ import annotations

from pathlib import Path

from casedesk.adapters.embedded.local_files import _write_atomic
from casedesk.core.case_paths import safe_segment
from casedesk.core.replies import RemoteDraft, ReplyDraft


class OutboxChannel:
    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find(self, draft: ReplyDraft) -> RemoteDraft | None:
        return None

    def place(self, draft: ReplyDraft) -> RemoteDraft | None:
        return None

    def path_for(self, draft: ReplyDraft) -> Path:
        return self.folder / safe_segment(f"{draft.case_ref}-v{draft.version}.eml")

    def send(self, draft: ReplyDraft, message: bytes) -> str:
        """Write the message once per version: a retry after a crash finds it already there."""
        path = self.path_for(draft)
        if path.exists():
            return str(path)
        write_once(path, message)
        return str(path)


def write_once(path: Path, message: bytes) -> None:
    """The file whole or not at all: a relay never reads half a message."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, message)
