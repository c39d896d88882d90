"""`casedesk serve`: the Functions app's HTTP routes on a local threaded server.

The same handler functions as functions/function_app.py, so a person can point a tunnel
at this and receive real Graph notifications on a laptop.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from casedesk import __version__
from casedesk.entrypoints.webhooks import HttpResult

log = logging.getLogger("casedesk.serve")
MAX_REQUEST_BYTES = 2_000_000

Route = Callable[[Mapping[str, str], bytes], HttpResult]
# A route that also reads request headers (lower-case names), e.g. the bot's Authorization.
HeaderRoute = Callable[[Mapping[str, str], bytes, Mapping[str, str]], HttpResult]


@dataclass(frozen=True)
class HttpRequest:
    """A whole request, for handlers that need headers (the add-in's bearer token)."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes


RequestRoute = Callable[[HttpRequest], HttpResult]


def health(_query: Mapping[str, str], _body: bytes) -> HttpResult:
    body = json.dumps({"status": "ok", "version": __version__}).encode()
    return HttpResult(200, body, "application/json")


class RouteTable:
    """(method, path) -> handler; handlers run one at a time (the embedded store is SQLite)."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {("GET", "/api/health"): health}
        self.prefixes: list[tuple[str, RequestRoute]] = []
        self.lock = threading.Lock()
        self.header_routes: dict[tuple[str, str], HeaderRoute] = {}
        self.body_limits: dict[str, int] = {}  # path -> largest body, where not MAX_REQUEST_BYTES

    def allow_body(self, path: str, max_bytes: int) -> None:
        """A larger request body for one path (the add-in hands over whole messages)."""
        self.body_limits[path] = max_bytes

    def add(self, method: str, path: str, handler: Route) -> None:
        self.routes[(method, path)] = handler

    def add_with_headers(self, method: str, path: str, handler: HeaderRoute) -> None:
        self.header_routes[(method, path)] = handler
        self.routes[(method, path)] = lambda q, b: handler(q, b, {})
    def add_prefix(self, prefix: str, handler: RequestRoute) -> None:
        """Every method and path under prefix ("/addin/") goes to handler, headers and all."""
        self.prefixes.append((prefix, handler))

    def dispatch(
        self, method: str, target: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> HttpResult:
        parts = urlsplit(target)
        handler = self.routes.get((method, parts.path))
        if handler is None:
            for prefix, whole in self.prefixes:
                if parts.path.startswith(prefix) or parts.path == prefix.rstrip("/"):
                    query = dict(parse_qsl(parts.query, keep_blank_values=True))
                    lower = {k.lower(): v for k, v in (headers or {}).items()}
                    with self.lock:
                        return whole(HttpRequest(method, parts.path, query, lower, body))
            known = any(path == parts.path for _, path in self.routes)
            return HttpResult(
                405 if known else 404, b"method not allowed" if known else b"not found"
            )
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self.lock:
            with_headers = self.header_routes.get((method, parts.path))
            if with_headers is not None:
                return with_headers(query, body, headers or {})
            return handler(query, body)


def make_server(host: str, port: int, table: RouteTable) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        server_version = "casedesk"

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > table.body_limits.get(urlsplit(self.path).path, MAX_REQUEST_BYTES):
                self._reply(HttpResult(413, b"request too large"))
                return
            body = self.rfile.read(length) if length else b""
            try:
                headers = {k.lower(): v for k, v in self.headers.items()}
                result = table.dispatch(method, self.path, body, headers)
            except Exception:
                log.exception(
                    "handler failed",
                    extra={"event": "http.error", "path": urlsplit(self.path).path},
                )
                result = HttpResult(500, b"internal error; see the server log")
            self._reply(result)

        def _reply(self, result: HttpResult) -> None:
            try:
                self.send_response(result.status)
                self.send_header("Content-Type", result.content_type)
                self.send_header("Content-Length", str(len(result.body)))
                self.send_header("X-Content-Type-Options", "nosniff")
                for name, value in result.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(result.body)
            except (BrokenPipeError, ConnectionResetError):
                # The caller hung up before the answer (Graph gives a notification endpoint
                # a few seconds). The work is done; Graph sends again and the duplicate is
                # dropped. One line, not socketserver's traceback on stderr.
                self.close_connection = True
                log.warning(
                    "client went away before the reply",
                    extra={"event": "http.client_gone", "path": urlsplit(self.path).path,
                           "status": result.status},
                )  # fmt: skip

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: object) -> None:
            # Paths only: query strings can carry validation tokens.
            log.info("%s %s", self.command, urlsplit(self.path).path)

    return ThreadingHTTPServer((host, port), Handler)
