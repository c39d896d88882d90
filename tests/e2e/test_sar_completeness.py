"""SAR completeness against the store itself: every row of every personal table that is about
the person (adapters/embedded/data_map.py) is in the bundle, word for word, apart from the
columns the map says are derived; and the stores beside the tables (quarantine, pending
notifications, the live routing rules) are covered too."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import privacy_office
import pytest
from privacy_office import BOB, EMAIL, ROOT, START, build_office

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.embedded.data_map import TABLES
from casedesk.bootstrap import App
from casedesk.core import casework, rules_history, sar
from casedesk.core.models import RawMessage
from casedesk.core.sweep import Notification, PendingNotifications
from casedesk.entrypoints.sar_archive import render_index_html

OFFICE = {"alex.morgan.mp@parliament.example"}
NOTE = "Rang the RSPB about the nest; they will write to the roofers"
REFERRAL_NOTE = "Referred to the wildlife crime officer, ticket WCO-5521"

# How a row of each personal table is tied to the person: SQL returning their rows.
ROWS_ABOUT = {
    "constituents": "SELECT * FROM constituents WHERE email = :email",
    "cases": "SELECT * FROM cases WHERE ref IN (:own)",
    "messages": "SELECT * FROM messages WHERE case_ref IN (:own) OR from_addr = :email",
    "notes": "SELECT * FROM notes WHERE case_ref IN (:own)",
    "referrals": "SELECT * FROM referrals WHERE case_ref IN (:own)",
    "drafts": "SELECT * FROM drafts WHERE case_ref IN (:own)",
    "case_tags": "SELECT * FROM case_tags WHERE case_ref IN (:own)",
    "case_links": "SELECT * FROM case_links WHERE a IN (:own) OR b IN (:own)",
}
# Personal tables checked another way, each by a test below (or by its map entry's reason).
CHECKED_APART = {
    "audit": "test_the_bundle_holds_what_lives_beside_the_tables (records/audit.json)",
    "quarantine": "test_the_bundle_holds_what_lives_beside_the_tables",
    "ops_kv": "test_the_bundle_holds_what_lives_beside_the_tables",
    "campaign_signatures": "derived MinHash fingerprints (data_map reason)",
    "messages_fts": "an index of messages, which are checked",
    "messages_fts_data": "an index of messages, which are checked",
    "messages_fts_idx": "an index of messages, which are checked",
    "notes_fts": "an index of notes, which are checked",
    "notes_fts_data": "an index of notes, which are checked",
    "notes_fts_idx": "an index of notes, which are checked",
}


clock = privacy_office.clock  # the shared fixture


@pytest.fixture
def office(tmp_path: Path, clock: FixedClock) -> Iterator[App]:
    app = build_office(tmp_path, clock, with_samples=False)
    [own] = app.repo.cases_of_constituent(EMAIL)
    [bob] = app.repo.cases_of_constituent(BOB)
    casework.add_note(app.repo, clock, own.ref, NOTE, "priya.shah")
    casework.tag(app.repo, clock, own.ref, ["wildlife", "roofing"], [], "priya.shah")
    casework.link(app.repo, clock, own.ref, bob.ref, "priya.shah")
    referral = app.repo.add_referral(
        own.ref, "council", START, "priya.shah", START + timedelta(days=10), REFERRAL_NOTE
    )
    app.repo.record_referral_chase(referral.id, START + timedelta(days=11), 1)
    PendingNotifications(app.ops).add(
        Notification("n1", "tom.reid", "case.overdue", own.ref, own.ref, START, START)
    )
    app.triage.triage_one(RawMessage("unreadable.eml", b"\x00\x01 " + EMAIL.encode()))
    rules = (ROOT / "samples" / "rules.yaml").read_text(encoding="utf-8")
    rules_history.record(
        app.repo, app.ops, clock, rules + f"\n# vexatious: {EMAIL}\n", "rules.yaml", "jo.price"
    )
    yield app
    app.close()


def bundle_text(app: App) -> tuple[sar.SarBundle, str]:
    bundle = sar.collect(
        app.repo, app.files, EMAIL, app.clock.now(), "jo.price", "Office", OFFICE,
        sar.office_salt(app.ops), app.ops,
    )  # fmt: skip
    parts = [f.data.decode("utf-8", "replace") for f in bundle.files]
    return bundle, "\n".join([*parts, json.dumps(bundle.index(), ensure_ascii=False)])


def _in_bundle(value: str, text: str) -> bool:
    if value in text or json.dumps(value, ensure_ascii=False)[1:-1] in text:
        return True
    try:
        items = json.loads(value)
    except ValueError:
        items = None
    if isinstance(items, list):  # stored as a JSON list: each item on its own
        return all(_in_bundle(str(i), text) for i in items)
    words = value.split()  # stored space-separated (tags, flags, matched rules)
    return len(words) > 1 and all(w in text for w in words)


def test_every_personal_table_is_tied_to_the_person_or_checked_apart() -> None:
    personal = {t for t, use in TABLES.items() if use.personal}
    assert personal == set(ROWS_ABOUT) | set(CHECKED_APART), (
        "a personal table needs a way to find the person's rows here (ROWS_ABOUT) or a "
        "test of its own (CHECKED_APART)"
    )


def test_every_stored_value_about_the_person_is_in_the_bundle(office: App) -> None:
    own = [c.ref for c in office.repo.cases_of_constituent(EMAIL)]
    _, text = bundle_text(office)
    conn: sqlite3.Connection = office.repo.conn  # type: ignore[attr-defined]
    missing: list[str] = []
    checked = 0
    for table, query in ROWS_ABOUT.items():
        sql = query.replace(":own", ",".join("?" * len(own))).replace(":email", "?")
        rows = conn.execute(sql, _bind(query, own)).fetchall()
        assert rows, f"the fixture left no {table} rows about the person: the test proves nothing"
        skip = set(TABLES[table].not_exported)
        for row in rows:
            for column in row.keys():  # noqa: SIM118 (a Row iterates its values)
                value = row[column]
                if column in skip or not isinstance(value, str) or len(value) < 3:
                    continue
                checked += 1
                if not _in_bundle(value, text):
                    missing.append(f"{table}.{column} = {value[:60]!r}")
    assert not missing, "stored about the person but not in the SAR bundle:\n" + "\n".join(missing)
    assert checked > 50


def _bind(query: str, own: list[str]) -> list[str]:
    """Parameters for a ROWS_ABOUT query, in the order its placeholders appear."""
    args: list[str] = []
    for token in query.replace("(", " ").replace(")", " ").split():
        if token == ":own":
            args += own
        elif token == ":email":
            args.append(EMAIL)
    return args


def test_the_bundle_holds_what_lives_beside_the_tables(office: App) -> None:
    [own] = [c.ref for c in office.repo.cases_of_constituent(EMAIL)]
    bundle, _ = bundle_text(office)
    paths = {f.path: f for f in bundle.files}
    record = json.loads(paths[f"records/casework/{own}.json"].data)
    assert [n["text"] for n in record["notes"]] == [NOTE]
    assert [(r["agency"], r["note"], r["chases"]) for r in record["referrals"]] == [
        ("council", REFERRAL_NOTE, 1)
    ]
    assert {"wildlife", "roofing"} <= set(record["tags"]) and len(record["linked_cases"]) == 1
    assert record["reply_draft"]["body"] and record["reply_draft"]["to"]["email"] == EMAIL
    assert [(n["kind"], n["to"]) for n in record["pending_notifications"]] == [
        ("case.overdue", "tom.reid")
    ]
    [quarantined] = [f for f in bundle.files if f.kind == "quarantined"]
    assert EMAIL.encode() in quarantined.data
    assert "1 quarantined file(s)" in render_index_html(bundle)
    rules = json.loads(paths["records/routing-rules.json"].data)
    assert rules["lines"] == [f"# vexatious: {EMAIL}"]
    audited = {(e.action, e.object_ref) for e in bundle.audit}
    assert {("note.added", own), ("case.tagged", own), ("case.linked", own)} <= audited
