"""Who works in the office: the people in the routing rules, found by their Entra object id.

Teams tells the bot who is speaking by the user's Entra (Azure AD) object id
(`from.aadObjectId` on every activity). That id is matched to a person in the rules
file's (or the CaseDesk People list's) `people`, which gives the member id used for
assignment and audit, and the role that decides what they may do (core/permissions.py).
Someone whose object id is not listed is nobody to CaseDesk: they get a polite refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from casedesk.core.rules import Person


class Role(StrEnum):
    CASEWORKER = "caseworker"
    OFFICE_MANAGER = "office_manager"
    MP = "mp"
    SAFETY_LEAD = "safety_lead"


@dataclass(frozen=True)
class Member:
    id: str  # the rules file's person id, e.g. jo.price: the actor in the audit log
    name: str
    role: Role
    entra_id: str | None = None
    email: str | None = None


def _key(entra_id: str) -> str:
    """Object ids are GUIDs: compare them without case or braces."""
    return entra_id.strip().strip("{}").lower()


class Roster:
    """The office's members, looked up by member id or Entra object id."""

    def __init__(self, members: Iterable[Member]) -> None:
        self._by_id: dict[str, Member] = {}
        self._by_entra: dict[str, Member] = {}
        for member in members:
            self._by_id[member.id] = member
            if member.entra_id:
                self._by_entra[_key(member.entra_id)] = member

    @classmethod
    def from_people(cls, people: Mapping[str, Person]) -> Roster:
        """Members from the rules' people; an unknown role reads as caseworker (the least)."""
        members = []
        for person in people.values():
            try:
                role = Role(person.role)
            except ValueError:
                role = Role.CASEWORKER
            members.append(Member(person.id, person.name, role, person.entra_id, person.email))
        return cls(members)

    def by_entra_id(self, entra_id: str | None) -> Member | None:
        if not entra_id or not entra_id.strip():
            return None
        return self._by_entra.get(_key(entra_id))

    def get(self, member_id: str | None) -> Member | None:
        return self._by_id.get(member_id or "")

    def with_role(self, role: Role) -> list[Member]:
        return [m for m in self._by_id.values() if m.role is role]

    @property
    def members(self) -> list[Member]:
        return sorted(self._by_id.values(), key=lambda m: m.name.casefold())

    def __len__(self) -> int:
        return len(self._by_id)
