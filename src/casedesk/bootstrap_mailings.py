"""Wiring for mailings (campaign replies, follow-ups, outcomes): the case store, operational
state for the mailing records and send ledger, the office's templates, and where copies go.

Embedded: SQLite (cases and operational state), local case folders, the outbox folder.
Microsoft 365: the case store the reply commands use, Azure Table storage for the ledger (the
embedded SQLite when case_store = "embedded"), and Exchange Online through Graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casedesk.bootstrap import build_app, drafter_for, live_rules_or_none
from casedesk.core.mailing_desk import MailingDesk, MailingOffice
from casedesk.core.pacing import SendingLimits
from casedesk.core.replies import approvers
from casedesk.errors import CaseDeskError
from casedesk.features import refusal
from casedesk.ports import Clock, Sleeper
from casedesk.settings import Settings

if TYPE_CHECKING:
    from casedesk.adapters.embedded.jinja_drafter import JinjaDrafter


@dataclass
class MailingApp:
    desk: MailingDesk
    settings: Settings
    close: Callable[[], None]


def read_attachment(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CaseDeskError(
            f"{path}: no such file to attach (a mailing keeps the path it was written with: "
            "put the file back, or write the mailing again with the new path)"
        )
    return file.read_bytes()


def mailing_office(settings: Settings) -> MailingOffice:
    return MailingOffice(
        settings.office_address, settings.office_name, approvers(settings.mp_approver)
    )


def sending_limits(settings: Settings) -> SendingLimits:
    return SendingLimits(settings.bulk_messages_per_minute, settings.bulk_recipients_per_day)


def _templates(settings: Settings, clock: Clock) -> JinjaDrafter:
    """The drafter the reply commands use: it is also the mailings' LetterTemplates."""
    from casedesk.adapters.embedded.jinja_drafter import JinjaDrafter

    drafter = drafter_for(settings, clock, live_rules_or_none(settings))
    if not isinstance(drafter, JinjaDrafter):
        raise CaseDeskError("mailings need the office's Jinja templates (templates_dir)")
    return drafter


def build_mailings(
    settings: Settings,
    clock: Clock | None = None,
    sleeper: Sleeper | None = None,
    login_http_client: Any = None,
) -> MailingApp:
    from casedesk.adapters.embedded.clock import SystemClock, SystemSleeper

    clock = clock or SystemClock()
    sleeper = sleeper or SystemSleeper()
    if settings.adapters == "m365":
        return _m365(settings, clock, sleeper, login_http_client)
    from casedesk.adapters.embedded.outbox_mailer import OutboxMailer

    app = build_app(settings, clock)
    desk = MailingDesk(
        app.repo, app.files, app.ops, _templates(settings, clock),
        OutboxMailer(settings.data_dir / "outbox"), clock, sleeper, mailing_office(settings),
        sending_limits(settings), read_attachment, refusal(settings, "send_mail"),
    )  # fmt: skip
    return MailingApp(desk, settings, app.close)


def _m365(settings: Settings, clock: Clock, sleeper: Sleeper, login: Any) -> MailingApp:
    from casedesk.adapters.m365.graph_mail_sender import GraphMailSender
    from casedesk.bootstrap_m365 import graph_caller, storage_adapters

    graph = graph_caller(settings, login)
    sender = GraphMailSender(graph, settings.office_address)
    closers: list[Callable[[], None]] = [graph.close]
    if settings.case_store == "embedded":
        app = build_app(settings.model_copy(update={"adapters": "embedded"}), clock)
        repo, files, ops = app.repo, app.files, app.ops
        closers.append(app.close)
    else:
        from casedesk.adapters.m365.sharepoint_files import SharePointCaseFiles
        from casedesk.adapters.m365.sharepoint_lists import SharePointCaseRepository
        from casedesk.adapters.m365.sharepoint_schema import SCHEMA, CaseDeskLists

        ids = {spec.key: spec.display_name for spec in SCHEMA} | settings.sharepoint_list_ids
        site = settings.sharepoint_site_id or ""
        repo = SharePointCaseRepository(graph, site, CaseDeskLists.from_mapping(ids))
        files = SharePointCaseFiles(graph, site, settings.sharepoint_drive_id or "")
        ops, _ = storage_adapters(settings)
    desk = MailingDesk(
        repo, files, ops, _templates(settings, clock), sender, clock, sleeper,
        mailing_office(settings), sending_limits(settings), read_attachment,
        refusal(settings, "send_mail"),
    )  # fmt: skip

    def close() -> None:
        for closer in closers:
            closer()

    return MailingApp(desk, settings, close)
