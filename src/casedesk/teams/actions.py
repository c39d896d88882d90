"""Case actions the bot offers but does not own: claim, assign, close, note, and the MP's
approve / request changes on a reply draft.

Their rules (who holds a case, what closing records, where notes live, what a sign-off
covers) belong to the casework core (core/casework.py) and the reply desk
(core/reply_desk.py). The bot calls them through this protocol only after its own
permission and case-state checks have passed, and audits what it asked for. A deployment
without the reply desk answers approve/reject with ActionNotAvailableError.
"""

from __future__ import annotations

from typing import Protocol

from casedesk.core import casework
from casedesk.core.models import CaseStatus
from casedesk.core.reply_desk import ReplyDesk
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseRepository, Clock


class ActionNotAvailableError(CaseDeskError):
    """The action exists on the card but its core is not in this build."""


class CaseActions(Protocol):
    def claim(self, ref: str, by: str) -> None: ...

    def assign(self, ref: str, to: str, by: str) -> None: ...

    def close(self, ref: str, reason: str, by: str) -> None: ...

    def note(self, ref: str, text: str, by: str) -> None: ...

    def reassign(self, ref: str, to: str, by: str, why: str) -> None: ...

    def approve(self, ref: str, by: str, seen_sha256: str) -> None:
        """Sign off the version whose body hash is seen_sha256 (DraftChangedError if the
        draft changed since), or refuse (ReplyRefusedError)."""
        ...

    def reject(self, ref: str, reason: str, by: str, seen_sha256: str) -> None: ...


class CoreCaseActions:
    """Claim, assign, close and note through the casework core (core/casework.py), and
    approve / request changes through the reply desk (core/reply_desk.py), so Teams does
    exactly what `casedesk claim/assign/status/note/approve/reject` do, audited the same way.
    Without a reply desk (replies=None) approving answers "use casedesk approve"."""

    def __init__(self, repo: CaseRepository, clock: Clock, replies: ReplyDesk | None = None) -> None:
        self.repo, self.clock, self.replies = repo, clock, replies

    def claim(self, ref: str, by: str) -> None:
        casework.assign(self.repo, self.clock, ref, by, by)

    def assign(self, ref: str, to: str, by: str) -> None:
        casework.assign(self.repo, self.clock, ref, to, by)

    def close(self, ref: str, reason: str, by: str) -> None:
        casework.change_status(self.repo, self.clock, ref, CaseStatus.CLOSED, reason, by)

    def note(self, ref: str, text: str, by: str) -> None:
        casework.add_note(self.repo, self.clock, ref, text, by)

    def reassign(self, ref: str, to: str, by: str, why: str) -> None:
        casework.assign(self.repo, self.clock, ref, to, by, why)

    def _desk(self, ref: str, by: str, verb: str) -> ReplyDesk:
        if self.replies is None:
            raise ActionNotAvailableError(
                f"Sign-off is not set up for Teams in this deployment: use casedesk {verb} "
                f"{ref} --by {by}. Nothing was changed."
            )
        return self.replies

    def approve(self, ref: str, by: str, seen_sha256: str) -> None:
        self._desk(ref, by, "approve").approve(ref, by, seen_sha256)

    def reject(self, ref: str, reason: str, by: str, seen_sha256: str) -> None:
        self._desk(ref, by, "reject").reject(ref, reason, by, seen_sha256)
