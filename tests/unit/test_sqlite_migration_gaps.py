"""Migrations are applied by number, so parallel branches' migrations all run once merged:
a store from before 009 gets 009, and user_version counts the migrations applied."""

from __future__ import annotations

from pathlib import Path

from casedesk.adapters.embedded.sqlite_db import Database


def _applied(db: Database) -> list[int]:
    return [r[0] for r in db.conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]


def test_a_store_from_before_the_migrations_table_gets_the_missing_migration(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "s.sqlite3")
    files = _applied(db)
    assert 9 in files and db.schema_version == len(files)
    # Make it the store CaseDesk left before 008 and 009 existed: schema 7, no migrations table.
    db.conn.executescript(
        """DROP INDEX cases_ward;
           ALTER TABLE cases DROP COLUMN ward;
           DROP TABLE referrals;
           ALTER TABLE cases DROP COLUMN sla_stage;
           ALTER TABLE cases DROP COLUMN sla_stage_due;
           DROP TABLE schema_migrations;
           PRAGMA user_version = 7;"""
    )
    db.close()
    again = Database(tmp_path / "s.sqlite3")
    assert _applied(again) == files and again.schema_version == len(files)
    assert again.conn.execute("SELECT COUNT(*) FROM referrals").fetchone()[0] == 0
    assert again.conn.execute("SELECT COUNT(*) FROM cases WHERE ward IS NULL").fetchone()[0] == 0
    again.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    Database(tmp_path / "s.sqlite3").close()
    db = Database(tmp_path / "s.sqlite3")
    assert len(_applied(db)) == len(set(_applied(db))) == db.schema_version
    db.close()
