"""CaseFiles on the local disk: <root>/cases/<REF>/ with messages, attachments, drafts, case.json."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

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


def _inside(root: Path, candidate: Path) -> Path:
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ValueError(f"refusing to write outside the case folder: {candidate.name!r}")
    return candidate


class LocalCaseFiles:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.cases = root / "cases"
        self._made: set[Path] = set()  # folders known to exist; mkdir per file was 10% of triage

    def _write(self, path: Path, data: bytes) -> None:
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
        _write_atomic(path, data)

    def location(self, case_ref: str) -> str:
        return str(self.cases / case_ref)

    def file_message(self, case_ref: str, message: ParsedMessage) -> str:
        """Original bytes as <time>-<hash>.eml and each attachment beside it; same path on re-run."""
        folder = self.cases / case_ref
        stamp = message.sent_at.strftime("%Y%m%dT%H%M%SZ") if message.sent_at else "undated"
        stem = f"{stamp}-{message.sha256[:12]}"
        eml = folder / "messages" / f"{stem}.eml"
        self._write(eml, message.raw)
        used: set[str] = set()
        for attachment in message.attachments:
            name = attachment.filename
            base, dot, ext = name.rpartition(".")
            n = 2
            while name.lower() in used:
                name = f"{base}-{n}.{ext}" if dot else f"{attachment.filename}-{n}"
                n += 1
            used.add(name.lower())
            target = _inside(folder, folder / "attachments" / stem / name)
            self._write(target, attachment.data)
        return str(eml.relative_to(self.root))

    def write_summary(self, case: Case, messages: Sequence[StoredMessage]) -> str:
        summary = {
            "ref": case.ref,
            "subject": case.subject,
            "status": case.status.value,
            "category": case.category.value,
            "topic": case.topic.value,
            "urgent": case.is_urgent,
            "assignee": case.assignee,
            "campaign_id": case.campaign_id,
            "constituent": {
                "name": case.constituent_name,
                "email": case.constituent_email,
                "postcode": case.postcode,
            },
            "summary": case.summary,
            "created_at": case.created_at.isoformat(),
            "updated_at": case.updated_at.isoformat(),
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
        path = self.cases / case.ref / "case.json"
        self._write(path, json.dumps(summary, indent=2, ensure_ascii=False).encode("utf-8"))
        return str(path)

    def write_draft(self, case_ref: str, name: str, data: bytes) -> str:
        folder = self.cases / case_ref
        path = _inside(folder, folder / "drafts" / name)
        self._write(path, data)
        return str(path)

    def quarantine(self, sha256: str, data: bytes) -> str:
        path = self.root / "quarantine" / f"{sha256}.eml"
        self._write(path, data)
        return str(path)
