"""A short, readable summary of what a constituent wrote, for queues and case cards."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_GREETING = re.compile(r"^(dear|hi|hello|good (morning|afternoon|evening)|to)\b[^\n]{0,60}$", re.I)


def summarise(text: str, limit: int = 280) -> str:
    """The first sentences after any greeting line, cut at a word boundary."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    while lines and _GREETING.match(lines[0]):
        lines.pop(0)
    flat = " ".join(lines)
    out = ""
    for sentence in _SENTENCE_END.split(flat):
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    if not out:
        out = flat[:limit].rsplit(" ", 1)[0] + ("…" if len(flat) > limit else "")
    return out
