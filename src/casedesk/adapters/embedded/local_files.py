"""CaseFiles on the local disk: <root>/cases/<REF>/ with messages, attachments, drafts, case.json.

Paths come from core/case_paths.py, shared with the SharePoint library adapter, so a case
folder looks the same on a laptop and in the office's document library.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from casedesk.core import case_paths
from casedesk.core.models import Case, ParsedMessage, StoredMessage


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LocalCaseFiles:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: set[Path] = set()  # folders known to exist; mkdir per file was 10% of triage

    def _write(self, relative: str, data: bytes) -> Path:
        path = self.root / relative
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise ValueError(f"refusing to write outside the store: {relative!r}")
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        _write_atomic(path, data)
        return path

    def location(self, case_ref: str) -> str:
        return str(self.root / case_paths.case_folder(case_ref))

    def file_message(self, case_ref: str, message: ParsedMessage) -> str:
        """Original bytes and each attachment beside it; the same paths on every re-run."""
        files = case_paths.message_files(case_ref, message)
        self._write(files.eml, message.raw)
        for relative, attachment in files.attachments:
            self._write(relative, attachment.data)
        return files.eml

    def write_summary(self, case: Case, messages: Sequence[StoredMessage]) -> str:
        return str(
            self._write(case_paths.summary_path(case.ref), case_paths.summary_json(case, messages))
        )

    def write_draft(self, case_ref: str, name: str, data: bytes) -> str:
        return str(self._write(case_paths.draft_path(case_ref, name), data))

    def quarantine(self, sha256: str, data: bytes) -> str:
        return str(self._write(case_paths.quarantine_path(sha256), data))
