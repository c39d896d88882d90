"""Graph's webhook protocol against `casedesk serve`'s real HTTP server.

Payload shapes follow https://learn.microsoft.com/graph/change-notifications-delivery-webhooks
and https://learn.microsoft.com/graph/change-notifications-lifecycle-events.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from casedesk.bootstrap import App
from casedesk.core.intake import SubscriptionBook, SubscriptionRecord
from casedesk.entrypoints.http_server import RouteTable, make_server
from casedesk.entrypoints.webhooks import handle_lifecycle, handle_notifications

SECRET = "s3cret-client-state-value"
MAILBOX = "alex.morgan.mp@parliament.example"
SUB_ID = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07"
TENANT = "84bd8158-6d4d-4958-8b9f-9d6445542f95"


def change(message_id: str, client_state: str = SECRET, sub: str = SUB_ID) -> dict[str, Any]:
    return {
        "subscriptionId": sub,
        "subscriptionExpirationDateTime": "2026-11-26T18:23:45.9356913Z",
        "changeType": "created",
        "resource": f"Users/8e4a7e3c-1f1b-4b1a-9a39-2a8b3c4d5e6f/Messages/{message_id}",
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Message",
            "@odata.id": f"Users/8e4a7e3c-1f1b-4b1a-9a39-2a8b3c4d5e6f/Messages/{message_id}",
            "@odata.etag": 'W/"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf"',
            "id": message_id,
        },
        "clientState": client_state,
        "tenantId": TENANT,
    }


@pytest.fixture
def server(app: App) -> Iterator[str]:
    SubscriptionBook(app.ops).save(
        SubscriptionRecord(SUB_ID, MAILBOX, SECRET, "2026-11-26T00:00:00+00:00")
    )
    table = RouteTable()
    table.add(
        "POST",
        "/api/notifications",
        lambda q, b: handle_notifications(q, b, app.ops, app.queue, app.clock, tenant_id=TENANT),
    )
    table.add("POST", "/api/lifecycle", lambda q, b: handle_lifecycle(q, b, app.ops, app.queue, tenant_id=TENANT))
    httpd = make_server("127.0.0.1", 0, table)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def post(
    url: str, body: bytes = b"", content_type: str = "application/json"
) -> tuple[int, bytes, str]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers.get("Content-Type", "")


def test_validation_handshake_echoes_token_as_plain_text(server: str) -> None:
    status, body, ctype = post(
        f"{server}/api/notifications?validationToken=Validation%3A+Testing+client+application+reachability+for+subscription+Request-Id%3A+7dfb5b5f"
    )
    assert status == 200 and ctype.startswith("text/plain")
    assert (
        body
        == b"Validation: Testing client application reachability for subscription Request-Id: 7dfb5b5f"
    )


def test_notification_is_queued_once_with_ids_only(server: str, app: App) -> None:
    payload = json.dumps({"value": [change("AAMkAGUAAAZ-1")]}).encode()
    for _ in range(5):  # Graph retries; duplicates must not become duplicate work
        assert post(f"{server}/api/notifications", payload)[0] == 202
    items = app.queue.receive(max_messages=10)
    assert [i.body for i in items] == [{"mailbox": MAILBOX, "message_id": "AAMkAGUAAAZ-1"}]


def test_wrong_client_state_queues_nothing_and_logs_no_payload(
    server: str, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    forged = json.dumps({"value": [change("AAMk-forged", client_state="guess")]}).encode()
    assert post(f"{server}/api/notifications", forged)[0] == 202
    assert app.queue.receive() == []
    security = [r for r in caplog.records if r.name == "casedesk.security"]
    assert security and all(
        "AAMk-forged" not in r.getMessage() and "guess" not in r.getMessage()
        for r in caplog.records
    )


def test_notification_for_unknown_subscription_is_refused(server: str, app: App) -> None:
    payload = json.dumps(
        {"value": [change("AAMk-x", sub="00000000-0000-0000-0000-000000000000")]}
    ).encode()
    assert post(f"{server}/api/notifications", payload)[0] == 202
    assert app.queue.receive() == []


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{}", b'{"value": [1]}', b'{"value": [{"resource": "Users/x/Events/y"}]}'],
)
def test_malformed_notifications_are_refused_with_400(server: str, body: bytes, app: App) -> None:
    assert post(f"{server}/api/notifications", body)[0] == 400
    assert app.queue.receive() == []


def test_lifecycle_events_are_checked_then_queued(server: str, app: App) -> None:
    events = ["reauthorizationRequired", "subscriptionRemoved", "missed"]
    payload = {
        "value": [
            {
                "subscriptionId": SUB_ID,
                "subscriptionExpirationDateTime": "2026-11-26T18:23:45Z",
                "tenantId": TENANT,
                "clientState": SECRET,
                "lifecycleEvent": e,
            }
            for e in events
        ]
        + [{"subscriptionId": SUB_ID, "clientState": "wrong", "lifecycleEvent": "missed"}]
    }
    assert post(f"{server}/api/lifecycle", json.dumps(payload).encode())[0] == 202
    got = [i.body for i in app.queue.receive(max_messages=10)]
    assert got == [{"kind": "lifecycle", "subscription_id": SUB_ID, "event": e} for e in events]


def test_unknown_routes_and_methods(server: str) -> None:
    assert post(f"{server}/api/nope")[0] == 404
    with urllib.request.urlopen(f"{server}/api/health", timeout=5) as response:
        assert json.loads(response.read())["status"] == "ok"
