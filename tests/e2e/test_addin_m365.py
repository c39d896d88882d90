"""The add-in's API on the Microsoft 365 adapters: cases in SharePoint lists (tests/graphfake),
the queue and ops table in Azurite, tokens from a local Entra. An Outlook without
getAsFileAsync has CaseDesk fetch the message from the office mailbox over Graph; the pane
shows the reply draft from the SharePoint store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from test_graph_intake import MAILBOX, Stack, make_stack

from addin_stack import CLIENT_ID, FORWARDED_ID, JO, forwarded_eml, rules_with_entra_ids
from azurite import Azurite
from casedesk.entrypoints.addin_api import AddinApi
from casedesk.entrypoints.addin_host import build_addin_api
from casedesk.entrypoints.http_server import HttpRequest
from entrafake import EntraFake


@pytest.fixture
def m365(tmp_path: Path, azurite: Azurite) -> Iterator[tuple[Stack, AddinApi, EntraFake]]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_with_entra_ids(), encoding="utf-8")
    with make_stack(tmp_path, azurite, "sharepoint", {"rules_file": rules}) as stack:
        settings = stack.app.cases.settings
        with EntraFake(settings.tenant_id or "") as entra:
            addin = settings.model_copy(
                update={"addin_client_id": CLIENT_ID, "addin_authority": entra.authority}
            )
            api = build_addin_api(addin, stack.app.cases, remote=stack.app.intake.remote)
            yield stack, api, entra


def ask(api: AddinApi, entra: EntraFake, name: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    token = entra.token(JO, CLIENT_ID)
    request = HttpRequest("POST", f"/api/addin/{name}", {}, {"authorization": f"Bearer {token}"},
                          json.dumps(body).encode())  # fmt: skip
    result = api(request)
    return result.status, json.loads(result.body)


def test_casedesk_fetches_an_unseen_message_from_the_office_mailbox_and_files_it(
    m365: tuple[Stack, AddinApi, EntraFake],
) -> None:
    stack, api, entra = m365
    item_id = stack.graph.deliver(MAILBOX, forwarded_eml(), notify=False)  # the intake missed it
    assert ask(api, entra, "message", {"internetMessageId": FORWARDED_ID}) == (200, {"found": False})
    status, made = ask(api, entra, "create", {"mailbox": MAILBOX.upper(), "itemId": item_id})
    assert status == 201 and made["outcome"] == "filed_new", made
    ref = made["case"]["ref"]
    assert made["folder"]["url"].startswith("https://")  # the SharePoint case folder
    fetched = [r for r in stack.graph.requests if r[1] == "GET" and r[2].split("?")[0].endswith("/$value")]
    assert len(fetched) == 1 and f"{MAILBOX}/messages/{item_id}/" in unquote(fetched[0][2])
    # The pane's view of it from now on, with the reply draft read back from SharePoint.
    status, seen = ask(api, entra, "message", {"internetMessageId": FORWARDED_ID})
    assert status == 200 and seen["case"]["ref"] == ref
    assert seen["draft"] and "Alex Morgan" in seen["draft"]
    entries = stack.app.cases.repo.audit_entries(ref)
    [submitted] = [e for e in entries if e.action == "message.submitted"]
    assert submitted.actor == "jo.price" and submitted.detail["via"] == "outlook-graph"
    # Handed over again: recognised, no second case, no second fetch is filed.
    status, again = ask(api, entra, "create", {"mailbox": MAILBOX, "itemId": item_id})
    assert status == 200 and again["outcome"] == "duplicate" and again["case"]["ref"] == ref
    assert stack.cases() == 1


def test_casedesk_fetches_only_from_the_mailboxes_it_watches(
    m365: tuple[Stack, AddinApi, EntraFake],
) -> None:
    stack, api, entra = m365
    stack.graph.add_mailbox("someone.else@parliament.example")
    item_id = stack.graph.deliver("someone.else@parliament.example", forwarded_eml(), notify=False)
    before = len(stack.graph.requests)
    status, answer = ask(api, entra, "create", {"mailbox": "someone.else@parliament.example", "itemId": item_id})
    assert status == 422 and "forward the message to the office mailbox" in answer["message"]
    assert len(stack.graph.requests) == before and stack.cases() == 0  # Graph was never asked


def test_a_message_gone_from_the_mailbox_is_404(m365: tuple[Stack, AddinApi, EntraFake]) -> None:
    _, api, entra = m365
    status, answer = ask(api, entra, "create", {"mailbox": MAILBOX, "itemId": "AAMkAGone0000AAA="})
    assert status == 404 and "no longer in the mailbox" in answer["message"]
