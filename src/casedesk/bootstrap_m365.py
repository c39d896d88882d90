"""Wiring for the Microsoft 365 intake: Graph, Azure Storage, and the shared pipeline.

Cases go to SharePoint lists and the case documents library (CASEDESK_CASE_STORE=sharepoint,
the default), or to the embedded store under data_dir for a laptop without a site.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from casedesk.bootstrap import (
    App,
    build_app,
    default_classifier,
    drafter_for,
    routing_rules,
    shared_gazetteer,
    triage_policy,
    with_ai_drafting,
)
from casedesk.core.intake import Intake, IntakeConfig, QueueDispatcher, TriageWorker
from casedesk.core.rules import RuleSet
from casedesk.core.triage import Triage
from casedesk.errors import SettingsError
from casedesk.ports import Clock, OpsState, WorkQueue
from casedesk.settings import Settings

log = logging.getLogger("casedesk.bootstrap")


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


def _case_app(
    settings: Settings, clock: Clock, caller: Any, ops: OpsState, queue: WorkQueue
) -> App:
    """The pipeline over the SharePoint store (or the embedded one, when asked for)."""
    if settings.case_store == "embedded":
        return build_app(settings.model_copy(update={"adapters": "embedded"}), clock)
    from casedesk.adapters.m365.sharepoint_files import SharePointCaseFiles
    from casedesk.adapters.m365.sharepoint_lists import SharePointCaseRepository
    from casedesk.adapters.m365.sharepoint_schema import SCHEMA, CaseDeskLists

    ids = {spec.key: spec.display_name for spec in SCHEMA} | settings.sharepoint_list_ids
    site = settings.sharepoint_site_id or ""
    repo = SharePointCaseRepository(caller, site, CaseDeskLists.from_mapping(ids))
    files = SharePointCaseFiles(caller, site, settings.sharepoint_drive_id or "")
    classifier = default_classifier(settings)
    rules = (
        list_rules(settings, repo, ops, clock, caller, site)
        if settings.rules_home == "sharepoint"
        else routing_rules(settings, repo, ops, clock)
    )
    gazetteer, seat = shared_gazetteer(settings)
    triage = Triage(
        repo, files, classifier,
        with_ai_drafting(settings, drafter_for(settings, clock, rules), repo, clock), ops, clock,
        triage_policy(settings), rules=rules, gazetteer=gazetteer, constituency_code=seat,
    )  # fmt: skip
    from casedesk.bootstrap_teams import filing_notifier

    triage.notifier = filing_notifier(settings, repo, ops, clock, triage.rules)  # Teams alerts
    return App(settings, repo, files, ops, classifier, triage, queue, clock, lambda: None)


def list_rules(
    settings: Settings, repo: Any, ops: OpsState, clock: Clock, caller: Any, site: str
) -> RuleSet:
    """The rules from the CaseDesk Rules and People lists; a new version is audited with the
    item editor's name. Lists with errors never go live: mail keeps being routed by the last
    version that did (with every problem logged against its list item), and only when there
    is none is the start refused."""
    from casedesk.adapters.m365.sharepoint_items import ListItems
    from casedesk.adapters.m365.sharepoint_rules import RULE_LISTS, load_list_rules
    from casedesk.core import rules_history
    from casedesk.rules_file import parse_rules

    ids = {spec.key: spec.display_name for spec in RULE_LISTS} | settings.sharepoint_list_ids
    loaded, doc = load_list_rules(ListItems(caller, site).all_items, ids["rules"], ids["people"])
    if loaded.errors:
        said = "\n".join(doc.render(p) for p in loaded.errors)
        last_good = rules_history.live_text(ops)
        if last_good is None:
            raise SettingsError("the routing rules in SharePoint have errors:\n" + said)
        log.error(
            "routing rules in SharePoint have errors; still routing by the last good version",
            extra={"event": "rules.refused", "problems": said},
        )
        return parse_rules(last_good, "CaseDesk Rules list (last good version)").rules
    rules_history.record(
        repo, ops, clock, doc.text, "CaseDesk Rules list",
        doc.modified_by or rules_history.UNRECORDED,
    )  # fmt: skip
    return loaded.rules


def token_source(settings: Settings, login_http_client: Any = None) -> Any:
    """MSAL app-only tokens from the settings (secret locally, managed identity in Azure)."""
    from casedesk.adapters.m365.msal_tokens import MsalTokenSource

    return MsalTokenSource(
        tenant_id=settings.tenant_id or "",
        client_id=settings.client_id or "",
        client_secret=settings.client_secret.get_secret_value() if settings.client_secret else None,
        use_managed_identity=settings.use_managed_identity,
        http_client=login_http_client,
    )


def graph_caller(settings: Settings, login_http_client: Any = None) -> Any:
    """A GraphCaller with the app's tokens: on a 401 it drops the cached token and retries
    once with a fresh one."""
    from casedesk.adapters.m365.graph_client import GraphCaller

    tokens = token_source(settings, login_http_client)
    return GraphCaller(tokens.token, settings.graph_base_url, forget_token=tokens.forget)


def build_cases(
    settings: Settings, clock: Clock | None = None, login_http_client: Any = None
) -> App:
    """The office's cases on Microsoft 365 (SharePoint lists and library, Azure Storage ops
    state) for the command line: `casedesk sar`, `erase`, `report`, `retention`, ... run
    against the production store. Closing it closes the Graph client too."""
    intake = build_intake(settings, clock, login_http_client)
    previous = intake.cases.close_store

    def close() -> None:
        if callable(previous):
            previous()
        intake.graph.close()

    return replace(intake.cases, close_store=close)


def build_intake(
    settings: Settings, clock: Clock | None = None, login_http_client: Any = None
) -> IntakeApp:
    """login_http_client lets tests send MSAL's Entra traffic to a local server."""
    if settings.adapters != "m365":
        raise SettingsError("build_intake needs CASEDESK_ADAPTERS=m365")
    from casedesk.adapters.embedded.clock import SystemClock
    from casedesk.adapters.m365.graph_mailbox import GraphMailbox
    from casedesk.adapters.m365.graph_subscriptions import GraphSubscriptions

    clock = clock or SystemClock()
    graph = graph_caller(settings, login_http_client)
    ops, queue = storage_adapters(settings)
    cases = _case_app(settings, clock, graph, ops, queue)
    config = IntakeConfig(
        mailboxes=settings.mailbox_list,
        notification_url=settings.notification_url or "",
        lifecycle_url=settings.lifecycle_url or "",
    )
    remote = GraphMailbox(graph)
    intake = Intake(config, remote, GraphSubscriptions(graph), ops, queue, clock)
    worker = TriageWorker(remote, cases.triage, cases.repo, ops, clock, config)
    return IntakeApp(cases, ops, queue, intake, QueueDispatcher(worker, intake), clock, graph)
