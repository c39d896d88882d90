"""The office's policy lines: short notes on the MP's position, which AI drafts may draw on.

One markdown file per position, in the office's policy folder (the `policy_dir` setting, else
`<data-dir>/policy/`; a sample set is in samples/policy/). A file starts with a small header
of `key: value` lines between `---` lines, then the position in plain words:

    ---
    title: MP's position on sewage discharges
    topics: environment_planning
    keywords: sewage, storm overflow, water company, river, Cam
    agreed: 2026-11-02 by Alex Morgan MP
    source: https://www.gov.uk/... (the public text the facts come from)
    ---
    Alex Morgan MP believes ...

Which notes a draft gets: those whose topics include the case's topic, and those whose
keywords appear in the constituent's message, best first. Pure: text in, notes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from casedesk.errors import CaseDeskError

MAX_NOTE_CHARS = 4000  # a policy line is a few paragraphs; a longer file is cut, not refused
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")
_KEY = re.compile(r"^([a-z_]+):\s*(.*)$")


@dataclass(frozen=True)
class PolicyNote:
    id: str  # the file name without .md: 'sewage-discharges'
    title: str
    text: str
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    agreed: str = ""
    source: str = ""  # where its facts come from (provenance), for staff and reviewers

    @property
    def source_id(self) -> str:
        return f"policy:{self.id}"


class PolicyNoteError(CaseDeskError):
    """A policy note that cannot be read; the message names the file and the fix."""


def parse_policy_note(name: str, text: str) -> PolicyNote:
    """A note from its file name ('sewage-discharges.md') and text."""
    stem = name.removesuffix(".md")
    if not _NAME.match(stem):
        raise PolicyNoteError(
            f"{name}: policy note names are lower-case letters, digits, - and _ "
            f"(e.g. sewage-discharges.md); rename it"
        )
    header: dict[str, str] = {}
    body = text.replace("\r\n", "\n")
    if body.startswith("---\n"):
        end = body.find("\n---", 4)
        if end == -1:
            raise PolicyNoteError(
                f"{name}:1: the header opened with --- is never closed; add a --- line"
            )
        for number, line in enumerate(body[4:end].splitlines(), start=2):
            if not line.strip():
                continue
            found = _KEY.match(line.strip())
            if found is None:
                raise PolicyNoteError(
                    f"{name}:{number}: header lines are 'key: value' (title, topics, keywords, "
                    "agreed, source)"
                )
            header[found.group(1)] = found.group(2).strip()
        body = body[end + 4 :].lstrip("-\n")
    body = body.strip()
    if not body:
        raise PolicyNoteError(
            f"{name}: the note has no text; write the MP's position under the header"
        )
    title = header.get("title") or _first_line(body)
    return PolicyNote(
        id=stem,
        title=title,
        text=body[:MAX_NOTE_CHARS],
        topics=_list(header.get("topics", "")),
        keywords=_list(header.get("keywords", "")),
        agreed=header.get("agreed", ""),
        source=header.get("source", ""),
    )


def relevant_notes(
    notes: Iterable[PolicyNote], topic: str, text: str, limit: int = 3
) -> list[PolicyNote]:
    """The notes that bear on a case: a topic match counts 2, each keyword found in the
    text counts 1; best first, then by id, at most `limit`."""
    words = " " + " ".join(re.findall(r"[a-z0-9']+", text.lower())) + " "
    scored: list[tuple[int, str, PolicyNote]] = []
    for note in notes:
        score = 2 if topic in note.topics else 0
        score += sum(1 for k in note.keywords if f" {_phrase(k)} " in words)
        if score:
            scored.append((-score, note.id, note))
    return [note for _, _, note in sorted(scored, key=lambda s: (s[0], s[1]))[:limit]]


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _phrase(keyword: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", keyword.lower()))


def _first_line(body: str) -> str:
    return body.splitlines()[0].lstrip("# ").strip()[:120]

