"""Reply drafts in the embedded SQLite store (table `drafts`, migrations 011 and 015), mixed into
SqliteCaseRepository so they share its connection and transactions."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from casedesk.core.replies import DraftState, ReplyDraft

_COLUMNS = (
    "case_ref", "version", "state", "subject", "body", "template", "to_addr", "to_name",
    "in_reply_to", "refs", "created_at", "updated_at", "updated_by", "approver", "decided_by",
    "decided_at", "approved_sha256", "rejection", "sent_at", "sent_by", "sent_to", "remote_id",
    "remote_mailbox", "remote_sha256", "sources",
)  # fmt: skip
_UPSERT = (
    f"INSERT INTO drafts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT(case_ref) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
)


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _row(d: ReplyDraft) -> tuple[object, ...]:
    return (
        d.case_ref, d.version, d.state.value, d.subject, d.body, d.template, d.to_addr,
        d.to_name, d.in_reply_to, json.dumps(list(d.references)), _ts(d.created_at),
        _ts(d.updated_at), d.updated_by, d.approver, d.decided_by, _ts(d.decided_at),
        d.approved_sha256, d.rejection, _ts(d.sent_at), d.sent_by, d.sent_to, d.remote_id,
        d.remote_mailbox, d.remote_sha256, json.dumps(list(d.sources)),
    )  # fmt: skip


def _draft(r: sqlite3.Row) -> ReplyDraft:
    return ReplyDraft(
        case_ref=r["case_ref"],
        version=r["version"],
        state=DraftState(r["state"]),
        subject=r["subject"],
        body=r["body"],
        template=r["template"],
        to_addr=r["to_addr"],
        to_name=r["to_name"],
        in_reply_to=r["in_reply_to"],
        references=tuple(json.loads(r["refs"])),
        created_at=datetime.fromisoformat(r["created_at"]),
        updated_at=datetime.fromisoformat(r["updated_at"]),
        updated_by=r["updated_by"],
        approver=r["approver"],
        decided_by=r["decided_by"],
        decided_at=_dt(r["decided_at"]),
        approved_sha256=r["approved_sha256"],
        rejection=r["rejection"],
        sent_at=_dt(r["sent_at"]),
        sent_by=r["sent_by"],
        sent_to=r["sent_to"],
        remote_id=r["remote_id"],
        remote_mailbox=r["remote_mailbox"],
        remote_sha256=r["remote_sha256"],
        sources=tuple(json.loads(r["sources"] or "[]")),
    )


class SqliteDrafts:
    """The CaseRepository's draft methods (a mixin: the host provides `conn`)."""

    conn: sqlite3.Connection

    def save_draft(self, draft: ReplyDraft) -> None:
        self.conn.execute(_UPSERT, _row(draft))

    def get_draft(self, case_ref: str) -> ReplyDraft | None:
        row = self.conn.execute(
            "SELECT * FROM drafts WHERE case_ref = ?", (case_ref.upper(),)
        ).fetchone()
        return _draft(row) if row else None

    def drafts_in_state(self, state: DraftState) -> list[ReplyDraft]:
        rows = self.conn.execute(
            "SELECT * FROM drafts WHERE state = ? ORDER BY created_at, case_ref", (state.value,)
        ).fetchall()
        return [_draft(r) for r in rows]
