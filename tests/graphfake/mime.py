"""Graph-like ids and the message resource derived from stored MIME.

Message shape: https://learn.microsoft.com/en-us/graph/api/message-get (example 1) and
https://learn.microsoft.com/en-us/graph/api/resources/message. Immutable ids look like
'AAkALgAA…' (https://learn.microsoft.com/en-us/graph/outlook-immutable-id); default (REST) ids
look like 'AAMkAD…'.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, make_msgid, parsedate_to_datetime
from typing import Any

IMMUTABLE_PREFIX = "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A"
REST_PREFIX = "AAMkADA1MTAAAAqldOAAA_-"


def new_ids() -> tuple[str, str]:
    """(immutable id, REST id): urlsafe base64 with '-', '_' and a trailing '=', as Graph's are."""
    tail = base64.urlsafe_b64encode(os.urandom(24)).decode()
    return f"{IMMUTABLE_PREFIX}{tail}AAA=", f"{REST_PREFIX}{tail}AAA="


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _recipients(value: str | None) -> list[dict[str, Any]]:
    pairs = getaddresses([value]) if value else []
    return [
        {"emailAddress": {"name": name or addr, "address": addr}} for name, addr in pairs if addr
    ]


def _bodies(msg: EmailMessage) -> tuple[str, str, bool]:
    """(content type, content, has attachments)."""
    has_attachments = any(part.get_content_disposition() == "attachment" for part in msg.walk())
    part = msg.get_body(preferencelist=("html", "plain"))
    if part is None:
        return "text", "", has_attachments
    try:
        content = str(part.get_content())
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    kind = "html" if part.get_content_subtype() == "html" else "text"
    return kind, content, has_attachments


def _preview(kind: str, content: str) -> str:
    text = re.sub(r"<[^>]+>", " ", content) if kind == "html" else content
    return re.sub(r"\s+", " ", html.unescape(text)).strip()[:255]


def conversation_id(msg: EmailMessage) -> str:
    refs = str(msg.get("References") or "").split()
    root = (
        refs[0]
        if refs
        else str(msg.get("In-Reply-To") or msg.get("Message-ID") or os.urandom(8).hex())
    )
    digest = base64.urlsafe_b64encode(hashlib.sha256(root.strip().encode()).digest()[:24]).decode()
    return f"AAQkADOUpag6yWs-{digest}="


def parse(mime: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(mime)
    assert isinstance(msg, EmailMessage)
    return msg


def message_json(mime: bytes, received: datetime, folder_id: str) -> dict[str, Any]:
    """Graph's message properties derived from the MIME (ids and etags are added by the store)."""
    msg = parse(mime)
    kind, content, has_attachments = _bodies(msg)
    try:
        sent = iso(parsedate_to_datetime(str(msg["Date"]))) if msg["Date"] else iso(received)
    except (TypeError, ValueError):
        sent = iso(received)
    sender = _recipients(str(msg["From"])) if msg["From"] else []
    return {
        "createdDateTime": iso(received),
        "lastModifiedDateTime": iso(received),
        "categories": [],
        "receivedDateTime": iso(received),
        "sentDateTime": sent,
        "hasAttachments": has_attachments,
        "internetMessageId": str(msg["Message-ID"] or make_msgid(domain="graphfake.local")).strip(),
        "subject": str(msg["Subject"] or ""),
        "bodyPreview": _preview(kind, content),
        "importance": "normal",
        "parentFolderId": folder_id,
        "conversationId": conversation_id(msg),
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": False,
        "isDraft": False,
        "inferenceClassification": "focused",
        "body": {"contentType": kind, "content": content},
        "sender": sender[0] if sender else None,
        "from": sender[0] if sender else None,
        "toRecipients": _recipients(str(msg["To"]) if msg["To"] else None),
        "ccRecipients": _recipients(str(msg["Cc"]) if msg["Cc"] else None),
        "bccRecipients": [],
        "replyTo": _recipients(str(msg["Reply-To"]) if msg["Reply-To"] else None),
        "flag": {"flagStatus": "notFlagged"},
    }


def reply_mime(original: bytes, mailbox: str, body_html: str) -> bytes:
    """The MIME of a reply draft: Re: subject, threading headers, to the sender (or Reply-To)."""
    src = parse(original)
    reply = EmailMessage()
    reply["From"] = mailbox
    reply["To"] = str(src["Reply-To"] or src["From"] or "")
    subject = str(src["Subject"] or "")
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"RE: {subject}"
    if src["Message-ID"]:
        reply["In-Reply-To"] = str(src["Message-ID"])
        reply["References"] = f"{src['References'] or ''} {src['Message-ID']}".strip()
    reply["Message-ID"] = make_msgid(domain="graphfake.local")
    reply.set_content(body_html, subtype="html")
    return reply.as_bytes(policy=policy.SMTP)
