"""The casework actions the Outlook add-in offers beyond viewing and correcting a case.

Claim, assign, add a note and create a case from a message belong to the casework core
(core/casework.py), which is being built separately. The add-in's API reaches them only
through this Protocol, so that work plugs in without touching the routes; until then every
action answers "not available in this build yet" (HTTP 501), and the task pane says so.
"""

from __future__ import annotations

from typing import Protocol

from casedesk.core import casework
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseRepository, Clock


class NotAvailableYetError(CaseDeskError):
    """The action exists in the add-in but not yet in this build's core."""


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

    def create_from_message(self, actor: str, mailbox: str, rest_item_id: str) -> str:
        """Open a case from a message CaseDesk has not filed (e.g. forwarded by hand); the ref."""
        ...


_LATER = "is not available in this build yet: it arrives with the casework commands (issue 6)"


class CaseworkNotInThisBuild:
    """Every action refuses, naming itself, until core/casework.py lands."""

    def claim(self, ref: str, actor: str) -> None:
        raise NotAvailableYetError(f"Claim {_LATER}")

    def assign(self, ref: str, actor: str, assignee: str) -> None:
        raise NotAvailableYetError(f"Assign {_LATER}")

    def add_note(self, ref: str, actor: str, text: str) -> None:
        raise NotAvailableYetError(f"Add note {_LATER}")

    def create_from_message(self, actor: str, mailbox: str, rest_item_id: str) -> str:
        raise NotAvailableYetError(f"Create case from this message {_LATER}")


class CoreCasework:
    """Claim, assign and add a note through the casework core (core/casework.py), audited
    under the member's people id exactly as the CLI's commands are. Creating a case from a
    message CaseDesk never saw needs the message fetched from the mailbox: not built yet."""

    def __init__(self, repo: CaseRepository, clock: Clock) -> None:
        self.repo, self.clock = repo, clock

    def claim(self, ref: str, actor: str) -> None:
        casework.assign(self.repo, self.clock, ref, actor, actor)

    def assign(self, ref: str, actor: str, assignee: str) -> None:
        casework.assign(self.repo, self.clock, ref, assignee, actor)

    def add_note(self, ref: str, actor: str, text: str) -> None:
        casework.add_note(self.repo, self.clock, ref, text, actor)

    def create_from_message(self, actor: str, mailbox: str, rest_item_id: str) -> str:
        raise NotAvailableYetError(
            "Create case from this message is not available in this build yet: forward it to "
            "the office mailbox and CaseDesk files it"
        )
