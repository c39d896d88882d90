"""OpsState and WorkQueue on SQLite: production keeps these in Azure Table and Queue storage."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator

from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.core.models import QueuedWork


class SqliteOpsState:
    def __init__(self, db: Database) -> None:
        self.conn = db.conn

    def signatures(self) -> Iterator[tuple[str, str, str, bytes]]:
        for row in self.conn.execute(
            "SELECT cluster_id, member, sender, signature FROM campaign_signatures ORDER BY rowid"
        ):
            yield row[0], row[1], row[2], bytes(row[3])

    def save_signature(self, cluster_id: str, member: str, sender: str, signature: bytes) -> None:
        self.conn.execute(
            """INSERT OR REPLACE INTO campaign_signatures (member, cluster_id, sender, signature)
               VALUES (?, ?, ?, ?)""",
            (member, cluster_id, sender, signature),
        )

    def forget_signatures(self, members: Iterable[str]) -> int:
        gone = 0
        for member in set(members):
            cursor = self.conn.execute(
                "DELETE FROM campaign_signatures WHERE member = ?", (member,)
            )
            gone += cursor.rowcount
        return gone

    def get(self, namespace: str, key: str) -> str | None:
        row = self.conn.execute(
            "SELECT value FROM ops_kv WHERE namespace = ? AND key = ?", (namespace, key)
        ).fetchone()
        return str(row[0]) if row else None

    def put(self, namespace: str, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO ops_kv (namespace, key, value) VALUES (?, ?, ?)",
            (namespace, key, value),
        )

    def add_if_absent(self, namespace: str, key: str, value: str) -> bool:
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO ops_kv (namespace, key, value) VALUES (?, ?, ?)",
            (namespace, key, value),
        )
        return cursor.rowcount == 1

    def delete(self, namespace: str, key: str) -> None:
        self.conn.execute("DELETE FROM ops_kv WHERE namespace = ? AND key = ?", (namespace, key))

    def items(self, namespace: str) -> Iterator[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT key, value FROM ops_kv WHERE namespace = ? ORDER BY key", (namespace,)
        ).fetchall()
        for row in rows:
            yield str(row[0]), str(row[1])


class SqliteWorkQueue:
    """At-least-once queue with visibility timeouts, like Azure Storage queues."""

    def __init__(self, db: Database, now: Callable[[], float] = time.monotonic) -> None:
        self.db, self.conn, self.now = db, db.conn, now

    def send(self, body: dict[str, str]) -> None:
        self.conn.execute("INSERT INTO work_queue (body) VALUES (?)", (json.dumps(body),))

    def receive(self, max_messages: int = 16, visibility_seconds: int = 300) -> list[QueuedWork]:
        got: list[QueuedWork] = []
        with self.db.transaction():
            rows = self.conn.execute(
                "SELECT id, body, dequeue_count FROM work_queue WHERE visible_after <= ? "
                "ORDER BY id LIMIT ?",
                (self.now(), max_messages),
            ).fetchall()
            for row in rows:
                receipt = f"{row['id']}:{uuid.uuid4().hex}"
                self.conn.execute(
                    "UPDATE work_queue SET visible_after = ?, dequeue_count = dequeue_count + 1, "
                    "receipt = ? WHERE id = ?",
                    (self.now() + visibility_seconds, receipt, row["id"]),
                )
                got.append(QueuedWork(json.loads(row["body"]), receipt, row["dequeue_count"] + 1))
        return got

    def delete(self, item: QueuedWork) -> None:
        # Only the latest receiver's receipt deletes: a slow worker whose lease ran out cannot.
        self.conn.execute("DELETE FROM work_queue WHERE receipt = ?", (item.receipt,))

    def depth(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM work_queue").fetchone()[0])
