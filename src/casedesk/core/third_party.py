"""Third-party personal data in a file bound for a subject access bundle, for redaction review.

What is listed: email addresses that are not the requester's or the office's, postcodes that
are not the requester's, every phone number (the requester's own cannot be told apart), and
the names of other people in the address headers (From, To, Cc, Reply-To). Message-IDs and
other technical headers are not read. Names inside the text of a letter are not detected:
the index tells the staffer to read each letter. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import compat32
from email.utils import getaddresses

from casedesk.core.mime import parse_message
from casedesk.core.personal_data import Finding, Kind, find_personal_data, normalise_email
from casedesk.errors import MalformedMessageError

ADDRESS_HEADERS = ("From", "Sender", "Reply-To", "To", "Cc", "Bcc")
TEXT_SUFFIXES = (".txt", ".csv", ".json", ".html", ".htm", ".md", ".ics", ".vcf", ".xml")


@dataclass(frozen=True, order=True)
class ThirdParty:
    kind: Kind
    value: str
    where: str  # "To header", "text", "attachment text", ...


@dataclass(frozen=True)
class Subject:
    """Who the bundle is about, and whose data is not third-party data."""

    emails: frozenset[str]
    names: frozenset[str]  # case-folded
    postcodes: frozenset[str]
    office_emails: frozenset[str]
    message_ids: frozenset[str] = frozenset()  # "<id@host>" look like addresses; they are not

    def is_theirs(self, finding: Finding) -> bool:
        if finding.kind is Kind.EMAIL:
            return (
                finding.value in self.emails
                or finding.value in self.office_emails
                or f"<{finding.value}>" in self.message_ids
            )
        if finding.kind is Kind.POSTCODE:
            return finding.value in self.postcodes
        return False


def scan(path: str, data: bytes, subject: Subject) -> tuple[list[ThirdParty], bool]:
    """Third-party findings in one file, and whether its content could be read at all."""
    lower = path.lower()
    if lower.endswith(".eml"):
        return _scan_email(data, subject), True
    if lower.endswith(TEXT_SUFFIXES):
        text = data.decode("utf-8", errors="replace")
        return _from_text(text, "text", subject), True
    return [], False


def _scan_email(data: bytes, subject: Subject) -> list[ThirdParty]:
    found: list[ThirdParty] = []
    msg = message_from_bytes(data, policy=compat32)
    for header in ADDRESS_HEADERS:
        values = [_decoded(str(v)) for v in msg.get_all(header, [])]
        for name, raw_address in getaddresses(values):
            address = normalise_email(raw_address)
            if not address or address in subject.emails or address in subject.office_emails:
                continue
            found.append(ThirdParty(Kind.EMAIL, address, f"{header} header"))
            if name.strip() and " ".join(name.split()).casefold() not in subject.names:
                found.append(ThirdParty(Kind.NAME, " ".join(name.split()), f"{header} header"))
    try:
        parsed = parse_message(data)
    except MalformedMessageError:
        return _dedupe(found)
    found += _from_text(f"{parsed.subject}\n{parsed.text}", "text", subject)
    for attachment in parsed.attachments:
        if attachment.content_type.startswith("text/") or attachment.filename.lower().endswith(
            TEXT_SUFFIXES
        ):
            text = attachment.data.decode("utf-8", errors="replace")
            found += _from_text(text, f"attachment {attachment.filename}", subject)
    return _dedupe(found)


def _from_text(text: str, where: str, subject: Subject) -> list[ThirdParty]:
    return _dedupe(
        ThirdParty(f.kind, f.value, where)
        for f in find_personal_data(text)
        if not subject.is_theirs(f)
    )


def _decoded(raw: str) -> str:
    try:
        return str(make_header(decode_header(raw)))
    except (UnicodeError, LookupError, ValueError, TypeError):
        return raw


def _dedupe(items: Iterable[ThirdParty]) -> list[ThirdParty]:
    return list(dict.fromkeys(items))
