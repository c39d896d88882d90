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

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = str(path)
        self._depth = 0
        self._erased = False  # personal data was deleted in this transaction: scrub at commit
        if read_only:
            self._open_read_only()
            return
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
        # Deleted rows are overwritten, not left in free pages: erasure must really erase.
        self.conn.execute("PRAGMA secure_delete=ON")
        self.migrate()

    def _open_read_only(self) -> None:
        """A store made by `casedesk geo import`, opened where nothing may be written (the
        Functions package is mounted read-only): no WAL, no migrations; it must already hold
        every table this CaseDesk knows."""
        if not Path(self.path).is_file():
            raise StorageError(
                f"no CaseDesk store at {self.path}: build it with "
                "'casedesk --data-dir DIR geo import ONSPD.csv --names wards.csv'"
            )
        wal = Path(self.path + "-wal")
        if wal.is_file() and wal.stat().st_size:
            raise StorageError(  # immutable=1 would not see what the log holds
                f"{wal} holds writes not yet in {self.path}: close every CaseDesk using it "
                "(or run: sqlite3 FILE 'PRAGMA wal_checkpoint(TRUNCATE)') and copy it again"
            )
        uri = f"{Path(self.path).resolve().as_uri()}?mode=ro&immutable=1"
        try:
            self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the CaseDesk store at {self.path}: {exc}") from exc
        if version < len(_migrations()):
            raise StorageError(
                f"the store at {self.path} has schema version {version}, older than this "
                f"CaseDesk ({len(_migrations())}): open it once with this CaseDesk "
                "(e.g. 'casedesk --data-dir DIR geo wards') to upgrade it, then ship it again"
            )

    def migrate(self) -> None:
        """Apply every migration file not applied yet, in number order.

        Applied numbers are recorded in `schema_migrations`, so a file that lands after a
        higher-numbered one (parallel branches: 009 merged before 008) is still applied.
        `user_version` is the number of migrations applied; a store with more than this
        CaseDesk has files for was made by a newer CaseDesk and is refused."""
        migrations = _migrations()
        current = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if current > len(migrations):
            raise StorageError(
                f"the store at {self.path} has schema version {current}, newer than this "
                f"CaseDesk understands ({len(migrations)}); upgrade CaseDesk or use another "
                "--data-dir"
            )
        applied = self._applied(current)
        for version, sql in migrations:
            if version in applied:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
                applied.add(version)
                self.conn.execute(f"PRAGMA user_version={len(applied):d}")

    def _applied(self, current: int) -> set[int]:
        """Migration numbers already applied. A store from before `schema_migrations` existed
        applied 1..user_version: migrations were numbered without gaps until then."""
        with self.transaction():
            exists = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ).fetchone()
            if not exists:
                self.conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
                self.conn.executemany(
                    "INSERT INTO schema_migrations (version) VALUES (?)",
                    [(v,) for v in range(1, current + 1)],
                )
            rows = self.conn.execute("SELECT version FROM schema_migrations").fetchall()
        return {int(r[0]) for r in rows}

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
                self._erased = False
            raise
        self._depth -= 1
        if self._depth == 0:
            self.conn.execute("COMMIT")
            if self._erased:
                self.scrub()

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def scrub(self) -> None:
        """After deleting personal data: merge the search index (FTS5 keeps deleted words
        until its segments merge) and empty the write-ahead log (it holds old page images).
        Inside a transaction this waits for the outermost commit."""
        if self.in_transaction:
            self._erased = True
            return
        self._erased = False
        self.conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
        # Notes are searchable too (migration 010): a deleted note's words stay in notes_fts
        # segments until they merge.
        if self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notes_fts'"
        ).fetchone():
            self.conn.execute("INSERT INTO notes_fts(notes_fts) VALUES ('optimize')")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

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
