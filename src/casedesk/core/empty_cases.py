"""Empty cases left behind by intake, found and removed by the sweep.

SharePoint writes a commit's rows one at a time (adapters/m365/sharepoint_lists.py), so a
worker killed after a new case's row and before its message's leaves a case with no message;
the queue's retry files the letter again, into a new case. Nothing is lost, but the empty
case would sit in the queue for ever. (SQLite commits whole, so there it is only ever a
safety net.)

A case is removed only when nothing but intake ever happened to it, all re-read just before:
- its row was written more than the grace period ago (`empty_case_grace_minutes`, default an
  hour: far longer than any commit, so a case still being filed is never taken). Each case is
  examined once, in the first sweep after its grace period: ops state keeps how far the
  sweeps have looked (a case past its grace period that holds mail never empties by itself;
  a merge or an erasure is a person's act). So a sweep reads only the cases written since the
  last one, not every case each time;
- no message (its row, not the case's MessageCount: a cut-short commit wrote the count with
  the case row), no note, no referral, no link, not merged, status still new, and no reply
  draft but triage's own first one;
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
from casedesk.core.replies import DraftState, ReplyDraft
from casedesk.core.retention import delete_case
from casedesk.ports import CaseFiles, CaseRepository, Clock, OpsState

CHECKED = "sweep.empty_cases"  # ops namespace: key LOOKED, the written_before of the last run
LOOKED = "checked_before"

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
    if case.status is not CaseStatus.NEW or case.merged_into:
        return False
    if repo.case_messages(case.ref) or repo.notes(case.ref) or repo.referrals(case.ref):
        return False
    if not _draft_untouched(repo.get_draft(case.ref)) or repo.linked_cases(case.ref):
        return False
    return all(e.actor in SYSTEM_ACTORS for e in repo.audit_entries(case.ref))


def _draft_untouched(draft: ReplyDraft | None) -> bool:
    """No draft, or only the one triage wrote (on SharePoint it rides on the case row, so the
    cut-short commit wrote it too); any edit, decision or sending makes a new version."""
    if draft is None:
        return True
    return (
        draft.version == 1
        and draft.updated_by in SYSTEM_ACTORS
        and draft.state in (DraftState.DRAFT, DraftState.AWAITING_SIGNOFF)
        and draft.sent_at is None
        and draft.decided_by is None
    )


def find_empty_cases(
    repo: CaseRepository, written_before: datetime, written_from: datetime | None = None
) -> list[EmptyCase]:
    """Empty cases whose row was written in [written_from, written_before), left by intake
    alone; oldest first."""
    found = []
    for ref in repo.empty_case_candidates(written_from, written_before):
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
    """Remove the empty cases written since the last run and before `grace` ago, each
    audited before anything goes; the refs. Then record how far this run looked (not in a
    dry run; not if a removal failed, so the next run tries again)."""
    before = clock.now() - grace
    looked = ops.get(CHECKED, LOOKED)
    since = datetime.fromisoformat(looked) if looked else None
    if since is not None and since >= before:
        return []
    removed = []
    for empty in find_empty_cases(repo, before, since):
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
    if not dry_run:
        ops.put(CHECKED, LOOKED, before.isoformat())
    if removed:
        log.info(
            "empty cases removed" if not dry_run else "empty cases found",
            extra={"event": "sweep.empty_cases", "count": len(removed), "dry_run": dry_run},
        )
    return removed
