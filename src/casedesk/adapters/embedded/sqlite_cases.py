"""CaseRepository on SQLite: the embedded system of record."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.adapters.embedded.sqlite_drafts import SqliteDrafts
from casedesk.core.audit import GENESIS, Detail, entry_hash
from casedesk.core.models import (
    AuditEntry,
    Campaign,
    Case,
    CaseFlag,
    CaseQuery,
    CaseStatus,
    Category,
    Classification,
    Constituent,
    DissolutionChoice,
    DissolutionOption,
    NewCase,
    Note,
    ParsedMessage,
    QuarantineItem,
    Referral,
    StoredMessage,
    Topic,
    flags_text,
    parse_flags,
)
from casedesk.errors import NotFoundError

_CASE_SELECT = """
SELECT c.*, p.email AS constituent_email, p.name AS constituent_name, p.postcode AS postcode,
       (SELECT COUNT(*) FROM messages m WHERE m.case_ref = c.ref) AS message_count
FROM cases c JOIN constituents p ON p.id = c.constituent_id
"""


def _ts(value: datetime) -> str:
    return value.isoformat()


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _case(row: sqlite3.Row) -> Case:
    return Case(
        ref=row["ref"],
        constituent_email=row["constituent_email"],
        constituent_name=row["constituent_name"],
        subject=row["subject"],
        category=Category(row["category"]),
        topic=Topic(row["topic"]),
        is_urgent=bool(row["is_urgent"]),
        status=CaseStatus(row["status"]),
        assignee=row["assignee"],
        campaign_id=row["campaign_id"],
        summary=row["summary"],
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
        message_count=row["message_count"],
        postcode=row["postcode"],
        flags=parse_flags(row["flags"]),
        priority=row["priority"],
        due_at=_dt(row["due_at"]) if row["due_at"] else None,
        tags=tuple(row["tags"].split()),
        signoff_required=bool(row["signoff_required"]),
        routed_by=tuple(row["routed_by"].split()),
        ward=row["ward"],
        sla_stage=row["sla_stage"],
        sla_stage_due=_dt(row["sla_stage_due"]) if row["sla_stage_due"] else None,
        merged_into=row["merged_into"],
    )


def _referral(r: sqlite3.Row) -> Referral:
    return Referral(
        id=r["id"],
        case_ref=r["case_ref"],
        agency=r["agency"],
        referred_at=_dt(r["referred_at"]),
        referred_by=r["referred_by"],
        expected_by=_dt(r["expected_by"]),
        note=r["note"],
        replied_at=_dt(r["replied_at"]) if r["replied_at"] else None,
        replied_by=r["replied_by"],
        chased_at=_dt(r["chased_at"]) if r["chased_at"] else None,
        chases=r["chases"],
    )


def _audit_entry(r: sqlite3.Row) -> AuditEntry:
    detail = json.loads(r["detail"])
    return AuditEntry(
        r["seq"], _dt(r["at"]), r["actor"], r["action"], r["object_ref"], detail,
        r["prev_hash"], r["hash"],
    )  # fmt: skip


def _campaign(r: sqlite3.Row) -> Campaign:
    return Campaign(
        id=r["id"],
        name=r["name"],
        size=r["size"],
        first_seen=_dt(r["first_seen"]),
        last_seen=_dt(r["last_seen"]),
        is_campaign=bool(r["is_campaign"]),
        canonical_subject=r["canonical_subject"],
    )


def _stored(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        case_ref=row["case_ref"],
        message_id=row["message_id"],
        sha256=row["sha256"],
        from_addr=row["from_addr"],
        subject=row["subject"],
        sent_at=_dt(row["sent_at"]) if row["sent_at"] else None,
        received_at=_dt(row["received_at"]),
        classification=Classification(
            category=Category(row["category"]),
            topic=Topic(row["topic"]),
            is_urgent=bool(row["is_urgent"]),
            confidence=row["confidence"],
            reasons=tuple(json.loads(row["reasons"])),
            classifier=row["classifier"],
        ),
        filed_path=row["filed_path"],
        new_text=row["new_text"],
        content_hash=row["content_hash"],
    )


class SqliteCaseRepository(SqliteDrafts):  # reply drafts: sqlite_drafts.py
    def __init__(self, db: Database) -> None:
        self.db = db
        self.conn = db.conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    # --- messages and threading ------------------------------------------------------------

    def find_message(self, message_id: str, sha256: str) -> StoredMessage | None:
        row = self.conn.execute(
            "SELECT * FROM messages WHERE message_id = ? OR sha256 = ? LIMIT 1",
            (message_id, sha256),
        ).fetchone()
        return _stored(row) if row else None

    def case_for_thread(self, message_ids: Sequence[str]) -> str | None:
        for message_id in message_ids:
            row = self.conn.execute(
                "SELECT case_ref FROM messages WHERE message_id = ?", (message_id,)
            ).fetchone()
            if row:
                return str(row["case_ref"])
        return None

    def recent_case_for_subject(
        self, sender: str, normalised_subject: str, since: datetime
    ) -> str | None:
        row = self.conn.execute(
            """SELECT c.ref FROM cases c JOIN constituents p ON p.id = c.constituent_id
               WHERE p.email = ? AND c.normalised_subject = ? AND c.updated_at >= ?
                 AND c.status != 'closed'
               ORDER BY c.updated_at DESC LIMIT 1""",
            (sender, normalised_subject, _ts(since)),
        ).fetchone()
        return str(row["ref"]) if row else None

    def add_message(
        self,
        case_ref: str,
        message: ParsedMessage,
        classification: Classification,
        received_at: datetime,
        filed_path: str,
    ) -> None:
        self.conn.execute(
            """INSERT INTO messages (message_id, sha256, case_ref, from_addr, subject, sent_at,
                 received_at, category, topic, is_urgent, confidence, classifier, reasons,
                 new_text, filed_path, content_hash)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                message.message_id,
                message.sha256,
                case_ref,
                message.from_addr,
                message.subject,
                _ts(message.sent_at) if message.sent_at else None,
                _ts(received_at),
                classification.category.value,
                classification.topic.value,
                int(classification.is_urgent),
                classification.confidence,
                classification.classifier,
                json.dumps(list(classification.reasons)),
                message.new_text,
                filed_path,
                message.content_hash,
            ),
        )

    def case_messages(self, case_ref: str) -> list[StoredMessage]:
        rows = self.conn.execute(
            "SELECT * FROM messages WHERE case_ref = ? ORDER BY COALESCE(sent_at, received_at), id",
            (case_ref,),
        ).fetchall()
        return [_stored(r) for r in rows]

    def cases_for_messages(self, message_ids: Iterable[str]) -> list[str]:
        ids = list(message_ids)
        refs: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT DISTINCT case_ref FROM messages WHERE message_id IN ({marks})", chunk
            ).fetchall()
            refs.extend(str(r["case_ref"]) for r in rows)
        return sorted(set(refs))

    # --- constituents and cases ------------------------------------------------------------

    def upsert_constituent(
        self, email: str, name: str, postcode: str | None, now: datetime
    ) -> Constituent:
        self.conn.execute(
            """INSERT INTO constituents (email, name, postcode, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(email) DO UPDATE SET
                 name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END,
                 postcode = COALESCE(excluded.postcode, postcode),
                 updated_at = excluded.updated_at""",
            (email, name, postcode, _ts(now), _ts(now)),
        )
        row = self.conn.execute("SELECT * FROM constituents WHERE email = ?", (email,)).fetchone()
        return Constituent(row["id"], row["email"], row["name"], row["postcode"])

    def create_case(self, new: NewCase) -> str:
        year = new.opened_at.year
        self.conn.execute(
            """INSERT INTO case_sequences (year, last) VALUES (?, 1)
               ON CONFLICT(year) DO UPDATE SET last = last + 1""",
            (year,),
        )
        seq = self.conn.execute(
            "SELECT last FROM case_sequences WHERE year = ?", (year,)
        ).fetchone()[0]
        ref = f"CD-{year}-{seq:06d}"
        c = new.classification
        self.conn.execute(
            """INSERT INTO cases (ref, constituent_id, subject, normalised_subject, category, topic,
                 is_urgent, confidence, status, assignee, campaign_id, summary, created_at,
                 updated_at, flags, priority, due_at, tags, signoff_required, routed_by, ward)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                ref,
                new.constituent_id,
                new.subject,
                new.normalised_subject,
                c.category.value,
                c.topic.value,
                int(c.is_urgent),
                c.confidence,
                new.assignee,
                new.campaign_id,
                new.summary,
                _ts(new.opened_at),
                _ts(new.opened_at),
                flags_text(new.flags),
                new.priority,
                _ts(new.due_at) if new.due_at else None,
                " ".join(new.tags),
                int(new.signoff_required),
                " ".join(new.routed_by),
                new.ward,
            ),
        )
        self._insert_tags(ref, new.tags)
        return ref

    def touch_case(self, case_ref: str, at: datetime) -> None:
        self.conn.execute(
            "UPDATE cases SET updated_at = MAX(updated_at, ?) WHERE ref = ?", (_ts(at), case_ref)
        )

    def set_classification(
        self,
        case_ref: str,
        category: Category,
        topic: Topic,
        is_urgent: bool,
        flags: frozenset[CaseFlag],
    ) -> None:
        self.conn.execute(
            "UPDATE cases SET category = ?, topic = ?, is_urgent = ?, flags = ? WHERE ref = ?",
            (category.value, topic.value, int(is_urgent), flags_text(flags), case_ref),
        )

    def recategorise(self, case_ref: str, category: Category, campaign_id: str | None) -> None:
        self.conn.execute(
            "UPDATE cases SET category = ?, campaign_id = ? WHERE ref = ?",
            (category.value, campaign_id, case_ref),
        )

    def get_case(self, case_ref: str) -> Case:
        row = self.conn.execute(_CASE_SELECT + " WHERE c.ref = ?", (case_ref.upper(),)).fetchone()
        if row is None:
            raise NotFoundError(f"no case {case_ref!r}; `casedesk queue` lists the cases there are")
        return _case(row)

    def cases_of_constituent(self, email: str) -> list[Case]:
        rows = self.conn.execute(
            _CASE_SELECT + " WHERE p.email = ? ORDER BY c.created_at", (email.lower(),)
        ).fetchall()
        return [_case(r) for r in rows]

    def query_cases(self, query: CaseQuery) -> list[Case]:
        where, args = [], []
        if query.text:
            where.append(
                "c.ref IN (SELECT m.case_ref FROM messages m INDEXED BY messages_case_of "
                "WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) "
                "UNION ALL SELECT n.case_ref FROM notes n INDEXED BY notes_case_of "
                "WHERE n.id IN (SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?))"
            )
            args.extend([_fts_query(query.text)] * 2)
        prefix = (query.postcode or "").replace(" ", "").upper()
        if prefix:
            # A range on the indexed expression (010_casework.sql), not LIKE, so the index is used.
            where.append(
                "REPLACE(UPPER(p.postcode), ' ', '') >= ? AND REPLACE(UPPER(p.postcode), ' ', '') < ?"
            )
            args.extend([prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)])
        if query.ward:
            where.append("c.ward = ? COLLATE NOCASE")
            args.append(query.ward)
        if query.category:
            where.append("c.category = ?")
            args.append(query.category.value)
        if query.status:
            where.append("c.status = ?")
            args.append(query.status.value)
        if query.assignee:
            where.append("c.assignee = ?")
            args.append(query.assignee)
        if query.open_only:
            where.append("c.status != 'closed'")
        if query.flag:
            where.append("(' ' || c.flags || ' ') LIKE ?")
            args.append(f"% {query.flag.value} %")
        if query.topic:
            where.append("c.topic = ?")
            args.append(query.topic.value)
        if query.tag:
            where.append("c.ref IN (SELECT t.case_ref FROM case_tags t WHERE t.tag = ?)")
            args.append(query.tag)
        if query.unassigned:
            where.append("c.assignee IS NULL")
        if query.opened_from:
            where.append("c.created_at >= ?")
            args.append(_ts(query.opened_from))
        if query.opened_before:
            where.append("c.created_at < ?")
            args.append(_ts(query.opened_before))
        # Urgent first, then oldest first: the order a queue should be worked in. The page of
        # refs is chosen first, so the full row (and its message count) is built for those
        # only, not for every match the sort sees.
        order = " ORDER BY c.is_urgent DESC, c.created_at, c.ref"
        people = " JOIN constituents p ON p.id = c.constituent_id" if prefix else ""
        # Words and tags give a set of refs: read each one's page columns from one index
        # (010_casework.sql) instead of the table row.
        by_ref = " INDEXED BY cases_page_by_ref" if query.text or query.tag else ""
        page = (
            f"SELECT c.ref FROM cases c{by_ref}{people}"
            + (" WHERE " + " AND ".join(where) if where else "")
            + order
            + " LIMIT ?"
        )
        sql = f"{_CASE_SELECT} WHERE c.ref IN ({page}){order}"
        rows = self.conn.execute(sql, [*args, query.limit]).fetchall()
        return [_case(r) for r in rows]

    # --- case management -------------------------------------------------------------------

    def _insert_tags(self, case_ref: str, tags: Sequence[str]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO case_tags (tag, case_ref) VALUES (?, ?)",
            [(tag, case_ref) for tag in tags],
        )

    def set_assignee(self, case_ref: str, assignee: str | None) -> None:
        self.conn.execute("UPDATE cases SET assignee = ? WHERE ref = ?", (assignee, case_ref))

    def set_status(self, case_ref: str, status: CaseStatus) -> None:
        self.conn.execute("UPDATE cases SET status = ? WHERE ref = ?", (status.value, case_ref))

    def set_tags(self, case_ref: str, tags: Sequence[str]) -> None:
        with self.db.transaction():
            self.conn.execute("UPDATE cases SET tags = ? WHERE ref = ?", (" ".join(tags), case_ref))
            self.conn.execute("DELETE FROM case_tags WHERE case_ref = ?", (case_ref,))
            self._insert_tags(case_ref, tags)

    def add_note(self, case_ref: str, author: str, text: str, at: datetime) -> Note:
        cursor = self.conn.execute(
            "INSERT INTO notes (case_ref, author, text, created_at) VALUES (?, ?, ?, ?)",
            (case_ref, author, text, _ts(at)),
        )
        return Note(str(cursor.lastrowid), case_ref, author, text, at)

    def notes(self, case_ref: str) -> list[Note]:
        rows = self.conn.execute(
            "SELECT * FROM notes WHERE case_ref = ? ORDER BY created_at, id", (case_ref,)
        ).fetchall()
        return [
            Note(str(r["id"]), r["case_ref"], r["author"], r["text"], _dt(r["created_at"]))
            for r in rows
        ]

    def move_messages(self, from_ref: str, to_ref: str) -> int:
        cursor = self.conn.execute(
            "UPDATE messages SET case_ref = ? WHERE case_ref = ?", (to_ref, from_ref)
        )
        return cursor.rowcount

    def set_merged_into(self, case_ref: str, target_ref: str) -> None:
        self.conn.execute("UPDATE cases SET merged_into = ? WHERE ref = ?", (target_ref, case_ref))

    def link_cases(self, a: str, b: str) -> bool:
        low, high = sorted((a, b))
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO case_links (a, b) VALUES (?, ?)", (low, high)
        )
        return cursor.rowcount == 1

    def unlink_cases(self, a: str, b: str) -> bool:
        low, high = sorted((a, b))
        cursor = self.conn.execute("DELETE FROM case_links WHERE a = ? AND b = ?", (low, high))
        return cursor.rowcount == 1

    def linked_cases(self, case_ref: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT b AS other FROM case_links WHERE a = ? "
            "UNION SELECT a AS other FROM case_links WHERE b = ? ORDER BY other",
            (case_ref, case_ref),
        ).fetchall()
        return [str(r["other"]) for r in rows]

    # --- campaigns -------------------------------------------------------------------------

    def upsert_campaign(self, campaign: Campaign) -> None:
        self.conn.execute(
            """INSERT INTO campaigns (id, name, size, first_seen, last_seen, is_campaign,
                 canonical_subject) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET size = excluded.size, last_seen = excluded.last_seen,
                 is_campaign = excluded.is_campaign""",
            (
                campaign.id,
                campaign.name,
                campaign.size,
                _ts(campaign.first_seen),
                _ts(campaign.last_seen),
                int(campaign.is_campaign),
                campaign.canonical_subject,
            ),
        )

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        row = self.conn.execute("SELECT * FROM campaigns WHERE id = ?", (campaign_id,)).fetchone()
        return _campaign(row) if row else None

    def campaigns(self) -> list[Campaign]:
        rows = self.conn.execute("SELECT * FROM campaigns ORDER BY first_seen").fetchall()
        return [_campaign(r) for r in rows]

    # --- quarantine and audit --------------------------------------------------------------

    def record_quarantine(self, item: QuarantineItem) -> bool:
        cursor = self.conn.execute(
            """INSERT OR IGNORE INTO quarantine (sha256, source, reason, quarantined_at, stored_path)
               VALUES (?, ?, ?, ?, ?)""",
            (item.sha256, item.source, item.reason, _ts(item.quarantined_at), item.stored_path),
        )
        return cursor.rowcount == 1

    def quarantined(self) -> list[QuarantineItem]:
        rows = self.conn.execute("SELECT * FROM quarantine ORDER BY quarantined_at").fetchall()
        return [
            QuarantineItem(
                r["sha256"], r["source"], r["reason"], _dt(r["quarantined_at"]), r["stored_path"]
            )
            for r in rows
        ]

    def append_audit(
        self, at: datetime, actor: str, action: str, object_ref: str, detail: Detail
    ) -> AuditEntry:
        with self.db.transaction():
            last = self.conn.execute(
                "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
            digest = entry_hash(prev, seq, at, actor, action, object_ref, detail)
            self.conn.execute(
                """INSERT INTO audit (seq, at, actor, action, object_ref, detail, prev_hash, hash)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    seq,
                    _ts(at),
                    actor,
                    action,
                    object_ref,
                    json.dumps(detail, sort_keys=True),
                    prev,
                    digest,
                ),
            )
        return AuditEntry(seq, at, actor, action, object_ref, detail, prev, digest)

    def audit_entries(self, object_ref: str | None = None) -> list[AuditEntry]:
        sql, args = "SELECT * FROM audit", []
        if object_ref:
            sql += " WHERE object_ref = ?"
            args.append(object_ref)
        rows = self.conn.execute(sql + " ORDER BY seq", args).fetchall()
        return [_audit_entry(r) for r in rows]

    # --- SLAs and referrals ----------------------------------------------------------------

    def cases_due_by(self, by: datetime, limit: int = 1000) -> list[Case]:
        # Due times are UTC ISO text, so comparing the text compares the instants.
        rows = self.conn.execute(
            _CASE_SELECT + " WHERE c.status != 'closed' AND c.due_at IS NOT NULL"
            " AND c.due_at <= ? ORDER BY c.due_at, c.ref LIMIT ?",
            (_ts(by.astimezone(UTC)), limit),
        ).fetchall()
        return [_case(r) for r in rows]

    def record_sla_stage(
        self, case_ref: str, stage: str, due_at: datetime, assignee: str | None
    ) -> None:
        self.conn.execute(
            "UPDATE cases SET sla_stage = ?, sla_stage_due = ?, assignee = ? WHERE ref = ?",
            (stage, _ts(due_at), assignee, case_ref),
        )

    def add_referral(
        self,
        case_ref: str,
        agency: str,
        referred_at: datetime,
        referred_by: str,
        expected_by: datetime,
        note: str = "",
    ) -> Referral:
        with self.db.transaction():
            case_ref = self.get_case(case_ref).ref  # NotFoundError naming the fix
            count = self.conn.execute(
                "SELECT COUNT(*) FROM referrals WHERE case_ref = ?", (case_ref,)
            ).fetchone()[0]
            referral = Referral(
                f"{case_ref}-R{count + 1}", case_ref, agency, referred_at, referred_by,
                expected_by, note,
            )  # fmt: skip
            self.conn.execute(
                """INSERT INTO referrals (id, case_ref, agency, referred_at, referred_by,
                     expected_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (referral.id, case_ref, agency, _ts(referred_at), referred_by,
                 _ts(expected_by), note),
            )  # fmt: skip
        return referral

    def referrals(self, case_ref: str | None = None, open_only: bool = False) -> list[Referral]:
        where, args = [], []
        if case_ref is not None:
            where.append("case_ref = ?")
            args.append(case_ref)
        if open_only:
            where.append("replied_at IS NULL")
        sql = "SELECT * FROM referrals" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self.conn.execute(sql + " ORDER BY referred_at, id", args).fetchall()
        return [_referral(r) for r in rows]

    def record_referral_reply(self, referral_id: str, at: datetime, by: str) -> None:
        cursor = self.conn.execute(
            "UPDATE referrals SET replied_at = ?, replied_by = ? WHERE id = ?",
            (_ts(at), by, referral_id),
        )
        if cursor.rowcount != 1:
            raise NotFoundError(f"no referral {referral_id!r}")

    def record_referral_chase(self, referral_id: str, at: datetime, chases: int) -> None:
        cursor = self.conn.execute(
            "UPDATE referrals SET chased_at = ?, chases = ? WHERE id = ?",
            (_ts(at), chases, referral_id),
        )
        if cursor.rowcount != 1:
            raise NotFoundError(f"no referral {referral_id!r}")
    # --- data protection: subject access, retention, erasure -------------------------------

    def find_constituent(self, email: str) -> Constituent | None:
        row = self.conn.execute(
            "SELECT * FROM constituents WHERE email = ?", (email.strip().lower(),)
        ).fetchone()
        return Constituent(row["id"], row["email"], row["name"], row["postcode"]) if row else None

    def messages_from(self, email: str) -> list[StoredMessage]:
        rows = self.conn.execute(
            "SELECT * FROM messages WHERE from_addr = ? ORDER BY COALESCE(sent_at, received_at), id",
            (email.strip().lower(),),
        ).fetchall()
        return [_stored(r) for r in rows]

    def delete_case(self, case_ref: str) -> int:
        with self.db.transaction():
            for table in ("notes", "referrals", "drafts", "case_tags"):  # all that hangs off it
                self.conn.execute(f"DELETE FROM {table} WHERE case_ref = ?", (case_ref,))
            self.conn.execute("DELETE FROM case_links WHERE a = ? OR b = ?", (case_ref, case_ref))
            self.conn.execute("UPDATE cases SET merged_into = NULL WHERE merged_into = ?", (case_ref,))
            gone = self.conn.execute("DELETE FROM messages WHERE case_ref = ?", (case_ref,))
            self.conn.execute("DELETE FROM cases WHERE ref = ?", (case_ref,))
        self.db.scrub()
        return gone.rowcount

    def delete_message(self, message_id: str) -> bool:
        with self.db.transaction():
            gone = self.conn.execute("DELETE FROM messages WHERE message_id = ?", (message_id,))
        self.db.scrub()
        return gone.rowcount == 1

    def delete_constituent(self, email: str) -> bool:
        with self.db.transaction():
            gone = self.conn.execute(
                """DELETE FROM constituents WHERE email = ?
                   AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.constituent_id = constituents.id)""",
                (email.strip().lower(),),
            )
        self.db.scrub()
        return gone.rowcount == 1

    def delete_quarantined(self, sha256: str) -> bool:
        with self.db.transaction():
            gone = self.conn.execute("DELETE FROM quarantine WHERE sha256 = ?", (sha256,))
        self.db.scrub()
        return gone.rowcount == 1

    def redact_audit(self, seq: int, detail: Detail) -> None:
        with self.db.transaction():
            self.conn.execute(
                "UPDATE audit SET detail = ? WHERE seq = ?",
                (json.dumps(detail, sort_keys=True), seq),
            )
        self.db.scrub()

    # --- dissolution (migration 013) -------------------------------------------------------

    def save_dissolution_choice(self, choice: DissolutionChoice) -> None:
        with self.db.transaction():
            self.conn.execute(
                """INSERT OR REPLACE INTO dissolution_choices (case_ref, choice, decided_by,
                   decided_at, consent_ref, applied_at, applied_by, outcome)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    choice.case_ref, choice.choice.value, choice.decided_by,
                    _ts(choice.decided_at), choice.consent_ref,
                    _ts(choice.applied_at) if choice.applied_at else None,
                    choice.applied_by, choice.outcome,
                ),
            )  # fmt: skip

    def dissolution_choices(self) -> list[DissolutionChoice]:
        rows = self.conn.execute("SELECT * FROM dissolution_choices ORDER BY case_ref").fetchall()
        return [
            DissolutionChoice(
                case_ref=r["case_ref"],
                choice=DissolutionOption(r["choice"]),
                decided_by=r["decided_by"],
                decided_at=_dt(r["decided_at"]),
                consent_ref=r["consent_ref"],
                applied_at=_dt(r["applied_at"]) if r["applied_at"] else None,
                applied_by=r["applied_by"],
                outcome=r["outcome"],
            )
            for r in rows
        ]


    # --- insight reports ---------------------------------------------------------------------

    def cases_opened_between(self, start: datetime, end: datetime) -> list[Case]:
        # Opening times are UTC ISO text, so comparing the text compares the instants.
        rows = self.conn.execute(
            _CASE_SELECT + " WHERE c.created_at >= ? AND c.created_at < ?"
            " ORDER BY c.created_at, c.ref",
            (_ts(start.astimezone(UTC)), _ts(end.astimezone(UTC))),
        ).fetchall()
        return [_case(r) for r in rows]

    def open_cases(self) -> list[Case]:
        rows = self.conn.execute(
            _CASE_SELECT + " WHERE c.status != 'closed' ORDER BY c.created_at, c.ref"
        ).fetchall()
        return [_case(r) for r in rows]

    def audit_by_action(self, action: str, since: datetime) -> list[AuditEntry]:
        # No index on action: a report reads a few actions once, and the scan of even a
        # million-entry log is well under a second; an index would cost every append.
        rows = self.conn.execute(
            "SELECT * FROM audit WHERE action = ? AND at >= ? ORDER BY seq",
            (action, _ts(since.astimezone(UTC))),
        ).fetchall()
        return [_audit_entry(r) for r in rows]


def _fts_query(text: str) -> str:
    """Every word must appear; each is quoted so user text is never FTS syntax."""
    words = [w for w in "".join(ch if ch.isalnum() else " " for ch in text).split() if w]
    return " ".join(f'"{w}"' for w in words) or '""'
