"""What a person typed to the bot, as a command.

In a channel Teams puts the bot's @mention in the text (`<at>CaseDesk</at> my queue`);
the mention entities say which `<at>` runs name the bot, and those are removed. Text is
otherwise taken literally: it only ever selects one of the commands below.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

REF = re.compile(r"\bCD-\d{4}-\d{6}\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,200}>")
_AT = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
MAX_TEXT = 2000


class Kind(StrEnum):
    HELP = "help"
    MY_QUEUE = "my queue"
    UNASSIGNED = "unassigned"
    OVERDUE = "overdue"
    CASE = "case"
    SEARCH = "search"
    CHANGE_CATEGORY = "change category"
    CLAIM = "claim"
    ASSIGN = "assign"
    CLOSE = "close"
    NOTE = "note"
    HANDOVER = "handover"
    APPROVALS = "approvals"
    REVIEW = "review"  # `approve CD-…` / `review CD-…`: the approval card, nothing decided
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Command:
    kind: Kind
    ref: str | None = None
    arg: str = ""  # search words, category, person, reason or note text
    to: str = ""  # handover: whom the cases go to (one click per case)


def strip_mentions(text: str, bot_mention_texts: Sequence[str]) -> str:
    """The text without the bot's @mentions, tags and entities; other people's @mentions
    keep their names (`assign CD-... to <at>Priya Shah</at>` names Priya Shah)."""
    for mention in bot_mention_texts:
        if mention:
            text = text.replace(mention, " ")
    text = _AT.sub(lambda m: f" {m.group(1)} ", text)
    text = _TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def _ref_and_rest(words: str) -> tuple[str | None, str]:
    found = REF.search(words)
    if not found:
        return None, words.strip()
    rest = (words[: found.start()] + " " + words[found.end() :]).strip()
    return found.group(0).upper(), " ".join(rest.split())


def parse_command(text: str) -> Command:
    """One command from cleaned text (see strip_mentions); UNKNOWN when it is none of them."""
    text = " ".join(text[:MAX_TEXT].split())
    lowered = text.casefold()
    if lowered in ("", "help", "?", "hi", "hello"):
        return Command(Kind.HELP)
    if lowered in ("my queue", "queue", "my cases"):
        return Command(Kind.MY_QUEUE)
    if lowered == "unassigned":
        return Command(Kind.UNASSIGNED)
    if lowered == "overdue":
        return Command(Kind.OVERDUE)
    if lowered in ("approvals", "sign-off", "signoff"):
        return Command(Kind.APPROVALS)
    for prefix, kind in (
        ("change category ", Kind.CHANGE_CATEGORY),
        ("case ", Kind.CASE),
        ("claim ", Kind.CLAIM),
        ("assign ", Kind.ASSIGN),
        ("close ", Kind.CLOSE),
        ("note ", Kind.NOTE),
        ("approve ", Kind.REVIEW),
        ("review ", Kind.REVIEW),
    ):
        if lowered.startswith(prefix):
            ref, rest = _ref_and_rest(text[len(prefix) :])
            if ref is None:
                return Command(Kind.UNKNOWN, arg=text)
            if kind is Kind.ASSIGN and rest.casefold().startswith("to "):
                rest = rest[3:].strip()
            return Command(kind, ref, rest.lstrip("@").strip() if kind is Kind.ASSIGN else rest)
    if lowered.startswith("search "):
        return Command(Kind.SEARCH, arg=text[len("search ") :].strip())
    if lowered.startswith("handover"):
        return _handover(text[len("handover") :])
    if REF.fullmatch(text):
        return Command(Kind.CASE, text.upper())
    return Command(Kind.UNKNOWN, arg=text)


def _handover(words: str) -> Command:
    """`handover @person`, `handover me`, `handover Priya Shah to @Ana Lopes`."""
    person, _, to = words.strip().rpartition(" to ") if " to " in words else (words, "", "")
    return Command(Kind.HANDOVER, arg=person.strip().lstrip("@").strip(),
                   to=to.strip().lstrip("@").strip())  # fmt: skip
