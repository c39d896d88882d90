"""The casework actions the Outlook add-in offers beyond viewing and correcting a case.

Claim, assign and add a note go through the casework core (core/casework.py), audited under
the member's people id exactly as the CLI's commands are. Creating a case from a message
CaseDesk has not filed is addin_create.py.
"""

from __future__ import annotations

from typing import Protocol

from casedesk.core import casework
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseRepository, Clock


class NotAvailableYetError(CaseDeskError):
    """The action exists in the add-in but not in this deployment (answers 501)."""


class CaseworkActions(Protocol):
    def claim(self, ref: str, actor: str) -> None:
        """Assign the case to the person asking, audited."""
        ...

    def assign(self, ref: str, actor: str, assignee: str) -> None:
        """Assign the case to an office member (by their people id), audited."""
        ...

    def add_note(self, ref: str, actor: str, text: str) -> None:
        """Add a note to the case file, audited."""
        ...


class CoreCasework:
    """CaseworkActions through core/casework.py."""

    def __init__(self, repo: CaseRepository, clock: Clock) -> None:
        self.repo, self.clock = repo, clock

    def claim(self, ref: str, actor: str) -> None:
        casework.assign(self.repo, self.clock, ref, actor, actor)

    def assign(self, ref: str, actor: str, assignee: str) -> None:
        casework.assign(self.repo, self.clock, ref, assignee, actor)

    def add_note(self, ref: str, actor: str, text: str) -> None:
        casework.add_note(self.repo, self.clock, ref, text, actor)
