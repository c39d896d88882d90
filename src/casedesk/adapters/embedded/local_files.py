"""CaseFiles on the local disk: <root>/cases/<REF>/ with messages, attachments, drafts, case.json.

Paths come from core/case_paths.py, shared with the SharePoint library adapter, so a case
folder looks the same on a laptop and in the office's document library.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from casedesk.core import case_paths
from casedesk.core.models import Case, ParsedMessage, StoredMessage
from casedesk.errors import NotFoundError


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

    def write_briefing(self, week: date, data: bytes) -> str:
        path = case_paths.briefing_path(week)
        self._write(path, data)
        return path

    # --- reading and deleting (subject access, retention, erasure) --------------------------

    def _inside(self, relative: str) -> Path:
        path = self.root / relative
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise ValueError(f"refusing to read or delete outside the store: {relative!r}")
        return path

    def read_file(self, path: str) -> bytes:
        try:
            return self._inside(path).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFoundError(f"no file at {path} under {self.root}") from exc

    def list_case_files(self, case_ref: str) -> list[str]:
        folder = self._inside(case_paths.case_folder(case_ref))
        if not folder.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )

    def delete_file(self, path: str) -> bool:
        target = self._inside(path)
        if not target.is_file():
            return False
        target.unlink()
        self._prune(target.parent)
        return True

    def delete_case_files(self, case_ref: str) -> int:
        folder = self._inside(case_paths.case_folder(case_ref))
        if not folder.is_dir():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
        self._made = {p for p in self._made if not p.is_relative_to(folder)}
        return count

    def _prune(self, folder: Path) -> None:
        """Remove folders left empty up to the case folder (an attachments/<stem>/ folder)."""
        cases = (self.root / case_paths.CASES).resolve()
        while folder.resolve() != cases and folder.resolve().is_relative_to(cases):
            if any(folder.iterdir()) or folder.parent.resolve() == cases:
                return
            folder.rmdir()
            self._made.discard(folder)
            folder = folder.parent
