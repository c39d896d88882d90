"""Empty cases left behind by intake, found and removed by the sweep.

SharePoint writes a commit's rows one at a time (adapters/m365/sharepoint_lists.py), so a
worker killed after a new case's row and before its message's leaves a case with no message;
the queue's retry files the letter again, into a new case. Nothing is lost, but the empty
case would sit in the queue for ever. (SQLite commits whole, so there it is only ever a
safety net.)

A case is removed only when nothing but intake ever happened to it, all re-read just before:
- its row was written more than the grace period ago (`empty_case_grace_minutes`, default an
  hour: far longer than any commit, so a case still being filed is never taken);
- no message, no note, no referral, no reply draft, no link, not merged, status still new;
- no audit entry by a person (the sweep's own SLA entries and an earlier, interrupted
  removal's entry are not a person).
The removal is audited first (`case.removed_empty`, actor `casedesk-sweep`), then the case
folder (it may hold the letter's .eml, written before the rows) and the record go, through the
same steps as a retention deletion. An interrupted removal is finished by the next sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from casedesk.core.models import Case, CaseStatus
from casedesk.core.retention import delete_case
from casedesk.ports import CaseFiles, CaseRepository, Clock, OpsState

REMOVED_EMPTY = "case.removed_empty"
ACTOR = "casedesk-sweep"
# Actors that are CaseDesk itself: their entries are not a person touching the case.
SYSTEM_ACTORS = frozenset({"casedesk-sweep", "casedesk-triage", "casedesk-retention"})
DEFAULT_GRACE = timedelta(hours=1)
log = logging.getLogger("casedesk.sweep")


@dataclass(frozen=True)
class EmptyCase:
    ref: str
    created_at: datetime


def is_left_by_intake(repo: CaseRepository, case: Case) -> bool:
    """Nothing but intake ever happened to this case (read now, from the store)."""
    if case.status is not CaseStatus.NEW or case.merged_into or case.message_count:
        return False
    if repo.case_messages(case.ref) or repo.notes(case.ref) or repo.referrals(case.ref):
        return False
    if repo.get_draft(case.ref) is not None or repo.linked_cases(case.ref):
        return False
    return all(e.actor in SYSTEM_ACTORS for e in repo.audit_entries(case.ref))


def find_empty_cases(
    repo: CaseRepository, now: datetime, grace: timedelta = DEFAULT_GRACE
) -> list[EmptyCase]:
    """Empty cases whose row is older than `grace`, left by intake alone; oldest first."""
    found = []
    for ref in repo.empty_case_candidates(now - grace):
        case = repo.get_case(ref)
        if is_left_by_intake(repo, case):
            found.append(EmptyCase(ref, case.created_at))
    return sorted(found, key=lambda e: (e.created_at, e.ref))


def remove_empty_cases(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    clock: Clock,
    grace: timedelta = DEFAULT_GRACE,
    dry_run: bool = False,
) -> list[str]:
    """Remove what find_empty_cases finds, each audited before anything goes; the refs."""
    now = clock.now()
    removed = []
    for empty in find_empty_cases(repo, now, grace):
        if not dry_run:
            case = repo.get_case(empty.ref)
            if not is_left_by_intake(repo, case):  # someone touched it since the search
                continue
            files_before = len(files.list_case_files(case.ref))
            delete_case(
                repo, files, ops, clock, case, ACTOR,
                {"why": "no message: a filing cut short", "grace_minutes": int(grace.total_seconds() // 60),
                 "files_in_folder": files_before},
                action=REMOVED_EMPTY,
            )  # fmt: skip
        removed.append(empty.ref)
    if removed:
        log.info(
            "empty cases removed" if not dry_run else "empty cases found",
            extra={"event": "sweep.empty_cases", "count": len(removed), "dry_run": dry_run},
        )
    return removed
