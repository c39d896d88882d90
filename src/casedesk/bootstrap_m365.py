"""Wiring for the Microsoft 365 intake: Graph, Azure Storage, and the shared pipeline.

Not finished: cases and files still go to the embedded store under data_dir; the
SharePoint list and library adapters are the next step (README, Status). Everything else
here is the production path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casedesk.bootstrap import App, build_app
from casedesk.core.intake import Intake, IntakeConfig, QueueDispatcher, TriageWorker
from casedesk.errors import SettingsError
from casedesk.ports import Clock, OpsState, WorkQueue
from casedesk.settings import Settings


@dataclass
class IntakeApp:
    cases: App
    ops: OpsState
    queue: WorkQueue
    intake: Intake
    dispatcher: QueueDispatcher
    clock: Clock
    graph: Any  # GraphCaller, for request counts

    def close(self) -> None:
        self.graph.close()
        self.cases.close()


def storage_adapters(settings: Settings) -> tuple[OpsState, WorkQueue]:
    from casedesk.adapters.m365.storage_queue import StorageWorkQueue
    from casedesk.adapters.m365.table_ops import TableOpsState

    if settings.storage_connection_string:
        conn = settings.storage_connection_string.get_secret_value()
        return (
            TableOpsState(connection_string=conn, table_name=settings.table_name),
            StorageWorkQueue(connection_string=conn, queue_name=settings.queue_name),
        )
    from azure.identity import ManagedIdentityCredential

    credential = ManagedIdentityCredential()
    account = settings.storage_account_name
    return (
        TableOpsState(
            account_url=f"https://{account}.table.core.windows.net",
            credential=credential,
            table_name=settings.table_name,
        ),
        StorageWorkQueue(
            account_url=f"https://{account}.queue.core.windows.net",
            credential=credential,
            queue_name=settings.queue_name,
        ),
    )


def build_intake(
    settings: Settings, clock: Clock | None = None, login_http_client: Any = None
) -> IntakeApp:
    """login_http_client lets tests send MSAL's Entra traffic to a local server."""
    if settings.adapters != "m365":
        raise SettingsError("build_intake needs CASEDESK_ADAPTERS=m365")
    from casedesk.adapters.embedded.clock import SystemClock
    from casedesk.adapters.m365.graph_client import GraphCaller
    from casedesk.adapters.m365.graph_mailbox import GraphMailbox
    from casedesk.adapters.m365.graph_subscriptions import GraphSubscriptions
    from casedesk.adapters.m365.msal_tokens import MsalTokenSource

    clock = clock or SystemClock()
    cases = build_app(settings.model_copy(update={"adapters": "embedded"}), clock)
    tokens = MsalTokenSource(
        tenant_id=settings.tenant_id or "",
        client_id=settings.client_id or "",
        client_secret=settings.client_secret.get_secret_value() if settings.client_secret else None,
        use_managed_identity=settings.use_managed_identity,
        http_client=login_http_client,
    )
    graph = GraphCaller(tokens.token, settings.graph_base_url)
    ops, queue = storage_adapters(settings)
    config = IntakeConfig(
        mailboxes=settings.mailbox_list,
        notification_url=settings.notification_url or "",
        lifecycle_url=settings.lifecycle_url or "",
    )
    remote = GraphMailbox(graph)
    intake = Intake(config, remote, GraphSubscriptions(graph), ops, queue, clock)
    worker = TriageWorker(remote, cases.triage, cases.repo, ops, clock, config)
    return IntakeApp(cases, ops, queue, intake, QueueDispatcher(worker, intake), clock, graph)
