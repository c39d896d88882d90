"""Secrets never reach the logs. The intake (Graph + Azurite + the AI classifier), the Teams bot
and the add-in API run with sentinel values for the client secret, the bot app password and
the OpenAI key, and with Azurite's account key in the storage connection string; happy paths
and failures (a refused secret, a model that is down, a Graph 500) are both run. Every log
record, at DEBUG and from every library, is scanned: message, extra fields and exception."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from azurite import ACCOUNT_KEY, Azurite
from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
from casedesk.bootstrap_m365 import build_intake
from casedesk.entrypoints.http_server import RouteTable, make_server
from casedesk.entrypoints.webhooks import handle_lifecycle, handle_notifications
from casedesk.errors import CaseDeskError
from casedesk.settings import load_settings
from graphfake import GraphFake
from mailmaker import mail
from openaifake import OpenAIFake
from route_stack import route_stack

CLIENT_SECRET = "SENTINEL-client-secret-7Qv~e8"
BOT_PASSWORD = "SENTINEL-bot-password-Xk2.p9"
OPENAI_KEY = "SENTINEL-openai-key-4f1c2b9d"
MAILBOX = "alex.morgan.mp@parliament.example"
SECRETS = (CLIENT_SECRET, BOT_PASSWORD, OPENAI_KEY, ACCOUNT_KEY)


def leaked(records: list[logging.LogRecord]) -> list[str]:
    """Every record whose text, extra fields or exception holds a secret (or a good part of it)."""
    formatter = logging.Formatter()
    found = []
    for record in records:
        text = " ".join(str(v) for v in record.__dict__.values()) + record.getMessage()
        if record.exc_info:
            text += formatter.formatException(record.exc_info)
        for secret in SECRETS:
            if secret in text or secret[:16] in text:
                found.append(f"{record.name}: {secret[:12]}… in {record.getMessage()[:80]!r}")
    return found


@pytest.fixture
def everything(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):  # every logger, libraries included
        yield caplog


def test_intake_with_ai_never_logs_the_client_secret_storage_key_or_model_key(
    tmp_path: Path, azurite: Azurite, everything: pytest.LogCaptureFixture
) -> None:
    with GraphFake(client_secret=CLIENT_SECRET) as graph, OpenAIFake(api_key=OPENAI_KEY) as model:
        graph.add_mailbox(MAILBOX)
        table = RouteTable()
        server = make_server("127.0.0.1", 0, table)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        suffix = uuid.uuid4().hex[:12]
        values: dict[str, object] = {
            "data_dir": tmp_path / "data", "adapters": "m365", "case_store": "embedded",
            "tenant_id": graph.tenant_id, "client_id": graph.client_id,
            "client_secret": CLIENT_SECRET, "graph_base_url": graph.base_url,
            "mailboxes": MAILBOX,
            "notification_url": f"http://127.0.0.1:{server.server_port}/api/notifications",
            "lifecycle_url": f"http://127.0.0.1:{server.server_port}/api/lifecycle",
            "storage_connection_string": azurite.connection_string,
            "queue_name": f"secrets{suffix}", "table_name": f"secrets{suffix}",
            "classifier": "ai", "ai_endpoint": model.url,
            "ai_deployment": model.deployments[0], "ai_api_key": OPENAI_KEY,
            "ai_max_attempts": 1,
        }  # fmt: skip
        settings = load_settings(values, environ={})
        assert CLIENT_SECRET not in repr(settings) and OPENAI_KEY not in str(settings)
        app = build_intake(settings, login_http_client=RedirectingHttpClient(graph.root_url))
        table.add("POST", "/api/notifications",
                  lambda q, b: handle_notifications(q, b, app.ops, app.queue, app.clock, tenant_id=graph.tenant_id))  # fmt: skip
        table.add("POST", "/api/lifecycle", lambda q, b: handle_lifecycle(q, b, app.ops, app.queue, tenant_id=graph.tenant_id))
        try:
            app.intake.ensure_subscriptions()
            graph.deliver(MAILBOX, mail(message_id="<s1@example.org>"))
            model.default = "unavailable"  # the model is down: fallback, logged
            graph.deliver(
                MAILBOX, mail("Dear Alex, the bins again.", message_id="<s2@example.org>")
            )
            model.default = "quota_exhausted"
            graph.deliver(MAILBOX, mail("Dear Alex, potholes.", message_id="<s3@example.org>"))
            graph.fail("GET", r"/\$value$", 500, times=1)  # an attempt that raises
            graph.deliver(MAILBOX, mail("Dear Alex, parking.", message_id="<s4@example.org>"))
            for _ in range(3):
                for item in app.queue.receive(max_messages=16, visibility_seconds=1):
                    try:
                        app.dispatcher.handle(item.body, item.dequeue_count)
                        app.queue.delete(item)
                    except Exception:
                        logging.getLogger("casedesk.functions").exception("queue item failed")
        finally:
            server.shutdown()
            server.server_close()
            app.close()
        # A secret Entra refuses: the error names the problem, not the secret.
        wrong = load_settings({**values, "client_secret": CLIENT_SECRET + "-old"}, environ={})
        broken = build_intake(wrong, login_http_client=RedirectingHttpClient(graph.root_url))
        try:
            with pytest.raises(Exception) as refused:
                broken.intake.catch_up_all()  # needs a token: Entra refuses the secret
            logging.getLogger("casedesk.functions").error("renew failed", exc_info=refused.value)
            assert not any(s[:16] in str(refused.value) for s in SECRETS)
        finally:
            broken.close()
    records = everything.records
    assert len(records) > 20  # the flows ran and logged
    assert any(getattr(r, "event", "") == "ai.fallback" for r in records)
    assert leaked(records) == []


def test_bot_and_addin_never_log_the_bot_password(
    tmp_path: Path, everything: pytest.LogCaptureFixture
) -> None:
    with route_stack(tmp_path, bot_secret=BOT_PASSWORD) as stack:
        assert stack.post_json("/api/messages", stack.activity(), stack.bot.token())[0] == 200
        assert stack.post_json("/api/messages", stack.activity("my queue"), "forged")[0] == 401
        stack.post_json("/api/addin/message", {"internetMessageId": "<damp-1@example.org>"},
                        stack.addin_token())  # fmt: skip
        stack.post_json("/api/addin/me", {}, "garbage")
        assert stack.bot.posted  # the reply went out with a token got with the password
    assert everything.records and leaked(everything.records) == []


def test_a_settings_error_never_echoes_a_secret(tmp_path: Path) -> None:
    with pytest.raises(CaseDeskError) as bad:
        load_settings(
            {"data_dir": tmp_path, "adapters": "m365", "client_secret": CLIENT_SECRET,
             "ai_api_key": OPENAI_KEY, "classifier": "ai", "bot_app_id": "x",
             "bot_app_secret": BOT_PASSWORD, "review_below": "not-a-number"},
            environ={},
        )  # fmt: skip
    assert not any(secret in str(bad.value) for secret in SECRETS)


def test_the_scan_finds_a_secret_when_one_is_logged() -> None:
    record = logging.makeLogRecord({"msg": "token request", "detail": f"secret={OPENAI_KEY}"})
    assert leaked([record]) and not leaked([logging.makeLogRecord({"msg": "fine"})])
