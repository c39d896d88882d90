"""SharePoint list items and document-library (drive) endpoints, with resumable upload sessions.

Shapes: listitem-list / listitem-create / listitem-get / listitem-update (with If-Match: a stale
eTag gives 412 resourceModified and no change; every update bumps the eTag's version;
https://learn.microsoft.com/graph/api/listitem-update), listitem-delete (204; If-Match as for
update), driveitem-put-content (simple upload, 250 MB), driveitem-createuploadsession (320 KiB
multiples, < 60 MiB per request, 202 + nextExpectedRanges, 201/200 on completion),
driveitem-post-children, driveitem-get (files carry a pre-authenticated
`@microsoft.graph.downloadUrl`, fetched without a token: driveitem-get-content),
driveitem-delete (204; to the recycle bin) and driveitem-permanentdelete (204; gone for good).
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import mime
from .errors import GraphError
from .http import Req, Resp, json_resp, route
from .store import Drive, DriveEntry, SpList, UploadSession

if TYPE_CHECKING:
    from .server import GraphFake

CHUNK_MULTIPLE = 320 * 1024
NON_INDEXED = "Field '{}' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header to allow this, but be warned that such queries may fail on large lists."
TERM = re.compile(
    r"\s*fields/(?P<f>\w+)\s+eq\s+(?P<v>'(?:[^']|'')*'|[^\s)]+)\s*(?:and\b|$)", re.IGNORECASE
)
L = r"^/sites/(?P<site>[^/]+)/lists/(?P<list>[^/]+)/items"
D = r"^(?:/sites/(?P<site>[^/]+))?/drives/(?P<drive>[^/]+)(?:/items)?/root"
ITEM = r"^(?:/sites/(?P<site>[^/]+))?/drives/(?P<drive>[^/]+)/items/(?P<id>(?!root)[^/:]+)"


# ---- list items -------------------------------------------------------------------------
def _literal(text: str) -> Any:
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    lowered = text.lower()
    if lowered in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[lowered]
    try:
        return float(text) if "." in text else int(text)
    except ValueError as exc:
        raise GraphError(400, "invalidRequest", f"Invalid filter literal '{text}'.") from exc


def parse_filter(text: str) -> list[tuple[str, Any]]:
    terms, pos = [], 0
    while pos < len(text):
        found = TERM.match(text, pos)
        if not found:
            raise GraphError(
                400,
                "invalidRequest",
                f"The fake supports only 'fields/X eq value' terms joined by 'and': {text!r}",
            )
        terms.append((found["f"], _literal(found["v"])))
        pos = found.end()
    return terms


def _matches(fields: dict[str, Any], terms: list[tuple[str, Any]]) -> bool:
    def same(have: Any, want: Any) -> bool:
        return bool(have == want or (isinstance(want, str) and str(have) == want))

    return all(same(fields.get(name), want) for name, want in terms)


def _expand(req: Req) -> tuple[bool, list[str] | None]:
    value = req.option("expand") or ""
    found = re.match(r"^fields(?:\(\$?select=(?P<sel>[^)]*)\))?$", value.strip(), re.IGNORECASE)
    if not found:
        return False, None
    return True, [s.strip() for s in found["sel"].split(",")] if found["sel"] else None


def item_json(
    fake: GraphFake, lst: SpList, item: dict[str, Any], fields: bool, select: list[str] | None
) -> dict[str, Any]:
    shown = {k: v for k, v in item.items() if k != "fields"}
    shown["parentReference"] = {"id": lst.id, "siteId": lst.site}
    shown["webUrl"] = f"https://graphfake.sharepoint.local/Lists/{lst.id}/{item['id']}_.000"
    if fields:
        values = item["fields"]
        shown["fields"] = {
            k: v for k, v in values.items() if select is None or k in select or k.startswith("@")
        }
    return shown


def list_items(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    terms = parse_filter(req.option("filter") or "")
    with fake.store.lock:
        lst = fake.store.sp_list(m["site"], m["list"])
        for name, _ in terms:
            if name in lst.non_indexed and not req.prefers(
                "HonorNonIndexedQueriesWarningMayFailRandomly"
            ):
                raise GraphError(400, "invalidRequest", NON_INDEXED.format(name))
        text = next(((n, v) for n, v in terms if isinstance(v, str)), None)
        pool = (
            [lst.items[i] for i in lst.candidates(*text)] if text else list(lst.items.values())
        )  # a text term narrows through the index; str(have) == want is one of _matches' rules
        found = [i for i in pool if _matches(i["fields"], terms)]
        with_fields, select = _expand(req)
        page = [item_json(fake, lst, i, with_fields, select) for i in found]
    context = f"{fake.base_url}/$metadata#Collection(microsoft.graph.listItem)"
    return json_resp(200, {"@odata.context": context, "value": page})


def create_item(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    body = req.json()
    if not isinstance(body.get("fields"), dict):
        raise GraphError(400, "invalidRequest", "Invalid request: a 'fields' object is required.")
    now = mime.iso(fake.now())
    with fake.store.lock:
        lst = fake.store.sp_list(m["site"], m["list"])
        title = body["fields"].get("Title")
        taken = (
            lst.candidates("Title", title)
            if isinstance(title, str)
            else [k for k, i in lst.items.items() if i["fields"].get("Title") == title]
        )
        if title is not None and any(lst.items[k]["fields"].get("Title") == title for k in taken):
            # docs/sharepoint-schema.md has every list enforce unique Titles; SharePoint's
            # refusal text for that, as Graph relays it.
            raise GraphError(
                409,
                "nameAlreadyExists",
                "The list item could not be added or updated because duplicate values were "
                "found in the following field(s) in the list: [Title].",
            )
        item_id = str(lst.next_id)
        lst.next_id += 1
        etag = f'"{uuid.uuid4()},1"'
        fields = {
            "@odata.etag": etag,
            **body["fields"],
            "id": item_id,
            "ContentType": "Item",
            "Modified": now,
            "Created": now,
        }
        item = {
            "@odata.etag": etag,
            "createdDateTime": now,
            "eTag": etag,
            "id": item_id,
            "lastModifiedDateTime": now,
            "createdBy": {"application": {"id": fake.client_id, "displayName": "CaseDesk"}},
            "contentType": {"id": "0x0100", "name": "Item"},
            "fields": fields,
        }
        lst.items[item_id] = item
        lst.reindex(item_id)
        return json_resp(
            201,
            {
                "@odata.context": f"{fake.base_url}/$metadata#sites('{m['site']}')/lists('{m['list']}')/items/$entity",
                **item_json(fake, lst, item, True, None),
            },
        )


def _item(fake: GraphFake, m: re.Match[str]) -> tuple[SpList, dict[str, Any]]:
    lst = fake.store.sp_list(m["site"], m["list"])
    if m["id"] not in lst.items:
        raise GraphError(404, "itemNotFound", "The specified list item was not found.")
    return lst, lst.items[m["id"]]


def get_item(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        lst, item = _item(fake, m)
        with_fields, select = _expand(req)
        return json_resp(
            200, item_json(fake, lst, item, with_fields or not req.option("expand"), select)
        )


def _check_if_match(req: Req, item: dict[str, Any]) -> None:
    """listitem-update: "If this request header is included and the eTag provided does not match
    the current eTag on the item, a 412 Precondition Failed response is returned and the item
    will not be updated." Code and inner code from https://learn.microsoft.com/graph/errors
    (resourceModified: "usually an eTag mismatch"; entityTagDoesNotMatch). `*` matches any
    version. The comparison is exact (strong): the eTag as Graph sent it, quotes included."""
    wanted = req.headers.get("if-match")
    if wanted is None or wanted.strip() in ("*", item["eTag"]):
        return
    raise GraphError(
        412,
        "resourceModified",
        "ETag does not match the current item's value.",
        inner_code="entityTagDoesNotMatch",
    )


def _new_version(item: dict[str, Any]) -> None:
    """SharePoint's list-item eTag is "{unique id},{version}"; every update bumps the version."""
    found = re.fullmatch(r'"(?P<guid>[^,"]+),(?P<v>\d+)"', item["eTag"])
    guid, version = (found["guid"], int(found["v"])) if found else (str(uuid.uuid4()), 0)
    item["eTag"] = item["@odata.etag"] = item["fields"]["@odata.etag"] = f'"{guid},{version + 1}"'


def delete_item(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """listitem-delete: 204 No Content; a stale If-Match gives 412 and keeps the item."""
    with fake.store.lock:
        lst, item = _item(fake, m)
        _check_if_match(req, item)
        lst.unindex(m["id"])
        del lst.items[m["id"]]
    return Resp(204)


def update_fields(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    body = req.json()
    with fake.store.lock:
        lst, item = _item(fake, m)
        _check_if_match(req, item)
        lst.unindex(m["id"])
        item["fields"].update({k: v for k, v in body.items() if not k.startswith("@")})
        item["fields"]["Modified"] = item["lastModifiedDateTime"] = mime.iso(fake.now())
        _new_version(item)
        lst.reindex(m["id"])
        return json_resp(
            200,
            {
                "@odata.context": f"{fake.base_url}/$metadata#sites('{m['site']}')/lists('{m['list']}')/items('{m['id']}')/fields/$entity",
                **item["fields"],
            },
        )


# ---- drives -----------------------------------------------------------------------------
def norm(path: str) -> str:
    return "/".join(p for p in path.split("/") if p)


def new_entry(fake: GraphFake, path: str, folder: bool, content: bytes = b"") -> DriveEntry:
    now = mime.iso(fake.now())
    item_id = "01" + base64.b32encode(os.urandom(20)).decode()
    return DriveEntry(
        item_id, path.rsplit("/", 1)[-1] if path else "root", path, folder, content, now, now
    )


def ensure_root(fake: GraphFake, drive: Drive) -> DriveEntry:
    if "" not in drive.entries:
        drive.entries[""] = new_entry(fake, "", True)
    return drive.entries[""]


def _entry(fake: GraphFake, drive: Drive, path: str) -> DriveEntry:
    ensure_root(fake, drive)
    found = drive.entries.get(norm(path).lower())
    if found is None:
        raise GraphError(404, "itemNotFound", "The resource could not be found.")
    return found


def _children(drive: Drive, parent: DriveEntry) -> list[DriveEntry]:
    prefix = f"{parent.path.lower()}/" if parent.path else ""
    return [
        e
        for k, e in drive.entries.items()
        if k and k.startswith(prefix) and "/" not in k[len(prefix) :]
    ]


def item_resource(fake: GraphFake, drive: Drive, entry: DriveEntry) -> dict[str, Any]:
    parent_path = entry.path.rsplit("/", 1)[0] if "/" in entry.path else ""
    parent = drive.entries.get(parent_path.lower()) or ensure_root(fake, drive)
    out: dict[str, Any] = {
        "createdDateTime": entry.created,
        "eTag": f'"{{{entry.id}}},{entry.version}"',
        "id": entry.id,
        "lastModifiedDateTime": entry.modified,
        "name": entry.name,
        "webUrl": f"https://graphfake.sharepoint.local/{drive.id}/{entry.path}",
        "cTag": f'"c:{{{entry.id}}},{entry.version}"',
        "size": len(entry.content),
        "createdBy": {"application": {"id": fake.client_id, "displayName": "CaseDesk"}},
    }
    if entry.path:
        out["parentReference"] = {
            "driveType": "documentLibrary",
            "driveId": drive.id,
            "id": parent.id,
            "path": f"/drives/{drive.id}/root:" + (f"/{parent_path}" if parent_path else ""),
            "siteId": drive.site,
        }
    else:
        out["root"] = {}
    if entry.folder:
        out["folder"] = {"childCount": len(_children(drive, entry))}
    else:
        out["file"] = {
            "mimeType": mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
        }
        # Pre-authenticated and short-lived in Graph; here it names the drive and item.
        out["@microsoft.graph.downloadUrl"] = (
            f"{fake.root_url}/download/{drive.id}/{entry.id}?tempauth={uuid.uuid4().hex}"
        )
    return out


def _drive(fake: GraphFake, m: re.Match[str]) -> Drive:
    drive = fake.store.drive(m["site"], m["drive"])
    ensure_root(fake, drive)
    return drive


def _parent_folder(fake: GraphFake, drive: Drive, path: str, create: bool) -> DriveEntry:
    parent_path = norm(path).rsplit("/", 1)[0] if "/" in norm(path) else ""
    if create:
        built = ""
        for part in [p for p in parent_path.split("/") if p]:
            built = f"{built}/{part}" if built else part
            drive.entries.setdefault(built.lower(), new_entry(fake, built, True))
    parent = _entry(fake, drive, parent_path)
    if not parent.folder:
        raise GraphError(409, "nameAlreadyExists", "A file exists where a folder was expected.")
    return parent


def write_file(fake: GraphFake, drive: Drive, path: str, content: bytes) -> tuple[int, DriveEntry]:
    _parent_folder(fake, drive, path, create=True)
    key = norm(path).lower()
    existing = drive.entries.get(key)
    if existing is not None and existing.folder:
        raise GraphError(409, "nameAlreadyExists", "Name already exists")
    if existing is not None:
        existing.content, existing.version, existing.modified = (
            content,
            existing.version + 1,
            mime.iso(fake.now()),
        )
        return 200, existing
    drive.entries[key] = new_entry(fake, norm(path), False, content)
    return 201, drive.entries[key]


def get_by_path(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        drive = _drive(fake, m)
        return json_resp(
            200, item_resource(fake, drive, _entry(fake, drive, m.groupdict().get("p") or ""))
        )


def put_content(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    if len(req.body) > fake.simple_upload_max_bytes:
        raise GraphError(
            413,
            "maxFileSizeExceeded",
            f"The simple upload API supports files up to {fake.simple_upload_max_bytes} bytes; use an upload session.",
        )
    with fake.store.lock:
        drive = _drive(fake, m)
        status, entry = write_file(fake, drive, m["p"], req.body)
        return json_resp(status, item_resource(fake, drive, entry))


def children(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        drive = _drive(fake, m)
        parent = _entry(fake, drive, m.groupdict().get("p") or "")
        return json_resp(
            200, {"value": [item_resource(fake, drive, e) for e in _children(drive, parent)]}
        )


def create_folder(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    body = req.json()
    name, behaviour = (
        str(body.get("name") or ""),
        body.get("@microsoft.graph.conflictBehavior", "fail"),
    )
    if not name or "folder" not in body:
        raise GraphError(
            400, "invalidRequest", "A 'name' and a 'folder' facet are required to create a folder."
        )
    with fake.store.lock:
        drive = _drive(fake, m)
        parent = _entry(fake, drive, m.groupdict().get("p") or "")
        base = f"{parent.path}/" if parent.path else ""
        path, n = base + name, 1
        while path.lower() in drive.entries and behaviour == "rename":
            path, n = f"{base}{name} {n}", n + 1
        if path.lower() in drive.entries:
            if behaviour != "replace":
                raise GraphError(409, "nameAlreadyExists", "Name already exists")
            for key in [
                k for k in drive.entries if k == path.lower() or k.startswith(path.lower() + "/")
            ]:
                del drive.entries[key]
        drive.entries[path.lower()] = entry = new_entry(fake, path, True)
        return json_resp(201, item_resource(fake, drive, entry))


def _by_id(fake: GraphFake, drive: Drive, item_id: str) -> DriveEntry:
    for entry in drive.entries.values():
        if entry.id == item_id:
            return entry
    raise GraphError(404, "itemNotFound", "The resource could not be found.")


def _remove(drive: Drive, entry: DriveEntry) -> list[DriveEntry]:
    """Take the item (and, for a folder, everything under it) out of the drive."""
    if not entry.path:
        raise GraphError(403, "accessDenied", "The root folder cannot be deleted.")
    key = entry.path.lower()
    gone = [e for k, e in drive.entries.items() if k == key or k.startswith(key + "/")]
    for e in gone:
        del drive.entries[e.path.lower()]
    return gone


def delete_drive_item(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """driveitem-delete: 204, and the item goes to the recycle bin (not gone)."""
    with fake.store.lock:
        drive = _drive(fake, m)
        found = m.groupdict()
        entry = (
            _by_id(fake, drive, found["id"]) if found.get("id") else _entry(fake, drive, found["p"])
        )
        for e in _remove(drive, entry):
            drive.recycle[e.path.lower()] = e
    return Resp(204)


def permanent_delete(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """driveitem-permanentdelete: 204, and nothing is kept in the recycle bin."""
    with fake.store.lock:
        drive = _drive(fake, m)
        _remove(drive, _by_id(fake, drive, m["id"]))
    return Resp(204)


def download(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """The pre-authenticated download URL: the file's bytes, no token needed."""
    with fake.store.lock:
        for drive in fake.store.drives.values():
            if drive.id.lower() == m["drive"].lower():
                for entry in drive.entries.values():
                    if entry.id == m["id"] and not entry.folder:
                        return Resp(200, bytes(entry.content), "application/octet-stream")
    raise GraphError(404, "itemNotFound", "The resource could not be found.")


def create_session(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    item = req.json().get("item") or {}
    behaviour = item.get("@microsoft.graph.conflictBehavior", "fail")
    expires = mime.iso(fake.now() + timedelta(hours=fake.upload_session_hours))
    with fake.store.lock:
        drive = _drive(fake, m)
        if behaviour == "fail" and norm(m["p"]).lower() in drive.entries:
            raise GraphError(409, "nameAlreadyExists", "The specified item name already exists.")
        session = UploadSession(uuid.uuid4().hex, drive, norm(m["p"]), behaviour, expires)
        fake.store.sessions[session.id] = session
    url = f"{fake.root_url}/upload/{session.id}"
    return json_resp(
        200, {"uploadUrl": url, "expirationDateTime": expires, "nextExpectedRanges": ["0-"]}
    )


# ---- upload URL (outside /v1.0; no Authorization expected) --------------------------------
def _session(fake: GraphFake, m: re.Match[str]) -> UploadSession:
    session = fake.store.sessions.get(m["id"])
    if session is None:
        raise GraphError(
            404,
            "itemNotFound",
            "The upload session was not found.",
            inner_code="uploadSessionNotFound",
        )
    return session


def _range(req: Req) -> tuple[int, int, int]:
    found = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", req.headers.get("content-range", "").strip())
    if not found:
        raise GraphError(
            400, "invalidRequest", "A valid Content-Range header (bytes a-b/total) is required."
        )
    first, last, total = (int(g) for g in found.groups())
    if last < first or last >= total or len(req.body) != last - first + 1:
        raise GraphError(
            400,
            "invalidRequest",
            "The Content-Range does not match the number of bytes sent.",
            inner_code="fragmentLengthMismatch",
        )
    return first, last, total


def _check_fragment(
    fake: GraphFake, session: UploadSession, first: int, last: int, total: int
) -> None:
    size = last - first + 1
    if size >= fake.upload_chunk_max_bytes:
        raise GraphError(
            413,
            "invalidRequest",
            "The fragment must be smaller than 60 MiB.",
            inner_code="maxFragmentLengthExceeded",
        )
    if session.total is not None and total != session.total:
        raise GraphError(
            400,
            "invalidRange",
            "Declared total size for this fragment is different from that of the upload session.",
            inner_code="fragmentLengthMismatch",
        )
    if first != len(session.data):
        code = "fragmentOverlap" if first < len(session.data) else "fragmentOutOfOrder"
        raise GraphError(
            416,
            "invalidRange",
            "The uploaded fragment is out of order or overlaps with existing data.",
            inner_code=code,
        )
    if last + 1 < total and fake.strict_chunk_multiple and size % CHUNK_MULTIPLE:
        raise GraphError(
            400,
            "invalidRange",
            "Each byte range except the last must be a multiple of 320 KiB (327,680 bytes).",
        )


def upload_put(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    if fake.reject_auth_on_upload and "authorization" in req.headers:
        raise GraphError(
            401, "unauthenticated", "Don't send the Authorization header to the upload URL."
        )
    with fake.store.lock:
        session = _session(fake, m)
        first, last, total = _range(req)
        _check_fragment(fake, session, first, last, total)
        session.total = total
        session.data.extend(req.body)
        if len(session.data) < total:
            return json_resp(
                202,
                {
                    "expirationDateTime": session.expires,
                    "nextExpectedRanges": [f"{len(session.data)}-"],
                },
            )
        del fake.store.sessions[session.id]
        if session.conflict == "fail" and session.path.lower() in session.drive.entries:
            raise GraphError(
                409,
                "nameAlreadyExists",
                "Another file exists with the same name as the uploaded session. You can redirect the upload session to use a new filename by calling PUT with the new metadata and @microsoft.graph.sourceUrl attribute.",
            )
        status, entry = write_file(fake, session.drive, session.path, bytes(session.data))
        return json_resp(status, item_resource(fake, session.drive, entry))


ROUTES = [
    route("GET", L + r"$", list_items),
    route("POST", L + r"$", create_item),
    route("GET", L + r"/(?P<id>[^/]+)$", get_item),
    route("PATCH", L + r"/(?P<id>[^/]+)/fields$", update_fields),
    route("DELETE", L + r"/(?P<id>[^/]+)$", delete_item),
    route("GET", D + r"$", get_by_path),
    route("GET", D + r"/children$", children),
    route("POST", D + r"/children$", create_folder),
    route("GET", D + r":/(?P<p>[^:]*?):?$", get_by_path),
    route("PUT", D + r":/(?P<p>[^:]+):/content$", put_content),
    route("POST", D + r":/(?P<p>[^:]+):/createUploadSession$", create_session),
    route("GET", D + r":/(?P<p>[^:]+):/children$", children),
    route("POST", D + r":/(?P<p>[^:]+):/children$", create_folder),
    route("DELETE", D + r":/(?P<p>[^:]+):?$", delete_drive_item),
    route("DELETE", ITEM + r"$", delete_drive_item),
    route("POST", ITEM + r"/permanentDelete$", permanent_delete),
    route("PUT", r"^/upload/(?P<id>[^/]+)$", upload_put, "upload"),
    route("GET", r"^/download/(?P<drive>[^/]+)/(?P<id>[^/]+)$", download, "upload"),
]
