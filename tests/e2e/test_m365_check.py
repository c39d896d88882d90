"""`casedesk m365 check` against the local Graph-speaking server and Azurite."""

from __future__ import annotations

import uuid
from pathlib import Path

from azurite import Azurite
from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
from casedesk.entrypoints.m365_check import run_checks
from casedesk.settings import Settings, load_settings
from graphfake import GraphFake


def settings_for(
    graph: GraphFake, server: Azurite, tmp: Path, mailboxes: str, secret: str
) -> Settings:
    suffix = uuid.uuid4().hex[:10]
    return load_settings(
        {
            "data_dir": tmp,
            "adapters": "m365",
            "case_store": "embedded",
            "tenant_id": graph.tenant_id,
            "client_id": graph.client_id,
            "client_secret": secret,
            "graph_base_url": graph.base_url,
            "mailboxes": mailboxes,
            "notification_url": "https://casedesk.example.org/api/notifications",
            "lifecycle_url": "https://casedesk.example.org/api/lifecycle",
            "storage_connection_string": server.connection_string,
            "queue_name": f"check{suffix}",
            "table_name": f"check{suffix}",
        },
        environ={},
    )


def test_everything_ok_and_an_unknown_mailbox_named_with_its_fix(
    tmp_path: Path, azurite: Azurite
) -> None:
    with GraphFake(client_secret="right") as graph:
        graph.add_mailbox("office@parliament.example")
        s = settings_for(
            graph, azurite, tmp_path, "office@parliament.example,typo@parliament.example", "right"
        )
        checks = {c.name: c for c in run_checks(s, RedirectingHttpClient(graph.root_url))}
    assert checks["Graph token (app-only)"].ok
    assert checks["mailbox office@parliament.example"].ok
    typo = checks["mailbox typo@parliament.example"]
    assert not typo.ok and "CASEDESK_MAILBOXES" in typo.fix
    assert checks["Azure Storage"].ok


def test_wrong_secret_says_how_to_fix_it_and_never_prints_the_secret(
    tmp_path: Path, azurite: Azurite
) -> None:
    with GraphFake(client_secret="right") as graph:
        graph.add_mailbox("office@parliament.example")
        s = settings_for(graph, azurite, tmp_path, "office@parliament.example", "wrong-secret-xyz")
        checks = run_checks(s, RedirectingHttpClient(graph.root_url))
    token = next(c for c in checks if c.name.startswith("Graph token"))
    assert not token.ok and "CASEDESK_CLIENT_SECRET" in token.fix and "7000215" in token.detail
    assert all("wrong-secret-xyz" not in f"{c.detail} {c.fix}" for c in checks)
    assert not any(c.name.startswith("mailbox") for c in checks)  # no point trying without a token
