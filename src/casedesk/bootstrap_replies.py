"""Wiring for the reply commands (draft, approvals, approve, reject, send).

Embedded: the SQLite store, the local case folders and the outbox folder. Microsoft 365: the
case store the intake uses (SharePoint lists and library, or the embedded one with
case_store = "embedded") and the office mailbox through Graph, where drafts are Outlook reply
drafts and sending is Graph `send`. No Azure Storage: replies need no queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casedesk.bootstrap import build_app, drafter_for, live_rules_or_none, with_ai_drafting
from casedesk.core.replies import approvers
from casedesk.core.reply_desk import ReplyDesk, ReplyOffice
from casedesk.features import refusal
from casedesk.ports import Clock
from casedesk.settings import Settings


@dataclass
class ReplyApp:
    desk: ReplyDesk
    settings: Settings
    close: Callable[[], None]


def reply_office(settings: Settings) -> ReplyOffice:
    return ReplyOffice(
        settings.office_address, settings.office_name, approvers(settings.mp_approver)
    )


def build_replies(
    settings: Settings, clock: Clock | None = None, login_http_client: Any = None
) -> ReplyApp:
    """login_http_client lets tests send MSAL's Entra traffic to a local server."""
    if settings.adapters == "m365":
        return _m365(settings, clock, login_http_client)
    from casedesk.adapters.embedded.outbox import OutboxChannel

    app = build_app(settings, clock)
    desk = ReplyDesk(
        app.repo, app.files, app.triage.drafter, OutboxChannel(settings.data_dir / "outbox"),
        app.clock, reply_office(settings), sending_off=refusal(settings, "send_mail"),
    )  # fmt: skip
    return ReplyApp(desk, settings, app.close)


def _m365(settings: Settings, clock: Clock | None, login_http_client: Any) -> ReplyApp:
    from casedesk.adapters.embedded.clock import SystemClock
    from casedesk.bootstrap_m365 import graph_caller

    clock = clock or SystemClock()
    graph = graph_caller(settings, login_http_client)
    channel = graph_reply_channel(settings, graph)
    drafter = drafter_for(settings, clock, live_rules_or_none(settings))
    if settings.case_store == "embedded":
        app = build_app(settings.model_copy(update={"adapters": "embedded"}), clock)
        repo, files, close_store = app.repo, app.files, app.close
    else:
        from casedesk.adapters.m365.sharepoint_files import SharePointCaseFiles
        from casedesk.adapters.m365.sharepoint_lists import SharePointCaseRepository
        from casedesk.adapters.m365.sharepoint_schema import SCHEMA, CaseDeskLists

        ids = {spec.key: spec.display_name for spec in SCHEMA} | settings.sharepoint_list_ids
        site = settings.sharepoint_site_id or ""
        repo = SharePointCaseRepository(graph, site, CaseDeskLists.from_mapping(ids))
        files = SharePointCaseFiles(graph, site, settings.sharepoint_drive_id or "")

        def close_store() -> None:
            return None

    drafter = with_ai_drafting(settings, drafter, repo, clock)
    desk = ReplyDesk(
        repo, files, drafter, channel, clock, reply_office(settings),
        sending_off=refusal(settings, "send_mail"),
    )  # fmt: skip

    def close() -> None:
        graph.close()
        close_store()

    return ReplyApp(desk, settings, close)


def graph_reply_channel(settings: Settings, graph: Any) -> Any:
    """Outlook reply drafts in the office mailbox (and the intake's mailboxes), via Graph."""
    from casedesk.adapters.m365.graph_mailbox import GraphMailbox
    from casedesk.adapters.m365.graph_replies import GraphReplyChannel

    mailboxes = (settings.office_address.lower(), *settings.mailbox_list)
    return GraphReplyChannel(GraphMailbox(graph), tuple(dict.fromkeys(mailboxes)))
