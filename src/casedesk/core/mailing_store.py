"""Mailings, their send ledger and recorded outcomes, kept in operational state (OpsState:
SQLite embedded, Azure Table storage on Microsoft 365). Values are JSON and hold references,
hashes and the office's own words, never a constituent's address or text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from casedesk.core.mailings import Mailing, SendRecord, ledger_key
from casedesk.ports import OpsState

MAILINGS = "mailings"
SENDS = "mailing-sends"
OUTCOMES = "outcomes"


@dataclass(frozen=True)
class Outcome:
    target: str  # a case reference or a campaign id
    number: int  # 1, 2, 3 for the same target
    text: str
    by: str
    at: datetime

    def as_record(self) -> dict[str, object]:
        return {"target": self.target, "number": self.number, "text": self.text,
                "by": self.by, "at": self.at.isoformat()}  # fmt: skip


class MailingStore:
    def __init__(self, ops: OpsState) -> None:
        self.ops = ops

    def get(self, mailing_id: str) -> Mailing | None:
        raw = self.ops.get(MAILINGS, mailing_id)
        return Mailing.from_json(raw) if raw else None

    def put(self, mailing: Mailing) -> None:
        self.ops.put(MAILINGS, mailing.id, mailing.to_json())

    def all(self) -> list[Mailing]:
        return [Mailing.from_json(v) for _, v in self.ops.items(MAILINGS)]

    def record(self, mailing_id: str, case_ref: str) -> SendRecord | None:
        raw = self.ops.get(SENDS, ledger_key(mailing_id, case_ref))
        return SendRecord.from_json(raw) if raw else None

    def put_record(self, record: SendRecord) -> None:
        self.ops.put(SENDS, record.key, record.to_json())

    def records(self, mailing_id: str | None = None) -> list[SendRecord]:
        prefix = f"{mailing_id}|" if mailing_id else ""
        return [SendRecord.from_json(v) for k, v in self.ops.items(SENDS) if k.startswith(prefix)]

    def send_times_since(self, start: datetime) -> list[datetime]:
        """When every copy of any mailing went (or started to) after `start`: the history the
        pacer counts, so a resumed run keeps to the same rolling limits."""
        times = []
        for record in self.records():
            at = record.sent_at or record.started_at
            if at > start:
                times.append(at)
        return times

    def outcomes(self, target: str) -> list[Outcome]:
        raw = self.ops.get(OUTCOMES, target)
        return [
            Outcome(target, o["number"], o["text"], o["by"], datetime.fromisoformat(o["at"]))
            for o in json.loads(raw or "[]")
        ]

    def add_outcome(self, target: str, text: str, by: str, at: datetime) -> Outcome:
        known = self.outcomes(target)
        outcome = Outcome(target, len(known) + 1, text, by, at)
        self.ops.put(OUTCOMES, target, json.dumps([o.as_record() for o in (*known, outcome)]))
        return outcome

    def forget_case(self, case_ref: str) -> int:
        """Delete what a case's outcomes and its own follow-ups hold in words (the case is being
        deleted: retention or erasure); how many records went. Ledger entries stay: they hold
        only references and hashes."""
        ref = case_ref.upper()
        gone = 0
        if self.ops.get(OUTCOMES, ref) is not None:
            self.ops.delete(OUTCOMES, ref)
            gone += 1
        for mailing in self.all():
            if mailing.target.upper() == ref:
                self.ops.delete(MAILINGS, mailing.id)
                gone += 1
        return gone
