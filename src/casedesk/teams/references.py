"""Where the bot may post without being asked: conversation references, in ops state.

A reference is what Bot Framework needs to send into a conversation later: the service
URL, the conversation id, the tenant and the bot's own id. One is kept per member (their
personal chat with the bot, recorded when they message it or install it) and one per
channel the bot is added to. Only references from authenticated activities are stored,
so the service URL is one Microsoft vouched for (its token's serviceurl claim).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

from casedesk.ports import OpsState

NAMESPACE = "teams-conversations"
PERSON, CHANNEL = "person:", "channel:"


@dataclass(frozen=True)
class ConversationRef:
    service_url: str
    conversation_id: str
    tenant_id: str | None
    bot_id: str
    conversation_type: str  # personal, channel or groupChat
    member_id: str | None = None  # whose personal chat it is

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, value: str) -> ConversationRef | None:
        try:
            data = json.loads(value)
            return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})
        except (ValueError, TypeError):
            return None


class ConversationReferences:
    def __init__(self, ops: OpsState) -> None:
        self.ops = ops

    def save_personal(self, member_id: str, ref: ConversationRef) -> bool:
        """Store (or refresh) a member's personal chat; True when it changed."""
        return self._save(PERSON + member_id, ref)

    def save_channel(self, ref: ConversationRef) -> bool:
        """The channel itself (posting there starts a new thread), not the thread it was in."""
        root = _channel_key(ref.conversation_id)
        return self._save(CHANNEL + root, replace(ref, conversation_id=root))

    def forget_channel(self, conversation_id: str) -> None:
        self.ops.delete(NAMESPACE, CHANNEL + _channel_key(conversation_id))

    def personal(self, member_id: str) -> ConversationRef | None:
        value = self.ops.get(NAMESPACE, PERSON + member_id)
        return ConversationRef.from_json(value) if value else None

    def channels(self) -> Iterator[ConversationRef]:
        for key, value in self.ops.items(NAMESPACE):
            if key.startswith(CHANNEL):
                ref = ConversationRef.from_json(value)
                if ref is not None:
                    yield ref

    def _save(self, key: str, ref: ConversationRef) -> bool:
        value = ref.to_json()
        if self.ops.get(NAMESPACE, key) == value:
            return False
        self.ops.put(NAMESPACE, key, value)
        return True


def _channel_key(conversation_id: str) -> str:
    """A channel, not one thread in it: Teams appends ;messageid=... to reply chains."""
    return conversation_id.split(";", 1)[0]
