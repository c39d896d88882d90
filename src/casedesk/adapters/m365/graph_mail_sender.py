"""MailSender on Microsoft 365: each copy of a mailing is created as a message in the office
mailbox (with its attachments inline) and sent with Graph `send`.

Two requests per copy: POST /users/{id}/messages (message-post-messages: the message is created
as a draft; `internetMessageId` is writable while it is a draft,
https://learn.microsoft.com/graph/api/resources/message), then POST .../messages/{id}/send
(message-send). Attachments go inline as `fileAttachment` with base64 `contentBytes`, which Graph
takes for files under 3 MB (https://learn.microsoft.com/graph/outlook-large-attachments); larger
files need an upload session, which is not built: core.mailings refuses them when the mailing is
written. 429 and 503 answers are retried after Retry-After (graph_client.GraphCaller).

Resuming (`resumed=True`, the ledger says an earlier run got as far as `sending`): the copy's
Message-ID is looked up first (GET /users/{id}/messages?$filter=internetMessageId eq '…'). A
message that is no longer a draft went: nothing is sent. A draft left by a run that stopped
between create and send is deleted and the copy made again from the approved text, so what goes
is what was signed off. Nothing was found: it is created and sent.
"""

from __future__ import annotations

from typing import Any

from casedesk.adapters.m365.graph_client import GraphCaller, immutable_ids
from casedesk.adapters.m365.graph_mailbox import _odata
from casedesk.core.outgoing_mail import OutgoingMail


class GraphMailSender:
    name = "outlook"

    def __init__(self, caller: GraphCaller, mailbox: str) -> None:
        self.caller = caller
        self.client = caller.client
        self.mailbox = mailbox

    def _where(self, message_id: str) -> str:
        return f"outlook:{self.mailbox}:{message_id}"

    def _existing(self, internet_message_id: str) -> list[tuple[str, bool]]:
        """(id, is_draft) of every message in the mailbox with this Message-ID."""
        from msgraph.generated.users.item.messages.messages_request_builder import (
            MessagesRequestBuilder,
        )

        async def call() -> list[tuple[str, bool]]:
            config = immutable_ids()
            config.query_parameters = (
                MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
                    filter=f"internetMessageId eq {_odata(internet_message_id)}",
                    select=["id", "isDraft"],
                )
            )
            page = await self.client.users.by_user_id(self.mailbox).messages.get(
                request_configuration=config
            )
            return [(str(m.id), bool(m.is_draft)) for m in (page.value if page else None) or []
                    if m.id]  # fmt: skip

        return self.caller.run(call, self.mailbox)

    def _delete(self, message_id: str) -> None:
        async def call() -> None:
            await (
                self.client.users.by_user_id(self.mailbox)
                .messages.by_message_id(message_id)
                .delete()
            )

        self.caller.run(call, self.mailbox)

    def _create(self, mail: OutgoingMail) -> str:
        message = _message(mail)

        async def call() -> str:
            created = await self.client.users.by_user_id(self.mailbox).messages.post(
                message, request_configuration=immutable_ids()
            )
            return str(created.id) if created and created.id else ""

        return self.caller.run(call, self.mailbox)

    def _send(self, message_id: str) -> None:
        async def call() -> None:
            await (
                self.client.users.by_user_id(self.mailbox)
                .messages.by_message_id(message_id)
                .send.post(request_configuration=immutable_ids())
            )

        self.caller.run(call, self.mailbox)

    def send(self, mail: OutgoingMail, eml: bytes, resumed: bool) -> tuple[str, bool]:
        if resumed:
            for found, is_draft in self._existing(mail.message_id):
                if not is_draft:
                    return self._where(found), False
                self._delete(found)  # made, never sent: made again from the approved text
        created = self._create(mail)
        self._send(created)
        return self._where(created), True


def _message(mail: OutgoingMail) -> Any:
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.file_attachment import FileAttachment
    from msgraph.generated.models.internet_message_header import InternetMessageHeader
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.message import Message
    from msgraph.generated.models.recipient import Recipient

    return Message(
        subject=mail.subject,
        body=ItemBody(content_type=BodyType.Text, content=mail.body),
        to_recipients=[
            Recipient(email_address=EmailAddress(address=mail.to_addr, name=mail.to_name))
        ],
        internet_message_id=mail.message_id,
        internet_message_headers=[
            InternetMessageHeader(name="X-CaseDesk-Case", value=mail.case_ref),
            InternetMessageHeader(name="X-CaseDesk-Mailing", value=mail.mailing_id),
        ],
        attachments=[
            FileAttachment(
                odata_type="#microsoft.graph.fileAttachment",
                name=part.name,
                content_type=part.content_type,
                content_bytes=part.data,
            )
            for part in mail.attachments
        ],
    )
