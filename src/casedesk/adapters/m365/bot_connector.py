"""The Bot Connector REST API, for the bot's replies and its proactive messages.

POST {serviceUrl}/v3/conversations/{conversationId}/activities               (new message)
POST {serviceUrl}/v3/conversations/{conversationId}/activities/{activityId}  (reply)

(https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference),
each with `Authorization: Bearer <token>` from the bot's Entra app (scope
https://api.botframework.com/.default). The service URL is only ever one that came in an
activity whose token vouched for it (bot_auth.py), so the token is never sent elsewhere;
plain http is refused except to this machine (tests, a local emulator).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from casedesk.errors import CaseDeskError, TransientError
from casedesk.teams.references import ConversationRef

log = logging.getLogger("casedesk.teams")
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"


class ConnectorError(CaseDeskError):
    """The Bot Connector refused the activity (the status is in the message, not the body)."""


def _checked_base(service_url: str) -> str:
    parts = urlsplit(service_url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise ConnectorError("refusing to send the bot's token to a non-https service URL")
    return service_url.rstrip("/")


class BotConnector:
    """Sends activities; `token` returns a current bearer token for the Bot Connector."""

    def __init__(self, token: Callable[[], str], http: Any = None, timeout: float = 15.0) -> None:
        import httpx

        self.token = token
        self.http = http or httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, ref: ConversationRef, activity: dict[str, Any]) -> str:
        """Post into a stored conversation (a proactive message); the new activity's id."""
        body = {
            **activity,
            "from": {"id": ref.bot_id},
            "conversation": {"id": ref.conversation_id},
        }
        return self._post(ref.service_url, ref.conversation_id, None, body)

    def reply(
        self,
        service_url: str,
        conversation_id: str,
        reply_to_id: str | None,
        activity: dict[str, Any],
    ) -> str:
        return self._post(service_url, conversation_id, reply_to_id, activity)

    def _post(
        self, service_url: str, conversation_id: str, reply_to: str | None, body: dict[str, Any]
    ) -> str:
        base = _checked_base(service_url)
        url = f"{base}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        if reply_to:
            url += f"/{quote(reply_to, safe='')}"
        response = self.http.post(
            url, json=body, headers={"Authorization": f"Bearer {self.token()}"}
        )
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"Bot Connector answered {response.status_code}; try again")
        if response.status_code >= 400:
            log.error(
                "bot connector refused an activity",
                extra={"event": "bot.send_refused", "status": response.status_code},
            )
            raise ConnectorError(f"Bot Connector refused the activity ({response.status_code})")
        try:
            return str(response.json().get("id") or "")
        except ValueError:
            return ""

    def close(self) -> None:
        self.http.close()
