"""Find where a reply's quoted history starts, so only the new text is classified."""

from __future__ import annotations

import re

_ORIGINAL_MESSAGE = re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE)
_ON_WROTE = re.compile(r"^\s*On\b.{4,300}\bwrote:\s*$", re.IGNORECASE)
_ON_START = re.compile(r"^\s*On\s.*\d", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\s*\*?From:\*?\s+\S", re.IGNORECASE)
_OUTLOOK_FIELD = re.compile(r"^\s*\*?(Sent|Date|To|Subject|Cc):\*?\s", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{8,}\s*$")
_QUOTED = re.compile(r"^\s*>")
_FORWARD_SUBJECT = re.compile(r"^\s*(fw|fwd)\s*:", re.IGNORECASE)


def is_forward(subject: str) -> bool:
    """True when the subject marks a forward, whose included text is the substance."""
    return bool(_FORWARD_SUBJECT.match(subject))


def _is_outlook_header_block(lines: list[str], i: int) -> bool:
    if not _OUTLOOK_FROM.match(lines[i]):
        return False
    following = lines[i + 1 : i + 6]
    return sum(1 for line in following if _OUTLOOK_FIELD.match(line)) >= 2


def quote_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted history, or None when there is none."""
    for i, line in enumerate(lines):
        if _ORIGINAL_MESSAGE.match(line) or _ON_WROTE.match(line):
            return i
        if (
            _ON_START.match(line)
            and i + 1 < len(lines)
            and lines[i + 1].rstrip().endswith("wrote:")
        ):
            return i
        if _RULE.match(line) and i + 1 < len(lines) and _is_outlook_header_block(lines, i + 1):
            return i
        if _is_outlook_header_block(lines, i):
            return i
        if _QUOTED.match(line) and all(
            _QUOTED.match(rest) or not rest.strip() for rest in lines[i:]
        ):
            return i
    return None


def new_text_of(text: str, subject: str) -> str:
    """The text the sender wrote this time: a reply loses its quoted history, a forward keeps it."""
    if is_forward(subject):
        return text
    lines = text.split("\n")
    start = quote_start(lines)
    head = _unquoted(lines if start is None else lines[:start])
    if head or start is None:
        return head or text
    # Bottom-posting: the new text sits after the quote; keep everything that is not quoted.
    return _unquoted(lines) or text


def _unquoted(lines: list[str]) -> str:
    """The lines not quoted with '>' (interleaved and bottom-posted replies)."""
    return "\n".join(line for line in lines if not _QUOTED.match(line)).strip()
