"""OpsState on SQLite: campaign signatures (production keeps these in Azure Table storage)."""

from __future__ import annotations

from collections.abc import Iterator

from casedesk.adapters.embedded.sqlite_db import Database


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
