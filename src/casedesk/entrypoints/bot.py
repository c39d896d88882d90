"""POST /api/messages: Bot Framework activities from Teams, for the Functions app and
`casedesk serve` alike.

Order matters: the token is checked before anything else is read or done, and a refused
request gets its status and an empty body (no data, no hint). Activity text is never
logged; only what was refused and why, for the security log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from casedesk.adapters.m365.bot_auth import BotAuthError, BotFrameworkAuth
from casedesk.adapters.m365.bot_connector import BotConnector
from casedesk.entrypoints.webhooks import HttpResult
from casedesk.teams.bot import TeamsBot
from casedesk.teams.notify import TeamsNotifier

log = logging.getLogger("casedesk.bot")
security_log = logging.getLogger("casedesk.security")
MAX_ACTIVITY_BYTES = 256_000  # Teams activities are a few KB; cards we accept back are small


@dataclass
class BotService:
    auth: BotFrameworkAuth
    bot: TeamsBot
    connector: BotConnector
    notifier: TeamsNotifier
    tenant_id: str | None = None  # the office's tenant: activities from others are refused

    def close(self) -> None:
        self.connector.close()


def _refuse(status: int, reason: str) -> HttpResult:
    security_log.warning(
        "bot request refused", extra={"event": "bot.refused", "status": status, "reason": reason}
    )
    return HttpResult(status, b"")


def _tenant(activity: Mapping[str, Any]) -> str | None:
    conversation = activity.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("tenantId"), str):
        return str(conversation["tenantId"])
    data = activity.get("channelData")
    tenant = data.get("tenant") if isinstance(data, dict) else None
    found = tenant.get("id") if isinstance(tenant, dict) else None
    return found if isinstance(found, str) else None


def handle_bot_messages(
    headers: Mapping[str, str], body: bytes, service: BotService | None
) -> HttpResult:
    """Authenticate, then run the turn; 401 (403 for a missing endorsement or another
    tenant) with an empty body for anything not from the Bot Framework for this bot."""
    authorization = headers.get("authorization")
    if not authorization:
        return _refuse(401, "no Authorization header")
    if service is None:
        return HttpResult(404, b"the Teams bot is not configured (CASEDESK_BOT_APP_ID)")
    if len(body) > MAX_ACTIVITY_BYTES:
        return _refuse(413, "activity too large")
    try:
        activity = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _refuse(401, "body is not an activity")
    if not isinstance(activity, dict):
        return _refuse(401, "body is not an activity")
    service_url, channel_id = activity.get("serviceUrl"), activity.get("channelId")
    try:
        service.auth.authenticate(
            authorization,
            service_url if isinstance(service_url, str) else None,
            channel_id if isinstance(channel_id, str) else None,
        )
    except BotAuthError as exc:
        return _refuse(exc.status, str(exc))
    tenant = _tenant(activity)
    if service.tenant_id and tenant and tenant.lower() != service.tenant_id.lower():
        return _refuse(403, "activity from another tenant")
    from casedesk.adapters.m365.teams_adapter import process_activity

    status, payload = process_activity(activity, service.bot, service.connector)
    log.info(
        "bot activity handled",
        extra={"event": "bot.handled", "type": str(activity.get("type"))[:30], "status": status},
    )
    if payload is None:
        return HttpResult(status, b"")
    return HttpResult(status, json.dumps(payload).encode("utf-8"), "application/json")
