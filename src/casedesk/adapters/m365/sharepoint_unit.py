"""The unit of work behind SharePointCaseRepository.transaction(): writes wait here until commit.

SharePoint has no transactions. Inside `transaction()` every write is recorded in a Unit, keyed
by the row's natural key (its list's Title), and reads look here before the store. On a clean
exit the repository flushes the unit to the lists; on an exception it is dropped. No I/O here.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from casedesk.adapters.m365.sharepoint_items import Row
from casedesk.adapters.m365.sharepoint_schema import Fields
from casedesk.core.audit import Detail
from casedesk.core.models import AuditEntry

# Constituents created inside a unit have no list item id until it commits; they get a
# stand-in id far below any real one (unique in the process), replaced by the real id on
# commit, also in audit details written in the same unit.
PROVISIONAL_BASE = -(2**40)
_stand_ins = itertools.count()


@dataclass
class Pending:
    """A row to create (item_id None) or the changed columns of an existing one."""

    fields: Fields
    item_id: str | None = None
    base: Fields = field(default_factory=dict)  # the stored row as read, for updates

    @property
    def view(self) -> Fields:
        return {**self.base, **self.fields}


@dataclass
class PendingAudit:
    at: datetime
    actor: str
    action: str
    object_ref: str
    detail: Detail
    entry: AuditEntry  # provisional inside the unit; final once flushed


@dataclass
class AuditHead:
    """The audit chain's last Seq and hash, and the Counters row holding them (None: no row yet)."""

    seq: int
    hash: str
    row: Row | None = None


@dataclass
class Unit:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    pending: dict[str, dict[str, Pending]] = field(default_factory=dict)
    audit: list[PendingAudit] = field(default_factory=list)
    audit_head: AuditHead | None = None
    reserved: dict[str, list[int]] = field(default_factory=dict)  # counter Title -> numbers
    provisional: dict[int, str] = field(default_factory=dict)  # stand-in id -> email
    real_ids: dict[int, int] = field(default_factory=dict)  # stand-in id -> item id, on commit
    # What this unit has read, so it asks SharePoint once: rows by (list, Title), and
    # (list, column, value) lookups that found nothing.
    seen: dict[tuple[str, str], tuple[Fields, str]] = field(default_factory=dict)
    absent: set[tuple[str, str, str]] = field(default_factory=set)

    def rows(self, list_key: str) -> dict[str, Pending]:
        return self.pending.setdefault(list_key, {})

    def get(self, list_key: str, key: str) -> Pending | None:
        return self.pending.get(list_key, {}).get(key)

    def put(
        self,
        list_key: str,
        key: str,
        values: Fields,
        item_id: str | None = None,
        base: Fields | None = None,
    ) -> None:
        """Record a create or an update; a later write to the same row merges into it."""
        rows = self.rows(list_key)
        if key in rows:
            rows[key].fields.update(values)
        else:
            rows[key] = Pending(dict(values), item_id, dict(base or {}))

    def creates(self, list_key: str) -> Iterator[tuple[str, Pending]]:
        return ((k, p) for k, p in self.rows(list_key).items() if p.item_id is None)

    def updates(self, list_key: str) -> Iterator[tuple[str, Pending]]:
        return ((k, p) for k, p in self.rows(list_key).items() if p.item_id is not None)

    def matching(self, list_key: str, test: Callable[[Fields], bool]) -> list[Pending]:
        return [p for p in self.rows(list_key).values() if test(p.view)]

    def looked_for(self, list_key: str, key: str) -> bool:
        """This unit read the list for this Title and found no row (so a create need not
        look again before its first attempt; a retry, or a refusal, still looks)."""
        return (list_key, "Title", key) in self.absent

    def provisional_id(self, email: str) -> int:
        for stand_in, known in self.provisional.items():
            if known == email:
                return stand_in
        stand_in = PROVISIONAL_BASE - next(_stand_ins)
        self.provisional[stand_in] = email
        return stand_in

    def reserve(self, counter: str, number: int) -> None:
        self.reserved.setdefault(counter, []).append(number)

    @property
    def is_empty(self) -> bool:
        return not self.audit and not any(self.pending.values())


def overlay(stored: list[tuple[str, Fields]], pending: dict[str, Pending]) -> dict[str, Fields]:
    """Natural key -> row as this unit sees it: stored rows with its changes, then its creates.

    `stored` is oldest first; a key seen twice keeps the first."""
    seen: dict[str, Fields] = {}
    for key, values in stored:
        seen.setdefault(key, values)
    for key, p in pending.items():
        seen[key] = {**seen[key], **p.fields} if key in seen else p.view
    return seen


def replace_provisional(detail: Detail, real_ids: dict[int, int]) -> Detail:
    """Audit details written before commit name stand-in constituent ids; use the real ones."""
    if not real_ids:
        return detail
    return {
        k: real_ids.get(v, v) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in detail.items()
    }
