"""GraphFake: a local HTTP server that speaks enough Microsoft Graph v1.0 (and Entra ID's token
endpoint) for CaseDesk's production adapters, with seeding, inspection and fault injection.

See README.md in this folder for what is implemented and the documentation behind each shape.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote

from . import batch, compose, mail, mime, outbound, sites, subs
from .errors import DEFAULT_FAULTS, JSON_TYPE, GraphError, error_body
from .http import Req, Resp, Route, json_resp, route, split_prefer
from .store import Drive, SpList, Store, StoredMessage

MiB = 1024 * 1024
LoggedRequest = tuple[float, str, str, dict[str, str], bytes]


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    remaining: int | None  # None: every matching request
    status: int = 0
    retry_after: float | None = None
    body: Any = None
    seconds: float = 0.0
    after: int = 0  # let this many matching requests through first

    def matches(self, method: str, path: str, target: str) -> bool:
        if self.method not in ("*", method) or self.remaining == 0:
            return False
        found = bool(self.pattern.search(path) or self.pattern.search(target))
        if found and self.after > 0:
            self.after -= 1
            return False
        return found


def _jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'typ': 'JWT', 'alg': 'none'})}.{part(claims)}.{uuid.uuid4().hex}"


def _aad_error(status: int, error: str, code: int, description: str) -> Resp:
    return json_resp(
        status,
        {
            "error": error,
            "error_description": f"AADSTS{code}: {description}",
            "error_codes": [code],
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        },
    )


def issue_token(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """Client credentials grant (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow)."""
    form = dict(parse_qsl(req.body.decode("utf-8", "replace")))
    if form.get("grant_type") != "client_credentials" or not form.get("scope", "").endswith(
        "/.default"
    ):
        return _aad_error(
            400, "invalid_request", 900144, "Use client_credentials and a /.default scope."
        )
    if fake.client_secret is not None and form.get("client_secret") != fake.client_secret:
        return _aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
    return json_resp(
        200,
        {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": fake.issue_token(),
        },
    )


def openid_configuration(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    base = f"{fake.authority_host}/{m['tenant']}"
    return json_resp(
        200,
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"{fake.authority_host}/{fake.tenant_id}/v2.0",
            "jwks_uri": f"{fake.authority_host}/{m['tenant']}/discovery/v2.0/keys",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
        },
    )


def instance_discovery(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    """Which login hosts alias each other; MSAL asks after Entra refuses a client."""
    return json_resp(
        200,
        {
            "tenant_discovery_endpoint": f"{fake.authority_host}/common/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [
                {
                    "preferred_network": "login.microsoftonline.com",
                    "preferred_cache": "login.windows.net",
                    "aliases": ["login.microsoftonline.com", "login.windows.net",
                                "login.microsoft.com", "sts.windows.net"],
                }
            ],
        },
    )  # fmt: skip


LOGIN_ROUTES = [
    route("GET", r"^/common/discovery/instance$", instance_discovery, "login"),
    route("POST", r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$", issue_token, "login"),
    route(
        "GET",
        r"^/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration$",
        openid_configuration,
        "login",
    ),
]


class _Server(ThreadingHTTPServer):
    """A client that vanishes mid-request (the soak kills its worker with SIGKILL) is not an
    error of the server: say nothing rather than print socketserver's traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class GraphFake:
    """Start with `with GraphFake() as fake:`; point the adapters at fake.base_url / fake.token_url."""

    def __init__(
        self,
        tenant_id: str = "84bd8158-6d4d-4958-8b9f-9d6445542f95",
        client_id: str = "24d3b144-21ae-4080-943f-7067b395b913",
        client_secret: str | None = None,
        *,
        max_subscription_minutes: int = 4230,
        simple_upload_max_bytes: int = 250 * MiB,
        upload_chunk_max_bytes: int = 60 * MiB,
        strict_chunk_multiple: bool = True,
        reject_auth_on_upload: bool = False,
        validation_timeout: float = 10.0,
        notification_timeout: float = 3.0,
        mailbox_concurrency: int | None = 4,
        allow_http_loopback: bool = True,
        authority_host: str = "https://login.microsoftonline.com",
        clock: Callable[[], datetime] | None = None,
        batch_base64_echo: bool = True,
        accept_token: Callable[[str], bool] | None = None,
    ) -> None:
        self.tenant_id, self.client_id, self.client_secret = tenant_id, client_id, client_secret
        self.service_principal_id = str(uuid.uuid5(uuid.NAMESPACE_URL, client_id))
        self.max_subscription_minutes = max_subscription_minutes
        self.simple_upload_max_bytes = simple_upload_max_bytes
        self.upload_chunk_max_bytes = upload_chunk_max_bytes
        self.strict_chunk_multiple = strict_chunk_multiple
        self.reject_auth_on_upload = reject_auth_on_upload
        self.validation_timeout = validation_timeout
        self.notification_timeout = notification_timeout
        self.allow_http_loopback = allow_http_loopback
        self.authority_host = authority_host.rstrip("/")
        self.upload_session_hours = 24
        self.mailbox_concurrency = mailbox_concurrency
        self.batch_base64_echo = batch_base64_echo
        # Tokens issued elsewhere (tests/entrafake) that Graph should also take.
        self.accept_token = accept_token
        self.revoked: set[str] = set()
        self._in_flight: dict[str, int] = {}
        self.clock = clock or (lambda: datetime.now(UTC))
        self.store = Store()
        self.notifications: list[outbound.Delivery] = []
        self.sent: list[dict[str, Any]] = []  # every message sent with .../send, as sent
        self.message_rate_limit: int | None = None  # Exchange's 30/minute when set (compose.py)
        self.send_times: list[datetime] = []  # fake.clock() at each accepted send
        self.rate_refusals = 0
        self._faults: list[Fault] = []
        self._log: list[LoggedRequest] = []
        self._batched: list[LoggedRequest] = []
        self._drop = False
        self._guard = threading.Lock()
        self._routes: list[Route] = [
            *LOGIN_ROUTES,
            *batch.ROUTES,
            *compose.ROUTES,
            *mail.ROUTES,
            *subs.ROUTES,
            *sites.ROUTES,
        ]
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle --------------------------------------------------------------------------
    def start(self) -> GraphFake:
        self._server = _Server(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="graphfake", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GraphFake:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("GraphFake is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v1.0"

    @property
    def token_url(self) -> str:
        return f"{self.root_url}/{self.tenant_id}/oauth2/v2.0/token"

    def now(self) -> datetime:
        return self.clock()

    # ---- auth -------------------------------------------------------------------------------
    def issue_token(self) -> str:
        exp = int(time.time()) + 3599
        token = _jwt(
            {
                "aud": "https://graph.microsoft.com",
                "iss": f"https://sts.windows.net/{self.tenant_id}/",
                "appid": self.client_id,
                "tid": self.tenant_id,
                "exp": exp,
                "roles": ["Mail.ReadWrite", "Sites.ReadWrite.All"],
            }
        )
        with self.store.lock:
            self.store.tokens.add(token)
        return token

    def revoke_tokens(self) -> None:
        with self.store.lock:
            self.store.tokens.clear()

    def revoke_token(self, token: str) -> None:
        """Refuse this one issued token from now on (as Graph does once Entra revokes it);
        tokens issued after it are still good."""
        with self.store.lock:
            self.store.tokens.discard(token)
            self.revoked.add(token)

    # ---- seeding and inspection ----------------------------------------------------------------
    def add_mailbox(self, upn: str, display_name: str | None = None) -> str:
        """Returns the mailbox's user id (a GUID); the UPN works in URLs too."""
        return self.store.add_mailbox(upn, display_name).id

    def deliver(
        self,
        upn: str,
        mime_bytes: bytes,
        folder: str = "inbox",
        notify: bool = True,
        received: datetime | None = None,
    ) -> str:
        """Store a message from MIME; returns its immutable id. Notifies matching subscriptions."""
        with self.store.lock:
            box = self.store.mailbox(upn)
            name = self.store.folder_name(box, folder)
            props = mime.message_json(mime_bytes, received or self.now(), box.folder_id(name))
            stored = self.store.store_message(box, mime_bytes, name, props)
        if notify:
            self.notify(stored, "created")
        return stored.ids[0]

    def notify(self, stored: StoredMessage, change: str) -> list[outbound.Delivery]:
        if self._drop:
            return []
        sent = [
            outbound.post_json(url, payload, self.notification_timeout)
            for url, payload in subs.payloads(self, stored, change).items()
        ]
        with self._guard:
            self.notifications.extend(sent)
        return sent

    def _folder_messages(self, upn: str, folder: str) -> list[dict[str, Any]]:
        with self.store.lock:
            box = self.store.mailbox(upn)
            return [m.as_json(immutable=True) for m in self.store.in_folder(box, folder)]

    def messages(self, upn: str, folder: str = "inbox") -> list[dict[str, Any]]:
        return self._folder_messages(upn, folder)

    def drafts(self, upn: str) -> list[dict[str, Any]]:
        return self._folder_messages(upn, "drafts")

    def add_list(
        self, site_id: str, list_id: str, non_indexed: tuple[str, ...] | list[str] = ()
    ) -> None:
        with self.store.lock:
            self.store.lists[(site_id.lower(), list_id.lower())] = SpList(
                site_id, list_id, set(non_indexed)
            )

    def list_items(self, site_id: str, list_id: str) -> list[dict[str, Any]]:
        with self.store.lock:
            found = self.store.lists.get((site_id.lower(), list_id.lower()))
            return [json.loads(json.dumps(i)) for i in found.items.values()] if found else []

    def edit_item_as(
        self, site_id: str, list_id: str, fields: dict[str, Any], user: dict[str, str],
        item_id: str | None = None,
    ) -> str:  # fmt: skip
        """A person adds (or, given item_id, edits) an item in the SharePoint web UI: Graph
        then reports them in createdBy/lastModifiedBy as an identitySet's `user`."""
        now = mime.iso(self.now())
        with self.store.lock:
            lst = self.store.sp_list(site_id, list_id)
            if item_id is None:
                item_id = str(lst.next_id)
                lst.next_id += 1
                lst.items[item_id] = {
                    "createdDateTime": now, "id": item_id, "createdBy": {"user": dict(user)},
                    "contentType": {"id": "0x0100", "name": "Item"},
                    "fields": {"id": item_id, "ContentType": "Item", "Created": now},
                }  # fmt: skip
            item = lst.items[item_id]
            lst.unindex(item_id)
            etag = f'"{uuid.uuid4()},1"'
            item.update({"@odata.etag": etag, "eTag": etag, "lastModifiedDateTime": now})
            item["lastModifiedBy"] = {"user": dict(user)}
            item["fields"].update({**fields, "@odata.etag": etag, "Modified": now})
            lst.reindex(item_id)
            return item_id

    def add_drive(self, site_id: str, drive_id: str) -> None:
        with self.store.lock:
            drive = Drive(site_id, drive_id)
            sites.ensure_root(self, drive)
            self.store.drives[(site_id.lower(), drive_id.lower())] = drive

    def drive_files(self, site_id: str, drive_id: str) -> dict[str, bytes]:
        """path -> bytes of every file (folders omitted)."""
        with self.store.lock:
            drive = self.store.drives.get((site_id.lower(), drive_id.lower()))
            return (
                {e.path: e.content for e in drive.entries.values() if not e.folder} if drive else {}
            )

    def recycle_bin(self, site_id: str, drive_id: str) -> list[str]:
        """Paths of the items a DELETE sent to the recycle bin (permanentDelete sends none)."""
        with self.store.lock:
            drive = self.store.drives.get((site_id.lower(), drive_id.lower()))
            return sorted(e.path for e in drive.recycle.values()) if drive else []

    def subscriptions(self) -> list[dict[str, Any]]:
        with self.store.lock:
            return [dict(s.data) for s in self.store.subscriptions.values()]

    @property
    def requests(self) -> list[LoggedRequest]:
        """(monotonic time, method, path with query, headers, body) of every request, in order."""
        with self._guard:
            return list(self._log)

    def forget_requests(self) -> int:
        """How many requests were logged since the last call, and forget them (a long soak
        would otherwise hold every request body in memory)."""
        with self._guard:
            count = len(self._log)
            self._log.clear()
            return count

    @property
    def batched(self) -> list[LoggedRequest]:
        """The same tuples for each request run from inside a JSON batch (POST /v1.0/$batch), in
        the order run. `requests` holds the $batch round trip itself; a request answered 424
        because a dependency failed was not run and is not here."""
        with self._guard:
            return list(self._batched)

    # ---- fault injection -------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        times: int | None = 1,
        retry_after: float | None = None,
        body: Any = None,
        after: int = 0,
    ) -> None:
        """Answer the next `times` matching requests (None: all) with `status` in Graph's error
        shape, once `after` matching requests have gone through normally."""
        with self._guard:
            self._faults.append(
                Fault(method.upper(), re.compile(path_regex), times, status, retry_after, body,
                      after=after)
            )

    def delay(self, method: str, path_regex: str, seconds: float, times: int | None = 1) -> None:
        with self._guard:
            self._faults.append(
                Fault(method.upper(), re.compile(path_regex), times, seconds=seconds)
            )

    def clear_faults(self) -> None:
        with self._guard:
            self._faults.clear()

    def drop_notifications(self, drop: bool = True) -> None:
        self._drop = drop

    def send_lifecycle(self, subscription_id: str, event: str) -> outbound.Delivery:
        """POST a lifecycle notification; subscriptionRemoved also removes the subscription."""
        with self.store.lock:
            sub = self.store.subscriptions[subscription_id]
            url = sub.data.get("lifecycleNotificationUrl")
            if not url:
                raise ValueError(f"subscription {subscription_id} has no lifecycleNotificationUrl")
            payload = subs.lifecycle_payload(self, sub, event)
            if event == "subscriptionRemoved":
                del self.store.subscriptions[subscription_id]
        delivery = outbound.post_json(url, payload, self.notification_timeout)
        with self._guard:
            self.notifications.append(delivery)
        return delivery

    def _take_faults(self, method: str, path: str, target: str) -> tuple[float, Fault | None]:
        wait, failure = 0.0, None
        with self._guard:
            for fault in self._faults:
                if not fault.matches(method, path, target) or (
                    fault.status and failure is not None
                ):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                if fault.status:
                    failure = fault
                else:
                    wait += fault.seconds
        return wait, failure

    def _record(self, entry: LoggedRequest) -> None:
        with self._guard:
            self._log.append(entry)

    def record_batched(self, entry: LoggedRequest) -> None:
        with self._guard:
            self._batched.append(entry)

    # ---- dispatch -------------------------------------------------------------------------------
    def respond(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Resp:
        """dispatch(), with errors turned into Graph's error JSON: what goes on the wire. Used for
        top-level requests and for each request inside a JSON batch."""
        try:
            return self.dispatch(method, target, headers, body)
        except GraphError as exc:
            payload = error_body(
                exc.code, exc.message, headers.get("client-request-id"), exc.status, exc.inner_code
            )
            return json_resp(exc.status, payload, exc.headers)
        except Exception as exc:  # a bug in the fake: say so in Graph's shape
            return json_resp(
                500, error_body("generalException", f"GraphFake error: {exc!r}", None, 500)
            )

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Resp:
        raw_path, _, raw_query = target.partition("?")
        path = re.sub(r"(?i)mailFolders\('([^']*)'\)", r"mailFolders/\1", unquote(raw_path))
        wait, failure = self._take_faults(method, path, target)
        if failure is not None:
            time.sleep(wait)
            return self._fault_response(failure, headers)
        graph = path == "/v1.0" or path.startswith("/v1.0/")
        req = Req(
            method,
            path[5:] if graph else path,
            dict(parse_qsl(raw_query, keep_blank_values=True)),
            headers,
            split_prefer([v for k, v in headers.items() if k == "prefer"]),
            body,
        )
        candidates = [
            r for r in self._routes if (r.scope == "graph") == graph and r.pattern.search(req.path)
        ]
        chosen = next((r for r in candidates if r.method == method), None)
        if chosen is None:
            time.sleep(wait)
            return self._no_route(req, graph, bool(candidates))
        if chosen.scope == "graph":
            self._authenticate(headers)
        found = chosen.pattern.search(req.path)
        assert found is not None
        with self._mailbox_slot(req.path if graph else ""):
            time.sleep(wait)  # an injected delay holds the mailbox's concurrency slot
            return chosen.handler(self, req, found)

    @contextmanager
    def _mailbox_slot(self, path: str) -> Iterator[None]:
        """Outlook's per app+mailbox concurrency limit (4; throttling-limits#outlook-service-limits)."""
        found = re.match(r"^/users/([^/]+)/", path)
        if found is None or self.mailbox_concurrency is None:
            yield
            return
        box = self.store.mailboxes.get(found[1].lower())
        key = box.id if box else found[1].lower()
        with self._guard:
            if self._in_flight.get(key, 0) >= self.mailbox_concurrency:
                message = "Application is over its MailboxConcurrency limit."
                raise GraphError(429, "ApplicationThrottled", message, {"Retry-After": "1"})
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
        try:
            yield
        finally:
            with self._guard:
                self._in_flight[key] -= 1

    def _authenticate(self, headers: dict[str, str]) -> None:
        value = headers.get("authorization", "")
        token = value[7:].strip() if value.lower().startswith("bearer ") else ""
        with self.store.lock:
            revoked = token in self.revoked
            known = not revoked and token in self.store.tokens
        if not known and not revoked and token and self.accept_token is not None:
            known = self.accept_token(token)
        if not known:
            message = (
                "Access token is empty."
                if not token
                else "Access token validation failure. Invalid audience."
            )
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                message,
                {
                    "WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
                },
            )

    def _no_route(self, req: Req, graph: bool, other_methods: bool) -> Resp:
        if other_methods:
            raise GraphError(
                405,
                "Request_BadRequest",
                f"The HTTP method '{req.method}' is not allowed for this resource.",
            )
        if graph:
            segment = next((s for s in reversed(req.path.split("/")) if s), "")
            raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        raise GraphError(404, "NotFound", f"No such endpoint: {req.path}")

    def _fault_response(self, fault: Fault, headers: dict[str, str]) -> Resp:
        extra = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        if isinstance(fault.body, (bytes, str)):
            raw = fault.body.encode() if isinstance(fault.body, str) else fault.body
            return Resp(fault.status, raw, JSON_TYPE, extra)
        if fault.body is not None:
            return json_resp(fault.status, fault.body, extra)
        code, message = DEFAULT_FAULTS.get(fault.status, ("generalException", "Injected failure."))
        return json_resp(
            fault.status,
            error_body(code, message, headers.get("client-request-id"), fault.status),
            extra,
        )


def _make_handler(fake: GraphFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes on a kept-alive connection: without
        # TCP_NODELAY, Nagle's algorithm and the client's delayed ACK add ~40 ms to each answer.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            headers["prefer"] = ", ".join(self.headers.get_all("Prefer") or [])
            fake._record(
                (time.monotonic(), self.command, self.path, dict(self.headers.items()), body)
            )
            self._send(fake.respond(self.command, self.path, headers, body), headers)

        def _send(self, resp: Resp, headers: dict[str, str]) -> None:
            self.send_response(resp.status)
            request_id = str(uuid.uuid4())
            for name, value in {
                "request-id": request_id,
                "client-request-id": headers.get("client-request-id", request_id),
                **resp.headers,
            }.items():
                self.send_header(name, value)
            if resp.content_type:
                self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

    return Handler


__all__ = ["GraphFake", "LoggedRequest"]
