"""`casedesk serve` with every HTTP route switched on at once: Graph notifications, the Teams bot
(tokens from botfake, the bot's own Entra app on graphfake) and the Outlook add-in (tokens from
entrafake), over an embedded store holding the add-in stack's sample mail. For the route review
(tests/e2e/test_http_routes.py) and the HTTP fuzzing (tests/e2e/test_http_fuzz.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from addin_stack import CLIENT_ID, JO, TENANT, rules_with_entra_ids, sample_inbox
from botfake import BotFake
from casedesk.adapters.embedded.eml_folder import EmlFolderMailbox
from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
from casedesk.bootstrap import build_app
from casedesk.core.intake import SubscriptionBook, SubscriptionRecord
from casedesk.entrypoints import local_host
from casedesk.entrypoints.http_server import RouteTable
from casedesk.settings import load_settings
from entrafake import EntraFake
from graphfake import GraphFake

BOT_APP_ID = "f5d48856-5b42-41a0-8c3a-c5f944b679b0"
BOT_SECRET = "route-stack-bot-secret"
SUB_ID = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07"
CLIENT_STATE = "route-stack-client-state"
MAILBOX = "alex.morgan.mp@parliament.example"
OTHER_TENANT = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@dataclass
class RouteStack:
    url: str
    table: RouteTable
    entra: EntraFake
    bot: BotFake
    app: Any

    def addin_token(self, user: str = JO, aud: str = CLIENT_ID, **claims: object) -> str:
        return self.entra.token(user, aud, **claims)  # type: ignore[arg-type]

    def activity(self, text: str = "help", tenant: str = TENANT) -> dict[str, Any]:
        return {
            "type": "message",
            "id": "1485983408511",
            "serviceUrl": self.bot.service_url,
            "channelId": "msteams",
            "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZ", "aadObjectId": JO},
            "conversation": {"conversationType": "personal", "id": "a:17I0kl9Ek", "tenantId": tenant},
            "recipient": {"id": f"28:{BOT_APP_ID}", "name": "CaseDesk"},
            "text": text,
            "channelData": {"tenant": {"id": tenant}},
        }  # fmt: skip

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        request = urllib.request.Request(
            self.url + path,
            data=body if method != "GET" else None,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read(), dict(response.headers.items())
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers.items())

    def post_json(self, path: str, payload: object, token: str | None = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, body, _ = self.call("POST", path, json.dumps(payload).encode(), headers)
        return status, body


@contextmanager
def route_stack(
    tmp_path: Path, extra: dict[str, object] | None = None, bot_secret: str = BOT_SECRET
) -> Iterator[RouteStack]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_with_entra_ids(), encoding="utf-8")
    values: dict[str, object] = {"data_dir": tmp_path / "data", "rules_file": rules}
    sample_inbox(tmp_path / "inbox")
    seed = build_app(load_settings(values, environ={}))
    try:
        seed.triage.run(EmlFolderMailbox([tmp_path / "inbox"]).messages())
    finally:
        seed.close()
    with (
        GraphFake(client_secret=bot_secret, tenant_id=TENANT) as graph,
        EntraFake(TENANT) as entra,
        BotFake(
            BOT_APP_ID,
            now=lambda: datetime.now(UTC),
            accept_token=lambda t: t in graph.store.tokens,
        ) as bot,
    ):
        values |= {
            "tenant_id": TENANT,
            "addin_client_id": CLIENT_ID,
            "addin_authority": entra.authority,
            "bot_app_id": BOT_APP_ID,
            "bot_tenant_id": TENANT,
            "bot_app_secret": bot_secret,
            "bot_openid_metadata_url": bot.metadata_url,
            **(extra or {}),
        }
        server, table = local_host.bind("127.0.0.1", 0)
        host = local_host.start_local_host(
            load_settings(values, environ={}), server, table, lambda _msg: None,
            login_http_client=RedirectingHttpClient(graph.root_url),
        )  # fmt: skip
        SubscriptionBook(host.app.ops).save(
            SubscriptionRecord(SUB_ID, MAILBOX, CLIENT_STATE, "2099-01-01T00:00:00+00:00")
        )
        try:
            yield RouteStack(host.url, table, entra, bot, host.app)
        finally:
            host.close()
