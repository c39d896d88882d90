"""The reply draft's text for the case card: read from the case folder, shortened."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Protocol

PREVIEW_CHARS = 600


class DraftReader(Protocol):
    def draft_text(self, ref: str) -> str | None:
        """The case's reply draft as plain text, or None when there is none (or it is
        not readable from here)."""
        ...


def draft_body(eml: bytes) -> str | None:
    """The plain-text body of a draft .eml (as core/draft_mail.py writes it)."""
    message = message_from_bytes(eml, policy=policy.default)
    if not isinstance(message, EmailMessage):
        return None
    part = message.get_body(preferencelist=("plain",))
    if part is None or not isinstance(part, EmailMessage):
        return None
    content = part.get_content()
    return content.strip() if isinstance(content, str) else None


def preview(body: str, limit: int = PREVIEW_CHARS) -> str:
    body = body.strip()
    return body if len(body) <= limit else body[: limit - 1].rstrip() + "…"
