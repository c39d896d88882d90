"""What the AI classifier and the AI drafter do alike with a chat completion's answer: count
its token usage, and reject an envelope that carries no usable answer (no choices, a refusal,
cut off, withheld by the content filter). What the content means is for each caller's own
parser. (The request itself stays in each adapter, where the approval check sees the call.)"""

from __future__ import annotations

from typing import Any

from casedesk.adapters.ai.answer import AnswerRejected
from casedesk.adapters.ai.usage import UsageMeter


def answer_content(response: Any, meter: UsageMeter) -> str | None:
    """The first choice's content (JSON text for the caller to parse); AnswerRejected
    when there is none to parse."""
    usage = getattr(response, "usage", None)
    if usage is not None:
        meter.add(
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )
    choices = getattr(response, "choices", None) or []
    if not choices:
        raise AnswerRejected("no choices in the response")
    choice = choices[0]
    if getattr(choice.message, "refusal", None):
        raise AnswerRejected("the model refused", "refusal")
    if choice.finish_reason == "length":
        raise AnswerRejected("answer cut off (finish_reason length)", "truncated")
    if choice.finish_reason == "content_filter":
        raise AnswerRejected("answer withheld by the content filter", "content_filter")
    content: str | None = choice.message.content
    return content
