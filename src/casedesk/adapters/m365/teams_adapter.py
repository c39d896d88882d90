"""The only module that touches the Bot Framework SDK (botbuilder-core).

An authenticated activity's JSON becomes a botbuilder TurnContext; an ActivityHandler
routes it by type (message, adaptiveCard/action invoke, conversationUpdate,
installationUpdate) to teams/bot.py, and replies leave through a BotAdapter whose
send_activities posts them with our Bot Connector client (bot_connector.py). Invoke
answers go back in the HTTP response, as the SDK's own adapter does.

botbuilder is imported on the first activity, never at start-up: it takes seconds to
import, and a Functions cold start or a refused request must not pay for it. Moving to
the Microsoft 365 Agents SDK means replacing this module (docs/decisions/0014).
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from casedesk.adapters.m365.bot_connector import BotConnector
from casedesk.teams.bot import Reply, TeamsBot, turn_from_activity
from casedesk.teams.cards import CONTENT_TYPE

# botbuilder-core's ActivityHandler looks for the invoke answer under this turn_state key.
INVOKE_RESPONSE_KEY = "BotFrameworkAdapter.InvokeResponse"
MESSAGE_RESPONSE_TYPE = "application/vnd.microsoft.activity.message"
ERROR_TYPE = "application/vnd.microsoft.error"


def process_activity(
    activity: dict[str, Any], bot: TeamsBot, connector: BotConnector
) -> tuple[int, Any]:
    """Run one turn; (HTTP status, JSON body or None). Blocking: one event loop per call."""
    return asyncio.run(_process(activity, bot, connector))


async def _process(
    activity: dict[str, Any], bot: TeamsBot, connector: BotConnector
) -> tuple[int, Any]:
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity

    adapter_class, handler_class = _sdk_classes()
    adapter = adapter_class(connector)
    context = TurnContext(adapter, Activity().deserialize(activity))
    await adapter.run_pipeline(context, handler_class(bot, activity).on_turn)
    invoke = context.turn_state.get(INVOKE_RESPONSE_KEY)
    if invoke is not None and invoke.value is not None:
        return int(invoke.value.status), invoke.value.body
    return 200, None


@cache
def _sdk_classes() -> tuple[Any, Any]:
    """The adapter and handler classes, defined on first use (lazy SDK import)."""
    from botbuilder.core import ActivityHandler, BotAdapter, MessageFactory, TurnContext
    from botbuilder.schema import (
        Activity,
        ActivityTypes,
        Attachment,
        InvokeResponse,
        ResourceResponse,
    )

    class ConnectorAdapter(BotAdapter):  # type: ignore[misc]
        """Replies through our Bot Connector client; invoke answers kept for the HTTP reply."""

        def __init__(self, connector: BotConnector) -> None:
            super().__init__()
            self.connector = connector

        async def send_activities(
            self, context: TurnContext, activities: list[Activity]
        ) -> list[ResourceResponse]:
            responses = []
            for activity in activities:
                if activity.type == ActivityTypes.invoke_response:
                    context.turn_state[INVOKE_RESPONSE_KEY] = activity
                    responses.append(ResourceResponse(id=""))
                    continue
                sent = self.connector.reply(
                    activity.service_url or context.activity.service_url,
                    activity.conversation.id,
                    activity.reply_to_id,
                    activity.serialize(),
                )
                responses.append(ResourceResponse(id=sent))
            return responses

        async def update_activity(self, context: TurnContext, activity: Activity) -> None:
            raise NotImplementedError("CaseDesk does not edit posted messages")

        async def delete_activity(self, context: TurnContext, reference: Any) -> None:
            raise NotImplementedError("CaseDesk does not delete posted messages")

    class CaseDeskHandler(ActivityHandler):  # type: ignore[misc]
        def __init__(self, bot: TeamsBot, raw: dict[str, Any]) -> None:
            self.bot, self.turn = bot, turn_from_activity(raw)

        async def _send(self, context: TurnContext, reply: Reply | None) -> None:
            if reply is not None and reply.card is not None:
                card = Attachment(content_type=CONTENT_TYPE, content=reply.card)
                await context.send_activity(MessageFactory.attachment(card))

        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await self._send(turn_context, self.bot.on_message(self.turn))

        async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
            """adaptiveCard/action: answered as universal-action-model.md "Response format"
            says; the SDK's own response type cannot carry the message (string) variant."""
            if turn_context.activity.name != "adaptiveCard/action":
                return await super().on_invoke_activity(turn_context)
            value = self.turn.value or {}
            action = value.get("action")
            if not isinstance(action, dict) or action.get("type") != "Action.Execute":
                error = {"code": "BadRequest", "message": "expected an Action.Execute"}
                body = {"statusCode": 400, "type": ERROR_TYPE, "value": error}
                return InvokeResponse(status=200, body=body)
            raw = action.get("data")
            data: dict[str, Any] = raw if isinstance(raw, dict) else {}
            reply = self.bot.on_card_action(self.turn, str(action.get("verb") or ""), data)
            if reply.text is not None:
                body = {"statusCode": 200, "type": MESSAGE_RESPONSE_TYPE, "value": reply.text}
            else:
                body = {"statusCode": 200, "type": CONTENT_TYPE, "value": reply.card}
            return InvokeResponse(status=200, body=body)

        async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
            if self.turn.bot_id in self.turn.members_removed:
                self.bot.on_removed(self.turn)
            elif self.turn.bot_id in self.turn.members_added:
                await self._send(turn_context, self.bot.on_members_added(self.turn))

        async def on_installation_update_add(self, turn_context: TurnContext) -> None:
            # Teams also sends a conversationUpdate, which says hello: remember, stay quiet.
            self.bot.on_members_added(self.turn)

        async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
            self.bot.on_removed(self.turn)

    return ConnectorAdapter, CaseDeskHandler
