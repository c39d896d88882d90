"""Every version of the office's routing rules, in the audit log: who, when, and the diff.

A version is the sha256 of the rules file's text. `record` compares the text in force with
the last version recorded (kept in ops state) and, when it differs, writes one `rules.changed`
audit entry naming the person, both versions and a unified diff, then remembers the new
text. `casedesk rules apply --by NAME` records the person; a file edited by hand is noticed
the next time CaseDesk loads it and recorded with the actor `unrecorded-edit`, so no change
goes unlogged even when nobody said who made it. Pure: the repository, ops state and clock
are ports.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass

from casedesk.core.models import AuditEntry
from casedesk.ports import CaseRepository, Clock, OpsState

RULES_REF = "rules"
CHANGED = "rules.changed"
UNRECORDED = "unrecorded-edit"  # the actor when a file changed outside `casedesk rules apply`
_STATE, _LIVE = "rules-versions", "live"
MAX_DIFF = 20_000  # characters of diff kept in one audit entry; the rest is counted, not lost


@dataclass(frozen=True)
class RulesChange:
    digest: str
    previous: str | None  # None: the first version CaseDesk has seen
    diff: str
    added: int
    removed: int


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def pending_change(ops: OpsState, text: str, source: str) -> RulesChange | None:
    """What recording `text` would log, or None when it is the version already recorded."""
    stored = ops.get(_STATE, _LIVE)
    before = json.loads(stored) if stored else None
    new = digest(text)
    if before is not None and before["digest"] == new:
        return None
    old_text = before["text"] if before else ""
    lines = list(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{source}@{before['digest'][:12]}" if before else "(no rules)",
            tofile=f"{source}@{new[:12]}",
        )
    )
    added = sum(1 for ln in lines if ln.startswith("+") and not ln.startswith("+++"))
    removed = sum(1 for ln in lines if ln.startswith("-") and not ln.startswith("---"))
    return RulesChange(new, before["digest"] if before else None, "".join(lines), added, removed)


def record(
    repo: CaseRepository, ops: OpsState, clock: Clock, text: str, source: str, actor: str
) -> AuditEntry | None:
    """Log `text` as the rules in force if it is a new version; None when nothing changed."""
    change = pending_change(ops, text, source)
    if change is None:
        return None
    diff = change.diff
    if len(diff) > MAX_DIFF:
        diff = diff[:MAX_DIFF] + f"\n... {len(change.diff) - MAX_DIFF:,} more characters of diff"
    with repo.transaction():
        entry = repo.append_audit(
            clock.now(),
            actor,
            CHANGED,
            RULES_REF,
            {
                "version": change.digest,
                "previous": change.previous,
                "source": source,
                "lines_added": change.added,
                "lines_removed": change.removed,
                "diff": diff,
            },
        )
        ops.put(_STATE, _LIVE, json.dumps({"digest": change.digest, "text": text}))
    return entry


def live_text(ops: OpsState) -> str | None:
    """The text of the rules version recorded as in force, if any."""
    stored = ops.get(_STATE, _LIVE)
    return str(json.loads(stored)["text"]) if stored else None


def history(repo: CaseRepository) -> list[AuditEntry]:
    """Every recorded rules version, oldest first."""
    return [e for e in repo.audit_entries(RULES_REF) if e.action == CHANGED]
