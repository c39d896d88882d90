"""RemoteMailbox on Microsoft Graph (msgraph-sdk): MIME by immutable id, categories,
reply drafts, delta queries; and for the reply commands, a draft's text and sending it
(only ever on a person's command, through core.reply_desk)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from casedesk.adapters.m365.graph_client import GraphCaller, immutable_ids, status_of
from casedesk.errors import MessageGoneError

PAGE_SIZE = 50


@dataclass(frozen=True)
class Original:
    """The message a reply answers: its id, conversation, and who a reply goes to."""

    id: str
    conversation_id: str
    reply_to: tuple[str, ...]  # lower-case addresses


@dataclass(frozen=True)
class DraftView:
    text: str
    recipients: tuple[str, ...]  # to, cc and bcc, lower-case addresses


def _addresses(recipients: Sequence[Any]) -> tuple[str, ...]:
    found = (getattr(getattr(r, "email_address", None), "address", None) for r in recipients)
    return tuple(str(a).lower() for a in found if a)


def _odata(value: str) -> str:
    """An OData string literal: quotes doubled, so a Message-ID is never filter syntax."""
    return "'" + value.replace("'", "''") + "'"


def _select(*fields: str) -> Any:
    from msgraph.generated.users.item.messages.item.message_item_request_builder import (
        MessageItemRequestBuilder,
    )

    config = immutable_ids()
    config.query_parameters = MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(
        select=list(fields)
    )
    return config


class GraphMailbox:
    def __init__(self, caller: GraphCaller) -> None:
        self.caller = caller
        self.client = caller.client

    def _message(self, mailbox: str, message_id: str) -> Any:
        return self.client.users.by_user_id(mailbox).messages.by_message_id(message_id)

    def probe_inbox(self, mailbox: str) -> int:
        """Read the inbox folder (needs the same permission as triage); its message count."""

        async def call() -> int:
            folder = (
                await self.client.users.by_user_id(mailbox)
                .mail_folders.by_mail_folder_id("inbox")
                .get()
            )
            return int(folder.total_item_count or 0) if folder else 0

        return self.caller.run(call, mailbox)

    def fetch_mime(self, mailbox: str, message_id: str) -> bytes:
        async def call() -> bytes:
            data = await self._message(mailbox, message_id).content.get(
                request_configuration=immutable_ids()
            )
            return bytes(data or b"")

        try:
            return self.caller.run(call, mailbox)
        except Exception as exc:
            if status_of(exc) == 404:
                raise MessageGoneError(
                    f"message {message_id[:24]}… is no longer in {mailbox}"
                ) from exc
            raise

    def set_categories(self, mailbox: str, message_id: str, categories: Sequence[str]) -> None:
        from msgraph.generated.models.message import Message

        async def call() -> None:
            await self._message(mailbox, message_id).patch(
                Message(categories=list(categories)), request_configuration=immutable_ids()
            )

        self.caller.run(call, mailbox)

    def find_reply_draft(self, mailbox: str, message_id: str) -> str | None:
        """A draft already in the message's conversation (ours from a crashed attempt, or a
        staffer's), so a retry never adds a second one."""

        async def conversation() -> str | None:
            original = await self._message(mailbox, message_id).get(
                request_configuration=_select("conversationId")
            )
            return original.conversation_id if original else None

        found = self.caller.run(conversation, mailbox)
        drafts = self.in_conversation(mailbox, "drafts", found) if found else []
        return drafts[0] if drafts else None

    def in_conversation(self, mailbox: str, folder: str, conversation_id: str) -> list[str]:
        """Ids of the messages in one folder (drafts, sentitems) that belong to a conversation."""
        from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
            MessagesRequestBuilder,
        )

        async def call() -> list[str]:
            config = immutable_ids()
            config.query_parameters = (
                MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
                    filter=f"conversationId eq {_odata(conversation_id)}", select=["id"]
                )
            )
            box = self.client.users.by_user_id(mailbox).mail_folders.by_mail_folder_id(folder)
            page = await box.messages.get(request_configuration=config)
            return [str(m.id) for m in (page.value if page else None) or [] if m.id]

        return self.caller.run(call, mailbox)

    def find_by_internet_id(self, mailbox: str, internet_message_id: str) -> Original | None:
        """The message with this Message-ID header in the mailbox, if it is there."""
        from msgraph.generated.users.item.messages.messages_request_builder import (
            MessagesRequestBuilder,
        )

        async def call() -> Original | None:
            config = immutable_ids()
            config.query_parameters = (
                MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
                    filter=f"internetMessageId eq {_odata(internet_message_id)}",
                    select=["id", "conversationId", "from", "replyTo"],
                )
            )
            page = await self.client.users.by_user_id(mailbox).messages.get(
                request_configuration=config
            )
            found = [m for m in (page.value if page else None) or [] if m.id]
            if not found:
                return None
            m = found[0]
            # createReply answers the Reply-To addresses when there are any, else the sender.
            targets = _addresses(m.reply_to or []) or _addresses([m.from_] if m.from_ else [])
            return Original(str(m.id), str(m.conversation_id or ""), targets)

        return self.caller.run(call, mailbox)

    def draft_view(self, mailbox: str, message_id: str) -> DraftView | None:
        """A draft's body as plain text (Graph converts HTML) and its recipients; None when it
        is gone or is no longer a draft (immutable ids survive the move to Sent Items)."""

        async def call() -> DraftView | None:
            config = _select("body", "isDraft", "toRecipients", "ccRecipients", "bccRecipients")
            config.headers.add("Prefer", 'outlook.body-content-type="text"')
            m = await self._message(mailbox, message_id).get(request_configuration=config)
            if m is None or m.is_draft is False:
                return None
            everyone = [*(m.to_recipients or []), *(m.cc_recipients or []),
                        *(m.bcc_recipients or [])]  # fmt: skip
            text = str(m.body.content or "") if m.body else ""
            return DraftView(text, _addresses(everyone))

        try:
            return self.caller.run(call, mailbox)
        except Exception as exc:
            if status_of(exc) == 404:
                return None
            raise

    def set_body(self, mailbox: str, message_id: str, text: str) -> None:
        """Replace a draft's body with plain text (Graph: body is updatable while isDraft)."""
        from msgraph.generated.models.body_type import BodyType
        from msgraph.generated.models.item_body import ItemBody
        from msgraph.generated.models.message import Message

        async def call() -> None:
            await self._message(mailbox, message_id).patch(
                Message(body=ItemBody(content_type=BodyType.Text, content=text)),
                request_configuration=immutable_ids(),
            )

        self.caller.run(call, mailbox)

    def send_draft(self, mailbox: str, message_id: str) -> None:
        """Send an existing draft (Graph moves it to Sent Items); needs Mail.Send."""

        async def call() -> None:
            await self._message(mailbox, message_id).send.post(
                request_configuration=immutable_ids()
            )

        self.caller.run(call, mailbox)

    def create_reply_draft(self, mailbox: str, message_id: str, comment: str) -> str:
        from msgraph.generated.users.item.messages.item.create_reply.create_reply_post_request_body import (
            CreateReplyPostRequestBody,
        )

        async def call() -> str:
            draft = await self._message(mailbox, message_id).create_reply.post(
                CreateReplyPostRequestBody(comment=comment), request_configuration=immutable_ids()
            )
            return str(draft.id) if draft and draft.id else ""

        return self.caller.run(call, mailbox)

    def delta(self, mailbox: str, folder: str, delta_link: str | None) -> tuple[list[str], str]:
        """Follow @odata.nextLink pages to the @odata.deltaLink; return new message ids."""
        builder = (
            self.client.users.by_user_id(mailbox)
            .mail_folders.by_mail_folder_id(folder)
            .messages.delta
        )
        ids: list[str] = []
        link = delta_link
        while True:

            async def call(url: str | None = link) -> Any:
                config = immutable_ids()
                config.headers.add("Prefer", f"odata.maxpagesize={PAGE_SIZE}")
                target = builder.with_url(url) if url else builder
                return await target.get(request_configuration=config)

            page = self.caller.run(call, mailbox)
            for item in page.value or []:
                removed = (getattr(item, "additional_data", None) or {}).get("@removed")
                if item.id and not removed:
                    ids.append(str(item.id))
            if page.odata_next_link:
                link = page.odata_next_link
                continue
            return ids, str(page.odata_delta_link or link or "")
