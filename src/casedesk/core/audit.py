"""Hash-chained audit entries: each entry's hash covers its content and the previous hash.

Redaction rule (docs/decisions/0012-erasure-and-the-audit-chain.md). Audit entries are meant
to hold no personal data, but an old entry or a rules diff may; erasure then replaces that
entry's detail with `{"redacted_by": "person:<key>"}` in place, naming the erasure by the
person key its `person.erased` entry carries as its object. The redacted entry keeps its
stored hash, so the next entry's link still holds. Its content can no longer be hashed to
that value, so instead the `person.erased` entry (itself checked like any other, and later
in the chain) lists "seq:hash" for each entry it redacted, the hash being `entry_hash` over
the entry *as redacted*. A verifier checks a redacted entry's link as usual and its remaining
fields (time, actor, action, object) against that commitment; an entry redacted without
one, or changed after it, is a break.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from casedesk.core.models import AuditEntry

GENESIS = "0" * 64
Detail = dict[str, str | int | float | bool | None]
REDACTED_BY = "redacted_by"
ERASED = "person.erased"
REDACTED_LIST = "redacted"  # in a person.erased entry: "seq:hash seq:hash ..."


def entry_hash(
    prev_hash: str, seq: int, at: datetime, actor: str, action: str, object_ref: str, detail: Detail
) -> str:
    body = json.dumps(
        [seq, at.isoformat(), actor, action, object_ref, detail],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def redaction_marker(erased: str) -> Detail:
    """The detail of an entry redacted by the erasure of the person `erased` names."""
    return {REDACTED_BY: erased}


def redacted_hash(entry: AuditEntry, erased: str) -> str:
    """The hash an erasure entry commits to for `entry` once redacted by it."""
    return entry_hash(
        entry.prev_hash, entry.seq, entry.at, entry.actor, entry.action, entry.object_ref,
        redaction_marker(erased),
    )  # fmt: skip


def is_redacted(entry: AuditEntry) -> bool:
    return set(entry.detail) == {REDACTED_BY}


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str  # what is wrong with this entry, in words a person can act on


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    redacted: int
    first_break: ChainBreak | None
    pending_redactions: tuple[int, ...] = ()  # named by an erasure, detail still there

    @property
    def intact(self) -> bool:
        return self.first_break is None


@dataclass(frozen=True)
class _Commitment:
    erasure_seq: int
    erased: str  # the person.erased entry's object: who was erased, by key
    digest: str


def _commitments(entries: Sequence[AuditEntry]) -> dict[int, list[_Commitment]]:
    """redacted seq -> what each person.erased entry committed to for it."""
    committed: dict[int, list[_Commitment]] = {}
    for e in entries:
        if e.action != ERASED or not isinstance(e.detail.get(REDACTED_LIST), str):
            continue
        for item in str(e.detail[REDACTED_LIST]).split():
            seq, _, digest = item.partition(":")
            if seq.isdigit():
                committed.setdefault(int(seq), []).append(_Commitment(e.seq, e.object_ref, digest))
    return committed


def verify_chain(entries: Iterable[AuditEntry]) -> ChainCheck:
    """Check every link and every entry's content; the first problem found, in chain order."""
    ordered = list(entries)
    committed = _commitments(ordered)
    prev, expected_seq, redacted = GENESIS, 1, 0
    pending: list[int] = []
    for e in ordered:
        if e.seq != expected_seq:
            missing = ChainBreak(
                expected_seq,
                f"it is missing (entry {e.seq} comes next): an entry was deleted, or a write "
                "was cut short",
            )
            return ChainCheck(len(ordered), redacted, missing, tuple(pending))
        problem = _problem(e, prev, committed, pending)
        if problem is not None:
            return ChainCheck(len(ordered), redacted, ChainBreak(e.seq, problem), tuple(pending))
        redacted += is_redacted(e)
        prev, expected_seq = e.hash, e.seq + 1
    return ChainCheck(len(ordered), redacted, None, tuple(pending))


def _problem(
    e: AuditEntry,
    prev: str,
    committed: dict[int, list[_Commitment]],
    pending: list[int],
) -> str | None:
    if e.prev_hash != prev:
        return (
            "its link to the entry before does not match: an entry before it was removed, "
            "inserted or replaced"
        )
    if is_redacted(e):
        erased = str(e.detail[REDACTED_BY])
        named = [
            c for c in committed.get(e.seq, []) if c.erased == erased and c.erasure_seq > e.seq
        ]
        if not named:
            return f"it is marked redacted by the erasure of {erased}, which does not name it"
        if all(redacted_hash(e, erased) != c.digest for c in named):
            return (
                "it was redacted by an erasure, and its time, actor, action or object was "
                "changed since"
            )
        return None
    if e.hash != entry_hash(prev, e.seq, e.at, e.actor, e.action, e.object_ref, e.detail):
        return "its content (time, actor, action, object or detail) was changed after writing"
    if e.seq in committed:
        pending.append(e.seq)
    return None


def first_broken_link(entries: Iterable[AuditEntry]) -> int | None:
    """Sequence number of the first entry whose hash or link does not check out, else None."""
    check = verify_chain(entries)
    return check.first_break.seq if check.first_break else None
