"""Tests of the Graph fake itself, over plain urllib (no SDK)."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from graphfake import GraphFake
from mailmaker import mail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graph"
UPN = "alex.morgan@parliament.example"
IMMUTABLE = 'IdType="ImmutableId"'
Response = tuple[int, dict[str, str], bytes]


def call(
    method: str, url: str, body: Any = None, token: str | None = None, **headers: str
) -> Response:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if data is not None and isinstance(body, dict):
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def doc(name: str) -> dict[str, Any]:
    """A documentation example from tests/fixtures/graph, without its _source/_note keys."""
    payload = json.loads((FIXTURES / name).read_text())
    return {k: v for k, v in payload.items() if not k.startswith("_")}


def error_of(response: Response) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(response[2])["error"]
    assert set(error["innerError"]) >= {"date", "request-id", "client-request-id"}
    return error


class Receiver:
    """A tiny webhook endpoint: echoes validation tokens (or not) and records notifications."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.validations: list[tuple[str, str]] = []  # (token, content type)
        self.echo = "right"  # right | wrong | fail
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = parse_qs(urlsplit(self.path).query)
                if "validationToken" in query:
                    token = query["validationToken"][0]
                    receiver.validations.append((token, self.headers.get("Content-Type", "")))
                    answer = {"right": token, "wrong": token[:5]}.get(receiver.echo, "")
                    self._reply(500 if receiver.echo == "fail" else 200, answer.encode())
                    return
                receiver.posts.append((urlsplit(self.path).path, json.loads(body)))
                self._reply(202, b"")

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def fake() -> Iterator[GraphFake]:
    with GraphFake(client_secret="s3cret", simple_upload_max_bytes=1024) as server:
        server.add_mailbox(UPN, "Alex Morgan")
        yield server


@pytest.fixture
def token(fake: GraphFake) -> str:
    form = urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": fake.client_id,
            "client_secret": "s3cret",
            "scope": "https://graph.microsoft.com/.default",
        }
    ).encode()
    status, _, body = call("POST", fake.token_url, form)
    assert status == 200
    issued = json.loads(body)
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3599
    assert set(issued) >= set(doc("token-response.json"))
    return str(issued["access_token"])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.server.shutdown()


def subscribe(fake: GraphFake, token: str, receiver: Receiver, **extra: Any) -> Response:
    body = {
        "changeType": "created",
        "notificationUrl": f"{receiver.url}/notify",
        "lifecycleNotificationUrl": f"{receiver.url}/lifecycle",
        "resource": f"users/{UPN}/mailFolders('inbox')/messages",
        "expirationDateTime": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        "clientState": "secret-state",
        **extra,
    }
    return call("POST", f"{fake.base_url}/subscriptions", body, token, Prefer=IMMUTABLE)


def test_token_and_auth_refusal(fake: GraphFake, token: str) -> None:
    user_url = f"{fake.base_url}/users/{UPN}"
    refused = call("GET", user_url)
    assert refused[0] == 401 and error_of(refused)["code"] == "InvalidAuthenticationToken"
    assert call("GET", user_url, token="not-a-token")[0] == 401
    bad = urlencode(
        {"grant_type": "client_credentials", "client_secret": "no", "scope": "x/.default"}
    )
    status, _, body = call("POST", fake.token_url, bad.encode())
    assert status == 401 and json.loads(body)["error"] == "invalid_client"
    status, _, body = call("GET", user_url, token=token)
    assert status == 200 and json.loads(body)["userPrincipalName"] == UPN
    missing = call("GET", f"{fake.base_url}/users/nobody@parliament.example", token=token)
    assert missing[0] == 404 and error_of(missing)["code"] == "Request_ResourceNotFound"


def test_subscription_handshake_then_notification(
    fake: GraphFake, token: str, receiver: Receiver
) -> None:
    status, _, body = subscribe(fake, token, receiver)
    assert status == 201, body
    sub = json.loads(body)
    assert len(receiver.validations) == 2  # notificationUrl and lifecycleNotificationUrl
    assert receiver.validations[0][1].startswith("text/plain")
    message_id = fake.deliver(UPN, mail())
    [(path, payload)] = receiver.posts
    [item] = payload["value"]
    assert path == "/notify" and item["clientState"] == "secret-state"
    assert item["subscriptionId"] == sub["id"] and item["changeType"] == "created"
    [documented] = doc("change-notification-collection.json")["value"]
    assert set(item) == set(documented)
    assert set(item["resourceData"]) == set(documented["resourceData"])
    assert set(sub) >= set(doc("subscription-create-response.json"))
    assert item["resourceData"]["id"] == message_id  # immutable: asked for at creation
    assert item["resource"] == f"Users/{fake.add_mailbox(UPN)}/Messages/{message_id}"
    assert "-" in message_id or "_" in message_id
    assert fake.notifications[-1].status == 202


def test_subscription_validation_and_limits(
    fake: GraphFake, token: str, receiver: Receiver
) -> None:
    receiver.echo = "wrong"
    wrong = subscribe(fake, token, receiver)
    assert wrong[0] == 400 and error_of(wrong)["code"] == "ValidationError"
    receiver.echo = "fail"
    assert "200 OK" in error_of(subscribe(fake, token, receiver))["message"]
    receiver.echo = "right"
    too_long = (datetime.now(UTC) + timedelta(minutes=4231)).isoformat()
    late = subscribe(fake, token, receiver, expirationDateTime=too_long)
    assert late[0] == 400 and "4230 minutes" in error_of(late)["message"]
    assert subscribe(fake, token, receiver, clientState="x" * 129)[0] == 400
    plain = subscribe(fake, token, receiver, notificationUrl="http://example.com/hook")
    assert plain[0] == 400 and error_of(plain)["code"] == "ValidationError"
    assert fake.subscriptions() == []


def test_subscription_get_renew_delete(fake: GraphFake, token: str, receiver: Receiver) -> None:
    sub_id = json.loads(subscribe(fake, token, receiver)[2])["id"]
    url = f"{fake.base_url}/subscriptions/{sub_id}"
    listed = json.loads(call("GET", f"{fake.base_url}/subscriptions", token=token)[2])
    assert [s["id"] for s in listed["value"]] == [sub_id]
    later = (datetime.now(UTC) + timedelta(days=2, hours=20)).isoformat()
    status, _, body = call("PATCH", url, {"expirationDateTime": later}, token)
    assert status == 200 and json.loads(body)["expirationDateTime"].startswith(later[:19])
    assert call("DELETE", url, token=token)[0] == 204
    assert call("GET", url, token=token)[0] == 404


def test_delta_paging_then_incremental_delta_link(fake: GraphFake, token: str) -> None:
    delivered = [fake.deliver(UPN, mail(message_id=f"<m{i}@example.org>")) for i in range(5)]
    url: str | None = f"{fake.base_url}/users/{UPN}/mailFolders/inbox/messages/delta"
    seen: list[str] = []
    pages = 0
    while url:
        status, headers, body = call(
            "GET", url, token=token, Prefer=f"odata.maxpagesize=2, {IMMUTABLE}"
        )
        assert status == 200 and IMMUTABLE in headers["Preference-Applied"]
        page = json.loads(body)
        seen += [m["id"] for m in page["value"]]
        pages += 1
        url = page.get("@odata.nextLink")
        if url:
            assert "$skiptoken=" in url
        delta_link = page.get("@odata.deltaLink")
    assert pages == 3 and seen == delivered
    assert delta_link and "$deltatoken=" in delta_link
    newest = fake.deliver(UPN, mail(message_id="<later@example.org>"))
    page = json.loads(call("GET", delta_link, token=token, Prefer=IMMUTABLE)[2])
    assert [m["id"] for m in page["value"]] == [newest] and "@odata.deltaLink" in page


def test_get_message_select_and_mime(fake: GraphFake, token: str) -> None:
    raw = mail(subject="Damp in my flat")
    message_id = fake.deliver(UPN, raw, notify=False)
    base = f"{fake.base_url}/users/{UPN}/messages/{message_id}"
    status, headers, body = call("GET", f"{base}?$select=subject,from", token=token)
    message = json.loads(body)
    assert status == 200 and message["subject"] == "Damp in my flat"
    assert set(message) == {"@odata.context", "@odata.etag", "id", "subject", "from"}
    full = json.loads(call("GET", base, token=token)[2])
    assert set(full) >= set(doc("message.json"))
    assert full["from"]["emailAddress"]["address"] == "priya.shah@example.org"
    assert full["internetMessageId"] == "<m1@example.org>" and full["categories"] == []
    status, headers, body = call("GET", f"{base}/$value", token=token)
    assert status == 200 and headers["Content-Type"] == "text/plain" and body == raw


def test_categories_and_create_reply(fake: GraphFake, token: str) -> None:
    message_id = fake.deliver(UPN, mail(), notify=False)
    base = f"{fake.base_url}/users/{UPN}/messages/{message_id}"
    status, _, body = call("PATCH", base, {"categories": ["CaseDesk: Housing"]}, token)
    assert status == 200 and json.loads(body)["categories"] == ["CaseDesk: Housing"]
    reply = {"comment": "Thank you"}
    status, _, body = call("POST", f"{base}/createReply", reply, token, Prefer=IMMUTABLE)
    draft = json.loads(body)
    assert status == 201 and draft["isDraft"] and draft["subject"] == "RE: Damp in my flat"
    assert [d["id"] for d in fake.drafts(UPN)] == [draft["id"]]
    both = {"comment": "x", "message": {"body": {"contentType": "text", "content": "y"}}}
    assert call("POST", f"{base}/createReply", both, token)[0] == 400


def test_find_by_message_id_text_body_and_send(fake: GraphFake, token: str) -> None:
    message_id = fake.deliver(UPN, mail(message_id="<o'brien.1@example.org>"), notify=False)
    listing = f"{fake.base_url}/users/{UPN}/messages"
    flt = quote("internetMessageId eq '<o''brien.1@example.org>'")
    status, _, body = call(
        "GET", f"{listing}?$filter={flt}&$select=id", token=token, Prefer=IMMUTABLE
    )
    assert status == 200 and [m["id"] for m in json.loads(body)["value"]] == [message_id]
    other = quote("subject eq 'x'")
    assert error_of(call("GET", f"{listing}?$filter={other}", token=token))["code"] == (
        "ErrorInvalidUrlQueryFilter"
    )
    base = f"{fake.base_url}/users/{UPN}/messages/{message_id}"
    draft = json.loads(call("POST", f"{base}/createReply", {"comment": "Thank you"}, token,
                            Prefer=IMMUTABLE)[2])  # fmt: skip
    draft_url = f"{fake.base_url}/users/{UPN}/messages/{draft['id']}"
    text_pref = 'outlook.body-content-type="text"'
    status, headers, body = call("GET", f"{draft_url}?$select=body", token=token, Prefer=text_pref)
    expected = doc("message-get-text-body.json")
    assert status == 200 and headers["Preference-Applied"] == text_pref
    assert json.loads(body)["body"]["contentType"] == expected["body"]["contentType"]
    assert json.loads(body)["body"]["content"].startswith("Thank you\r\n")
    assert call("POST", f"{base}/send", None, token)[0] == 400  # not a draft
    status, _, body = call("POST", f"{draft_url}/send", b"", token)
    documented = json.loads((FIXTURES / "message-send.json").read_text())["_status"]
    assert (status, body) == (documented, b"")
    assert [m["id"] for m in fake.messages(UPN, "sentitems")] == [draft["id"]]
    assert fake.drafts(UPN) == [] and fake.sent[0]["isDraft"] is False


def test_list_items_create_and_filter(fake: GraphFake, token: str) -> None:
    fake.add_list("site-1", "cases", non_indexed=["Status"])
    url = f"{fake.base_url}/sites/site-1/lists/cases/items"
    for title in ("CD-1", "CD-2"):
        status, _, body = call("POST", url, {"fields": {"Title": title, "Status": "Open"}}, token)
        assert status == 201 and json.loads(body)["fields"]["Title"] == title
    found = json.loads(
        call(
            "GET",
            f"{url}?expand=fields&$filter=fields/Title eq 'CD-2'".replace(" ", "%20"),
            token=token,
        )[2]
    )
    assert [i["fields"]["Title"] for i in found["value"]] == ["CD-2"]
    by_status = f"{url}?expand=fields&$filter=fields/Status%20eq%20'Open'"
    refused = call("GET", by_status, token=token)
    assert (
        refused[0] == 400
        and "HonorNonIndexedQueriesWarningMayFailRandomly" in error_of(refused)["message"]
    )
    allowed = call(
        "GET", by_status, token=token, Prefer="HonorNonIndexedQueriesWarningMayFailRandomly"
    )
    assert allowed[0] == 200 and len(json.loads(allowed[2])["value"]) == 2
    status, _, body = call("PATCH", f"{url}/1/fields", {"Status": "Closed"}, token)
    assert status == 200 and json.loads(body)["Status"] == "Closed"
    assert fake.list_items("site-1", "cases")[0]["fields"]["Status"] == "Closed"


def test_simple_upload_limit_and_folders(fake: GraphFake, token: str) -> None:
    fake.add_drive("site-1", "drive-1")
    root = f"{fake.base_url}/sites/site-1/drives/drive-1/root"
    assert call("PUT", f"{root}:/Cases/CD-1/a.txt:/content", b"x" * 1024, token)[0] == 201
    assert call("PUT", f"{root}:/Cases/CD-1/a.txt:/content", b"y" * 1024, token)[0] == 200
    too_big = call("PUT", f"{root}:/Cases/b.txt:/content", b"x" * 1025, token)
    assert too_big[0] == 413 and fake.drive_files("site-1", "drive-1") == {
        "Cases/CD-1/a.txt": b"y" * 1024
    }
    missing = call("GET", f"{root}:/Cases/nope.txt", token=token)
    assert missing[0] == 404 and error_of(missing)["code"] == "itemNotFound"
    folder = {"name": "CD-1", "folder": {}, "@microsoft.graph.conflictBehavior": "fail"}
    clash = call("POST", f"{root}:/Cases:/children", folder, token)
    assert clash[0] == 409 and error_of(clash)["code"] == "nameAlreadyExists"
    renamed = call(
        "POST",
        f"{root}:/Cases:/children",
        {**folder, "@microsoft.graph.conflictBehavior": "rename"},
        token,
    )
    assert renamed[0] == 201 and json.loads(renamed[2])["name"] == "CD-1 1"
    listed = json.loads(call("GET", f"{root}:/Cases:/children", token=token)[2])
    assert sorted(i["name"] for i in listed["value"]) == ["CD-1", "CD-1 1"]


def test_upload_session_chunk_rules(fake: GraphFake, token: str) -> None:
    fake.add_drive("site-1", "drive-1")
    root = f"{fake.base_url}/sites/site-1/drives/drive-1/root"
    status, _, body = call("POST", f"{root}:/Cases/big.pdf:/createUploadSession", {}, token)
    assert status == 200
    upload_url = json.loads(body)["uploadUrl"]
    data, chunk = bytes(range(256)) * 1500, 320 * 1024  # 384,000 bytes
    total = len(data)

    def put(first: int, last: int) -> Response:
        rng = f"bytes {first}-{last}/{total}"
        return call("PUT", upload_url, data[first : last + 1], **{"Content-Range": rng})

    assert put(0, 999)[0] == 400  # not a multiple of 320 KiB and not the last range
    status, _, body = put(0, chunk - 1)
    assert status == 202 and json.loads(body)["nextExpectedRanges"] == [f"{chunk}-"]
    assert put(0, chunk - 1)[0] == 416  # overlaps what was received
    status, _, body = put(chunk, total - 1)
    assert status == 201 and json.loads(body)["size"] == total
    assert fake.drive_files("site-1", "drive-1")["Cases/big.pdf"] == data
    fake.upload_chunk_max_bytes = chunk
    upload_url = json.loads(call("POST", f"{root}:/c.bin:/createUploadSession", {}, token)[2])[
        "uploadUrl"
    ]
    assert put(0, chunk - 1)[0] == 413  # per-request maximum (60 MiB by default)


def test_injected_429_with_retry_after(fake: GraphFake, token: str) -> None:
    fake.fail("GET", r"/users/", 429, times=1, retry_after=2)
    throttled = call("GET", f"{fake.base_url}/users/{UPN}", token=token)
    assert throttled[0] == 429 and throttled[1]["Retry-After"] == "2"
    error = error_of(throttled)
    assert error["code"] == "TooManyRequests"
    assert set(error["innerError"]) >= set(doc("throttled-429.json")["error"]["innerError"])
    assert call("GET", f"{fake.base_url}/users/{UPN}", token=token)[0] == 200


def test_injected_delay_and_mailbox_concurrency(fake: GraphFake, token: str) -> None:
    fake.delay("GET", r"/users/", 0.2)
    started = time.monotonic()
    assert call("GET", f"{fake.base_url}/users/{UPN}", token=token)[0] == 200
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    call("GET", f"{fake.base_url}/users/{UPN}", token=token)
    assert time.monotonic() - started < 0.2
    # A delayed request keeps its mailbox slot: a third at once is over a limit of two.
    fake.mailbox_concurrency = 2
    url = f"{fake.base_url}/users/{UPN}/messages/{fake.deliver(UPN, mail(), notify=False)}"
    fake.delay("GET", r"/messages/", 0.2, times=3)
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(call("GET", url, token=token)[0]))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 429]


def test_drop_notifications_still_stores(fake: GraphFake, token: str, receiver: Receiver) -> None:
    assert subscribe(fake, token, receiver)[0] == 201
    fake.drop_notifications(True)
    message_id = fake.deliver(UPN, mail())
    assert receiver.posts == [] and [m["id"] for m in fake.messages(UPN)] == [message_id]
    fake.drop_notifications(False)
    fake.deliver(UPN, mail(message_id="<m2@example.org>"))
    assert len(receiver.posts) == 1


def test_lifecycle_events(fake: GraphFake, token: str, receiver: Receiver) -> None:
    sub_id = json.loads(subscribe(fake, token, receiver)[2])["id"]
    for event in ("reauthorizationRequired", "missed", "subscriptionRemoved"):
        assert fake.send_lifecycle(sub_id, event).status == 202
    events = [(p, body["value"][0]["lifecycleEvent"]) for p, body in receiver.posts]
    assert events == [
        ("/lifecycle", e) for e in ("reauthorizationRequired", "missed", "subscriptionRemoved")
    ]
    assert receiver.posts[0][1]["value"][0]["clientState"] == "secret-state"
    assert fake.subscriptions() == []  # removed


def test_request_log_and_unknown_route(fake: GraphFake, token: str) -> None:
    unknown = call(
        "GET", f"{fake.base_url}/users/{UPN}/nonsense", token=token, **{"client-request-id": "abc"}
    )
    assert unknown[0] == 400 and error_of(unknown)["innerError"]["client-request-id"] == "abc"
    _, method, path, headers, body = fake.requests[-1]
    assert (method, path, body) == ("GET", f"/v1.0/users/{UPN}/nonsense", b"")
    assert headers["Authorization"] == f"Bearer {token}"


# ---- JSON batching (https://learn.microsoft.com/graph/json-batching) ----------------------------
def batch(fake: GraphFake, token: str | None, requests: Any, path: str = "$batch") -> Response:
    return call("POST", f"{fake.base_url}/{path}", {"requests": requests}, token)


def answers(response: Response) -> list[dict[str, Any]]:
    assert response[0] == 200, response[2]
    found: list[dict[str, Any]] = json.loads(response[2])["responses"]
    return found


JSON_HEADERS = {"Content-Type": "application/json"}


def test_batch_runs_mixed_requests_through_the_normal_routes(fake: GraphFake, token: str) -> None:
    fake.add_list("site-1", "cases")
    fake.add_drive("site-1", "drive-1")
    raw_mail = mail(subject="Damp in my flat")
    message_id = fake.deliver(UPN, raw_mail, notify=False)
    eml = b"From: a@example.org\r\n\r\nbinary \x00\xff\xfe"
    items = "sites/site-1/lists/cases/items"
    sent_before = len(fake.requests)
    requests = [
        {"id": "1", "method": "GET", "url": f"/users/{UPN}?$select=id"},
        {
            "id": "2",
            "method": "POST",
            "url": items,  # relative without the leading slash works too
            "headers": JSON_HEADERS,
            "body": {"fields": {"Title": "CD-1"}},
        },
        {
            "id": "3",
            "method": "patch",
            "url": f"/{items}/1/fields",
            "headers": {"content-type": "application/json"},
            "body": {"Status": "Open"},
            "dependsOn": ["2"],
        },
        {
            "id": "4",
            "method": "PUT",
            "url": "/drives/drive-1/root:/Cases/CD-1/m.eml:/content",
            "headers": {"Content-Type": "message/rfc822"},
            "body": base64.b64encode(eml).decode(),
        },
        {"id": "5", "method": "GET", "url": f"/users/{UPN}/messages/{message_id}/$value"},
        {"id": "6", "method": "GET", "url": f"/users/{UPN}/nonsense"},
    ]
    responses = answers(batch(fake, token, requests))
    assert [r["id"] for r in responses] == ["1", "2", "3", "4", "5", "6"]
    by_id = {r["id"]: r for r in responses}
    assert by_id["1"]["status"] == 200 and by_id["1"]["body"]["userPrincipalName"] == UPN
    assert by_id["1"]["headers"]["Content-Type"].startswith("application/json")
    assert by_id["2"]["status"] == 201 and by_id["2"]["body"]["fields"]["Title"] == "CD-1"
    assert by_id["3"]["status"] == 200 and by_id["3"]["body"]["Status"] == "Open"
    # Graph answers a request sent with a base64 body in base64, although the answer is JSON.
    assert by_id["4"]["status"] == 201
    assert json.loads(base64.b64decode(by_id["4"]["body"]))["size"] == len(eml)
    assert fake.drive_files("site-1", "drive-1") == {"Cases/CD-1/m.eml": eml}
    assert by_id["5"]["headers"]["Content-Type"] == "text/plain"
    assert base64.b64decode(by_id["5"]["body"]) == raw_mail  # not JSON: base64
    assert by_id["6"]["status"] == 400 and by_id["6"]["body"]["error"]["code"] == "BadRequest"
    assert fake.list_items("site-1", "cases")[0]["fields"]["Status"] == "Open"
    # One HTTP round trip; six operations inside it, with the batch's token.
    assert [(m, p) for _, m, p, _, _ in fake.requests[sent_before:]] == [("POST", "/v1.0/$batch")]
    inner = fake.batched
    assert [(m, p) for _, m, p, _, _ in inner] == [
        ("GET", f"/v1.0/users/{UPN}?$select=id"),
        ("POST", f"/v1.0/{items}"),
        ("PATCH", f"/v1.0/{items}/1/fields"),
        ("PUT", "/v1.0/drives/drive-1/root:/Cases/CD-1/m.eml:/content"),
        ("GET", f"/v1.0/users/{UPN}/messages/{message_id}/$value"),
        ("GET", f"/v1.0/users/{UPN}/nonsense"),
    ]
    assert inner[3][4] == eml and json.loads(inner[1][4]) == {"fields": {"Title": "CD-1"}}
    assert all(h["Authorization"] == f"Bearer {token}" for _, _, _, h, _ in inner)
    # The URL-encoded path works, and the base64 echo can be switched off.
    fake.batch_base64_echo = False
    [put] = answers(batch(fake, token, requests[3:4], path="%24batch"))
    assert put["status"] == 200 and put["body"]["size"] == len(eml)  # replaced; JSON now


def test_batch_needs_a_token_and_a_well_formed_body(fake: GraphFake, token: str) -> None:
    fake.add_list("site-1", "cases")
    get = {"method": "GET", "url": "/sites/site-1/lists/cases/items"}
    refused = batch(fake, None, [{"id": "1", **get}])
    assert refused[0] == 401 and error_of(refused)["code"] == "InvalidAuthenticationToken"
    assert len(answers(batch(fake, token, [{"id": str(i), **get} for i in range(20)]))) == 20
    run_so_far = len(fake.batched)
    post = {"method": "POST", "url": "/sites/site-1/lists/cases/items"}
    malformed = {
        "over 20": [{"id": str(i), **get} for i in range(21)],
        "no id": [get],
        "ids ignore case": [{"id": "a", **get}, {"id": "A", **get}],
        "write without body": [{"id": "1", **post, "headers": JSON_HEADERS}],
        "body without Content-Type": [{"id": "1", **post, "body": {"fields": {}}}],
        "depends on a later request": [{"id": "1", **get, "dependsOn": ["2"]}, {"id": "2", **get}],
        "not base64": [{"id": "1", **post, "headers": {"Content-Type": "a/b"}, "body": "!*"}],
    }
    for why, requests in malformed.items():
        response = batch(fake, token, requests)
        assert response[0] == 400, why
        assert error_of(response)["code"] == "BadRequest", why
    over = error_of(batch(fake, token, malformed["over 20"]))["message"]
    assert "20" in over
    no_body = error_of(batch(fake, token, malformed["write without body"]))["message"]
    assert no_body == "Write request id : 1 does not contain Content-Type header or body."
    not_json = call("POST", f"{fake.base_url}/$batch", b"{", token, **JSON_HEADERS)
    assert not_json[0] == 400
    assert len(fake.batched) == run_so_far  # a malformed batch runs nothing
    assert fake.list_items("site-1", "cases") == []


def test_batch_depends_on_gives_424_down_the_chain(fake: GraphFake, token: str) -> None:
    fake.add_list("site-1", "cases")
    items = "/sites/site-1/lists/cases/items"
    create = {"method": "POST", "url": items, "headers": JSON_HEADERS}
    requests = [
        {"id": "a", "method": "GET", "url": f"{items}/99"},  # no such item: 404
        {
            "id": "b",
            "method": "PATCH",
            "url": f"{items}/99/fields",
            "headers": JSON_HEADERS,
            "body": {"Status": "Closed"},
            "dependsOn": ["a"],
        },
        {"id": "c", **create, "body": {"fields": {"Title": "C"}}, "dependsOn": ["B"]},
        {"id": "d", **create, "body": {"fields": {"Title": "D"}}},
        {"id": "e", **create, "body": {"fields": {"Title": "E"}}, "dependsOn": ["d"]},
    ]
    responses = answers(batch(fake, token, requests))
    assert [(r["id"], r["status"]) for r in responses] == [
        ("a", 404),
        ("b", 424),  # its dependency failed
        ("c", 424),  # its dependency was not run (ids ignore case)
        ("d", 201),
        ("e", 201),
    ]
    failed = responses[1]["body"]["error"]
    assert set(failed) == {"code", "message", "innerError"}
    assert set(failed["innerError"]) >= {"date", "request-id", "client-request-id"}
    assert [p for _, _, p, _, _ in fake.batched] == [
        f"/v1.0{items}/99",
        f"/v1.0{items}",
        f"/v1.0{items}",
    ]
    assert [i["fields"]["Title"] for i in fake.list_items("site-1", "cases")] == ["D", "E"]


def test_batch_inner_requests_meet_injected_faults(fake: GraphFake, token: str) -> None:
    fake.add_list("site-1", "cases")
    fake.fail("POST", r"/lists/cases/items$", 429, times=1, retry_after=3)
    create = {"method": "POST", "url": "/sites/site-1/lists/cases/items", "headers": JSON_HEADERS}
    requests = [
        {"id": "1", **create, "body": {"fields": {"Title": "CD-1"}}},
        {"id": "2", **create, "body": {"fields": {"Title": "CD-2"}}},
        {"id": "3", **create, "body": {"fields": {"Title": "CD-3"}}, "dependsOn": ["1"]},
    ]
    status, _, body = batch(fake, token, requests)
    assert status == 200  # "The batch itself succeeds with a status code of 200"
    throttled, created, skipped = json.loads(body)["responses"]
    assert throttled["status"] == 429 and throttled["headers"]["Retry-After"] == "3"
    assert throttled["body"]["error"]["code"] == "TooManyRequests"
    assert created["status"] == 201 and skipped["status"] == 424
    assert [i["fields"]["Title"] for i in fake.list_items("site-1", "cases")] == ["CD-2"]
    assert len(fake.batched) == 2


# ---- If-Match on list items (https://learn.microsoft.com/graph/api/listitem-update) -------------
def test_list_item_update_honours_if_match(fake: GraphFake, token: str) -> None:
    fake.add_list("site-1", "counters")
    url = f"{fake.base_url}/sites/site-1/lists/counters/items"
    created = json.loads(call("POST", url, {"fields": {"Title": "2026", "Last": 0}}, token)[2])
    first = created["eTag"]
    assert first.endswith(',1"') and created["fields"]["@odata.etag"] == first
    item_url = f"{url}/{created['id']}"

    status, _, body = call("PATCH", f"{item_url}/fields", {"Last": 1}, token, **{"If-Match": first})
    second = json.loads(body)["@odata.etag"]
    assert status == 200 and second == first.replace(',1"', ',2"')  # same item id, next version
    current = json.loads(call("GET", item_url, token=token)[2])
    assert current["eTag"] == current["@odata.etag"] == current["fields"]["@odata.etag"] == second
    listed = json.loads(call("GET", f"{url}?expand=fields", token=token)[2])["value"]
    assert [i["eTag"] for i in listed] == [second]

    stale = call("PATCH", f"{item_url}/fields", {"Last": 99}, token, **{"If-Match": first})
    assert stale[0] == 412
    assert error_of(stale)["code"] == "resourceModified"
    assert error_of(stale)["innerError"]["code"] == "entityTagDoesNotMatch"
    [row] = fake.list_items("site-1", "counters")
    assert row["fields"]["Last"] == 1 and row["eTag"] == second  # unchanged

    status, _, body = call("PATCH", f"{item_url}/fields", {"Last": 2}, token, **{"If-Match": "*"})
    third = json.loads(body)["@odata.etag"]
    assert status == 200 and third.endswith(',3"')
    status, _, body = call("PATCH", f"{item_url}/fields", {"Last": 3}, token)  # no If-Match
    assert status == 200 and json.loads(body)["@odata.etag"].endswith(',4"')

    # If-Match travels in a batched request's headers too.
    patch = {"method": "PATCH", "url": f"/sites/site-1/lists/counters/items/{created['id']}/fields"}
    responses = answers(
        batch(
            fake,
            token,
            [
                {"id": "1", **patch, "headers": {**JSON_HEADERS, "If-Match": third}, "body": {}},
                {
                    "id": "2",
                    **patch,
                    "headers": JSON_HEADERS,
                    "body": {"Last": 9},
                    "dependsOn": ["1"],
                },
            ],
        )
    )
    assert [r["status"] for r in responses] == [412, 424]
    assert fake.list_items("site-1", "counters")[0]["fields"]["Last"] == 3


# ---- deleting and downloading (listitem-delete, driveitem-get-content, driveitem-delete,
# driveitem-permanentdelete) ----------------------------------------------------------------------
def test_list_item_delete_answers_204_and_honours_if_match(fake: GraphFake, token: str) -> None:
    fake.add_list("site-1", "cases")
    url = f"{fake.base_url}/sites/site-1/lists/cases/items"
    created = json.loads(call("POST", url, {"fields": {"Title": "CD-1"}}, token)[2])
    item_url = f"{url}/{created['id']}"
    stale = call("DELETE", item_url, token=token, **{"If-Match": '"other,1"'})
    assert stale[0] == 412 and len(fake.list_items("site-1", "cases")) == 1
    status, _, body = call("DELETE", item_url, token=token)
    assert (status, body) == (204, b"") and fake.list_items("site-1", "cases") == []
    gone = call("DELETE", item_url, token=token)
    assert gone[0] == 404 and error_of(gone)["code"] == "itemNotFound"


def test_download_url_needs_no_token_and_deletes_go_to_the_bin_or_for_good(
    fake: GraphFake, token: str
) -> None:
    fake.add_drive("site-1", "drive-1")
    root = f"{fake.base_url}/sites/site-1/drives/drive-1/root"
    for name in ("a.eml", "b.eml", "att/c.pdf"):
        assert call("PUT", f"{root}:/cases/CD-1/{name}:/content", name.encode(), token)[0] == 201
    item = json.loads(call("GET", f"{root}:/cases/CD-1/a.eml", token=token)[2])
    status, _, data = call("GET", item["@microsoft.graph.downloadUrl"])  # no Authorization
    assert (status, data) == (200, b"a.eml")

    assert call("DELETE", f"{root}:/cases/CD-1/a.eml", token=token)[0] == 204
    assert fake.recycle_bin("site-1", "drive-1") == ["cases/CD-1/a.eml"]
    folder = json.loads(call("GET", f"{root}:/cases/CD-1", token=token)[2])
    drive = f"{fake.base_url}/drives/drive-1/items/{folder['id']}"
    assert call("POST", f"{drive}/permanentDelete", token=token)[0] == 204
    assert fake.drive_files("site-1", "drive-1") == {}
    assert fake.recycle_bin("site-1", "drive-1") == ["cases/CD-1/a.eml"]  # only the DELETEd one
    assert call("POST", f"{drive}/permanentDelete", token=token)[0] == 404


def test_create_message_as_documented_then_delete_and_the_message_rate(
    fake: GraphFake, token: str
) -> None:
    listing = f"{fake.base_url}/users/{UPN}/messages"
    request = doc("user-post-messages-request.json")
    request["attachments"] = [{
        "@odata.type": "#microsoft.graph.fileAttachment", "name": "letter.pdf",
        "contentType": "application/pdf", "contentBytes": base64.b64encode(b"%PDF-1.4").decode(),
    }]  # fmt: skip
    status, _, body = call("POST", listing, request, token)
    created = json.loads(body)
    expected = doc("user-post-messages-response.json")
    documented = json.loads((FIXTURES / "user-post-messages-response.json").read_text())
    assert status == documented["_status"]
    assert set(expected) - {"conversationIndex"} <= set(created)
    assert created["isDraft"] is True and created["hasAttachments"] is True
    mime = fake.store.messages[created["id"]].mime
    assert b"x-custom-header-group-id: WA001" in mime and b"letter.pdf" in mime
    bad = {**request, "internetMessageHeaders": [{"name": "Custom", "value": "x"}]}
    assert error_of(call("POST", listing, bad, token))["code"] == "InvalidInternetMessageHeader"
    assert call("DELETE", f"{listing}/{created['id']}", None, token)[0] == 204
    assert fake.drafts(UPN) == []
    fake.message_rate_limit = 1
    for expected_status in (202, 429):
        draft = json.loads(call("POST", listing, doc("user-post-messages-request.json"), token)[2])
        status, headers, _ = call("POST", f"{listing}/{draft['id']}/send", b"", token)
        assert status == expected_status
    assert int(headers["Retry-After"]) >= 1 and fake.rate_refusals == 1
