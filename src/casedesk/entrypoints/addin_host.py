"""Wire the Outlook add-in into a host: its API (`/api/addin/*`) and its task-pane files.

`casedesk serve` serves the pane under `/addin/`; the function app, whose HTTP routes all
live under `/api/`, serves the same files under `/api/addin/pane/` (docs/outlook-addin.md).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from casedesk.adapters.auth.entra_tokens import EntraTokenValidator, FetchJson
from casedesk.core.rules import Person
from casedesk.entrypoints.addin_actions import CoreCasework
from casedesk.entrypoints.addin_api import API_PREFIX, AddinApi, AddinBackend
from casedesk.entrypoints.addin_create import MAX_CREATE_REQUEST_BYTES, CreateFromMessage
from casedesk.entrypoints.http_server import HttpRequest, RequestRoute, RouteTable
from casedesk.entrypoints.webhooks import HttpResult
from casedesk.ports import CaseRepository, Clock, RemoteMailbox
from casedesk.settings import Settings

PANE_DIR = Path(__file__).resolve().parent.parent / "web" / "addin"
LOCAL_PANE_PREFIX = "/addin/"
FUNCTIONS_PANE_PREFIX = "/api/addin/pane/"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
# Office.js comes from Microsoft's CDN; everything else from this host. The pane never
# needs inline script, so an injected <script> (say, from a constituent's subject) cannot run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' https://appsforoffice.microsoft.com; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self' https://login.microsoftonline.com; "
    "frame-src https://login.microsoftonline.com; object-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)


def people_of(app: Any) -> Mapping[str, Person]:
    """The office's people from the live routing rules (none without a rules file)."""
    rules = getattr(app.triage, "rules", None)
    return rules.people if rules is not None else {}


def addin_off_reason(settings: Settings) -> str:
    """Why the add-in API cannot run with these settings ('' when it can)."""
    missing = [
        f"CASEDESK_{key.upper()}" for key in ("tenant_id", "addin_client_id") if not getattr(settings, key)
    ]
    if missing:
        return (
            f"the Outlook add-in API is not configured: set {' and '.join(missing)} "
            "(docs/outlook-addin.md)"
        )
    return ""


class RepoDrafts:
    """The case's reply draft as the store holds it (SQLite or the SharePoint list), so the
    pane shows it with either adapter set; None where triage wrote none (spam, abuse)."""

    def __init__(self, repo: CaseRepository) -> None:
        self.repo = repo

    def reply_draft(self, case_ref: str) -> str | None:
        draft = self.repo.get_draft(case_ref)
        if draft is None:
            return None
        return draft.body.strip() or None


def build_addin_api(
    settings: Settings,
    app: Any,
    clock: Clock | None = None,
    fetch_json: FetchJson | None = None,
    remote: RemoteMailbox | None = None,
) -> AddinApi:
    """The API over an embedded App (or an M365 intake's case App, with the intake's Graph
    mailbox as `remote`); 503s if unconfigured."""
    why = addin_off_reason(settings)
    if why:
        return AddinApi(None, None, why)
    clock = clock or app.clock
    audiences = [a for a in (settings.addin_client_id, settings.addin_app_id_uri) if a]
    extra: dict[str, Any] = {"fetch_json": fetch_json} if fetch_json else {}
    validator = EntraTokenValidator(
        settings.tenant_id or "", audiences, settings.addin_scope, clock,
        authority=settings.addin_authority, **extra,
    )  # fmt: skip
    creator = CreateFromMessage(
        app.triage, app.repo, clock, remote, settings.mailbox_list if remote is not None else ()
    )
    backend = AddinBackend(
        app.repo, app.files, clock, RepoDrafts(app.repo), lambda: people_of(app),
        CoreCasework(app.repo, clock), creator,
    )  # fmt: skip
    return AddinApi(validator, backend, public_config=public_config(settings))


def public_config(settings: Settings) -> dict[str, Any]:
    """What the pane signs in with (NAA): the add-in's client id, the tenant, the API scope."""
    resource = settings.addin_app_id_uri or f"api://{settings.addin_client_id}"
    return {
        "clientId": settings.addin_client_id,
        "authority": f"https://login.microsoftonline.com/{settings.tenant_id}",
        "scopes": [f"{resource.rstrip('/')}/{settings.addin_scope}"],
    }


def pane_files(prefix: str, root: Path = PANE_DIR) -> RequestRoute:
    """GET the built task pane (index: taskpane.html); nothing outside `root`, no listings."""

    def serve(request: HttpRequest) -> HttpResult:
        if request.method != "GET":
            return HttpResult(405, b"method not allowed")
        if request.path == prefix.rstrip("/"):  # relative links need the trailing slash
            return HttpResult(301, b"", headers=(("Location", prefix),))
        relative = request.path.removeprefix(prefix.rstrip("/")).lstrip("/") or "taskpane.html"
        if not (root / "taskpane.html").is_file():
            return HttpResult(503, b"the task pane is not built: run `make addin`")
        path = (root / relative).resolve()
        kind = _TYPES.get(path.suffix)
        if kind is None or not path.is_relative_to(root.resolve()) or not path.is_file():
            return HttpResult(404, b"not found")
        headers: tuple[tuple[str, str], ...] = (("Cache-Control", "no-cache"),)
        if path.suffix == ".html":
            headers += (("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                        ("Referrer-Policy", "no-referrer"))  # fmt: skip
        return HttpResult(200, path.read_bytes(), kind or mimetypes.types_map[path.suffix], headers)

    return serve


def functions_addin_routes(
    settings: Settings, app: Any, remote: RemoteMailbox | None = None
) -> RequestRoute:
    """The function app: one route for `/api/addin/*`, the pane's files under pane/."""
    api = build_addin_api(settings, app, remote=remote)
    pane = pane_files(FUNCTIONS_PANE_PREFIX)

    def route(request: HttpRequest) -> HttpResult:
        if request.path.startswith(FUNCTIONS_PANE_PREFIX) or request.path == FUNCTIONS_PANE_PREFIX.rstrip("/"):
            return pane(request)
        return api(request)

    return route


def add_addin_routes(
    table: RouteTable, settings: Settings, app: Any, remote: RemoteMailbox | None = None
) -> None:
    """`casedesk serve`: the API and the pane on the local server."""
    table.add_prefix(API_PREFIX, build_addin_api(settings, app, remote=remote))
    table.allow_body(API_PREFIX + "create", MAX_CREATE_REQUEST_BYTES)
    table.add_prefix(LOCAL_PANE_PREFIX, pane_files(LOCAL_PANE_PREFIX))
