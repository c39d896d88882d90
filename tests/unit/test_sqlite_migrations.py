from __future__ import annotations

from pathlib import Path

import pytest

import casedesk.adapters.embedded.sqlite_db as sqlite_db
from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.errors import StorageError

# One schema version per migration file: adding a migration needs no edit here.
LATEST = len(list((Path(sqlite_db.__file__).parent / "migrations").glob("[0-9][0-9][0-9]_*.sql")))


def test_fresh_store_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    assert db.schema_version == LATEST
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.close()
    again = Database(tmp_path / "s.sqlite3")  # reopening runs nothing twice
    assert again.schema_version == LATEST
    again.close()


def test_store_from_a_newer_casedesk_is_refused_with_a_fix(tmp_path: Path) -> None:
    db = Database(tmp_path / "s.sqlite3")
    db.conn.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(StorageError, match=r"newer than this CaseDesk understands.*--data-dir"):
        Database(tmp_path / "s.sqlite3")


def test_foreign_keys_refuse_a_message_for_a_missing_case(tmp_path: Path) -> None:
    import sqlite3

    db = Database(tmp_path / "s.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(
            "INSERT INTO messages (message_id, sha256, case_ref, from_addr, subject, received_at,"
            " category, topic, is_urgent, confidence, classifier, reasons, new_text, filed_path)"
            " VALUES ('<a>', 'h', 'CD-2026-999999', 'a', 's', 't', 'other', 'other', 0, 0, 'c', '[]', '', '')"
        )


def test_a_read_only_store_must_exist_and_be_fully_migrated(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"no CaseDesk store at .*geo import"):
        Database(tmp_path / "missing.sqlite3", read_only=True)
    old = tmp_path / "old.sqlite3"
    Database(old).close()
    import sqlite3

    conn = sqlite3.connect(old)
    conn.execute("PRAGMA user_version=3")
    conn.close()
    with pytest.raises(StorageError, match="schema version 3, older than this CaseDesk"):
        Database(old, read_only=True)


def test_a_read_only_store_refuses_writes_and_leaves_no_files_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "geo.sqlite3"
    Database(path).close()
    db = Database(path, read_only=True)
    import sqlite3

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.conn.execute("INSERT INTO geo_wards (code, name) VALUES ('E05000001', 'X')")
    db.close()
    assert [p.name for p in tmp_path.iterdir()] == ["geo.sqlite3"]
