"""Build email bytes for tests with the standard library, the way mail clients write them."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

DEFAULT_DATE = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


def mail(
    body: str = "Dear Alex,\n\nMy landlord will not fix the damp in my flat. Can you help?\n\nPriya Shah\nCB1 2AD\n",
    *,
    sender: str = "Priya Shah <priya.shah@example.org>",
    to: str = "alex.morgan.mp@parliament.example",
    subject: str = "Damp in my flat",
    message_id: str | None = "<m1@example.org>",
    date: datetime | None = DEFAULT_DATE,
    in_reply_to: str | None = None,
    references: str | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if date is not None:
        msg["Date"] = format_datetime(date)
    if message_id:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments or []:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=SMTP)
