"""Every table in the embedded store, what personal data it holds, and how a subject access
request (core/sar.py) and an erasure (core/erasure.py, retention's delete_case) deal with it.

tests/unit/test_data_map.py compares this map with a freshly migrated store: a migration that
adds a table or a column fails the test until someone says here whether it holds personal
data and how SAR and erasure cover it. tests/e2e/test_sar_completeness.py then checks the
claims against real data. Documentation for people: docs/data-protection.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableUse:
    columns: tuple[str, ...]
    personal: bool  # can a row identify, or say something about, a constituent?
    sar: str  # how a subject access bundle covers it (or why it need not)
    erasure: str  # how erasure / a purge removes it (or why it need not)
    # Columns whose values are deliberately not in the bundle as stored (derived or
    # bookkeeping); every other text column of a row about the person must be, word for word.
    not_exported: tuple[str, ...] = ()


_FTS_SHADOW = "full-text index of the table it shadows; follows it through triggers"
_SCRUB = "rows go with their table; Database.scrub merges the index so deleted words go"


def _fts(base: str, columns: tuple[str, ...]) -> dict[str, TableUse]:
    """An FTS5 table and its shadow tables (SQLite makes them; they hold the indexed words)."""
    shadows = {
        "config": ("k", "v"),
        "data": ("id", "block"),
        "docsize": ("id", "sz"),
        "idx": ("segid", "term", "pgno"),
    }
    found = {base: TableUse(columns, True, f"the {base[:-4]} themselves are in the bundle",
                            _SCRUB)}  # fmt: skip
    for suffix, cols in shadows.items():
        found[f"{base}_{suffix}"] = TableUse(cols, suffix in ("data", "idx"), _FTS_SHADOW, _SCRUB)
    return found


TABLES: dict[str, TableUse] = {
    "constituents": TableUse(
        ("id", "email", "name", "postcode", "created_at", "updated_at"),
        True,
        "records/constituent.json",
        "deleted when no case names them (delete_constituent)",
        not_exported=("created_at", "updated_at"),  # bookkeeping times
    ),
    "cases": TableUse(
        (
            "ref",
            "constituent_id",
            "subject",
            "normalised_subject",
            "category",
            "topic",
            "is_urgent",
            "confidence",
            "status",
            "assignee",
            "campaign_id",
            "summary",
            "created_at",
            "updated_at",
            "flags",
            "priority",
            "due_at",
            "tags",
            "signoff_required",
            "routed_by",
            "ward",
            "sla_stage",
            "sla_stage_due",
            "merged_into",
        ),
        True,
        "records/cases/<REF>.json (case.as_record and its messages)",
        "delete_case",
        not_exported=("normalised_subject",),  # the subject, lower-cased for matching
    ),
    "messages": TableUse(
        (
            "id",
            "message_id",
            "sha256",
            "case_ref",
            "from_addr",
            "subject",
            "sent_at",
            "received_at",
            "category",
            "topic",
            "is_urgent",
            "confidence",
            "classifier",
            "reasons",
            "new_text",
            "filed_path",
            "content_hash",
        ),
        True,
        "records/cases/<REF>.json and the .eml; their messages in other cases as "
        "records/other-cases/<REF>.json",
        "delete_case; their messages in other cases by delete_message",
        not_exported=("content_hash",),  # a fingerprint of the .eml, which is in the bundle
    ),
    "notes": TableUse(
        ("id", "case_ref", "author", "text", "created_at"),
        True,
        "records/casework/<REF>.json notes",
        "delete_case",
    ),
    "referrals": TableUse(
        (
            "id",
            "case_ref",
            "agency",
            "referred_at",
            "referred_by",
            "expected_by",
            "note",
            "replied_at",
            "replied_by",
            "chased_at",
            "chases",
        ),
        True,
        "records/casework/<REF>.json referrals",
        "delete_case",
    ),
    "drafts": TableUse(
        (
            "case_ref",
            "version",
            "state",
            "subject",
            "body",
            "template",
            "to_addr",
            "to_name",
            "in_reply_to",
            "refs",
            "created_at",
            "updated_at",
            "updated_by",
            "approver",
            "decided_by",
            "decided_at",
            "approved_sha256",
            "rejection",
            "sent_at",
            "sent_by",
            "sent_to",
            "remote_id",
            "remote_mailbox",
            "remote_sha256",
            "sources",  # what an AI draft was grounded on: labels, never text (migration 015)
        ),
        True,
        "records/casework/<REF>.json reply_draft (and the draft files in the case folder)",
        "delete_case",
        not_exported=("remote_sha256",),  # a hash of the Outlook draft's text, in the bundle
    ),
    "case_tags": TableUse(
        ("tag", "case_ref"), True, "records/casework/<REF>.json tags", "delete_case"
    ),
    "case_links": TableUse(
        ("a", "b"), True, "records/casework/<REF>.json linked_cases", "delete_case (both ways)"
    ),
    "audit": TableUse(
        ("seq", "at", "actor", "action", "object_ref", "detail", "prev_hash", "hash"),
        True,
        "records/audit.json: entries about their cases, messages and person key",
        "kept (the hash chain); details that name them are redacted in place (decision "
        "0012); the tombstone names them by salted key only",
    ),
    "quarantine": TableUse(
        ("sha256", "source", "reason", "quarantined_at", "stored_path"),
        True,
        "quarantined files containing their address are in the bundle for review",
        "erased when the file's bytes contain the address (the SAR's match): file and row; "
        "an address only in an encoded form is not found (docs/data-protection.md); "
        "retention deletes every item after its `quarantine` period (default 90 days)",
    ),
    "campaign_signatures": TableUse(
        ("member", "cluster_id", "sender", "signature"),
        True,
        "not exported: MinHash fingerprints derived from letters already in the bundle",
        "forget_signatures with the case or message",
    ),
    "dissolution_choices": TableUse(
        (
            "case_ref",
            "choice",
            "decided_by",
            "decided_at",
            "consent_ref",
            "applied_at",
            "applied_by",
            "outcome",
        ),
        False,
        "records/casework/<REF>.json dissolution_choice (case refs and staff names; the "
        "consent reference is checked for personal data)",
        "kept after a purge: the record of what was done, with no personal data (SharePoint "
        "keeps it likewise, as an item in the CaseDesk Dissolution list)",
    ),
    "campaigns": TableUse(
        ("id", "name", "size", "first_seen", "last_seen", "is_campaign", "canonical_subject"),
        False,
        "not about a person: a campaign's name and template subject, and counts",
        "not needed",
    ),
    "case_sequences": TableUse(("year", "last"), False, "counters", "not needed"),
    "ops_kv": TableUse(
        ("namespace", "key", "value"),
        True,
        "pending notifications about their cases (records/casework/<REF>.json) and lines of "
        "the live routing rules naming them (records/routing-rules.json); the rest is "
        "operational (salt, subscriptions, delta links, conversation references of staff)",
        "pending notifications go with the case; the routing rules are the office's own "
        "file, which erasure names for the office to change",
    ),
    "work_queue": TableUse(
        ("id", "body", "visible_after", "dequeue_count", "receipt"),
        False,
        "queue messages carry IDs only, never bodies",
        "not needed",
    ),
    "geo_wards": TableUse(("code", "name"), False, "ONS reference data", "not needed"),
    "geo_constituencies": TableUse(("code", "name"), False, "ONS reference data", "not needed"),
    "geo_postcodes": TableUse(
        (
            "postcode",
            "ward_code",
            "constituency_code",
            "local_authority_code",
            "is_terminated",
            "constituency_from_ward",
        ),
        False,
        "ONS reference data: every postcode, not anyone's",
        "not needed",
    ),
    "schema_migrations": TableUse(("version",), False, "schema bookkeeping", "not needed"),
    **_fts("messages_fts", ("subject", "new_text")),
    **_fts("notes_fts", ("text",)),
}
