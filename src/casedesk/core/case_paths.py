"""Where a case's files go, as paths relative to the store's root, for every CaseFiles adapter.

    cases/<REF>/messages/<stamp>-<hash>.eml      the original bytes
    cases/<REF>/attachments/<stamp>-<hash>/<name> each attachment beside it
    cases/<REF>/case.json                        the summary
    cases/<REF>/drafts/<name>                    reply drafts
    quarantine/<sha256>.eml                      what could not be filed

Pure: no I/O. Paths use "/" whatever the platform. The same message always gets the same
paths, so filing it again overwrites rather than duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from casedesk.core.models import Attachment, Case, ParsedMessage, StoredMessage

CASES = "cases"
QUARANTINE = "quarantine"
BRIEFINGS = "briefings"
_BAD_SEGMENT_CHARS = frozenset("/\\\x00")


def _same(name: str) -> str:
    return name


def safe_segment(name: str) -> str:
    """A single path segment, or ValueError: never empty, '.', '..', or containing a separator."""
    if name in ("", ".", "..") or any(ch in _BAD_SEGMENT_CHARS for ch in name):
        raise ValueError(f"refusing to write outside the case folder: {name!r}")
    return name


def case_folder(case_ref: str) -> str:
    return f"{CASES}/{safe_segment(case_ref)}"


def message_stem(message: ParsedMessage) -> str:
    """<sent time>-<first 12 hex of the sha256>: stable for the same bytes."""
    stamp = message.sent_at.strftime("%Y%m%dT%H%M%SZ") if message.sent_at else "undated"
    return f"{stamp}-{message.sha256[:12]}"


def attachment_names(
    attachments: Sequence[Attachment], fix: Callable[[str], str] = _same
) -> list[tuple[str, Attachment]]:
    """Each attachment's file name; a repeated name (case-insensitively) becomes name-2, name-3.

    `fix` lets a store adjust a name it cannot hold before repeats are counted."""
    used: set[str] = set()
    named: list[tuple[str, Attachment]] = []
    for attachment in attachments:
        original = fix(attachment.filename)
        name = original
        base, dot, ext = original.rpartition(".")
        n = 2
        while name.lower() in used:
            name = f"{base}-{n}.{ext}" if dot else f"{original}-{n}"
            n += 1
        used.add(name.lower())
        named.append((safe_segment(name), attachment))
    return named


@dataclass(frozen=True)
class MessageFiles:
    eml: str
    attachments: tuple[tuple[str, Attachment], ...]


def message_files(
    case_ref: str, message: ParsedMessage, fix: Callable[[str], str] = _same
) -> MessageFiles:
    folder = case_folder(case_ref)
    stem = message_stem(message)
    return MessageFiles(
        eml=f"{folder}/messages/{stem}.eml",
        attachments=tuple(
            (f"{folder}/attachments/{stem}/{name}", attachment)
            for name, attachment in attachment_names(message.attachments, fix)
        ),
    )


def summary_path(case_ref: str) -> str:
    return f"{case_folder(case_ref)}/case.json"


def draft_path(case_ref: str, name: str) -> str:
    return f"{case_folder(case_ref)}/drafts/{safe_segment(name)}"


def briefing_path(week: date) -> str:
    """The MP's weekly briefing for the London week starting `week` (a Monday)."""
    return f"{BRIEFINGS}/briefing-{week.isoformat()}.pdf"


def quarantine_path(sha256: str) -> str:
    return f"{QUARANTINE}/{safe_segment(sha256)}.eml"


def summary_json(case: Case, messages: Sequence[StoredMessage]) -> bytes:
    """case.json: what a member of staff needs to see without opening CaseDesk."""
    summary = {
        **case.as_record(),
        "messages": [
            {
                "message_id": m.message_id,
                "from": m.from_addr,
                "subject": m.subject,
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                "file": m.filed_path,
                "category": m.classification.category.value,
                "reasons": list(m.classification.reasons),
            }
            for m in messages
        ],
    }
    return json.dumps(summary, indent=2, ensure_ascii=False).encode("utf-8")
