"""`casedesk case REF` for people: the case, its constituent, and each message's triage."""

from __future__ import annotations

from collections.abc import Sequence

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from casedesk.core.models import Case, Note, StoredMessage
from casedesk.entrypoints import render


def print_case(
    case: Case,
    messages: Sequence[StoredMessage],
    others: Sequence[Case],
    folder: str,
    notes: Sequence[Note] = (),
    linked: Sequence[str] = (),
) -> None:
    out = render.console
    if case.merged_into:
        out.print(
            f"[bold yellow]{case.ref} was merged into {case.merged_into}[/]: its messages are "
            f"there now; see casedesk case {case.merged_into}",
            highlight=False,
        )
    urgent = f" {render.marks(case)}" if render.marks(case) else ""
    out.print(
        Panel.fit(
            f"[bold]{case.subject}[/]{urgent}\n"
            f"{case.category.value} / {case.topic.value} · status {case.status.value} · "
            f"assignee {case.assignee or 'unassigned'}\n"
            f"From {case.constituent_name or '—'} <{case.constituent_email}>"
            f"{' · ' + case.postcode if case.postcode else ''}\n"
            f"Opened {render.local(case.created_at)} · {case.message_count} message(s)"
            f"{' · campaign ' + case.campaign_id if case.campaign_id else ''}\n\n{case.summary}",
            title=case.ref,
        )
    )
    table = Table(title="Messages", title_justify="left")
    for col in ("Sent", "From", "Subject", "Triage", "Why"):
        table.add_column(col, overflow="fold")
    for m in messages:
        c = m.classification
        table.add_row(
            render.local(m.sent_at or m.received_at),
            m.from_addr,
            m.subject,
            f"{c.category.value} ({c.confidence:.2f})",
            "; ".join(c.reasons[:4]),
        )
    out.print(table)
    if notes:
        noted = Table(title="Notes", title_justify="left")
        for col in ("When", "Who", "Note"):
            noted.add_column(col, overflow="fold")
        for n in notes:
            noted.add_row(render.local(n.created_at), Text(n.author), Text(n.text))
        out.print(noted)
    if case.tags:
        out.print("Tags: " + " ".join(case.tags), highlight=False)
    if linked:
        out.print("Linked cases: " + ", ".join(linked), highlight=False)
    if others:
        out.print("Other cases from this constituent: " + ", ".join(c.ref for c in others))
    out.print(f"Case folder: {folder}")
