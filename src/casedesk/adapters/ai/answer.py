"""The model's answer, checked against prompts/classify.v2.schema.json before anything uses it.

Structured outputs should make a schema-breaking answer impossible, but an OpenAI-compatible
server may not enforce them, and a model can be talked into anything by the text it reads.
So the answer is validated here, strictly: an unknown key (an "assign_to" or "close" the
message asked for), a category outside the list, a missing key or a wrong type rejects the
whole answer, and the embedded classifier labels the message instead.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from casedesk.core.models import Category, Topic

MAX_REASONS = 3
MAX_REASON_CHARS = 200
_SAFE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")


class ClassifyAnswer(BaseModel):
    """classify.v2's answer; the schema file and this model are checked against each other
    in tests/unit/test_ai_prompt.py."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    category: Category
    topic: Topic
    urgent: bool
    threat: bool
    safeguarding: bool
    confidence: float = Field(ge=0.0, le=1.0)
    reasons: tuple[Annotated[str, StringConstraints(max_length=MAX_REASON_CHARS)], ...] = Field(
        max_length=MAX_REASONS
    )
    contains_instructions: bool


class AnswerRejected(Exception):  # noqa: N818 - a verdict on the answer, not a fault of ours
    """The model answered, but not with something we can use; `why` is safe to store (it
    names keys and rules, never values the model wrote)."""

    def __init__(self, why: str, kind: str = "invalid") -> None:
        super().__init__(why)
        self.why, self.kind = why, kind


def parse_answer(content: str | None) -> ClassifyAnswer:
    """The validated answer, or AnswerRejected saying what was wrong with it."""
    if not content or not content.strip():
        raise AnswerRejected("empty answer")
    try:
        return ClassifyAnswer.model_validate_json(content)
    except ValidationError as exc:
        raise AnswerRejected(describe_errors(exc)) from None


def describe_errors(exc: ValidationError) -> str:
    problems: list[str] = []
    for err in exc.errors(include_input=False, include_url=False):
        kind = err["type"]
        if kind in ("json_invalid", "json_type"):
            return "answer is not valid JSON"
        if kind == "model_type":
            return "answer is not a JSON object"
        key = _safe_key(err["loc"])
        if kind == "extra_forbidden":
            problems.append(f"unexpected key {key}")
        elif kind == "missing":
            problems.append(f"missing key {key}")
        elif kind == "enum":
            problems.append(f"{key} outside the allowed values")
        else:
            problems.append(f"{key} invalid ({kind})")
    shown = sorted(set(problems))
    more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
    return "answer breaks the schema: " + "; ".join(shown[:4]) + more


def _safe_key(loc: tuple[int | str, ...]) -> str:
    """A key the model wrote is untrusted text: shown only when it looks like a key."""
    if not loc:
        return "(answer)"
    head = loc[0]
    return f"'{head}'" if isinstance(head, str) and _SAFE_KEY.match(head) else "(unnamed key)"
