"""The audit chain's verifier: which entry breaks first and why, and the redaction rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from casedesk.core.audit import (
    ERASED,
    GENESIS,
    REDACTED_LIST,
    entry_hash,
    first_broken_link,
    redacted_hash,
    redaction_marker,
    verify_chain,
)
from casedesk.core.audit_query import AuditFilter, select
from casedesk.core.models import AuditEntry

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
PERSON = "person:0123456789abcdef01234567"


def chain(*items: tuple[str, str, str, dict[str, object]]) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = GENESIS
    for seq, (actor, action, ref, detail) in enumerate(items, start=1):
        at = T0 + timedelta(minutes=seq)
        digest = entry_hash(prev, seq, at, actor, action, ref, detail)
        entries.append(AuditEntry(seq, at, actor, action, ref, detail, prev, digest))
        prev = digest
    return entries


def sample() -> list[AuditEntry]:
    return chain(
        ("casedesk-triage", "case.opened", "CD-2026-000001", {"category": "casework"}),
        ("jo.price", "rules.changed", "rules", {"diff": "+ sender: priya@example.org"}),
        ("sam", "case.corrected", "CD-2026-000001", {"to_category": "policy"}),
    )


def test_an_intact_chain_verifies() -> None:
    check = verify_chain(sample())
    assert check.intact and check.entries == 3 and check.redacted == 0
    assert first_broken_link(sample()) is None


def test_a_changed_detail_breaks_that_entry_and_says_content_changed() -> None:
    entries = sample()
    entries[1] = replace(entries[1], detail={"diff": "nothing to see"})
    broken = verify_chain(entries).first_break
    assert broken is not None and broken.seq == 2 and "content" in broken.problem


def test_a_deleted_entry_is_named_as_missing() -> None:
    entries = sample()
    del entries[1]
    broken = verify_chain(entries).first_break
    assert broken is not None and broken.seq == 2 and "missing (entry 3 comes next)" in broken.problem


def test_a_rewritten_entry_with_a_fresh_hash_breaks_the_next_link() -> None:
    entries = sample()
    forged = replace(entries[0], actor="someone else")
    forged = replace(forged, hash=entry_hash(GENESIS, 1, forged.at, forged.actor, forged.action,
                                             forged.object_ref, forged.detail))  # fmt: skip
    entries[0] = forged
    broken = verify_chain(entries).first_break
    assert broken is not None and broken.seq == 2 and "link" in broken.problem


def erased(entries: list[AuditEntry], redact: list[int]) -> list[AuditEntry]:
    """Append a person.erased entry committing to `redact`, then redact those in place."""
    commitments = " ".join(f"{s}:{redacted_hash(entries[s - 1], PERSON)}" for s in redact)
    last = entries[-1]
    seq, at = last.seq + 1, last.at + timedelta(minutes=1)
    detail = {"reason": "request", REDACTED_LIST: commitments}
    digest = entry_hash(last.hash, seq, at, "jo.price", ERASED, PERSON, detail)
    out = [*entries, AuditEntry(seq, at, "jo.price", ERASED, PERSON, detail, last.hash, digest)]
    for s in redact:
        out[s - 1] = replace(out[s - 1], detail=redaction_marker(PERSON))
    return out


def test_an_entry_redacted_by_an_erasure_still_verifies() -> None:
    check = verify_chain(erased(sample(), [2]))
    assert check.intact and check.redacted == 1 and check.pending_redactions == ()


def test_a_redacted_entry_whose_other_fields_change_is_caught() -> None:
    entries = erased(sample(), [2])
    entries[1] = replace(entries[1], actor="nobody")
    broken = verify_chain(entries).first_break
    assert broken is not None and broken.seq == 2 and "redacted" in broken.problem


def test_a_redaction_no_erasure_committed_to_is_a_break() -> None:
    entries = erased(sample(), [2])
    entries[2] = replace(entries[2], detail=redaction_marker(PERSON))  # entry 3 never named
    broken = verify_chain(entries).first_break
    assert broken is not None and broken.seq == 3 and "does not name it" in broken.problem


def test_an_erasure_cut_short_before_redacting_leaves_a_pending_redaction() -> None:
    entries = erased(sample(), [2])
    entries[1] = sample()[1]  # the original detail is still there
    check = verify_chain(entries)
    assert check.intact and check.pending_redactions == (2,)


def test_filters_by_case_actor_action_family_and_age() -> None:
    entries = sample()
    assert [e.seq for e in select(entries, AuditFilter(case="cd-2026-000001"))] == [1, 3]
    assert [e.seq for e in select(entries, AuditFilter(actor="JO.PRICE"))] == [2]
    assert [e.seq for e in select(entries, AuditFilter(action="case.*"))] == [1, 3]
    assert [e.seq for e in select(entries, AuditFilter(action="case."))] == [1, 3]
    assert [e.seq for e in select(entries, AuditFilter(action="case.opened"))] == [1]
    since = T0 + timedelta(minutes=2)
    assert [e.seq for e in select(entries, AuditFilter(since=since))] == [2, 3]
