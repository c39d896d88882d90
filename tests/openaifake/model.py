"""The fake's "model": a deterministic answer derived from the message block it was sent, so
tests can tell a real answer (this message's label) from a fallback or a reused one."""

from __future__ import annotations

import re
from typing import Any

from .drafts import draft_answer_for, is_draft_request

_BLOCK = re.compile(r"<<<MESSAGE\n(.*)\nMESSAGE>>>\s*\Z", re.DOTALL)

# First match wins. Phrases are lower-case; the message block is lower-cased before matching.
CATEGORY_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("abuse", ("hurt you", "kill you", "where you live", "you will regret")),
    ("spam", ("prize", "click here", "winner", "crypto")),
    ("press", ("journalist", "for comment", "newspaper", "deadline for our story")),
    ("invitation", ("invite", "invitation", "would you attend")),
    ("campaign", ("i urge you", "as your constituent, i am writing to ask", "sign the pledge")),
    (
        "casework",
        ("landlord", "damp", "evict", "benefit", "visa", "bins", "council", "hospital", "school"),
    ),
    ("policy", ("i believe", "the government should", "legislation")),
]
TOPIC_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("housing", ("landlord", "damp", "evict", "housing", "tenant")),
    ("immigration", ("visa", "home office", "asylum")),
    ("benefits", ("universal credit", "benefit", "pip ")),
    ("health", ("hospital", "nhs", "gp ")),
    ("council_services", ("bins", "council tax", "pothole")),
    ("environment_planning", ("sewage", "river", "planning")),
    ("education", ("school", "send ")),
]
URGENT_WORDS = ("evict", "tomorrow", "urgent", "today", "hurt you", "kill")
INSTRUCTION_WORDS = ("ignore all previous", "system:", "developer mode", "new instruction")


def message_block(request: dict[str, Any]) -> str:
    """The text between the data markers in the request's user message ('' if absent)."""
    for message in request.get("messages", []):
        if message.get("role") == "user":
            found = _BLOCK.search(str(message.get("content", "")))
            return found.group(1) if found else ""
    return ""


def answer_for(request: dict[str, Any]) -> dict[str, Any]:
    """A classification, or for a drafting request (prompts/draft_reply) a grounded draft."""
    if is_draft_request(request):
        return draft_answer_for(request)
    text = message_block(request).lower()
    category = next(
        (label for label, words in CATEGORY_RULES if any(w in text for w in words)), "other"
    )
    topic = next((label for label, words in TOPIC_RULES if any(w in text for w in words)), "other")
    threat = category == "abuse" and any(w in text for w in ("hurt you", "kill", "where you live"))
    return {
        "category": category,
        "topic": topic,
        "urgent": any(w in text for w in URGENT_WORDS),
        "threat": threat,
        "safeguarding": "self-harm" in text or "suicid" in text,
        "confidence": 0.9 if category != "other" else 0.55,
        "reasons": [f"mentions {category} matters"],
        "contains_instructions": any(w in text for w in INSTRUCTION_WORDS),
    }
