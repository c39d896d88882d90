"""The MP's approval queue as the bot reads it: replies that need a decision now."""

from __future__ import annotations

from casedesk.core.models import Case
from casedesk.core.replies import DraftState, ReplyDraft
from casedesk.errors import NotFoundError
from casedesk.ports import CaseRepository


def pending_signoffs(repo: CaseRepository) -> list[tuple[Case, ReplyDraft]]:
    """Waiting for sign-off, oldest first; approved replies whose text changed since wait
    again (as ReplyDesk.approvals lists them). A draft whose case is gone is left out."""
    waiting = repo.drafts_in_state(DraftState.AWAITING_SIGNOFF)
    changed = [d for d in repo.drafts_in_state(DraftState.APPROVED) if not d.is_approved]
    found: list[tuple[Case, ReplyDraft]] = []
    for draft in sorted(waiting + changed, key=lambda d: (d.created_at, d.case_ref)):
        try:
            case = repo.get_case(draft.case_ref)
        except NotFoundError:
            continue
        if case.signoff_required:
            found.append((case, draft))
    return found
