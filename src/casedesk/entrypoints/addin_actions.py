"""The casework actions the Outlook add-in offers beyond viewing and correcting a case.

Claim, assign, add a note and create a case from a message belong to the casework core
(core/casework.py), which is being built separately. The add-in's API reaches them only
through this Protocol, so that work plugs in without touching the routes; until then every
action answers "not available in this build yet" (HTTP 501), and the task pane says so.
"""

from __future__ import annotations

from typing import Protocol

from casedesk.errors import CaseDeskError


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
