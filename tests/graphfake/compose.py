"""New messages: create (with inline file attachments), delete, and Exchange's message rate.

Shapes: user-post-messages (POST /users/{id}/messages: 201 and the new message, in Drafts, with
`isDraft: true`; the request is a message resource and may carry `attachments` of
`#microsoft.graph.fileAttachment` with base64 `contentBytes`,
https://learn.microsoft.com/graph/api/user-post-messages), message-delete (204,
https://learn.microsoft.com/graph/api/message-delete). `internetMessageId` is writable while the
message is a draft (https://learn.microsoft.com/graph/api/resources/message). Inline attachments
are for files under 3 MB (https://learn.microsoft.com/graph/outlook-large-attachments); a larger
one gets the fake's own 413 (Graph's answer is not documented).

The message rate (Exchange Online limits, "Message rate limit: 30 messages per minute",
https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1)
is enforced on `.../send` when `fake.message_rate_limit` is set, counted on `fake.clock`: over
the limit answers 429 with Retry-After (the status and code are the fake's choice; Exchange
documents the limit, not the Graph answer) and `fake.rate_refusals` counts them.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from typing import TYPE_CHECKING, Any

from . import mime
from .errors import GraphError
from .http import Req, Resp, json_resp, route

if TYPE_CHECKING:
    from .server import GraphFake

INLINE_ATTACHMENT_MAX = 3 * 1024 * 1024
CREATABLE = {
    "subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo",
    "internetMessageId", "internetMessageHeaders", "attachments", "importance", "categories",
    "from", "sender", "isReadReceiptRequested", "isDeliveryReceiptRequested",
}  # fmt: skip
U = r"^/users/(?P<u>[^/]+)"


def _address(recipient: dict[str, Any]) -> str:
    email = recipient.get("emailAddress") or {}
    name, addr = str(email.get("name") or ""), str(email.get("address") or "")
    return f'"{name}" <{addr}>' if name else addr


def _attachments(items: list[dict[str, Any]]) -> list[tuple[str, str, bytes]]:
    found = []
    for item in items:
        if item.get("@odata.type") != "#microsoft.graph.fileAttachment":
            raise GraphError(400, "ErrorInvalidRequest", "Only file attachments are supported.")
        try:
            data = base64.b64decode(str(item.get("contentBytes") or ""), validate=True)
        except binascii.Error as exc:
            raise GraphError(400, "ErrorInvalidRequest", "contentBytes is not base64.") from exc
        if len(data) >= INLINE_ATTACHMENT_MAX:
            raise GraphError(
                413, "ErrorAttachmentSizeLimitExceeded",
                "Attachments of 3 MB or more need an upload session.",
            )  # fmt: skip
        found.append((str(item.get("name") or "attachment"),
                      str(item.get("contentType") or "application/octet-stream"), data))  # fmt: skip
    return found


def _mime(box_upn: str, body: dict[str, Any], files: list[tuple[str, str, bytes]]) -> bytes:
    msg = EmailMessage()
    msg["From"] = box_upn
    to = [_address(r) for r in body.get("toRecipients") or []]
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = str(body.get("subject") or "")
    if body.get("internetMessageId"):
        msg["Message-ID"] = str(body["internetMessageId"])
    for header in body.get("internetMessageHeaders") or []:
        name = str(header.get("name") or "")
        if not name.lower().startswith("x-"):
            raise GraphError(
                400, "InvalidInternetMessageHeader",
                "The internet message header name should start with 'x-' or 'X-'.",
            )  # fmt: skip
        msg[name] = str(header.get("value") or "")
    content = dict(body.get("body") or {})
    subtype = "html" if str(content.get("contentType", "text")).lower() == "html" else "plain"
    msg.set_content(str(content.get("content") or ""), subtype=subtype)
    for name, content_type, data in files:
        maintype, _, sub = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=sub or "octet-stream", filename=name)
    return msg.as_bytes(policy=SMTP)


def create_message(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    body = {k: v for k, v in req.json().items() if not k.startswith("@")}
    unknown = sorted(set(body) - CREATABLE)
    if unknown:
        raise GraphError(
            400, "RequestBodyRead",
            f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.message'.",
        )  # fmt: skip
    files = _attachments(list(body.get("attachments") or []))
    with fake.store.lock:
        box = fake.store.mailbox(m["u"])
        raw = _mime(box.upn, body, files)
        props = mime.message_json(raw, fake.now(), box.folder_id("drafts"))
        props.update({
            "isDraft": True, "isRead": True, "hasAttachments": bool(files),
            "body": dict(body.get("body") or {"contentType": "text", "content": ""}),
            "toRecipients": list(body.get("toRecipients") or []),
        })  # fmt: skip
        if body.get("internetMessageId"):
            props["internetMessageId"] = str(body["internetMessageId"])
        stored = fake.store.store_message(box, raw, "drafts", props)
        from .mail import message_resource

        return json_resp(201, message_resource(fake, req, stored), {})


def delete_message(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        stored = fake.store.message(fake.store.mailbox(m["u"]), m["m"])
        for key in stored.ids:
            fake.store.messages.pop(key, None)
    return Resp(204)


def check_message_rate(fake: GraphFake) -> None:
    """Called by .../send before a draft goes: Exchange's per-minute message rate."""
    limit = fake.message_rate_limit
    now = fake.now()
    if limit is not None:
        recent = [t for t in fake.send_times if t > now - timedelta(minutes=1)]
        if len(recent) >= limit:
            fake.rate_refusals += 1
            wait = (min(recent) + timedelta(minutes=1) - now).total_seconds()
            raise GraphError(
                429, "ErrorExceededMessageLimit",
                "Message rate limit exceeded: 30 messages per minute from one mailbox.",
                headers={"Retry-After": str(max(1, int(wait + 0.999)))},
            )  # fmt: skip
    fake.send_times.append(now)


ROUTES = [
    route("POST", U + r"/messages$", create_message),
    route("DELETE", U + r"(?:/mailFolders/[^/]+)?/messages/(?P<m>[^/]+)$", delete_message),
]
