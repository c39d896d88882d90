"""Wiring for the Teams bot: token checks, the Bot Connector, the bot and its notifier.

Called by bootstrap.py / bootstrap_m365.py (the triage notifier), `casedesk serve` and the
Functions app (/api/messages, the digest in the sweep timer). Nothing here runs unless
CASEDESK_BOT_APP_ID is set.

Case actions (claim, assign, close, note, reassign) go through the casework core; approve
and request changes through the reply desk (core/reply_desk.py), when the caller passes one
(reply_desk() builds it over the bot's own case store).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from casedesk.core.replies import approvers
from casedesk.core.reply_desk import ReplyDesk
from casedesk.core.roster import Roster
from casedesk.core.rules import RuleSet
from casedesk.ports import CaseFiles, CaseRepository, Clock, Drafter, OpsState
from casedesk.settings import Settings
from casedesk.teams.actions import CaseActions, CoreCaseActions
from casedesk.teams.drafts import DraftReader


def case_actions(
    repo: CaseRepository, clock: Clock, replies: ReplyDesk | None = None
) -> CaseActions:
    """Claim, assign, close and note through the casework core; approve and reject through
    the reply desk (without one they answer "use casedesk approve")."""
    return CoreCaseActions(repo, clock, replies)


def reply_desk(
    settings: Settings,
    repo: CaseRepository,
    files: CaseFiles,
    drafter: Drafter,
    clock: Clock,
    login_http_client: Any = None,
) -> ReplyDesk:
    """The reply desk over the bot's case store, as bootstrap_replies builds it for the CLI:
    embedded, the outbox; Microsoft 365, Outlook reply drafts through Graph (the calls
    `casedesk approve` makes, declared in approval/permissions.yaml)."""
    from casedesk.bootstrap_replies import graph_reply_channel, reply_office

    if settings.adapters != "m365":
        from casedesk.adapters.embedded.outbox import OutboxChannel

        channel: Any = OutboxChannel(settings.data_dir / "outbox")
    else:
        from casedesk.bootstrap_m365 import graph_caller

        channel = graph_reply_channel(settings, graph_caller(settings, login_http_client))
    return ReplyDesk(repo, files, drafter, channel, clock, reply_office(settings))


def roster_of(rules: RuleSet | None) -> Callable[[], Roster]:
    roster = Roster.from_people(rules.people if rules else {})
    return lambda: roster


def bot_token_source(settings: Settings, login_http_client: Any = None) -> Callable[[], str]:
    """Bot Connector tokens for the bot's own Entra app (not the Graph app). MSAL is set up
    on the first send, so starting CaseDesk never waits on Entra ID."""
    from casedesk.adapters.m365.bot_connector import BOT_FRAMEWORK_SCOPE

    lock = threading.Lock()
    made: list[Any] = []

    def token() -> str:
        from casedesk.adapters.m365.msal_tokens import BOT_APP, MsalTokenSource

        with lock:
            if not made:
                secret = settings.bot_app_secret
                made.append(
                    MsalTokenSource(
                        tenant_id=settings.bot_tenant_id or settings.tenant_id or "",
                        client_id=settings.bot_app_id or "",
                        client_secret=secret.get_secret_value() if secret else None,
                        use_managed_identity=settings.bot_use_managed_identity,
                        authority_host=settings.bot_login_authority,
                        http_client=login_http_client,
                        scope=BOT_FRAMEWORK_SCOPE,
                        managed_identity_client_id=settings.bot_managed_identity_client_id,
                        names=BOT_APP,
                    )
                )
        return str(made[0].token())

    return token


def build_bot(
    settings: Settings,
    repo: CaseRepository,
    ops: OpsState,
    clock: Clock,
    rules: RuleSet | None,
    drafts: DraftReader | None = None,
    token: Callable[[], str] | None = None,
    fetch: Callable[[str], Any] | None = None,
    replies: ReplyDesk | None = None,
) -> Any:
    """The BotService for /api/messages, or None when no bot is configured.

    token and fetch let a test point the Entra and OpenID traffic at local servers; replies
    (reply_desk()) lets the MP approve and request changes from Teams."""
    if not settings.bot_app_id:
        return None
    from casedesk.adapters.m365.bot_auth import BotFrameworkAuth, http_fetch
    from casedesk.adapters.m365.bot_connector import BotConnector
    from casedesk.entrypoints.bot import BotService
    from casedesk.teams.bot import TeamsBot
    from casedesk.teams.notify import TeamsNotifier

    roster = roster_of(rules)
    connector = BotConnector(token or bot_token_source(settings))
    auth = BotFrameworkAuth(
        settings.bot_app_id, clock, fetch or http_fetch(), settings.bot_openid_metadata_url
    )
    bot = TeamsBot(repo, ops, clock, roster, case_actions(repo, clock, replies), drafts)
    notifier = TeamsNotifier(
        repo, ops, clock, roster, connector, settings.digest_hour, approvers(settings.mp_approver)
    )
    return BotService(auth, bot, connector, notifier, settings.bot_tenant_id or settings.tenant_id)


def filing_notifier(
    settings: Settings, repo: CaseRepository, ops: OpsState, clock: Clock, rules: RuleSet | None
) -> Any:
    """Threat alerts to the safety lead after triage files a threat, and approval requests
    to the MP when a reply needing sign-off is drafted (None: no bot)."""
    if not settings.bot_app_id:
        return None
    from casedesk.adapters.m365.bot_connector import BotConnector
    from casedesk.teams.notify import TeamsNotifier

    return TeamsNotifier(
        repo, ops, clock, roster_of(rules), BotConnector(bot_token_source(settings)),
        settings.digest_hour, approvers(settings.mp_approver),
    )  # fmt: skip


def embedded_drafts(data_dir: Path) -> DraftReader:
    from casedesk.adapters.embedded.draft_reader import FolderDraftReader

    return FolderDraftReader(data_dir)
