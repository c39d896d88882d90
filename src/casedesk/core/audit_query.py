"""Choosing audit entries for a person to read: by case, actor, action and age. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from casedesk.core.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    case: str | None = None  # entries about this case reference
    actor: str | None = None  # exactly this actor (any case)
    action: str | None = None  # exactly, or a prefix ending in '.' or '*': "case." / "case.*"
    since: datetime | None = None  # at or after

    def matches(self, e: AuditEntry) -> bool:
        if self.case and e.object_ref.upper() != self.case.upper():
            return False
        if self.actor and e.actor.casefold() != self.actor.casefold():
            return False
        if self.action and not _action_matches(self.action, e.action):
            return False
        return not (self.since and e.at < self.since)


def _action_matches(wanted: str, action: str) -> bool:
    if wanted.endswith("*"):
        return action.startswith(wanted[:-1])
    if wanted.endswith("."):
        return action.startswith(wanted)
    return action == wanted


def select(entries: Iterable[AuditEntry], wanted: AuditFilter) -> list[AuditEntry]:
    return [e for e in entries if wanted.matches(e)]


def entry_record(e: AuditEntry) -> dict[str, object]:
    """An entry as plain JSON-ready fields (`casedesk audit --json` and SAR bundles)."""
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "object": e.object_ref,
        "detail": dict(e.detail),
        "hash": e.hash,
        "prev_hash": e.prev_hash,
    }
