"""Migrations are recorded one by one, so numbers landed out of order are still applied."""

from __future__ import annotations

from pathlib import Path

from casedesk.adapters.embedded.sqlite_db import Database


def _tables(db: Database) -> set[str]:
    rows = db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def test_a_migration_missing_below_the_highest_number_is_applied_on_open(tmp_path: Path) -> None:
    # As if 011 had landed first and an older number arrived with a later release: the store
    # is at user_version 11 but has not had that migration. Here 011 plays the late one.
    db = Database(tmp_path / "s.sqlite3")
    complete = db.schema_version
    db.conn.execute("DROP TABLE drafts")
    db.conn.execute("DELETE FROM schema_migrations WHERE version = 11")
    db.close()
    again = Database(tmp_path / "s.sqlite3")
    assert "drafts" in _tables(again)
    assert again.schema_version == complete
    again.close()


def test_a_store_from_before_the_record_counts_its_migrations_up_to_user_version(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "s.sqlite3")
    complete = db.schema_version
    db.conn.execute("DROP TABLE drafts")
    db.conn.execute("DROP TABLE schema_migrations")
    db.conn.execute("PRAGMA user_version=7")  # what issue 6's CaseDesk left behind
    db.close()
    again = Database(tmp_path / "s.sqlite3")
    assert "drafts" in _tables(again) and again.schema_version == complete
    again.close()
