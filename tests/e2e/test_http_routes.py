"""The route review (docs/http-routes.md): every HTTP route the Functions app and `casedesk
serve` register has a row saying what authenticates it and what it refuses, and each route is
called unauthenticated and from another tenant on a running `casedesk serve`."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from addin_stack import TENANT
from route_stack import CLIENT_STATE, OTHER_TENANT, SUB_ID, RouteStack, route_stack

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "http-routes.md"
FUNCTION_APP = ROOT / "functions" / "function_app.py"
NOT_QUEUED = "nothing queued"


def documented() -> dict[str, set[str]]:
    """route -> methods, from the table in docs/http-routes.md."""
    rows: dict[str, set[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("`/"):
            rows[cells[0].strip("`")] = {m.strip() for m in cells[1].split(",")}
    return rows


def function_app_routes() -> set[tuple[str, str]]:
    """(method, path) of every `@app.route` in functions/function_app.py, read with ast."""
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(FUNCTION_APP.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "route":
                kw = {k.arg: ast.literal_eval(k.value) for k in deco.keywords}
                for method in kw.get("methods", ["GET", "POST"]):
                    found.add((method, "/api/" + kw["route"]))
    return found


def serve_routes(stack: RouteStack) -> set[tuple[str, str]]:
    """(method, path) of everything `casedesk serve` answers, the add-in API's own table too."""
    table = stack.table
    found = set(table.routes) | set(table.header_routes)
    for prefix, handler in table.prefixes:
        sub = getattr(handler, "routes", None)
        if sub is None:  # the task pane's files
            found.add(("GET", prefix + "*"))
            continue
        found.add(("GET", prefix + "config"))
        found |= {(method, prefix + name) for method, name in sub}
    return found


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RouteStack]:
    with route_stack(tmp_path_factory.mktemp("routes")) as built:
        yield built


def test_every_route_of_the_function_app_has_a_row() -> None:
    rows = documented()
    routes = function_app_routes()
    assert {path for _, path in routes} >= {"/api/notifications", "/api/messages"}  # read it
    missing = [f"{m} {p}" for m, p in sorted(routes) if m not in rows.get(p, set())]
    assert not missing, f"docs/http-routes.md has no row for: {missing}"
    # The add-in's catch-all dispatches to its pane files too: they need their own row.
    assert "GET" in rows["/api/addin/pane/*"]


def test_every_route_of_casedesk_serve_has_a_row(stack: RouteStack) -> None:
    rows = documented()
    routes = serve_routes(stack)
    assert len(routes) >= 12, routes
    missing = [f"{m} {p}" for m, p in sorted(routes) if m not in rows.get(p, set())]
    assert not missing, f"docs/http-routes.md has no row for: {missing}"


def test_rows_name_what_authenticates_and_what_is_refused() -> None:
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("`/"):
            assert len(cells[2]) > 10 and len(cells[3]) > 10, line


# --- unauthenticated and wrong-tenant calls, one test per route ---------------------------

ADDIN_BODIES = {
    "message": {"internetMessageId": "<damp-1@example.org>"},
    "compose": {"to": "priya.shah@example.org", "subject": "Re: bins"},
    "correct": {"ref": "CD-2026-000001", "category": "policy"},
    "claim": {"ref": "CD-2026-000001"},
    "assign": {"ref": "CD-2026-000001", "assignee": "priya.shah"},
    "note": {"ref": "CD-2026-000001", "text": "Rang the council"},
    "create": {"internetMessageId": "<damp-1@example.org>"},
}


def _change(client_state: str, sub: str, tenant: str) -> bytes:
    return json.dumps(
        {
            "value": [
                {
                    "subscriptionId": sub,
                    "changeType": "created",
                    "clientState": client_state,
                    "resource": "Users/8e4a7e3c/Messages/AAMkForged",
                    "resourceData": {"id": "AAMkForged"},
                    "tenantId": tenant,
                }
            ]
        }
    ).encode()


def _lifecycle(client_state: str, sub: str, tenant: str) -> bytes:
    return json.dumps(
        {
            "value": [
                {
                    "subscriptionId": sub,
                    "lifecycleEvent": "missed",
                    "clientState": client_state,
                    "organizationId": tenant,
                    "subscriptionExpirationDateTime": "2026-11-26T18:23:45Z",
                }
            ]
        }
    ).encode()


@pytest.mark.parametrize("path", ["/api/notifications", "/api/lifecycle"])
def test_graph_routes_queue_nothing_without_our_subscription_and_secret(
    stack: RouteStack, path: str
) -> None:
    payload = _change if path.endswith("notifications") else _lifecycle
    before = stack.app.queue.depth()
    forged = [
        payload("guessed", SUB_ID, "84bd8158-6d4d-4958-8b9f-9d6445542f95"),  # no secret
        payload("", SUB_ID, "84bd8158-6d4d-4958-8b9f-9d6445542f95"),
        payload(CLIENT_STATE, "a-subscription-of-another-tenant", OTHER_TENANT),
        payload("their-own-secret", "a-subscription-of-another-tenant", OTHER_TENANT),
        payload(CLIENT_STATE, SUB_ID, OTHER_TENANT),  # our secret, from another tenant
        payload(CLIENT_STATE, SUB_ID, ""),  # no tenant named
    ]
    for body in forged:
        status, _, _ = stack.call("POST", path, body)
        assert status in (202, 400)  # 202 for a well-formed forgery: Graph must not retry it
    status, _, _ = stack.call("POST", path, b"{not json")
    assert status == 400
    status, _, _ = stack.call("GET", path)
    assert status == 405
    assert stack.app.queue.depth() == before
    # The genuine one is queued, so the refusals above were refusals.
    status, _, _ = stack.call("POST", path, payload(CLIENT_STATE, SUB_ID, TENANT.upper()))
    assert status == 202 and stack.app.queue.depth() == before + 1


@pytest.mark.parametrize("path", ["/api/notifications", "/api/lifecycle"])
def test_graph_routes_refuse_another_tenant_with_202_and_log_only_our_id(
    stack: RouteStack, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Right subscription and clientState, wrong tenantId: 202 (Graph retries anything else,
    and a forgery must not be retried), nothing queued, one security event naming our
    subscription id and nothing from the notification."""
    payload = _change if path.endswith("notifications") else _lifecycle
    before = stack.app.queue.depth()
    with caplog.at_level("INFO"):
        status, _, _ = stack.call("POST", path, payload(CLIENT_STATE, SUB_ID, OTHER_TENANT))
    assert status == 202 and stack.app.queue.depth() == before
    events = [r for r in caplog.records if getattr(r, "event", "") == "security.tenant_mismatch"]
    assert len(events) == 1 and events[0].__dict__["subscription_id"] == SUB_ID
    for record in caplog.records:
        said = record.getMessage() + repr(record.__dict__)
        assert OTHER_TENANT not in said and "AAMkForged" not in said and CLIENT_STATE not in said


def test_bot_route_refuses_no_token_a_forged_one_and_another_tenant(stack: RouteStack) -> None:
    activity = stack.activity()
    assert stack.post_json("/api/messages", activity) == (401, b"")
    assert stack.post_json("/api/messages", activity, "not.a.jwt") == (401, b"")
    assert stack.post_json("/api/messages", activity, stack.bot.token(aud="another-bot")) == (
        401,
        b"",
    )
    other = stack.activity(tenant=OTHER_TENANT)
    assert stack.post_json("/api/messages", other, stack.bot.token())[0] == 403
    assert stack.bot.posted == []
    assert stack.post_json("/api/messages", activity, stack.bot.token())[0] == 200


@pytest.mark.parametrize("name", [*sorted(ADDIN_BODIES), "me"])
def test_addin_route_refuses_no_token_another_tenant_and_strangers(
    stack: RouteStack, name: str
) -> None:
    method = "GET" if name == "me" else "POST"
    path = f"/api/addin/{name}"
    body = json.dumps(ADDIN_BODIES.get(name, {})).encode()

    def call(token: str | None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, answer, _ = stack.call(method, path, body, headers)
        return status, answer

    for token in (None, "garbage", stack.addin_token(tid=OTHER_TENANT),
                  stack.addin_token(iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"),
                  stack.addin_token(aud="api://someone-else")):  # fmt: skip
        status, answer = call(token)
        assert status == 401, (token, answer)
        assert b"CD-2026" not in answer and b"@example" not in answer
    stranger = "99999999-8888-4777-8666-555555555555"
    status, answer = call(stack.addin_token(stranger))
    assert status == 403 and b"CD-2026" not in answer
    status, _ = call(stack.addin_token())
    assert status in (200, 400, 404, 409, 501)  # past authentication: the route answered


def test_public_routes_say_nothing_about_cases_or_secrets(stack: RouteStack) -> None:
    for path in ("/api/health", "/api/addin/config", "/addin/", "/addin/taskpane.html"):
        status, body, _ = stack.call("GET", path)
        assert status in (200, 503), path
        assert b"CD-2026" not in body and b"@example" not in body
        assert b"secret" not in body.lower(), path
    for path in ("/addin/../../pyproject.toml", "/addin/%2e%2e/%2e%2e/pyproject.toml"):
        status, body, _ = stack.call("GET", path)
        assert status in (404, 503) and b"[project]" not in body  # 503: pane not built
    assert stack.call("POST", "/addin/taskpane.html", b"{}")[0] == 405
    assert stack.call("POST", "/api/health", b"{}")[0] == 405


def test_unknown_paths_are_404_and_carry_no_data(stack: RouteStack) -> None:
    for method, path in (("GET", "/api/cases"), ("POST", "/api/addin/delete"), ("GET", "/")):
        status, body, _ = stack.call(method, path, b"{}")
        assert status == 404 and b"CD-2026" not in body
    assert re.search(r"^\| `/api/", DOC.read_text(encoding="utf-8"), re.M)
