"""Case actions the bot offers but does not own: claim, assign, close, note, approve.

Their rules (who holds a case, what closing records, where notes live) belong to the
casework core, which is being built separately (core/casework.py). The bot calls them
through this protocol only after its own permission and case-state checks have passed, and
audits what it asked for. Until the casework core is wired in (bootstrap_teams.py),
`NotYetAvailable` answers each with a clear "not in this build yet".
"""

from __future__ import annotations

from typing import Protocol

from casedesk.core import casework
from casedesk.core.models import CaseStatus
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseRepository, Clock


class ActionNotAvailableError(CaseDeskError):
    """The action exists on the card but its core is not in this build."""


class CaseActions(Protocol):
    def claim(self, ref: str, by: str) -> None: ...

    def assign(self, ref: str, to: str, by: str) -> None: ...

    def close(self, ref: str, reason: str, by: str) -> None: ...

    def note(self, ref: str, text: str, by: str) -> None: ...

    def approve(self, ref: str, by: str) -> None: ...


class NotYetAvailable:
    """Every action refused with the same honest answer; nothing is changed."""

    def _refuse(self, what: str) -> None:
        raise ActionNotAvailableError(
            f"{what} is not available in this build yet: it arrives with the casework "
            "update (claim, assign, close, notes and sign-off). Nothing was changed."
        )

    def claim(self, ref: str, by: str) -> None:
        self._refuse("Claiming a case")

    def assign(self, ref: str, to: str, by: str) -> None:
        self._refuse("Assigning a case")

    def close(self, ref: str, reason: str, by: str) -> None:
        self._refuse("Closing a case")

    def note(self, ref: str, text: str, by: str) -> None:
        self._refuse("Adding a note")

    def approve(self, ref: str, by: str) -> None:
        self._refuse("Approving a reply")


class CoreCaseActions:
    """Claim, assign, close and note through the casework core (core/casework.py), so Teams
    does exactly what `casedesk claim/assign/status/note` do, audited the same way. Approving
    a draft stays with `casedesk approve` until the sign-off card is built."""

    def __init__(self, repo: CaseRepository, clock: Clock) -> None:
        self.repo, self.clock = repo, clock

    def claim(self, ref: str, by: str) -> None:
        casework.assign(self.repo, self.clock, ref, by, by)

    def assign(self, ref: str, to: str, by: str) -> None:
        casework.assign(self.repo, self.clock, ref, to, by)

    def close(self, ref: str, reason: str, by: str) -> None:
        casework.change_status(self.repo, self.clock, ref, CaseStatus.CLOSED, reason, by)

    def note(self, ref: str, text: str, by: str) -> None:
        casework.add_note(self.repo, self.clock, ref, text, by)

    def approve(self, ref: str, by: str) -> None:
        raise ActionNotAvailableError(
            "Approving from Teams is not available in this build yet: use casedesk approve "
            f"{ref} --by {by}. Nothing was changed."
        )
