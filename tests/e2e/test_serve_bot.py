"""`casedesk serve` with CASEDESK_BOT_APP_ID: /api/messages is served, Bot Framework tokens are
checked against the configured OpenID metadata, and replies carry a token MSAL got from
Entra ID for the bot's own app (graphfake plays Entra, botfake the Bot Framework)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from botfake import BotFake
from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
from casedesk.entrypoints import local_host
from casedesk.settings import load_settings
from graphfake import GraphFake

APP_ID = "f5d48856-5b42-41a0-8c3a-c5f944b679b0"
JO = "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"


def post(url: str, body: dict[str, object], token: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_serve_runs_the_bot_with_tokens_from_the_bots_entra_app(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "people:\n"
        f"  - {{id: jo.price, name: Jo Price, role: office_manager, entra_id: {JO}}}\n"
        "rules:\n  - {name: all, default: true, then: {priority: low}}\n",
        encoding="utf-8",
    )
    with GraphFake(client_secret="bot-secret") as graph:
        issued = graph.store.tokens  # what graphfake's token endpoint handed out
        with BotFake(
            APP_ID, now=lambda: datetime.now(UTC), accept_token=lambda t: t in issued
        ) as fake:
            settings = load_settings(
                {
                    "data_dir": tmp_path / "data",
                    "rules_file": rules,
                    "bot_app_id": APP_ID,
                    "bot_tenant_id": graph.tenant_id,
                    "bot_app_secret": "bot-secret",
                    "bot_openid_metadata_url": fake.metadata_url,
                },
                environ={},
            )
            server, table = local_host.bind("127.0.0.1", 0)
            said: list[str] = []
            host = local_host.start_local_host(
                settings, server, table, said.append,
                login_http_client=RedirectingHttpClient(graph.root_url),
            )  # fmt: skip
            try:
                activity = {
                    "type": "message",
                    "id": "1485983408511",
                    "serviceUrl": fake.service_url,
                    "channelId": "msteams",
                    "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZ", "aadObjectId": JO},
                    "conversation": {"conversationType": "personal", "id": "a:17I0kl9EkpE1O9PH5TWrzrLNwnWW"},
                    "recipient": {"id": f"28:{APP_ID}", "name": "CaseDesk"},
                    "text": "help",
                    "channelData": {"tenant": {"id": graph.tenant_id}},
                }  # fmt: skip
                url = f"{host.url}/api/messages"
                assert post(url, activity, None) == 401
                assert post(url, activity, fake.token(aud="not-this-bot")) == 401
                assert fake.posted == []
                assert post(url, activity, fake.token()) == 200
                reply = fake.posted[-1]
                assert reply.headers["authorization"].removeprefix("Bearer ") in issued
                assert "my queue" in json.dumps(reply.card)
                assert any("/api/messages" in line for line in said)
            finally:
                host.close()
