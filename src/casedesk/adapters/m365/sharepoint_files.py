"""CaseFiles in a SharePoint document library through Microsoft Graph: one folder per case.

Paths are the local store's (core.case_paths): cases/<REF>/messages/<stamp>-<hash>.eml,
cases/<REF>/attachments/<stamp>-<hash>/<name>, cases/<REF>/case.json, cases/<REF>/drafts/<name>
and quarantine/<sha256>.eml, relative to the library's root. Every write replaces what is at
its path (conflictBehavior replace), so filing the same message again writes the same files.

Files up to `simple_upload_max` go in one PUT (Graph creates missing folders); larger ones
through an upload session, in fragments that are multiples of 320 KiB, sent without the
Authorization header as Graph asks. (msgraph-core's LargeFileUploadTask cannot finish against
the documented `nextExpectedRanges`, see tests/graphfake/README.md, so fragments are plain
PUTs.) A fragment that is throttled or meets an outage is retried by GraphCaller with
Retry-After; a failed upload raises, and the work is retried from a new session.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from casedesk.adapters.m365.graph_client import GraphCaller, status_of
from casedesk.adapters.m365.sharepoint_items import send_json
from casedesk.core import case_paths
from casedesk.core.models import Case, ParsedMessage, StoredMessage
from casedesk.errors import NotFoundError

log = logging.getLogger("casedesk.sharepoint")

MiB = 1024 * 1024
FRAGMENT_MULTIPLE = 320 * 1024  # driveitem-createuploadsession: multiples of 320 KiB
DEFAULT_FRAGMENT = 10 * FRAGMENT_MULTIPLE  # 3.125 MiB; Graph wants under 60 MiB per request
REPLACE = {"@microsoft.graph.conflictBehavior": "replace"}
# SharePoint refuses these names; prefix them rather than fail to file the message.
_REFUSED_NAMES = frozenset({"desktop.ini", ".lock"})


def sharepoint_name(name: str) -> str:
    """The attachment name SharePoint will accept: '~$…', '_vti_' and desktop.ini are not."""
    if name.startswith("~$") or name.lower() in _REFUSED_NAMES:
        name = f"_{name}"
    return name.replace("_vti_", "_vti-")


class SharePointCaseFiles:
    def __init__(
        self,
        caller: GraphCaller,
        site_id: str,
        drive_id: str,
        simple_upload_max: int = 4 * MiB,
        fragment_size: int = DEFAULT_FRAGMENT,
    ) -> None:
        if fragment_size <= 0 or fragment_size % FRAGMENT_MULTIPLE:
            raise ValueError("fragment_size must be a positive multiple of 320 KiB (327,680)")
        self.caller = caller
        self.site_id = site_id
        self.drive_id = drive_id
        self.simple_upload_max = simple_upload_max
        self.fragment_size = fragment_size
        self._root_url: str | None = None

    # --- CaseFiles -------------------------------------------------------------------------

    def file_message(self, case_ref: str, message: ParsedMessage) -> str:
        """The .eml byte for byte and each attachment beside it; returns the .eml's path."""
        files = case_paths.message_files(case_ref, message, fix=sharepoint_name)
        self._put(files.eml, message.raw)
        for path, attachment in files.attachments:
            self._put(path, attachment.data)
        return files.eml

    def write_summary(self, case: Case, messages: Sequence[StoredMessage]) -> str:
        path = case_paths.summary_path(case.ref)
        self._put(path, case_paths.summary_json(case, messages))
        return path

    def write_draft(self, case_ref: str, name: str, data: bytes) -> str:
        path = case_paths.draft_path(case_ref, name)
        self._put(path, data)
        return path

    def quarantine(self, sha256: str, data: bytes) -> str:
        path = case_paths.quarantine_path(sha256)
        self._put(path, data)
        return path

    def write_briefing(self, week: date, data: bytes) -> str:
        path = case_paths.briefing_path(week)
        self._put(path, data)
        return path

    def folder_path(self, case_ref: str) -> str:
        """The case folder's path inside the library, e.g. cases/CD-2026-000001."""
        return case_paths.case_folder(case_ref)

    def location(self, case_ref: str) -> str:
        """The case folder's web address (the library's webUrl + path) for staff to open;
        the path inside the library if the library's address cannot be read."""
        root = self._library_url()
        path = self.folder_path(case_ref)
        if root is None:
            return path
        return f"{root.rstrip('/')}/{quote(path)}"

    # --- reading and deleting (subject access, retention, erasure) --------------------------

    def read_file(self, path: str) -> bytes:
        """The file's bytes: its driveItem's pre-authenticated `@microsoft.graph.downloadUrl`
        (driveitem-get-content documents it as the same URL /content redirects to), fetched
        without the Authorization header, as Graph asks."""
        item = self._get_item(path)
        url = item.get("@microsoft.graph.downloadUrl") if item else None
        if not url:
            raise NotFoundError(f"no file at {path} in the case documents library")
        return self.caller.run(lambda: _download(str(url)))

    def list_case_files(self, case_ref: str) -> list[str]:
        return sorted(self._files_under(self.folder_path(case_ref)))

    def delete_file(self, path: str) -> bool:
        item = self._get_item(path)
        if item is None:
            return False
        self._permanent_delete(str(item["id"]))
        return True

    def delete_case_files(self, case_ref: str) -> int:
        """The whole folder in one permanentDelete (children go with it)."""
        folder = self.folder_path(case_ref)
        item = self._get_item(folder)
        if item is None:
            return 0
        count = len(self._files_under(folder))
        self._permanent_delete(str(item["id"]))
        return count

    def _get_item(self, path: str) -> dict[str, Any] | None:
        async def call() -> dict[str, Any]:
            return await send_json(self.caller, self._item(path).to_get_request_information())

        try:
            return self.caller.run(call)
        except Exception as exc:
            if status_of(exc) == 404:
                return None
            raise

    def _files_under(self, folder: str) -> list[str]:
        """Paths of every file below the folder (breadth first, every page of children)."""
        found: list[str] = []
        waiting = [folder]
        while waiting:
            current = waiting.pop(0)
            for child in self._children(current):
                child_path = f"{current}/{child['name']}"
                if "folder" in child:
                    waiting.append(child_path)
                else:
                    found.append(child_path)
        return found

    def _children(self, folder: str) -> list[dict[str, Any]]:
        builder = self._item(folder).children

        async def call() -> list[dict[str, Any]]:
            info = builder.to_get_request_information()
            items: list[dict[str, Any]] = []
            while True:
                page = await send_json(self.caller, info)
                items.extend(page.get("value", []))
                link = page.get("@odata.nextLink")
                if not link:
                    return items
                info = builder.with_url(str(link)).to_get_request_information()

        try:
            return self.caller.run(call)
        except Exception as exc:
            if status_of(exc) == 404:
                return []
            raise

    def _permanent_delete(self, item_id: str) -> None:
        """driveitem-permanentdelete: gone for good, not to the recycle bin (erasure must
        not leave a copy there for 93 days)."""

        async def call() -> None:
            drive = self.caller.client.drives.by_drive_id(self.drive_id)
            action = drive.items.by_drive_item_id(item_id).permanent_delete
            await send_json(self.caller, action.to_post_request_information())

        try:
            self.caller.run(call)
        except Exception as exc:
            if status_of(exc) != 404:  # already gone: nothing left to delete
                raise

    # --- Graph -----------------------------------------------------------------------------

    def _item(self, path: str) -> Any:
        encoded = f"root:/{path}:"
        return self.caller.client.drives.by_drive_id(self.drive_id).items.by_drive_item_id(encoded)

    def _library_url(self) -> str | None:
        if self._root_url is None:

            async def call() -> str:
                builder = self.caller.client.drives.by_drive_id(self.drive_id).root
                root = await send_json(self.caller, builder.to_get_request_information())
                return str(root.get("webUrl") or "")

            try:
                self._root_url = self.caller.run(call)
            except Exception as exc:
                log.warning(
                    "document library address unavailable; showing the folder path",
                    extra={"event": "sharepoint.library_url", "error": type(exc).__name__},
                )
                return None
        return self._root_url or None

    def _put(self, path: str, data: bytes) -> None:
        if len(data) <= self.simple_upload_max:
            self._simple_upload(path, data)
        else:
            self._session_upload(path, data)

    def _simple_upload(self, path: str, data: bytes) -> None:
        async def call() -> None:
            info = self._item(path).content.to_put_request_information(data)
            # The builder's template has no conflictBehavior. Its URL is relative until the
            # client has sent a first request (kiota then stores the base URL in the shared
            # path parameters), so add the base only when it is missing.
            url = info.url if info.url.startswith("http") else f"{self.caller.base_url}{info.url}"
            info.url = f"{url}?@microsoft.graph.conflictBehavior=replace"
            await send_json(self.caller, info)  # read as JSON: no driveItem model to load

        self.caller.run(call)

    def _session_upload(self, path: str, data: bytes) -> None:
        from msgraph.generated.drives.item.items.item.create_upload_session.create_upload_session_post_request_body import (
            CreateUploadSessionPostRequestBody,
        )
        from msgraph.generated.models.drive_item_uploadable_properties import (
            DriveItemUploadableProperties,
        )

        body = CreateUploadSessionPostRequestBody(
            item=DriveItemUploadableProperties(additional_data=dict(REPLACE))
        )

        async def start() -> str:
            info = self._item(path).create_upload_session.to_post_request_information(body)
            session = await send_json(self.caller, info)
            if not session.get("uploadUrl"):
                raise RuntimeError("Graph returned no upload URL for the upload session")
            return str(session["uploadUrl"])

        upload_url = self.caller.run(start)
        for first in range(0, len(data), self.fragment_size):
            self._send_fragment(upload_url, data, first)

    def _send_fragment(self, upload_url: str, data: bytes, first: int) -> None:
        fragment = data[first : first + self.fragment_size]
        self.caller.run(lambda: _put_fragment(upload_url, fragment, first, len(data)))


async def _download(url: str) -> bytes:
    """GET a pre-authenticated download URL: no Authorization header (the URL is the credential)."""
    import httpx
    from kiota_abstractions.api_error import APIError

    async with httpx.AsyncClient(timeout=120.0, follow_redirects=True) as http:
        response = await http.get(url)
    if response.status_code != 200:
        # Shaped like the SDK's errors so GraphCaller retries 429/503/504 after Retry-After.
        raise APIError("file download refused", response.status_code, dict(response.headers))
    return response.content


async def _put_fragment(upload_url: str, fragment: bytes, first: int, total: int) -> None:
    """One byte range to the upload URL: no Authorization header (the URL is the credential)."""
    import httpx
    from kiota_abstractions.api_error import APIError

    last = first + len(fragment) - 1
    headers = {"Content-Range": f"bytes {first}-{last}/{total}"}
    async with httpx.AsyncClient(timeout=120.0) as http:
        response = await http.put(upload_url, content=fragment, headers=headers)
    if response.status_code not in (200, 201, 202):
        # Shaped like the SDK's errors so GraphCaller retries 429/503/504 after Retry-After.
        raise APIError(
            f"upload fragment {first}-{last} of {total} refused",
            response.status_code,
            dict(response.headers),
        )
