"""Migrations are applied by number, so parallel branches' migrations all run once merged:
a store from before 009 gets 009, and user_version counts the migrations applied."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from casedesk.adapters.embedded.sqlite_db import Database, _migrations, _split_sql


def _applied(db: Database) -> list[int]:
    return [r[0] for r in db.conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]


def test_a_store_from_before_the_migrations_table_gets_the_missing_migration(
    tmp_path: Path,
) -> None:
    files = _applied(fresh := Database(tmp_path / "fresh.sqlite3"))
    fresh.close()
    assert {8, 9, 11} <= set(files)
    # The store CaseDesk left before 008 existed: 001-007 applied, user_version 7, no table.
    old = sqlite3.connect(tmp_path / "s.sqlite3")
    for number, script in _migrations():
        if number <= 7:
            for statement in _split_sql(script):
                old.execute(statement)
    old.execute("PRAGMA user_version = 7")
    old.commit()
    old.close()
    again = Database(tmp_path / "s.sqlite3")
    assert _applied(again) == files and again.schema_version == len(files)
    assert again.conn.execute("SELECT COUNT(*) FROM referrals").fetchone()[0] == 0
    columns = {r[1] for r in again.conn.execute("PRAGMA table_info(cases)")}
    assert {"ward", "sla_stage"} <= columns
    again.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    Database(tmp_path / "s.sqlite3").close()
    db = Database(tmp_path / "s.sqlite3")
    assert len(_applied(db)) == len(set(_applied(db))) == db.schema_version
    db.close()
