"""Legal hold: a case that neither retention nor erasure may touch until a person releases it.

Holds live in the audit log itself (`case.held` / `case.released`), not in a column: the
log is append-only and hash-chained, so nobody can lift a hold without leaving a signed
trace, and both stores get holds without a schema change. A case is held when its latest
hold entry is `case.held`. Pure: the repository and clock are ports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from casedesk.core.models import AuditEntry
from casedesk.core.personal_data import has_personal_data
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseRepository, Clock

HELD, RELEASED = "case.held", "case.released"


@dataclass(frozen=True)
class LegalHold:
    ref: str
    reason: str
    by: str
    since: datetime
    audit_seq: int


def holds_from(entries: Iterable[AuditEntry]) -> dict[str, LegalHold]:
    """Every case held now, by reference, from the audit log in chain order."""
    held: dict[str, LegalHold] = {}
    for e in entries:
        if e.action == HELD:
            reason = str(e.detail.get("reason") or "")
            held[e.object_ref] = LegalHold(e.object_ref, reason, e.actor, e.at, e.seq)
        elif e.action == RELEASED:
            held.pop(e.object_ref, None)
    return held


def legal_holds(repo: CaseRepository) -> dict[str, LegalHold]:
    return holds_from(repo.audit_entries())


def check_free_text(label: str, value: str) -> str:
    """A reason kept in the audit log: required, and without detectable personal data."""
    value = " ".join(value.split())
    if not value:
        raise CaseDeskError(f"{label} is required: say why, in words the log can keep")
    if has_personal_data(value):
        raise CaseDeskError(
            f"{label} contains an email address, postcode or phone number; the audit log "
            "keeps no personal data: describe the reason without them (e.g. 'solicitor's "
            "letter of 3 March, ref 1234')"
        )
    return value


def hold(repo: CaseRepository, clock: Clock, ref: str, reason: str, by: str) -> LegalHold:
    """Put a case on hold (again, if held: the newer reason stands)."""
    by = _actor(by)
    reason = check_free_text("the hold's --reason", reason)
    case = repo.get_case(ref)
    entry = repo.append_audit(clock.now(), by, HELD, case.ref, {"reason": reason})
    return LegalHold(case.ref, reason, by, entry.at, entry.seq)


def release(repo: CaseRepository, clock: Clock, ref: str, by: str, reason: str = "") -> LegalHold:
    """Lift the hold on a case; the hold that was lifted. NotHeld if there was none."""
    by = _actor(by)
    held = legal_holds(repo)
    current = held.get(ref.upper())
    if current is None:
        raise CaseDeskError(
            f"{ref.upper()} is not on legal hold; `casedesk holds` lists those that are"
        )
    detail: dict[str, str | int | float | bool | None] = {"held_since_seq": current.audit_seq}
    if reason.strip():
        detail["reason"] = check_free_text("the release's --reason", reason)
    repo.append_audit(clock.now(), by, RELEASED, current.ref, detail)
    return current


def _actor(by: str) -> str:
    if not by.strip():
        raise CaseDeskError("say who is doing this (--by NAME): legal holds are audited")
    return by.strip()
