"""MailSender without a mail service: each copy of a mailing becomes one .eml in the outbox.

`<data-dir>/outbox/mailings/<mailing-id>/<REF>.eml` is the complete RFC 5322 message (with its
attachments) for a local SMTP relay to deliver, as for single replies (outbox.py). The file
name comes from the mailing and the case alone, and it is written whole or not at all, so
"already sent" is "the file is there": a resumed run never writes a second copy. A relay that
moves delivered files must move them to `outbox/sent/` under the same relative path, where
they are looked for too (docs/replies.md).
"""

from __future__ import annotations

from pathlib import Path

from casedesk.adapters.embedded.outbox import write_once
from casedesk.core.case_paths import safe_segment
from casedesk.core.outgoing_mail import OutgoingMail


class OutboxMailer:
    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def relative(self, mail: OutgoingMail) -> Path:
        return Path("mailings", safe_segment(mail.mailing_id), safe_segment(f"{mail.case_ref}.eml"))

    def path_for(self, mail: OutgoingMail) -> Path:
        return self.folder / self.relative(mail)

    def send(self, mail: OutgoingMail, eml: bytes, resumed: bool) -> tuple[str, bool]:
        path = self.path_for(mail)
        for already in (path, self.folder / "sent" / self.relative(mail)):
            if already.exists():
                return str(already), False
        write_once(path, eml)
        return str(path), True
