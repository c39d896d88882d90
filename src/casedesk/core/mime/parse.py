"""Parse raw email bytes into a ParsedMessage, tolerating what real mail clients send."""

from __future__ import annotations

import contextlib
import hashlib
import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

from casedesk.core.mime.charsets import decode_bytes, fix_8bit_header
from casedesk.core.mime.filenames import safe_filename
from casedesk.core.mime.html_text import html_to_text
from casedesk.core.mime.quoting import new_text_of
from casedesk.core.models import Attachment, ParsedMessage
from casedesk.errors import MalformedMessageError

MAX_DEPTH = 30  # deeper nesting is not mail a person sent; stop walking, keep what we have
_MBOX_FROM = re.compile(rb"^From [^\r\n]*\r?\n")
_MSGID = re.compile(r"<[^<>\s]+>")
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:", re.MULTILINE)
_BLANKS = re.compile(r"\n{3,}")


def _raw_values(msg: Message, name: str) -> list[str]:
    """Header values as sent; compat32's get() turns raw 8-bit bytes into U+FFFD, this does not."""
    wanted = name.lower()
    return [value for key, value in msg.raw_items() if key.lower() == wanted]


def _decoded_header(msg: Message, name: str) -> str:
    values = _raw_values(msg, name)
    return _decode_words(values[0]) if values else ""


def _decode_words(raw: str) -> str:
    """RFC 2047 encoded-words and raw 8-bit bytes to text, whitespace collapsed."""
    raw = fix_8bit_header(raw)
    try:
        text = str(make_header(decode_header(raw)))
    except (UnicodeError, LookupError, ValueError, TypeError):
        text = raw
    return " ".join(text.split())


def _sender(msg: Message) -> tuple[str, str]:
    for header in ("From", "Sender", "Reply-To", "Return-Path"):
        values = [fix_8bit_header(v) for v in _raw_values(msg, header)]
        for name, addr in getaddresses(values):
            if "@" in addr:
                return addr.strip().lower(), _decode_words(name) if name else ""
    return "", ""


def _recipients(msg: Message) -> tuple[str, ...]:
    values = [str(v) for v in msg.get_all("To", [])] + [str(v) for v in msg.get_all("Cc", [])]
    return tuple(addr.lower() for _, addr in getaddresses(values) if "@" in addr)


def _message_ids(value: str) -> list[str]:
    return _MSGID.findall(value)


def _sent_at(msg: Message) -> datetime | None:
    raw = msg.get("Date")
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    text = decode_bytes(payload, part.get_content_charset())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text


class _Walker:
    """Collects body text and attachments, choosing one alternative of multipart/alternative."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.enclosed: list[str] = []
        self.attachments: list[Attachment] = []
        self.saw_plain = False
        self.saw_html = False
        self.defects: list[str] = []

    def walk(self, part: Message, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            self.defects.append(f"multipart nesting deeper than {MAX_DEPTH}; rest not read")
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            self._attach_message(part)
            return
        if part.is_multipart():
            children = [p for p in (part.get_payload() or []) if isinstance(p, Message)]
            if ctype == "multipart/alternative":
                chosen = self._preferred_alternative(children)
                for other in children:
                    if other not in chosen:
                        self._collect_files_only(other, depth + 1)
                children = chosen
            for child in children:
                self.walk(child, depth + 1)
            return
        disposition = (part.get_content_disposition() or "").lower()
        is_body_text = ctype in ("text/plain", "text/html") and disposition != "attachment"
        if is_body_text and not (disposition == "inline" and part.get_filename()):
            text = _part_text(part)
            if text.strip():
                self.texts.append(text)
                self.saw_plain |= ctype == "text/plain"
                self.saw_html |= ctype == "text/html"
            return
        self._attach(part)

    def _collect_files_only(self, part: Message, depth: int) -> None:
        """From an alternative not shown as text, keep its images and files (e.g. cid: images)."""
        if depth > MAX_DEPTH:
            return
        if part.is_multipart():
            for child in part.get_payload() or []:
                if isinstance(child, Message):
                    self._collect_files_only(child, depth + 1)
        elif part.get_content_maintype() != "text":
            self._attach(part)

    @staticmethod
    def _preferred_alternative(children: list[Message]) -> list[Message]:
        for wanted in ("text/plain", "text/html"):
            for child in children:
                if child.get_content_type() == wanted and _part_text(child).strip():
                    return [child]
        # e.g. multipart/related inside the alternative: take the richest, the last one
        return children[-1:]

    def _attach(self, part: Message) -> None:
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        raw_name = part.get_filename()
        if raw_name:
            with contextlib.suppress(UnicodeError, LookupError, ValueError):
                raw_name = str(make_header(decode_header(raw_name)))
        content_id = part.get("Content-ID")
        disposition = (part.get_content_disposition() or "").lower()
        is_inline = (bool(content_id) and disposition != "attachment") or (
            disposition == "inline" and part.get_content_maintype() == "image"
        )
        index = len(self.attachments) + 1
        self.attachments.append(
            Attachment(
                filename=safe_filename(raw_name, part.get_content_type(), index),
                content_type=part.get_content_type(),
                data=data,
                is_inline=is_inline,
                content_id=str(content_id).strip() if content_id else None,
            )
        )

    def _attach_message(self, part: Message) -> None:
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else None
        if not isinstance(inner_msg, Message):
            self._attach(part)
            return
        data = inner_msg.as_bytes(policy=compat32)
        subject = _decoded_header(inner_msg, "Subject")
        sender = _decoded_header(inner_msg, "From")
        sub = _Walker()
        sub.walk(inner_msg)
        forwarded = "\n\n".join(sub.texts).strip()
        # Filed with the message for search and the record, but not classified as the
        # sender's own words: the attached letter is someone else's.
        self.enclosed.append(
            f"---------- Attached message ----------\nFrom: {sender}\nSubject: {subject}\n\n{forwarded}"
        )
        self.attachments.append(
            Attachment(
                filename=safe_filename(
                    part.get_filename() or (subject or "forwarded-message") + ".eml",
                    "message/rfc822",
                    len(self.attachments) + 1,
                ),
                content_type="message/rfc822",
                data=data,
            )
        )
        self.attachments.extend(sub.attachments)
        self.enclosed.extend(sub.enclosed)


def _strip_mbox_line(data: bytes) -> bytes:
    return _MBOX_FROM.sub(b"", data, count=1) if data.startswith(b"From ") else data


def parse_message(data: bytes) -> ParsedMessage:
    """Parse one email; raise MalformedMessageError (to be quarantined) if it is not one."""
    if not data.strip():
        raise MalformedMessageError("empty file: no headers and no body")
    body_bytes = _strip_mbox_line(data.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n\t "))
    if not _HEADER_LINE.match(body_bytes):
        raise MalformedMessageError("no header block: the file does not start with email headers")
    msg = message_from_bytes(body_bytes, policy=compat32)
    from_addr, from_name = _sender(msg)
    if not from_addr:
        raise MalformedMessageError("no sender address in From, Sender, Reply-To or Return-Path")

    sha = hashlib.sha256(data).hexdigest()
    ids = _message_ids(str(msg.get("Message-ID", "")))
    message_id = ids[0] if ids else f"<sha256-{sha[:32]}@casedesk.invalid>"
    in_reply = _message_ids(str(msg.get("In-Reply-To", "")))
    references = tuple(_message_ids(" ".join(str(v) for v in msg.get_all("References", []))))

    walker = _Walker()
    walker.walk(msg)
    own = _BLANKS.sub("\n\n", "\n\n".join(t.strip("\n") for t in walker.texts)).strip()
    text = "\n\n".join([own, *walker.enclosed]).strip()
    subject = _decoded_header(msg, "Subject")
    defects = [type(d).__name__ for d in msg.defects] + walker.defects
    fingerprint = hashlib.sha256("\0".join([subject, text]).encode("utf-8", "surrogatepass"))
    for attachment in walker.attachments:
        fingerprint.update(hashlib.sha256(attachment.data).digest())
    return ParsedMessage(
        raw=data,
        sha256=sha,
        message_id=message_id,
        has_message_id_header=bool(ids),
        from_addr=from_addr,
        from_name=from_name,
        to=_recipients(msg),
        subject=subject,
        sent_at=_sent_at(msg),
        in_reply_to=in_reply[0] if in_reply else None,
        references=references,
        text=text,
        new_text=new_text_of(own, subject) or text,
        is_html_only=walker.saw_html and not walker.saw_plain,
        attachments=tuple(walker.attachments),
        defects=tuple(defects),
        content_hash=fingerprint.hexdigest(),
    )
