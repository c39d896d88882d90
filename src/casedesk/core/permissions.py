"""Who may do what: one policy table, and the checks every Teams action goes through.

The table is deliberately small and readable; an office that wants it otherwise edits
POLICY. Every check is made on the server with the member from the roster and the case as
stored now: what a card says about who may act, or about the case, is never trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from casedesk.core.models import Case, CaseFlag, CaseStatus, Category
from casedesk.core.roster import Member, Role


class Permission(StrEnum):
    VIEW_CASES = "view_cases"  # queues, search, case cards (abusive text excepted)
    VIEW_ABUSE = "view_abuse"  # read the text of abusive or threatening mail
    CHANGE_CATEGORY = "change_category"
    CLAIM = "claim"
    ASSIGN = "assign"
    CLOSE = "close"
    NOTE = "note"
    APPROVE = "approve"  # sign off a reply that needs the MP's approval
    THREAT_ALERTS = "threat_alerts"  # told at once when a threat is filed
    HANDOVER = "handover"
    SETUP_CHANNEL = "setup_channel"  # add the bot to a team channel that gets the office digest


_ALL = frozenset(Role)
_STAFF = frozenset({Role.CASEWORKER, Role.OFFICE_MANAGER, Role.SAFETY_LEAD})

POLICY: Mapping[Permission, frozenset[Role]] = {
    Permission.VIEW_CASES: _ALL,
    Permission.VIEW_ABUSE: frozenset({Role.SAFETY_LEAD, Role.OFFICE_MANAGER, Role.MP}),
    Permission.CHANGE_CATEGORY: _STAFF,
    Permission.CLAIM: _STAFF,
    Permission.ASSIGN: frozenset({Role.OFFICE_MANAGER, Role.SAFETY_LEAD}),
    Permission.CLOSE: _STAFF,
    Permission.NOTE: _ALL,
    Permission.APPROVE: frozenset({Role.MP}),
    Permission.THREAT_ALERTS: frozenset({Role.SAFETY_LEAD}),
    Permission.HANDOVER: frozenset({Role.OFFICE_MANAGER}),
    Permission.SETUP_CHANNEL: frozenset({Role.OFFICE_MANAGER, Role.MP}),
}

# What each permission is called in a refusal ("Only ... may <this>.").
_VERB = {
    Permission.VIEW_CASES: "see cases",
    Permission.VIEW_ABUSE: "read abusive or threatening mail",
    Permission.CHANGE_CATEGORY: "change a case's category",
    Permission.CLAIM: "claim a case",
    Permission.ASSIGN: "assign cases",
    Permission.CLOSE: "close a case",
    Permission.NOTE: "add a note",
    Permission.APPROVE: "approve a reply",
    Permission.THREAT_ALERTS: "receive threat alerts",
    Permission.HANDOVER: "hand cases over",
    Permission.SETUP_CHANNEL: "set up the office channel",
}
_ROLE_NAME = {
    Role.CASEWORKER: "caseworkers",
    Role.OFFICE_MANAGER: "the office manager",
    Role.MP: "the MP",
    Role.SAFETY_LEAD: "the safety lead",
}
# Acting on an abusive case means reading it first: these need VIEW_ABUSE there too.
_READS_THE_CASE = frozenset(
    {Permission.CHANGE_CATEGORY, Permission.CLAIM, Permission.CLOSE, Permission.NOTE}
)
_CHANGES_AN_OPEN_CASE = frozenset(
    {Permission.CHANGE_CATEGORY, Permission.CLAIM, Permission.ASSIGN, Permission.CLOSE}
)


@dataclass(frozen=True)
class Refusal:
    """Why not, in words for the person who asked; never names constituent details."""

    reason: str


def may(role: Role, permission: Permission) -> bool:
    return role in POLICY.get(permission, frozenset())


def is_abusive(case: Case) -> bool:
    """Mail whose text staff are not shown unasked: abuse, or anything flagged a threat."""
    return case.category is Category.ABUSE or CaseFlag.THREAT in case.flags


def who_may(permission: Permission) -> str:
    roles = [r for r in Role if r in POLICY.get(permission, frozenset())]
    names = [_ROLE_NAME[r] for r in roles] or ["nobody"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def check(member: Member, permission: Permission, case: Case | None = None) -> Refusal | None:
    """None when the member may do this (to this case, as it is now); else the refusal."""
    if not may(member.role, permission):
        return Refusal(f"Only {who_may(permission)} may {_VERB[permission]}.")
    if case is None:
        return None
    if (
        permission in _READS_THE_CASE
        and is_abusive(case)
        and not may(member.role, Permission.VIEW_ABUSE)
    ):
        return Refusal(
            f"{case.ref} is abusive or threatening mail: only "
            f"{who_may(Permission.VIEW_ABUSE)} handle it."
        )
    if permission in _CHANGES_AN_OPEN_CASE and case.status is CaseStatus.CLOSED:
        return Refusal(f"{case.ref} is closed.")
    if permission is Permission.CLAIM and case.assignee == member.id:
        return Refusal(f"{case.ref} is already yours.")
    if permission is Permission.CLAIM and case.assignee and member.role is Role.CASEWORKER:
        return Refusal(
            f"{case.ref} is assigned to {case.assignee}; ask the office manager to reassign it."
        )
    if (
        permission is Permission.CLOSE
        and member.role is Role.CASEWORKER
        and case.assignee != member.id
    ):
        return Refusal(
            f"{case.ref} is not yours to close; it is assigned to {case.assignee or 'nobody'}."
        )
    if permission is Permission.APPROVE and not case.signoff_required:
        return Refusal(f"{case.ref} does not need the MP's sign-off.")
    return None


def handover_refusal(member: Member, person: str) -> Refusal | None:
    """Whose cases a member may hand over: anyone's for the office manager (the HANDOVER
    permission), and their own for everyone else. None when allowed."""
    if may(member.role, Permission.HANDOVER) or member.id.casefold() == person.casefold():
        return None
    return Refusal(
        f"Only {who_may(Permission.HANDOVER)} may {_VERB[Permission.HANDOVER]} for someone "
        "else; you can hand over your own (`handover me`)."
    )
