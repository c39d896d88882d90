"""The model's draft, checked against prompts/draft_reply.v1.schema.json before anything uses it.

As for the classifier's answer (answer.py): an unknown key, a missing key or a wrong type
rejects the whole answer and the template draft is used. Bounds the schema cannot state in
strict mode (length of the body, number of sources) are checked here.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from casedesk.adapters.ai.answer import AnswerRejected, describe_errors

MAX_BODY_CHARS = 8000
MAX_SOURCES = 20


class DraftAnswer(BaseModel):
    """draft_reply.v1's answer; the schema file and this model are checked against each
    other in tests/unit/test_ai_draft_prompt_and_policy.py."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    body: Annotated[str, StringConstraints(min_length=1, max_length=MAX_BODY_CHARS)]
    sources_used: tuple[Annotated[str, StringConstraints(max_length=80)], ...] = Field(
        max_length=MAX_SOURCES
    )
    contains_instructions: bool


def parse_draft_answer(content: str | None) -> DraftAnswer:
    """The validated answer, or AnswerRejected saying what was wrong with it."""
    if not content or not content.strip():
        raise AnswerRejected("empty answer")
    try:
        answer = DraftAnswer.model_validate_json(content)
    except ValidationError as exc:
        raise AnswerRejected(describe_errors(exc)) from None
    if not answer.body.strip():
        raise AnswerRejected("the draft is empty")
    return answer
