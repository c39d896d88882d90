"""The app's Entra ID tokens against a local Entra ID (tests/entrafake) and Graph
(tests/graphfake): the common refusals name the setting to fix, in the error and in
`casedesk doctor`; a token Graph stops accepting is replaced once, and a second refusal says
what is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casedesk.adapters.m365.graph_client import GraphAuthError
from casedesk.adapters.m365.graph_mailbox import GraphMailbox
from casedesk.adapters.m365.msal_tokens import EntraAppError, RedirectingHttpClient
from casedesk.bootstrap_m365 import graph_caller, token_source
from casedesk.bootstrap_teams import bot_token_source
from casedesk.entrypoints.doctor import examine
from casedesk.settings import Settings, load_settings
from entrafake import EntraFake
from graphfake import GraphFake

TENANT = "84bd8158-6d4d-4958-8b9f-9d6445542f95"
APP = "24d3b144-21ae-4080-943f-7067b395b913"
BOT = "f5d48856-5b42-41a0-8c3a-c5f944b679b0"
SECRET = "the-right-secret-Qx8~"
BOT_SECRET = "the-bot-secret-Zr5~"
MAILBOX = "office@parliament.example"
UNKNOWN_TENANT = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@dataclass
class Stack:
    entra: EntraFake
    graph: GraphFake
    tmp: Path

    @property
    def login(self) -> Any:
        return RedirectingHttpClient(self.entra.authority)

    def settings(self, **changes: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": self.tmp / "data", "adapters": "m365", "case_store": "embedded",
            "tenant_id": TENANT, "client_id": APP, "client_secret": SECRET,
            "graph_base_url": self.graph.base_url, "mailboxes": MAILBOX,
            "notification_url": "https://casedesk.example.org/api/notifications",
            "lifecycle_url": "https://casedesk.example.org/api/lifecycle",
            "storage_connection_string": "UseDevelopmentStorage=true",
            "bot_app_id": BOT, "bot_app_secret": BOT_SECRET,
        }  # fmt: skip
        return load_settings(values | changes, environ={})


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with EntraFake(TENANT) as entra:
        entra.register_app(APP, SECRET)
        entra.register_app(BOT, BOT_SECRET)
        with GraphFake(
            tenant_id=TENANT, client_id=APP, accept_token=entra.issued.__contains__
        ) as graph:
            graph.add_mailbox(MAILBOX)
            yield Stack(entra, graph, tmp_path)


# --- Entra ID's refusals, named with the setting to fix ------------------------------------

REFUSALS = {
    "wrong secret": (7000215, {"client_secret": "not-the-secret-Pw3~"}, "CASEDESK_CLIENT_SECRET"),
    "expired secret": (7000222, {}, "CASEDESK_CLIENT_SECRET"),
    "unknown app": (700016, {"client_id": "99999999-aaaa-4bbb-8ccc-dddddddddddd"}, "CASEDESK_CLIENT_ID"),
    "unknown tenant": (90002, {"tenant_id": UNKNOWN_TENANT}, "CASEDESK_TENANT_ID"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_entra_refusals_name_the_setting_to_fix(stack: Stack, case: str) -> None:
    code, changes, setting = REFUSALS[case]
    if case == "expired secret":
        stack.entra.expire_secret(APP)
    settings = stack.settings(**changes)
    with pytest.raises(EntraAppError) as raised:
        token_source(settings, stack.login).token()
    said = str(raised.value)
    assert raised.value.code == code and raised.value.setting == setting
    assert f"AADSTS{code}" in said and "Fix: " in said and setting in raised.value.fix
    assert "not-the-secret" not in said and SECRET not in said
    assert "Trace ID" not in said  # Entra's own description is not passed through raw

    tenant = next(f for f in examine(lambda: settings, stack.login) if f.name == "tenant")
    assert tenant.status == "fail" and f"AADSTS{code}" in tenant.detail
    assert setting in tenant.fix and "not-the-secret" not in tenant.detail + tenant.fix


def test_the_doctor_says_the_token_was_issued(stack: Stack) -> None:
    tenant = next(f for f in examine(stack.settings, stack.login) if f.name == "tenant")
    assert tenant.status == "ok" and "issued" in tenant.detail
    assert len(stack.entra.issued) == 1


def test_the_bot_app_refusal_names_the_bot_setting(stack: Stack) -> None:
    settings = stack.settings(bot_app_secret="not-the-bot-secret-Xy1~")
    with pytest.raises(EntraAppError) as raised:
        bot_token_source(settings, stack.login)()
    assert raised.value.setting == "CASEDESK_BOT_APP_SECRET"
    assert "not-the-bot-secret" not in str(raised.value)


# --- a token Graph no longer accepts ----------------------------------------------------------


def _graph_401s(graph: GraphFake) -> int:
    return sum(1 for _, _, path, _, _ in graph.requests if "/mailFolders/inbox" in path)


def test_a_revoked_token_is_dropped_and_the_request_retried_once_with_a_new_one(
    stack: Stack,
) -> None:
    caller = graph_caller(stack.settings(), stack.login)
    mailbox = GraphMailbox(caller)
    try:
        stack.graph.deliver(
            MAILBOX, b"From: a@example.org\r\nSubject: x\r\n\r\nhello\r\n", notify=False
        )
        assert mailbox.probe_inbox(MAILBOX) == 1
        first = stack.entra.issued[-1]
        assert mailbox.probe_inbox(MAILBOX) == 1 and len(stack.entra.issued) == 1  # cached
        stack.graph.revoke_token(first)
        stack.graph.forget_requests()
        assert mailbox.probe_inbox(MAILBOX) == 1
        assert len(stack.entra.issued) == 2 and stack.entra.issued[-1] != first
        assert caller.tokens_refreshed == 1
        assert _graph_401s(stack.graph) == 2  # refused with the old token, then answered
        assert mailbox.probe_inbox(MAILBOX) == 1 and len(stack.entra.issued) == 2  # new one cached
    finally:
        caller.close()


def test_a_second_401_with_a_fresh_token_is_a_clear_error_not_a_loop(stack: Stack) -> None:
    caller = graph_caller(stack.settings(), stack.login)
    mailbox = GraphMailbox(caller)
    try:
        assert mailbox.probe_inbox(MAILBOX) == 0
        stack.graph.accept_token = lambda _token: False  # e.g. the app lost its consent
        stack.graph.revoke_token(stack.entra.issued[-1])
        stack.graph.forget_requests()
        with pytest.raises(GraphAuthError) as raised:
            mailbox.probe_inbox(MAILBOX)
        said = str(raised.value)
        assert "401 InvalidAuthenticationToken" in said and "freshly issued" in said
        assert "CASEDESK_TENANT_ID" in said and "CASEDESK_CLIENT_ID" in said and "Fix:" in said
        assert _graph_401s(stack.graph) == 2 and len(stack.entra.issued) == 2  # retried once
        assert caller.tokens_refreshed == 1
    finally:
        caller.close()


def test_a_revoked_managed_identity_token_is_dropped_and_a_new_one_fetched(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In Azure the function app has no secret: MSAL asks the App Service identity endpoint
    (IDENTITY_ENDPOINT, with IDENTITY_HEADER), and a token Graph refuses must still be
    replaced, not served again from MSAL's cache for the rest of its 24 hours."""
    for name in ("IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", stack.entra.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", stack.entra.identity_header)
    caller = graph_caller(stack.settings(client_secret=None, use_managed_identity=True))
    mailbox = GraphMailbox(caller)
    try:
        assert mailbox.probe_inbox(MAILBOX) == 0
        first = stack.entra.issued[-1]
        assert any(path.startswith("/msi/token?") for path in stack.entra.requests)
        assert mailbox.probe_inbox(MAILBOX) == 0 and len(stack.entra.issued) == 1  # cached
        stack.graph.revoke_token(first)
        stack.graph.forget_requests()
        assert mailbox.probe_inbox(MAILBOX) == 0
        assert len(stack.entra.issued) == 2 and stack.entra.issued[-1] != first
        assert caller.tokens_refreshed == 1 and _graph_401s(stack.graph) == 2
        assert mailbox.probe_inbox(MAILBOX) == 0 and len(stack.entra.issued) == 2  # new one cached
    finally:
        caller.close()
