"""The data map (adapters/embedded/data_map.py) describes every table and column of a freshly
migrated embedded store: a new table or column fails here until someone records whether it
holds personal data and how subject access and erasure cover it."""

from __future__ import annotations

from pathlib import Path

from casedesk.adapters.embedded.data_map import TABLES
from casedesk.adapters.embedded.sqlite_db import Database


def _schema(tmp_path: Path) -> dict[str, tuple[str, ...]]:
    db = Database(tmp_path / "s.sqlite3")
    try:
        names = [
            r[0]
            for r in db.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: tuple(r[1] for r in db.conn.execute(f"PRAGMA table_info('{n}')")) for n in names}
    finally:
        db.close()


def test_every_table_in_the_store_is_in_the_data_map_and_nothing_else_is(tmp_path: Path) -> None:
    schema = _schema(tmp_path)
    unmapped = sorted(set(schema) - set(TABLES))
    assert not unmapped, (
        f"tables {unmapped} are not in adapters/embedded/data_map.py: say whether they hold "
        "personal data and how `casedesk sar` and erasure cover them"
    )
    assert not sorted(set(TABLES) - set(schema)), "the data map names tables the store lacks"


def test_every_column_is_in_the_data_map(tmp_path: Path) -> None:
    for table, columns in _schema(tmp_path).items():
        assert set(columns) == set(TABLES[table].columns), (
            f"{table}: columns {sorted(set(columns) ^ set(TABLES[table].columns))} differ from "
            "adapters/embedded/data_map.py; review SAR and erasure for them and update the map"
        )


def test_personal_tables_say_how_sar_and_erasure_cover_them() -> None:
    for table, use in TABLES.items():
        assert use.sar.strip() and use.erasure.strip(), table
        assert set(use.not_exported) <= set(use.columns), table
    personal = {t for t, u in TABLES.items() if u.personal}
    assert {"constituents", "cases", "messages", "notes", "referrals", "drafts",
            "case_tags", "case_links", "audit"} <= personal  # fmt: skip
