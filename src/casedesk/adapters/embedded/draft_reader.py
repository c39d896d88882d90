"""Reply drafts from the embedded case folders (<data-dir>/cases/<ref>/drafts/)."""

from __future__ import annotations

from pathlib import Path

from casedesk.core import case_paths
from casedesk.teams.drafts import draft_body

DRAFT_NAME = "reply-draft.eml"  # as core/triage.py writes it


class FolderDraftReader:
    def __init__(self, root: Path) -> None:
        self.root = root

    def draft_text(self, ref: str) -> str | None:
        path = self.root / case_paths.draft_path(ref, DRAFT_NAME)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return draft_body(data)
