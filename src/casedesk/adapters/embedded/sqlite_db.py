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
        """Apply every migration file this store has not had, in number order.

        Each applied number is recorded in `schema_migrations`, so a gap in the numbering
        (parallel work landing 011 before 008-010) is filled later instead of skipped.
        `user_version` keeps the highest number applied, to refuse a store from a newer
        CaseDesk."""
        current = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        migrations = _migrations()
        newest = migrations[-1][0] if migrations else 0
        if current > newest:
            raise StorageError(
                f"the store at {self.path} has schema version {current}, newer than this "
                f"CaseDesk understands ({newest}); upgrade CaseDesk or use another --data-dir"
            )
        applied = self._applied(current, [version for version, _ in migrations])
        for version, sql in migrations:
            if version in applied:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
                current = max(current, version)
                self.conn.execute(f"PRAGMA user_version={current:d}")

    def _applied(self, current: int, versions: list[int]) -> set[int]:
        with self.transaction():
            known = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ).fetchone()
            if not known:
                self.conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
                # A store from before this table ran its migrations in order, up to user_version.
                self.conn.executemany(
                    "INSERT INTO schema_migrations (version) VALUES (?)",
                    [(v,) for v in versions if v <= current],
                )
        return {int(r[0]) for r in self.conn.execute("SELECT version FROM schema_migrations")}

    @property
    def schema_version(self) -> int:
        """How many migrations the store has had (one per file in migrations/)."""
        return int(self.conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0])

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
