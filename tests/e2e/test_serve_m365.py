"""`casedesk serve` with the M365 adapters: a message delivered to the mailbox becomes a case
with no one driving the queue by hand (the worker and renew timer run in the host)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

from azurite import Azurite
from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
from casedesk.core.models import CaseQuery
from casedesk.entrypoints import local_host
from casedesk.settings import load_settings
from graphfake import GraphFake
from mailmaker import mail

MAILBOX = "alex.morgan.mp@parliament.example"


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Poll with a deadline: the worker runs in its own thread."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_serve_runs_subscription_worker_and_triage(tmp_path: Path, azurite: Azurite) -> None:
    with GraphFake(client_secret="s") as graph:
        graph.add_mailbox(MAILBOX)
        server, table = local_host.bind("127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        suffix = uuid.uuid4().hex[:10]
        settings = load_settings(
            {
                "data_dir": tmp_path,
                "adapters": "m365",
                "case_store": "embedded",
                "tenant_id": graph.tenant_id,
                "client_id": graph.client_id,
                "client_secret": "s",
                "graph_base_url": graph.base_url,
                "mailboxes": MAILBOX,
                "notification_url": f"{url}/api/notifications",
                "lifecycle_url": f"{url}/api/lifecycle",
                "storage_connection_string": azurite.connection_string,
                "queue_name": f"serve{suffix}",
                "table_name": f"serve{suffix}",
            },
            environ={},
        )
        host = local_host.start_local_host(
            settings,
            server,
            table,
            lambda _msg: None,
            login_http_client=RedirectingHttpClient(graph.root_url),
            poll_seconds=0.1,
        )
        try:
            assert wait_for(lambda: len(graph.subscriptions()) == 1)
            graph.deliver(MAILBOX, mail())
            assert wait_for(lambda: len(host.app.cases.repo.query_cases(CaseQuery())) == 1)
            assert wait_for(lambda: len(graph.drafts(MAILBOX)) == 1)
        finally:
            host.close()
