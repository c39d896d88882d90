"""What `casedesk demo` prints: the run, cases per category, campaigns, the queue, the files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from casedesk.core.models import Campaign, Case, Category, QuarantineItem, RunReport
from casedesk.entrypoints import render


def print_demo_report(
    data_dir: Path,
    report: RunReport,
    cases: Sequence[Case],
    campaigns: Sequence[Campaign],
    quarantined: Sequence[QuarantineItem],
) -> None:
    out = render.console
    out.rule("[bold]CaseDesk demo: the sample inbox, triaged")
    out.print(render.counting_line(report))
    if report.filed_new == 0 and report.duplicates:
        out.print(
            "[dim]Every message was already filed by an earlier run: no new cases (idempotent).[/]"
        )

    per_category = Counter(c.category for c in cases)
    urgent = Counter(c.category for c in cases if c.is_urgent)
    table = Table(title="Cases by category", title_justify="left")
    for col in ("Category", "Cases", "Urgent", "Example"):
        table.add_column(col, overflow="fold")
    for category in Category:
        examples = [c for c in cases if c.category is category]
        if not examples:
            continue
        table.add_row(
            category.value,
            str(per_category[category]),
            str(urgent[category] or ""),
            f"{examples[0].ref}: {examples[0].subject[:60]}",
        )
    out.print(table)
    if campaigns:
        out.print(render.campaigns_table(campaigns))
    else:
        out.print("Campaigns: none found (a campaign needs near-identical letters from 3+ senders)")

    routed = [c for c in cases if c.routed_by or c.assignee]
    if routed:
        who = Table(title="Who got what, and why (routing rules)", title_justify="left")
        for col in ("Assignee", "Cases", "Urgent", "Due soonest", "By rule"):
            who.add_column(col, overflow="fold")
        by_person: dict[str, list[Case]] = {}
        for c in routed:
            by_person.setdefault(c.assignee or "(unassigned)", []).append(c)
        for person, mine in sorted(by_person.items()):
            rules = Counter(" > ".join(c.routed_by) or "built-in safety routing" for c in mine)
            due = min((c.due_at for c in mine if c.due_at), default=None)
            who.add_row(
                person,
                str(len(mine)),
                str(sum(c.is_urgent for c in mine) or ""),
                render.local(due) if due else "—",
                ", ".join(f"{rule} ({n})" for rule, n in rules.most_common()),
            )
        out.print(who)

    queue = [c for c in cases if c.category in (Category.CASEWORK, Category.PRESS, Category.ABUSE)]
    queue.sort(key=lambda c: (not c.is_urgent, c.created_at))
    out.print(render.cases_table(queue[:15], "Work queue: urgent first, then oldest (top 15)"))

    if quarantined:
        q = Table(title="Quarantined (kept, with the reason)", title_justify="left")
        q.add_column("Source")
        q.add_column("Reason")
        for item in quarantined:
            q.add_row(item.source, item.reason)
        out.print(q)

    out.print(
        f"\nCase folders: [bold]{data_dir / 'cases'}[/] (one per case: original .eml, "
        "attachments, case.json)"
    )
    out.print("Reply drafts: [bold]<case folder>/drafts/reply-draft.eml[/] (nothing is ever sent)")
    out.print(
        "Next: [bold]casedesk queue[/], [bold]casedesk case <REF>[/], "
        "[bold]casedesk search <words> --postcode CB1[/]"
    )
