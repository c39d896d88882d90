"""Every request the adapters actually sent to the local Graph server is an endpoint that
approval/permissions.yaml declares: a run-time cross-check of the static scan."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from test_graph_intake import MAILBOX, letter, make_stack

from azurite import Azurite
from casedesk.approval.manifest import load_manifest
from casedesk.approval.scan import GRAPH

ROOT = Path(__file__).resolve().parents[2]


def template_pattern(call: str) -> tuple[str, re.Pattern[str]]:
    method, path = call.split(" ", 1)
    parts = re.split(r"(\{[^}]+\})", path)
    regex = "".join(
        (".+" if p == "{path}" else "[^/]+") if p.startswith("{") else re.escape(p) for p in parts
    )
    return method, re.compile(f"^{regex}$", re.IGNORECASE)


def test_every_graph_request_during_intake_and_filing_is_declared(
    tmp_path: Path, azurite: Azurite
) -> None:
    manifest = load_manifest(ROOT / "approval/permissions.yaml")
    declared = [template_pattern(e.call) for e in manifest.endpoints if e.api == GRAPH]
    with make_stack(tmp_path, azurite, "sharepoint") as stack:
        stack.app.intake.ensure_subscriptions()
        stack.graph.deliver(MAILBOX, letter(1))
        stack.graph.deliver(MAILBOX, letter(2))
        stack.drain()
        stack.app.intake.catch_up_all()
        stack.drain()
        sent = [(method, urlsplit(path).path) for _, method, path, _, _ in stack.graph.requests]
    # msgraph-sdk calls OData functions with parentheses (`messages/delta()`); Microsoft's pages
    # and the manifest write `messages/delta`. Same function.
    graph_calls = {
        (method, unquote(path.removeprefix("/v1.0")).replace("()", ""))
        for method, path in sent
        if path.startswith("/v1.0/") and not path.endswith("/$batch")
    }
    assert len(graph_calls) >= 8  # subscriptions, mail and SharePoint were all exercised
    undeclared = sorted(
        f"{method} {path}"
        for method, path in graph_calls
        if not any(m == method and p.match(path) for m, p in declared)
    )
    assert undeclared == []
