"""Migration 010 on a store made before it, and the London dates search takes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer

import casedesk.adapters.embedded.sqlite_db as sqlite_db
from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.entrypoints.case_filters import build_query, is_filtered


def _store_at_version_8(path: Path) -> None:
    """A store as CaseDesk left it before 010 (and before migrations were recorded)."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    for version, sql in sqlite_db._migrations():
        if version <= 8:
            for statement in sqlite_db._split_sql(sql):
                conn.execute(statement)
    conn.execute("INSERT INTO constituents VALUES (1, 'a@example.org', 'A', NULL, 't', 't')")
    conn.execute(
        "INSERT INTO cases (ref, constituent_id, subject, normalised_subject, category, topic,"
        " is_urgent, confidence, status, summary, created_at, updated_at, tags)"
        " VALUES ('CD-2026-000001', 1, 's', 's', 'casework', 'housing', 0, 1, 'new', '',"
        " '2026-11-16T09:00:00+00:00', '2026-11-16T09:00:00+00:00', 'housing not-our-constituent')"
    )
    conn.execute("PRAGMA user_version=8")
    conn.close()


def test_an_older_store_gets_010_with_its_tags_indexed_and_the_record_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _store_at_version_8(path)
    db = Database(path)
    tags = db.conn.execute("SELECT tag, case_ref FROM case_tags ORDER BY tag").fetchall()
    assert [tuple(r) for r in tags] == [
        ("housing", "CD-2026-000001"),
        ("not-our-constituent", "CD-2026-000001"),
    ]
    applied = [r[0] for r in db.conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]
    assert applied == [v for v, _ in sqlite_db._migrations()]
    assert db.schema_version == len(applied)
    db.close()


def test_search_dates_are_whole_london_days_across_the_clock_change() -> None:
    q = build_query(opened_from="2026-03-29", opened_to="2026-03-29")  # clocks go forward
    assert q.opened_from == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert q.opened_before == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)  # a 23-hour day
    q = build_query(opened_from="2026-10-25", opened_to="2026-10-25")  # clocks go back
    assert q.opened_from == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    assert q.opened_before == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)  # 25 hours
    with pytest.raises(typer.BadParameter, match="use a date like"):
        build_query(opened_from="23/11/2026")
    with pytest.raises(typer.BadParameter, match="before --from"):
        build_query(opened_from="2026-11-23", opened_to="2026-11-01")
    assert build_query(tag=" Housing ").tag == "housing"
    assert not is_filtered(build_query()) and is_filtered(build_query(unassigned=True))


def test_the_search_bench_runs_every_kind_of_search_on_a_small_store() -> None:
    from casedesk.entrypoints.bench_search import run_search_bench

    figures = run_search_bench(300, rounds=2)
    kinds = ("free_text", "ward", "postcode_prefix", "category_status", "assignee", "tag",
             "date_range")  # fmt: skip
    for kind in kinds:  # figures only: the bench reports times, tests never judge them
        assert figures[f"search_{kind}_p95_ms"] >= figures[f"search_{kind}_p50_ms"] >= 0
    assert figures["search_cases"] == 300 and figures["search_tag_median_rows"] > 0


def test_the_sla_bench_escalates_and_warns_exactly_the_generated_cases_once() -> None:
    from casedesk.entrypoints.bench_sla import run_sla_bench

    figures = run_sla_bench(400)
    assert figures["sla_open_cases"] == 400
    assert figures["sla_counts_as_generated"] is True  # first pass acted, second found nothing
