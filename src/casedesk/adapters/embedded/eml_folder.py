"""Mailbox over files: .eml files, or folders of them, read oldest-name first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from casedesk.core.models import RawMessage
from casedesk.errors import CaseDeskError

# Mail corpora name files anything (".eml", none, "00001.7c53336b..."), so a folder is read
# whole except for files that are plainly something else; anything odd is quarantined, not skipped.
NOT_MAIL_SUFFIXES = frozenset(
    {".md", ".json", ".jsonl", ".py", ".yaml", ".yml", ".toml", ".zip", ".gz", ".tar"}
)


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named directly, plus every mail file found under folders named; sorted, unique."""
    found: dict[Path, None] = {}
    for path in paths:
        if not path.exists():
            raise CaseDeskError(f"{path}: no such file or folder")
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and not child.name.startswith(".")
                    and child.suffix.lower() not in NOT_MAIL_SUFFIXES
                ):
                    found.setdefault(child, None)
        else:
            found.setdefault(path, None)
    return list(found)


class EmlFolderMailbox:
    def __init__(self, paths: Sequence[Path]) -> None:
        self.files = expand_paths(paths)

    def __len__(self) -> int:
        return len(self.files)

    def messages(self) -> Iterator[RawMessage]:
        for path in self.files:
            stat = path.stat()
            yield RawMessage(
                source=str(path),
                data=path.read_bytes(),
                received_at=datetime.fromtimestamp(stat.st_mtime, UTC),
            )
