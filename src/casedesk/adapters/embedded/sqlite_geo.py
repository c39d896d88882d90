"""Gazetteer on SQLite: postcodes, wards and constituencies in the embedded store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice

from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.core.geo import Place, normalise_postcode

_PLACE_SELECT = """
SELECT p.*, w.name AS ward_name, c.name AS constituency_name
FROM geo_postcodes p
LEFT JOIN geo_wards w ON w.code = p.ward_code
LEFT JOIN geo_constituencies c ON c.code = p.constituency_code
"""


def _place(row: sqlite3.Row) -> Place:
    return Place(
        postcode=row["postcode"],
        ward_code=row["ward_code"],
        ward_name=row["ward_name"],
        constituency_code=row["constituency_code"],
        constituency_name=row["constituency_name"],
        local_authority_code=row["local_authority_code"],
        is_terminated=bool(row["is_terminated"]),
        constituency_from_ward=bool(row["constituency_from_ward"]),
    )


def _batches(rows: Iterable[Place], size: int) -> Iterator[list[Place]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class SqliteGazetteer:
    """Imports run in transactions of `batch_size` rows, so memory stays flat for the 2.7M-row
    ONSPD and an interrupted import keeps every finished batch (re-running it is harmless)."""

    def __init__(self, db: Database, batch_size: int = 10_000) -> None:
        self.db = db
        self.conn = db.conn
        self.batch_size = batch_size

    def lookup(self, postcode: str) -> Place | None:
        normalised = normalise_postcode(postcode)
        if normalised is None:
            return None
        row = self.conn.execute(_PLACE_SELECT + " WHERE p.postcode = ?", (normalised,)).fetchone()
        return _place(row) if row else None

    def import_rows(self, rows: Iterable[Place]) -> int:
        stored = 0
        for batch in _batches(rows, self.batch_size):
            with self.db.transaction():
                self._store(batch)
            stored += len(batch)
        return stored

    def _store(self, batch: list[Place]) -> None:
        # Names arrive on every row; keep one per code so each batch writes each name once.
        wards = {p.ward_code: p.ward_name for p in batch if p.ward_code and p.ward_name}
        constituencies = {
            p.constituency_code: p.constituency_name
            for p in batch
            if p.constituency_code and p.constituency_name
        }
        self.conn.executemany(
            "INSERT INTO geo_wards (code, name) VALUES (?, ?)"
            " ON CONFLICT(code) DO UPDATE SET name = excluded.name",
            wards.items(),
        )
        self.conn.executemany(
            "INSERT INTO geo_constituencies (code, name) VALUES (?, ?)"
            " ON CONFLICT(code) DO UPDATE SET name = excluded.name",
            constituencies.items(),
        )
        self.conn.executemany(
            """INSERT OR REPLACE INTO geo_postcodes (postcode, ward_code, constituency_code,
                 local_authority_code, is_terminated, constituency_from_ward)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                (
                    p.postcode,
                    p.ward_code,
                    p.constituency_code,
                    p.local_authority_code,
                    int(p.is_terminated),
                    int(p.constituency_from_ward),
                )
                for p in batch
            ),
        )

    def wards(self, constituency_code: str) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            """SELECT DISTINCT p.ward_code AS code, COALESCE(w.name, p.ward_code) AS name
               FROM geo_postcodes p LEFT JOIN geo_wards w ON w.code = p.ward_code
               WHERE p.constituency_code = ? AND p.ward_code IS NOT NULL
                 AND p.is_terminated = 0
               ORDER BY name, code""",
            (constituency_code,),
        ).fetchall()
        return [(str(r["code"]), str(r["name"])) for r in rows]

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM geo_postcodes").fetchone()[0])

    def find_constituency(self, name_or_code: str) -> tuple[str, str] | None:
        wanted = name_or_code.strip()
        row = self.conn.execute(
            "SELECT code, name FROM geo_constituencies WHERE code = ? OR name = ? COLLATE NOCASE"
            " ORDER BY code = ? DESC LIMIT 1",
            (wanted.upper(), wanted, wanted.upper()),
        ).fetchone()
        return (str(row["code"]), str(row["name"])) if row else None

    def clear(self) -> None:
        """Forget every postcode (before loading a new ONSPD release in full); names stay."""
        with self.db.transaction():
            self.conn.execute("DELETE FROM geo_postcodes")
