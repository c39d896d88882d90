"""SLA and agency commands: `casedesk sweep`, `notifications`, `refer`, `reply-received`,
`referrals`, `agencies`, and the due-time view behind `casedesk queue --overdue`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from casedesk.core.agencies import AgencyStats, Chase, league_table, record_reply, refer
from casedesk.core.models import Case, CaseFlag, Category, Referral
from casedesk.core.sla import SlaAction, is_overdue, stage_of
from casedesk.core.sweep import Notification, PendingNotifications, SweepReport
from casedesk.entrypoints import render

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
By = Annotated[
    str, typer.Option("--by", envvar="CASEDESK_USER", help="Who is recording it (audited).")
]
At = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When it happened, if not now: ISO 8601, London time unless a zone is given "
        "(e.g. 2026-11-02T10:00).",
    ),
]


def _app() -> Any:
    from casedesk.entrypoints.cli import _app as build

    return build()


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: use ISO 8601, e.g. 2026-11-02T10:00") from exc
    return value if value.tzinfo else value.replace(tzinfo=render.LONDON)


def _hours(left: float) -> str:
    return f"{left:g} h" if left >= 0 else f"[bold red]{-left:g} h over[/]"


# --- queue --overdue / --due-within -------------------------------------------------------


def due_json(case: Case, now: datetime, hours: Any) -> dict[str, Any]:
    left = hours.working_time_between(now, case.due_at) / timedelta(hours=1)
    return render.case_json(case) | {
        "overdue": is_overdue(case, now),
        "working_hours_left": round(left, 2),
        "sla_stage": stage_of(case) or None,
    }


def due_queue(
    overdue: bool,
    due_within: float | None,
    assignee: str | None,
    category: Category | None,
    flag: CaseFlag | None,
    limit: int,
    as_json: bool,
) -> None:
    """Cases by due time, most overdue first: overdue ones, or those due within N hours."""
    if overdue and due_within is not None:
        raise typer.BadParameter("use --overdue or --due-within, not both")
    app = _app()
    try:
        now, hours = app.clock.now(), app.triage.hours
        by = now if due_within is None else max(now, hours.add_working_hours(now, due_within))
        cases = [
            c
            for c in app.repo.cases_due_by(by, limit=10**6)
            if (assignee is None or c.assignee == assignee)
            and (category is None or c.category is category)
            and (flag is None or flag in c.flags)
        ][:limit]
    finally:
        app.close()
    rows = [due_json(c, now, hours) for c in cases]
    if as_json:
        render.print_json({"cases": rows})
        return
    title = "Overdue" if due_within is None else f"Due within {due_within:g} working hours"
    table = Table(title=f"{title} ({len(cases)} cases)", title_justify="left")
    for col in ("Ref", "Due", "Left", "Stage", "!", "Assignee", "Category"):
        table.add_column(col, no_wrap=True)
    table.add_column("Subject", overflow="fold", ratio=1, min_width=24)
    for c, row in zip(cases, rows, strict=True):
        table.add_row(c.ref, render.short(c.due_at), _hours(row["working_hours_left"]),
                      row["sla_stage"] or "—", render.marks(c), c.assignee or "—",
                      c.category.value, c.subject[:90])  # fmt: skip
    render.console.print(table)


# --- sweep and notifications --------------------------------------------------------------


def _told(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"to": person, "kind": kind} for person, kind in pairs]


def action_json(a: SlaAction) -> dict[str, Any]:
    return {
        "ref": a.case_ref,
        "stage": a.stage,
        "due_at": a.due_at.isoformat(),
        "working_hours_left": a.working_hours_left,
        "from": a.assignee_before,
        "to": a.assignee_after,
        "reassigned": a.reassigned,
        "rule": a.rule,
        "notify": _told(a.notify),
    }


def chase_json(c: Chase) -> dict[str, Any]:
    return {
        "referral": c.referral_id,
        "ref": c.case_ref,
        "agency": c.agency,
        "chase": c.number,
        "expected_by": c.expected_by.isoformat(),
        "working_days_late": c.working_days_late,
        "notify": list(c.notify),
    }


def sweep_json(r: SweepReport) -> dict[str, Any]:
    return {
        "now": r.now.isoformat(),
        "dry_run": r.dry_run,
        "counts": r.counts(),
        "escalated": [action_json(a) for a in r.actions if a.stage == "escalated"],
        "warned": [action_json(a) for a in r.actions if a.stage == "warned"],
        "chased": [chase_json(c) for c in r.chases],
        "notifications": [n.as_record() for n in r.notifications],
        "already_done": r.already_done,
        "empty_removed": r.empty_removed,
    }


def sweep(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; record nothing.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Warn on nearly-due cases, escalate overdue ones per the rules, chase late referrals.
    Safe to repeat: nothing is done twice. Example: casedesk sweep --dry-run"""
    from casedesk.bootstrap import build_sweep

    app = _app()
    try:
        report = build_sweep(app).run(dry_run=dry_run)
    finally:
        app.close()
    if as_json:
        render.print_json(sweep_json(report))
        return
    counts = report.counts()
    verb = "Would" if dry_run else "Done:"
    render.console.print(
        f"{verb} escalate {counts['escalated']}, warn {counts['warned']}, chase "
        f"{counts['chased']} referral(s); {counts['notifications']} notification(s) "
        + ("to record" if dry_run else "recorded as pending (delivered once Teams lands)")
    )
    if report.empty_removed:
        render.console.print(
            f"{'Would remove' if dry_run else 'Removed'} {len(report.empty_removed)} empty "
            f"case(s) a filing cut short had left: {', '.join(report.empty_removed)}"
        )
    table = Table(title_justify="left")
    for col in ("Ref", "Step", "Due", "Assignee", "Notify"):
        table.add_column(col, overflow="fold")
    for a in report.actions:
        moved = f"{a.assignee_before or '—'} -> {a.assignee_after or '—'}" if a.reassigned else (a.assignee_after or "—")  # fmt: skip
        table.add_row(a.case_ref, a.stage, render.short(a.due_at), moved,
                      ", ".join(p for p, _ in a.notify) or "—")  # fmt: skip
    for c in report.chases:
        table.add_row(c.referral_id, f"chase {c.number} ({c.agency})",
                      render.short(c.expected_by), "", ", ".join(c.notify))  # fmt: skip
    if report.actions or report.chases:
        render.console.print(table)


def notifications(as_json: JsonFlag = False) -> None:
    """Notifications waiting to be delivered (the Teams bot will send them); oldest first."""
    app = _app()
    try:
        pending: list[Notification] = PendingNotifications(app.ops).all()
    finally:
        app.close()
    if as_json:
        render.print_json({"notifications": [n.as_record() for n in pending]})
        return
    table = Table(title=f"Pending notifications ({len(pending)})", title_justify="left")
    for col in ("Since", "To", "What", "About", "Due"):
        table.add_column(col)
    for n in pending:
        table.add_row(render.short(n.created_at), n.to, n.kind, n.about, render.short(n.due_at))
    render.console.print(table)


# --- agencies and referrals ---------------------------------------------------------------


def referral_json(r: Referral, now: datetime) -> dict[str, Any]:
    return {
        "id": r.id,
        "ref": r.case_ref,
        "agency": r.agency,
        "referred_at": r.referred_at.isoformat(),
        "referred_by": r.referred_by,
        "expected_by": r.expected_by.isoformat(),
        "note": r.note,
        "replied_at": r.replied_at.isoformat() if r.replied_at else None,
        "replied_by": r.replied_by,
        "overdue": r.is_open and now >= r.expected_by,
        "chases": r.chases,
        "chased_at": r.chased_at.isoformat() if r.chased_at else None,
    }


def refer_command(
    ref: Annotated[str, typer.Argument(help="A case reference such as CD-2026-000042.")],
    agency: Annotated[str, typer.Argument(help="The body: dwp, hmrc, ukvi, council, ...")],
    by: By,
    note: Annotated[str | None, typer.Option(help="What was asked, their reference.")] = None,
    at: At = None,
    as_json: JsonFlag = False,
) -> None:
    """Record that a case was referred to an agency; the reply is then expected within the
    agency's response time. Example: casedesk refer CD-2026-000042 dwp --by jo.price"""
    from casedesk.agencies_file import load_agencies

    app = _app()
    try:
        agencies = load_agencies(app.settings.agencies_file)
        made = refer(app.repo, app.clock, app.triage.hours, agencies, ref, agency, by,
                     note or "", _when(at))  # fmt: skip
        now = app.clock.now()
    finally:
        app.close()
    if as_json:
        render.print_json({"referral": referral_json(made, now)})
        return
    body = agencies[made.agency]
    render.console.print(
        f"{made.id}: {made.case_ref} referred to {body.name} by {made.referred_by}; "
        f"reply expected by {render.local(made.expected_by)} ({body.response_days} working days)"
    )


def reply_received(
    ref: Annotated[str, typer.Argument(help="A case reference such as CD-2026-000042.")],
    agency: Annotated[str, typer.Argument(help="The body that replied, e.g. dwp.")],
    by: By,
    at: At = None,
    as_json: JsonFlag = False,
) -> None:
    """Record an agency's reply to the case's oldest open referral to it.
    Example: casedesk reply-received CD-2026-000042 dwp --by jo.price"""
    app = _app()
    try:
        hours = app.triage.hours
        done = record_reply(app.repo, app.clock, hours, ref, agency, by, _when(at))
        now = app.clock.now()
    finally:
        app.close()
    if as_json:
        render.print_json({"referral": referral_json(done, now)})
        return
    assert done.replied_at is not None
    days = hours.working_days_between(done.referred_at, done.replied_at)
    late = "on time" if done.replied_at <= done.expected_by else "[bold red]late[/]"
    render.console.print(f"{done.id}: {done.agency} replied after {days} working day(s), {late}")


def referrals(
    case: Annotated[str | None, typer.Option("--case", help="Only this case's referrals.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only unanswered ones.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Referrals to agencies, oldest first. Example: casedesk referrals --open"""
    app = _app()
    try:
        ref = app.repo.get_case(case).ref if case else None
        found = app.repo.referrals(ref, open_only=open_only)
        now = app.clock.now()
    finally:
        app.close()
    rows = [referral_json(r, now) for r in found]
    if as_json:
        render.print_json({"referrals": rows})
        return
    table = Table(title=f"Referrals ({len(found)})", title_justify="left")
    for col in ("Referral", "Agency", "Referred", "By", "Expected", "Replied", "Chases"):
        table.add_column(col, no_wrap=True)
    for r, row in zip(found, rows, strict=True):
        expected = render.short(r.expected_by)
        if row["overdue"]:
            expected = f"[bold red]{expected}[/]"
        table.add_row(r.id, r.agency, render.short(r.referred_at), r.referred_by, expected,
                      render.short(r.replied_at), str(r.chases))  # fmt: skip
    render.console.print(table)


def _dash(value: object) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def agencies(as_json: JsonFlag = False) -> None:
    """League table of the agencies cases were referred to: referrals, open, median and 90th
    percentile reply time in working days, overdue. Example: casedesk agencies --json"""
    from casedesk.agencies_file import load_agencies

    app = _app()
    try:
        table_ = load_agencies(app.settings.agencies_file)
        now = app.clock.now()
        rows: list[AgencyStats] = league_table(table_, app.repo.referrals(), now, app.triage.hours)
    finally:
        app.close()
    known = [
        {"agency": a.key, "name": a.name, "target_working_days": a.response_days,
         "source": a.source}
        for a in table_.values()
    ]  # fmt: skip
    if as_json:
        render.print_json({"agencies": [r.as_record() for r in rows], "known_agencies": known})
        return
    league = Table(title="Agencies: reply times in working days", title_justify="left")
    for col in (
        "Agency",
        "Target",
        "Referrals",
        "Open",
        "Median",
        "90th pct",
        "On time",
        "Overdue",
    ):
        league.add_column(col, justify="left" if col == "Agency" else "right")
    for r in rows:
        league.add_row(r.key, _dash(r.target_days), str(r.referrals), str(r.open),
                       _dash(r.median_days), _dash(r.p90_days), f"{r.on_time}/{r.replied}",
                       f"[bold red]{r.overdue}[/]" if r.overdue else "0")  # fmt: skip
    render.console.print(league if rows else "No referrals recorded yet.")
    render.console.print(
        "Agencies: " + ", ".join(f"{k['agency']} ({k['target_working_days']})" for k in known)
    )


def register(cli: typer.Typer) -> None:
    """Add these commands to the `casedesk` command line."""
    cli.command()(sweep)
    cli.command()(notifications)
    cli.command("refer")(refer_command)
    cli.command("reply-received")(reply_received)
    cli.command()(referrals)
    cli.command()(agencies)
