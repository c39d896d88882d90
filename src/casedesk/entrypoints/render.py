"""Turning core objects into rich tables for people and JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from casedesk.core.models import (
    Campaign,
    Case,
    CaseFlag,
    Note,
    QuarantineItem,
    RunReport,
    StoredMessage,
)

LONDON = ZoneInfo("Europe/London")
console = Console()
err_console = Console(stderr=True)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def local(dt: Any) -> str:
    """Times are stored in UTC and shown in Europe/London."""
    return dt.astimezone(LONDON).strftime("%a %d %b %Y %H:%M") if dt else "—"


def short(dt: Any) -> str:
    """Compact London time for tables: '16 Nov 09:12'."""
    return dt.astimezone(LONDON).strftime("%d %b %H:%M") if dt else "—"


def case_json(case: Case) -> dict[str, Any]:
    return {**case.as_record(), "message_count": case.message_count}


def message_json(m: StoredMessage) -> dict[str, Any]:
    c = m.classification
    return {
        "message_id": m.message_id,
        "from": m.from_addr,
        "subject": m.subject,
        "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        "received_at": m.received_at.isoformat(),
        "file": m.filed_path,
        "classification": {
            "category": c.category.value,
            "topic": c.topic.value,
            "urgent": c.is_urgent,
            "confidence": c.confidence,
            "reasons": list(c.reasons),
            "classifier": c.classifier,
        },
    }


def campaign_json(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "size": c.size,
        "first_seen": c.first_seen.isoformat(),
        "last_seen": c.last_seen.isoformat(),
    }


def quarantine_json(q: QuarantineItem) -> dict[str, Any]:
    return {
        "sha256": q.sha256,
        "source": q.source,
        "reason": q.reason,
        "quarantined_at": q.quarantined_at.isoformat(),
        "stored_path": q.stored_path,
    }


def report_json(r: RunReport) -> dict[str, Any]:
    return {
        "seen": r.seen,
        "filed": r.filed,
        "filed_new_cases": r.filed_new,
        "filed_into_existing_cases": r.filed_existing,
        "duplicates_skipped": r.duplicates,
        "quarantined": r.quarantined,
        "balances": r.balances,
    }


def counting_line(r: RunReport) -> str:
    verdict = "[green]nothing lost[/]" if r.balances else "[bold red]COUNTS DO NOT BALANCE[/]"
    return (
        f"Messages seen {r.seen} = filed {r.filed} ({r.filed_new} new cases, "
        f"{r.filed_existing} into existing cases) + duplicates skipped {r.duplicates} "
        f"+ quarantined {r.quarantined}  — {verdict}"
    )


def marks(c: Case) -> str:
    """The queue's attention column: urgency, then flags a caseworker must not miss."""
    out = ["[bold red]URGENT[/]"] if c.is_urgent else []
    if CaseFlag.THREAT in c.flags:
        out.append("[bold red]THREAT[/]")
    if CaseFlag.SAFEGUARDING in c.flags:
        out.append("[bold magenta]SAFEGUARDING[/]")
    if c.needs_review:
        out.append("[yellow]CHECK[/]")
    if CaseFlag.OUTSIDE in c.flags:
        out.append("[cyan]OUTSIDE[/]")
    return " ".join(out)


def cases_table(cases: Sequence[Case], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("Ref", "Received", "Category", "Topic", "!", "Assignee", "From"):
        table.add_column(col, no_wrap=True, max_width=20 if col == "From" else None)
    table.add_column("Subject", overflow="fold", ratio=1, min_width=24)
    for c in cases:
        table.add_row(
            c.ref,
            short(c.created_at),
            c.category.value,
            c.topic.value,
            marks(c),
            c.assignee or "—",
            c.constituent_name or c.constituent_email,
            c.subject[:90],
        )
    return table


def campaigns_table(items: Sequence[Campaign]) -> Table:
    table = Table(title="Campaigns" if items else "Campaigns: none found yet", title_justify="left")
    for col in ("Campaign", "Copies", "First seen", "Last seen", "Subject"):
        table.add_column(col)
    for c in items:
        table.add_row(c.id, str(c.size), short(c.first_seen), short(c.last_seen), c.name[:60])
    return table


def note_json(n: Note) -> dict[str, Any]:
    return {
        "id": n.id,
        "author": n.author,
        "text": n.text,
        "created_at": n.created_at.isoformat(),
    }
