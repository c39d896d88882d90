"""One copy of a mailing as it leaves: its fields, and its RFC 5322 form with attachments.

The embedded outbox writes these bytes for a local relay; the Graph adapter sends the same
fields as JSON, and the bytes are the copy kept in the case folder. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime


@dataclass(frozen=True)
class FilePart:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingMail:
    mailing_id: str
    case_ref: str
    message_id: str  # deterministic: the idempotency key (core.mailings.copy_message_id)
    from_addr: str
    from_name: str
    to_addr: str
    to_name: str
    subject: str
    body: str
    attachments: tuple[FilePart, ...] = ()
    in_reply_to: str = ""  # the constituent's latest message, when known
    references: tuple[str, ...] = ()


def _address(name: str, addr: str) -> Address:
    local, _, domain = addr.rpartition("@")
    return Address(display_name=name.replace('"', ""), username=local, domain=domain)


def outgoing_eml(mail: OutgoingMail, at: datetime, version: int = 0) -> bytes:
    """RFC 5322 bytes: text/plain, or multipart/mixed with the attachments."""
    msg = EmailMessage()
    msg["From"] = _address(mail.from_name, mail.from_addr)
    msg["To"] = _address(mail.to_name, mail.to_addr)
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
        msg["References"] = " ".join(mail.references or (mail.in_reply_to,))
    msg["X-CaseDesk-Case"] = mail.case_ref
    msg["X-CaseDesk-Mailing"] = mail.mailing_id
    if version:
        msg["X-CaseDesk-Version"] = str(version)
    msg.set_content(mail.body, subtype="plain", charset="utf-8", cte="quoted-printable")
    for part in mail.attachments:
        maintype, _, subtype = part.content_type.partition("/")
        msg.add_attachment(
            part.data, maintype=maintype, subtype=subtype or "octet-stream", filename=part.name
        )
    return msg.as_bytes(policy=SMTP)
