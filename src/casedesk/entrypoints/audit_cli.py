"""`casedesk audit [--case REF] [--actor X] [--action A] [--since 7d]` and `casedesk audit verify`:
read the log, and prove nobody has changed it."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from casedesk.core.audit import verify_chain
from casedesk.core.audit_query import AuditFilter, entry_record, select
from casedesk.core.durations import parse_duration
from casedesk.entrypoints import render

audit_cli = typer.Typer(
    help="The audit log: who did what, when. Example: casedesk audit --case CD-2026-000001",
    invoke_without_command=True,
    no_args_is_help=False,
)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]


@audit_cli.callback()
def list_command(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option("--case", help="Entries about this case.")] = None,
    actor: Annotated[str | None, typer.Option(help="Entries by this person or process.")] = None,
    action: Annotated[
        str | None, typer.Option(help="This action, or a family: case.opened, case.*")
    ] = None,
    since: Annotated[str | None, typer.Option(help="How far back, e.g. 7d, 48h, 12m.")] = None,
    limit: Annotated[int, typer.Option(help="Show the newest this many.")] = 200,
    as_json: JsonFlag = False,
) -> None:
    """Audit entries, oldest first. Example: casedesk audit --actor jo.price --since 30d"""
    if ctx.invoked_subcommand is not None:
        return
    from casedesk.entrypoints.cli import _app

    app = _app()
    try:
        cutoff = None
        if since:
            try:
                cutoff = parse_duration(since).before(app.clock.now())
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--since") from exc
        wanted = AuditFilter(case=case, actor=actor, action=action, since=cutoff)
        entries = select(app.repo.audit_entries(case.upper() if case else None), wanted)
    finally:
        app.close()
    shown = entries[-limit:] if limit > 0 else entries
    if as_json:
        render.print_json({"entries": [entry_record(e) for e in shown], "matched": len(entries)})
        return
    table = Table(
        title=f"Audit log ({len(shown)} of {len(entries)} matching)", title_justify="left"
    )
    table.add_column("Seq", no_wrap=True, justify="right")
    table.add_column("When", no_wrap=True)
    for column in ("Who", "Action", "Object"):
        table.add_column(column, overflow="fold")
    table.add_column("Detail", overflow="fold", ratio=1, min_width=24)
    for e in shown:
        detail = " ".join(
            f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in sorted(e.detail.items())
        )
        table.add_row(
            str(e.seq), render.short(e.at), e.actor, e.action, e.object_ref,
            detail if len(detail) <= 160 else detail[:157] + "...",
        )  # fmt: skip
    render.console.print(table)


@audit_cli.command("verify")
def verify_command(as_json: JsonFlag = False) -> None:
    """Check every entry's hash and link; exit 1 naming the first entry that does not check
    out. Example: casedesk audit verify"""
    from casedesk.entrypoints.cli import _app

    app = _app()
    try:
        check = verify_chain(app.repo.audit_entries())
    finally:
        app.close()
    broken = check.first_break
    if as_json:
        render.print_json(
            {
                "intact": check.intact,
                "entries": check.entries,
                "redacted": check.redacted,
                "pending_redactions": list(check.pending_redactions),
                "first_break": ({"seq": broken.seq, "problem": broken.problem} if broken else None),
            }
        )
    elif broken is None:
        render.console.print(
            f"Audit log intact: {check.entries} entries, every hash and link checks out"
            + (
                f" ({check.redacted} redacted by erasures, each matching its tombstone)"
                if check.redacted
                else ""
            )
            + ".",
            highlight=False,
        )
    if check.pending_redactions and not as_json:
        render.err_console.print(
            "warning: entries "
            + ", ".join(str(s) for s in check.pending_redactions)
            + " were to be redacted by an erasure that did not finish; run that "
            "`casedesk erase` again",
            highlight=False,
        )
    if broken is not None:
        if not as_json:
            render.err_console.print(
                f"[bold red]error:[/] audit entry {broken.seq} does not check out: "
                f"{broken.problem}. Entries before {broken.seq} are intact; from "
                f"{broken.seq} on, the log cannot be trusted until this is explained "
                "(compare with a backup).",
                highlight=False,
            )
        raise typer.Exit(1)
