"""Users and mail endpoints.

Shapes: user-get, message-get (incl. $value as text/plain, and the body as text with
Prefer: outlook.body-content-type="text"), user-list-messages ($filter on internetMessageId),
message-update, message-createreply, message-send, message-delta and
concepts/delta-query-messages (paging with $skiptoken / $deltatoken, Prefer:
odata.maxpagesize), concepts/outlook-immutable-id (Prefer: IdType="ImmutableId").
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from . import mime
from .errors import GraphError
from .http import Req, Resp, json_resp, route
from .store import DeltaCursor, StoredMessage

if TYPE_CHECKING:
    from .server import GraphFake

DEFAULT_PAGE_SIZE = 10  # Outlook's default page size for message collections
PATCHABLE = set(
    [
        "categories",
        "isRead",
        "subject",
        "body",
        "importance",
        "flag",
        "toRecipients",
        "ccRecipients",
        "bccRecipients",
        "replyTo",
        "inferenceClassification",
    ]
)
U = r"^/users/(?P<u>[^/]+)"
M = r"(?:/mailFolders/[^/]+)?/messages/(?P<m>[^/]+)"


def _applied(req: Req, *extra: str) -> dict[str, str]:
    prefs = [*(['IdType="ImmutableId"'] if req.immutable else []), *extra]
    return {"Preference-Applied": ", ".join(prefs)} if prefs else {}


def _context(fake: GraphFake, box_id: str, select: str | None) -> str:
    suffix = f"({select})" if select else ""
    return f"{fake.base_url}/$metadata#users('{box_id}')/messages{suffix}/$entity"


def _project(item: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return item
    wanted = {s.strip() for s in select.split(",") if s.strip()} | {
        "id",
        "@odata.etag",
        "@odata.type",
    }
    return {k: v for k, v in item.items() if k in wanted}


def message_resource(
    fake: GraphFake, req: Req, stored: StoredMessage, select: str | None = None
) -> dict[str, Any]:
    item = _project(stored.as_json(req.immutable), select)
    return {"@odata.context": _context(fake, stored.mailbox.id, select), **item}


def get_user(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    box = fake.store.mailboxes.get(m["u"].lower())
    if box is None:
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{m['u']}' does not exist or one of its queried reference-property objects are not present.",
        )
    return json_resp(
        200,
        {
            "@odata.context": f"{fake.base_url}/$metadata#users/$entity",
            "businessPhones": [],
            "displayName": box.display_name,
            "givenName": None,
            "jobTitle": None,
            "mail": box.upn,
            "mobilePhone": None,
            "officeLocation": None,
            "preferredLanguage": None,
            "surname": None,
            "userPrincipalName": box.upn,
            "id": box.id,
        },
    )


def get_mail_folder(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """GET /users/{u}/mailFolders/{f}: https://learn.microsoft.com/graph/api/mailfolder-get"""
    with fake.store.lock:
        box = fake.store.mailbox(m["u"])
        name = fake.store.folder_name(box, m["f"])
        count = len(fake.store.in_folder(box, name))
    return json_resp(
        200,
        {
            "@odata.context": f"{fake.base_url}/$metadata#users('{box.id}')/mailFolders/$entity",
            "id": box.folder_id(name),
            "displayName": name.capitalize(),
            "parentFolderId": box.folder_id("msgfolderroot"),
            "childFolderCount": 0,
            "unreadItemCount": count,
            "totalItemCount": count,
            "isHidden": False,
        },
    )


def list_folder_messages(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """GET /users/{u}/mailFolders/{f}/messages with an optional `conversationId eq '...'`
    filter (https://learn.microsoft.com/graph/api/mailfolder-list-messages)."""
    wanted = None
    flt = req.query.get("$filter", "")
    if flt:
        found = re.fullmatch(r"\s*conversationId\s+eq\s+'([^']*)'\s*", flt)
        if not found:
            raise GraphError(
                400, "ErrorInvalidUrlQueryFilter", "The query filter is not supported."
            )
        wanted = found[1]
    with fake.store.lock:
        box = fake.store.mailbox(m["u"])
        items = [
            _project(s.as_json(req.immutable), req.query.get("$select"))
            for s in fake.store.in_folder(box, fake.store.folder_name(box, m["f"]))
            if wanted is None or s.props.get("conversationId") == wanted
        ]
    return json_resp(
        200,
        {"@odata.context": f"{fake.base_url}/$metadata#users('{box.id}')/messages", "value": items},
        _applied(req),
    )


TEXT_BODY = 'outlook.body-content-type="text"'


def html_to_text(content: str) -> str:
    """Roughly what Outlook's text conversion gives: line breaks for blocks, no tags."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|<hr\s*/?>", "\r\n", content)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip() + "\r\n"


def get_message(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """GET a message; with Prefer: outlook.body-content-type="text" an HTML body comes back as
    text and Preference-Applied says so (message-get, example 3)."""
    with fake.store.lock:
        stored = fake.store.message(fake.store.mailbox(m["u"]), m["m"])
        resource = message_resource(fake, req, stored, req.option("select"))
    if not req.prefers(TEXT_BODY):
        return json_resp(200, resource, _applied(req))
    body = resource.get("body")
    if isinstance(body, dict) and body.get("contentType") == "html":
        resource["body"] = {"contentType": "text", "content": html_to_text(str(body["content"]))}
    return json_resp(200, resource, _applied(req, TEXT_BODY))


def list_messages(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """GET /users/{u}/messages, every folder; only `internetMessageId eq '...'` is filtered
    (user-list-messages; the usual way to find a message by its Message-ID header)."""
    wanted = None
    flt = req.query.get("$filter", "")
    if flt:
        found = re.fullmatch(r"\s*internetMessageId\s+eq\s+'((?:[^']|'')*)'\s*", flt)
        if not found:
            raise GraphError(
                400, "ErrorInvalidUrlQueryFilter", "The query filter is not supported."
            )
        wanted = found[1].replace("''", "'")
    with fake.store.lock:
        box = fake.store.mailbox(m["u"])
        unique = {
            id(s): s
            for s in fake.store.messages.values()
            if s.mailbox is box and (wanted is None or s.props.get("internetMessageId") == wanted)
        }
        items = [
            _project(s.as_json(req.immutable), req.query.get("$select"))
            for s in sorted(unique.values(), key=lambda s: s.seq)
        ]
    return json_resp(
        200,
        {"@odata.context": f"{fake.base_url}/$metadata#users('{box.id}')/messages", "value": items},
        _applied(req),
    )


def send_message(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """POST .../messages/{id}/send: 202 and no body; the draft moves to Sent Items
    (message-send). Sending a message that is not a draft is refused (the fake's own 400)."""
    with fake.store.lock:
        stored = fake.store.message(fake.store.mailbox(m["u"]), m["m"])
        if not stored.props.get("isDraft"):
            raise GraphError(400, "ErrorInvalidOperation", "Only a draft message can be sent.")
        from .compose import check_message_rate

        check_message_rate(fake)
        stored.folder = "sentitems"
        stored.props.update(
            {
                "isDraft": False,
                "sentDateTime": mime.iso(fake.now()),
                "parentFolderId": stored.mailbox.folder_id("sentitems"),
            }
        )
        stored.change_seq = fake.store.next_seq()
        fake.sent.append(stored.as_json(immutable=True))
    return Resp(202)


def get_mime(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        stored = fake.store.message(fake.store.mailbox(m["u"]), m["m"])
        return Resp(200, stored.mime, "text/plain", _applied(req))


def patch_message(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    body = {k: v for k, v in req.json().items() if not k.startswith("@")}  # SDKs send @odata.type
    unknown = sorted(set(body) - PATCHABLE)
    if unknown:
        raise GraphError(
            400,
            "RequestBodyRead",
            f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.message'. Make sure to only use property names that are defined by the type or mark the type as open type.",
        )
    with fake.store.lock:
        stored = fake.store.message(fake.store.mailbox(m["u"]), m["m"])
        stored.props.update(body)
        stored.props["lastModifiedDateTime"] = mime.iso(fake.now())
        stored.change_seq = fake.store.next_seq()
        result = message_resource(fake, req, stored)
    fake.notify(stored, "updated")
    return json_resp(200, result, _applied(req))


def create_reply(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    # OData action parameters are matched case-insensitively: msgraph-sdk sends "Comment".
    body = {str(k).lower(): v for k, v in req.json().items()}
    overlay = {k: v for k, v in dict(body.get("message") or {}).items() if not k.startswith("@")}
    comment = body.get("comment")
    if comment is not None and "body" in overlay:
        raise GraphError(
            400,
            "ErrorInvalidRequest",
            "Specify either a comment or the body property of the message parameter, not both.",
        )
    with fake.store.lock:
        box = fake.store.mailbox(m["u"])
        original = fake.store.message(box, m["m"])
        quoted = str(original.props["body"]["content"])
        if original.props["body"]["contentType"] == "text":
            quoted = f"<pre>{html.escape(quoted)}</pre>"
        content = f"<html><body><div>{html.escape(str(comment or ''))}</div><hr><div>{quoted}</div></body></html>"
        raw = mime.reply_mime(original.mime, box.upn, content)
        props = mime.message_json(raw, fake.now(), box.folder_id("drafts"))
        props.update(
            {
                "isDraft": True,
                "isRead": True,
                "conversationId": original.props["conversationId"],
                "body": {"contentType": "html", "content": content},
            }
        )
        props.update({k: v for k, v in overlay.items() if k in PATCHABLE})
        draft = fake.store.store_message(box, raw, "drafts", props)
        return json_resp(201, message_resource(fake, req, draft), _applied(req))


def _page_size(req: Req) -> tuple[int, list[str]]:
    for pref in req.prefer:
        found = re.fullmatch(r"odata\.maxpagesize\s*=\s*(\d+)", pref, re.IGNORECASE)
        if found:
            return max(1, int(found[1])), [f"odata.maxpagesize={found[1]}"]
    return DEFAULT_PAGE_SIZE, []


def _new_cursor(
    fake: GraphFake, req: Req, m: re.Match[str], since: int, select: str | None
) -> DeltaCursor:
    box = fake.store.mailbox(m["u"])
    folder = fake.store.folder_name(box, m["f"])
    changed = [s.ids[0] for s in fake.store.in_folder(box, folder) if s.change_seq > since]
    return DeltaCursor(box, folder, fake.store.seq, changed, select)


def delta(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    size, extra = _page_size(req)
    store = fake.store
    with store.lock:
        token = req.option("skiptoken") or req.option("deltatoken")
        if token is not None:
            previous = store.cursors.get(token)
            if previous is None:
                raise GraphError(
                    410,
                    "SyncStateNotFound",
                    "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
                )
            cursor = (
                previous
                if req.option("skiptoken")
                else _new_cursor(fake, req, m, previous.watermark, previous.select)
            )
        else:
            cursor = _new_cursor(fake, req, m, 0, req.option("select"))
        page, rest = cursor.pending[:size], cursor.pending[size:]
        values = [
            {
                "@odata.type": "#microsoft.graph.message",
                **_project(store.messages[i].as_json(req.immutable), cursor.select),
            }
            for i in page
        ]
        link = f"{fake.base_url}/users/{cursor.mailbox.id}/mailFolders('{cursor.folder}')/messages/delta"
        next_token = secrets.token_urlsafe(18)
        store.cursors[next_token] = replace(cursor, pending=rest)
        kind = "@odata.nextLink" if rest else "@odata.deltaLink"
        param = "$skiptoken" if rest else "$deltatoken"
    payload = {
        "@odata.context": f"{fake.base_url}/$metadata#Collection(message)",
        kind: f"{link}?{param}={next_token}",
        "value": values,
    }
    return json_resp(200, payload, _applied(req, *extra))


ROUTES = [
    route("GET", U + r"/mailFolders/(?P<f>[^/]+)/messages/delta(?:\(\))?$", delta),
    route("GET", U + r"/mailFolders/(?P<f>[^/]+)$", get_mail_folder),
    route("GET", U + r"/mailFolders/(?P<f>[^/]+)/messages$", list_folder_messages),
    route("GET", U + r"$", get_user),
    route("GET", U + r"/messages$", list_messages),
    route("POST", U + M + r"/send$", send_message),
    route("GET", U + M + r"/\$value$", get_mime),
    route("GET", U + M + r"$", get_message),
    route("PATCH", U + M + r"$", patch_message),
    route("POST", U + M + r"/createReply$", create_reply),
]
