"""Subscriptions on Microsoft Graph for new mail in each office mailbox's inbox."""

from __future__ import annotations

from datetime import datetime

from casedesk.adapters.m365.graph_client import GraphCaller, immutable_ids


class GraphSubscriptions:
    def __init__(self, caller: GraphCaller, folder: str = "inbox") -> None:
        self.caller, self.folder = caller, folder

    def create(
        self,
        mailbox: str,
        notification_url: str,
        lifecycle_url: str,
        client_state: str,
        expires_at: datetime,
    ) -> str:
        from msgraph.generated.models.subscription import Subscription

        body = Subscription(
            change_type="created",
            notification_url=notification_url,
            lifecycle_notification_url=lifecycle_url,
            resource=f"users/{mailbox}/mailFolders('{self.folder}')/messages",
            expiration_date_time=expires_at,
            client_state=client_state,
        )

        async def call() -> str:
            # Without this header the notifications carry REST ids while every other call uses
            # immutable ids, and one message would be seen under two ids.
            created = await self.caller.client.subscriptions.post(
                body, request_configuration=immutable_ids()
            )
            return str(created.id) if created and created.id else ""

        return self.caller.run(call)

    def renew(self, subscription_id: str, expires_at: datetime) -> None:
        from msgraph.generated.models.subscription import Subscription

        async def call() -> None:
            await self.caller.client.subscriptions.by_subscription_id(subscription_id).patch(
                Subscription(expiration_date_time=expires_at)
            )

        self.caller.run(call)

    def delete(self, subscription_id: str) -> None:
        async def call() -> None:
            await self.caller.client.subscriptions.by_subscription_id(subscription_id).delete()

        self.caller.run(call)
