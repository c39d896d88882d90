"""Subject lines compared the way people read them: without Re:/Fwd: prefixes or case."""

from __future__ import annotations

import re

_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|vs|antw|wg)\s*(?:\[\d+\])?\s*[:：]|\[ext(?:ernal)?\])\s*",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def normalise_subject(subject: str) -> str:
    """Lower-case subject with reply/forward prefixes removed, for thread matching."""
    s = subject
    while True:
        stripped = _PREFIX.sub("", s, count=1)
        if stripped == s:
            break
        s = stripped
    return _SPACES.sub(" ", s).strip().lower()


def is_reply_subject(subject: str) -> bool:
    return normalise_subject(subject) != _SPACES.sub(" ", subject).strip().lower()
