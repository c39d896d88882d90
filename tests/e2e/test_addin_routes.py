"""The task pane's files and the function app's single `/api/addin/*` route."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casedesk.bootstrap import App
from casedesk.entrypoints.addin_host import (
    CONTENT_SECURITY_POLICY,
    FUNCTIONS_PANE_PREFIX,
    LOCAL_PANE_PREFIX,
    functions_addin_routes,
    pane_files,
)
from casedesk.entrypoints.http_server import HttpRequest


def get(path: str, method: str = "GET") -> HttpRequest:
    return HttpRequest(method, path, {}, {}, b"")


@pytest.fixture
def pane(tmp_path: Path) -> Path:
    root = tmp_path / "pane"
    (root / "assets").mkdir(parents=True)
    (root / "taskpane.html").write_text("<!doctype html><title>CaseDesk</title>")
    (root / "taskpane.js").write_text("export {};")
    (root / "assets" / "icon-16.png").write_bytes(b"\x89PNG")
    (tmp_path / "secret.txt").write_text("not for the web")
    return root


def test_the_pane_is_served_with_its_content_security_policy(pane: Path) -> None:
    serve = pane_files(LOCAL_PANE_PREFIX, pane)
    index = serve(get("/addin/"))
    assert index.status == 200 and index.content_type.startswith("text/html")
    assert ("Content-Security-Policy", CONTENT_SECURITY_POLICY) in index.headers
    assert "script-src 'self' https://appsforoffice.microsoft.com;" in CONTENT_SECURITY_POLICY
    assert serve(get("/addin/taskpane.js")).content_type.startswith("text/javascript")
    assert serve(get("/addin/assets/icon-16.png")).content_type == "image/png"


@pytest.mark.parametrize(
    "path", ["/addin/../secret.txt", "/addin/%2e%2e/secret.txt", "/addin/assets", "/addin/nope.html",
             "/addin/../../etc/passwd", "/addin/taskpane.ts"],
)  # fmt: skip
def test_nothing_outside_the_pane_or_of_an_unknown_kind_is_served(pane: Path, path: str) -> None:
    assert pane_files(LOCAL_PANE_PREFIX, pane)(get(path)).status == 404


def test_the_pane_folder_without_its_slash_redirects(pane: Path) -> None:
    moved = pane_files(FUNCTIONS_PANE_PREFIX, pane)(get("/api/addin/pane"))
    assert moved.status == 301 and ("Location", "/api/addin/pane/") in moved.headers


def test_only_get_is_answered_and_an_unbuilt_pane_says_how_to_build_it(tmp_path: Path) -> None:
    assert pane_files(LOCAL_PANE_PREFIX, tmp_path)(get("/addin/")).status == 503
    assert b"make addin" in pane_files(LOCAL_PANE_PREFIX, tmp_path)(get("/addin/")).body
    (tmp_path / "taskpane.html").write_text("x")
    assert pane_files(LOCAL_PANE_PREFIX, tmp_path)(get("/addin/", "POST")).status == 405


def test_the_function_app_route_sends_pane_paths_to_files_and_the_rest_to_the_api(app: App) -> None:
    route = functions_addin_routes(app.settings, app)
    api = route(get("/api/addin/me"))
    assert api.status == 503 and "CASEDESK_ADDIN_CLIENT_ID" in json.loads(api.body)["message"]
    files = route(get(FUNCTIONS_PANE_PREFIX + "taskpane.html"))
    assert files.status in (200, 503) and not files.content_type.startswith("application/json")
