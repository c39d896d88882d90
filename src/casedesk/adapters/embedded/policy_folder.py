"""The office's policy lines from a folder of markdown notes (core/policy_lines.py).

Read on each draft, so a note the office adds or edits is used from the next draft on. A
note that cannot be read is skipped and named in the log (file name only): a typo in one
note never stops drafting.
"""

from __future__ import annotations

import logging
from pathlib import Path

from casedesk.core.policy_lines import PolicyNote, PolicyNoteError, parse_policy_note

log = logging.getLogger("casedesk.drafts")
MAX_FILE_BYTES = 64 * 1024
_NOT_NOTES = frozenset({"readme.md"})


def load_policy_notes(folder: Path) -> tuple[list[PolicyNote], list[str]]:
    """The notes in the folder, by file name, and what was wrong with any skipped (with fixes).
    A folder that does not exist has no notes."""
    notes: list[PolicyNote] = []
    problems: list[str] = []
    if not folder.is_dir():
        return notes, problems
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() in _NOT_NOTES or path.name.startswith(("_", ".")):
            continue
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise PolicyNoteError(
                    f"{path.name}: larger than {MAX_FILE_BYTES // 1024} KiB; a policy line is a "
                    "few paragraphs: shorten it"
                )
            notes.append(parse_policy_note(path.name, path.read_text(encoding="utf-8")))
        except (PolicyNoteError, UnicodeDecodeError, OSError) as exc:
            problems.append(str(exc) if isinstance(exc, PolicyNoteError) else
                            f"{path.name}: cannot be read as UTF-8 text ({type(exc).__name__})")  # fmt: skip
    for problem in problems:
        log.warning(
            "policy note skipped", extra={"event": "policy.note_skipped", "error": problem[:200]}
        )
    return notes, problems
