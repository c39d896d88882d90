"""Opening the embedded SQLite store: WAL, foreign keys, and numbered schema migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from casedesk.errors import StorageError


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("casedesk.adapters.embedded") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """One connection with re-entrant transactions (the outermost one commits)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the CaseDesk store at {self.path}: {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self._depth = 0
        self.migrate()

    def migrate(self) -> None:
        """Apply every migration not applied yet, by number, each in its own transaction.

        Applied numbers are recorded one by one (schema_migrations), not as a high-water mark:
        migrations written in parallel branches (009, 010, 011) land in any order, and a store
        that has 010 still gets 009 when it arrives. user_version counts the applied ones."""
        migrations = _migrations()
        known = {version for version, _ in migrations}
        newer = StorageError(
            f"the store at {self.path} has schema version {self.schema_version}, newer than "
            f"this CaseDesk understands ({len(known)}); upgrade CaseDesk or use another --data-dir"
        )
        if self.schema_version > len(known):
            raise newer
        applied = self._applied(known)
        if applied - known:  # a migration from a newer CaseDesk
            raise newer
        for version, sql in migrations:
            if version in applied:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
                applied.add(version)
                self.conn.execute(f"PRAGMA user_version={len(applied):d}")

    def _applied(self, known: set[int]) -> set[int]:
        """Migration numbers applied to this store; a store from before the record was kept
        applied every migration up to its user_version (they were numbered without gaps)."""
        has_record = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        if has_record:
            rows = self.conn.execute("SELECT version FROM schema_migrations").fetchall()
            return {int(r[0]) for r in rows}
        current = self.schema_version
        with self.transaction():
            self.conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
            for version in sorted(v for v in known if v <= current):
                self.conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
        return {v for v in known if v <= current}

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth == 0:
            self.conn.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.conn.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script; trigger bodies keep their inner semicolons."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
