"""The SharePoint case store on the local Graph-speaking server: a GraphFake holding CaseDesk's
lists and document library, with the real MSAL and GraphCaller pointed at it (wired as
tests/e2e/test_graph_intake.py wires the intake)."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from casedesk.adapters.m365.graph_client import GraphCaller, RetryPolicy
from casedesk.adapters.m365.msal_tokens import MsalTokenSource, RedirectingHttpClient
from casedesk.adapters.m365.sharepoint_files import SharePointCaseFiles
from casedesk.adapters.m365.sharepoint_lists import SharePointCaseRepository
from casedesk.adapters.m365.sharepoint_schema import SCHEMA, CaseDeskLists
from casedesk.core.models import Case, ParsedMessage, StoredMessage
from graphfake import GraphFake

SECRET = "test-client-secret"
SITE = "contoso.sharepoint.com,2c7a1d2e-0000-4000-8000-00000000c45e,7b1f0c3a-0000-4000-8000-0000000000a1"
DRIVE = "b!casedesk-library"


@dataclass
class SharePointStack:
    fake: GraphFake
    caller: GraphCaller
    lists: CaseDeskLists

    def repository(self) -> SharePointCaseRepository:
        return SharePointCaseRepository(self.caller, SITE, self.lists)

    def files(self, **options: Any) -> SharePointCaseFiles:
        return SharePointCaseFiles(self.caller, SITE, DRIVE, **options)

    def rows(self, key: str) -> list[dict[str, Any]]:
        """The fields of every item in one of the lists (by its settings key)."""
        return [i["fields"] for i in self.fake.list_items(SITE, getattr(self.lists, key))]

    def close(self) -> None:
        self.caller.close()
        self.fake.stop()


def start_stack(retry: RetryPolicy | None = None, timeout_seconds: float = 30.0) -> SharePointStack:
    fake = GraphFake(client_secret=SECRET).start()
    ids = {spec.key: str(uuid.uuid4()) for spec in SCHEMA}
    for spec in SCHEMA:  # the fake refuses filters on these, as SharePoint does
        fake.add_list(SITE, ids[spec.key], non_indexed=spec.non_indexed)
    fake.add_drive(SITE, DRIVE)
    tokens = MsalTokenSource(
        tenant_id=fake.tenant_id,
        client_id=fake.client_id,
        client_secret=SECRET,
        http_client=RedirectingHttpClient(fake.root_url),
    )
    caller = GraphCaller(tokens.token, fake.base_url, retry, timeout_seconds)
    return SharePointStack(fake, caller, CaseDeskLists(**ids))


class LibraryMirror:
    """The CaseFiles contract reads what was written from a local folder (`Path(location)`,
    `root`). This hands every call to SharePointCaseFiles unchanged and returns its answers,
    except that `root`, `location()` and `quarantine()` point into a local copy of the fake's
    document library, refreshed from the fake's store each time one is handed out."""

    def __init__(self, files: SharePointCaseFiles, fake: GraphFake, root: Path) -> None:
        self.files, self.fake, self.root = files, fake, root

    def _refresh(self) -> Path:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        for path, data in self.fake.drive_files(SITE, DRIVE).items():
            parts = PurePosixPath(path).parts
            if any(p in ("", ".", "..") for p in parts):
                raise AssertionError(f"the library holds a path that climbs: {path!r}")
            target = self.root.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return self.root

    def file_message(self, case_ref: str, message: ParsedMessage) -> str:
        return self.files.file_message(case_ref, message)

    def write_summary(self, case: Case, messages: list[StoredMessage]) -> str:
        return self.files.write_summary(case, messages)

    def write_draft(self, case_ref: str, name: str, data: bytes) -> str:
        return self.files.write_draft(case_ref, name, data)

    def quarantine(self, sha256: str, data: bytes) -> str:
        path = self.files.quarantine(sha256, data)
        return str(self._refresh() / path)

    def write_briefing(self, week: date, data: bytes) -> str:
        return self.files.write_briefing(week, data)

    def location(self, case_ref: str) -> str:
        self.files.location(case_ref)
        return str(self._refresh() / self.files.folder_path(case_ref))

    def read_file(self, path: str) -> bytes:
        return self.files.read_file(path)

    def list_case_files(self, case_ref: str) -> list[str]:
        return self.files.list_case_files(case_ref)

    def delete_file(self, path: str) -> bool:
        return self.files.delete_file(path)

    def delete_case_files(self, case_ref: str) -> int:
        return self.files.delete_case_files(case_ref)
