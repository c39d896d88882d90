"""`casedesk report`: counts, week-over-week trends, campaigns, response times, load and the
agency league table; the MP's briefing (html, pdf, png); the anonymised export. docs/report.md."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from casedesk.core.durations import parse_duration
from casedesk.core.report import (
    Dimension,
    Report,
    gather,
    london_date,
    period_cases,
    record_briefing_export,
    record_export,
    week_start,
    weeks_from,
)
from casedesk.entrypoints import render
from casedesk.errors import CaseDeskError

DEMO_ACTOR = "casedesk-demo"


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PNG = "png"
    HTML = "html"
    PDF = "pdf"


def parse_since(text: str, now: datetime) -> datetime:
    """'30d', '6w', '3m' back from now, or a London date such as 2026-11-02."""
    try:
        return parse_duration(text).before(now)
    except ValueError:
        pass
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError as exc:
        raise CaseDeskError(
            f"--since {text!r}: give a length such as 30d, 6w or 3m, or a date such as 2026-11-02"
        ) from exc
    return datetime.combine(day, time(0), render.LONDON)


def report_command(
    since: Annotated[
        str, typer.Option(help="How far back: 30d, 6w, 3m, or a date (2026-11-02).")
    ] = "30d",
    by: Annotated[Dimension, typer.Option("--by", help="Group cases by this.")] = Dimension.TOPIC,
    fmt: Annotated[Format, typer.Option("--format", help="What to print or write.")] = Format.TABLE,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for html, pdf and png (default: <data-dir>/report)."),
    ] = None,
    anonymised: Annotated[
        bool,
        typer.Option(
            "--anonymised", help="People per group per week, small cells withheld (csv, json)."
        ),
    ] = False,
    user: Annotated[
        str,
        typer.Option("--user", envvar="CASEDESK_USER", help="Who is exporting (audited)."),
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="The same as --format json.")] = False,
) -> None:
    """What constituents raise and how fast the office answers.
    Example: casedesk report --since 6w --by ward --format html --user jo.price"""
    from casedesk.agencies_file import load_agencies
    from casedesk.entrypoints.cli import _app

    if as_json:
        fmt = Format.JSON
    if anonymised and fmt not in (Format.CSV, Format.JSON):
        raise CaseDeskError("--anonymised writes csv or json: add --format csv or --format json")
    exporting = anonymised or fmt in (Format.HTML, Format.PDF, Format.PNG)
    if exporting and not user.strip():
        raise CaseDeskError(
            "say who is exporting (--user NAME, or CASEDESK_USER): briefings and anonymised "
            "exports are audited"
        )
    app = _app()
    try:
        now = app.clock.now()
        start = parse_since(since, now)
        if start >= now:
            raise CaseDeskError(f"--since {since!r} is not in the past")
        if anonymised:
            _anonymised(app, start, now, by, fmt, user.strip())
            return
        agencies = load_agencies(app.settings.agencies_file)
        report = gather(app.repo, agencies, now, start, by, app.triage.hours)
        if fmt in (Format.HTML, Format.PDF, Format.PNG):
            target = out or app.settings.data_dir / "report"
            written = write_files(app, report, target, fmt, user.strip())
            for path in written:
                render.console.print(str(path), highlight=False, soft_wrap=True)
            return
    finally:
        app.close()
    if fmt is Format.JSON:
        render.print_json({"report": report.as_record()})
    elif fmt is Format.CSV:
        render.console.file.write(report_csv(report))
    else:
        print_report(report)


def write_files(app: Any, report: Report, target: Path, fmt: Format, actor: str) -> list[Path]:
    """The briefing (html with its charts, or pdf) or the charts alone, audited as
    report.exported."""
    from casedesk.entrypoints.briefing import charts, render_briefing, write_briefing

    office, constituency = app.settings.office_name, app.settings.constituency
    if fmt is Format.HTML:
        written = write_briefing(render_briefing(report, office, constituency), target)
    elif fmt is Format.PDF:
        from casedesk.entrypoints.briefing_pdf import render_briefing_pdf

        target.mkdir(parents=True, exist_ok=True)
        written = [target / "briefing.pdf"]
        written[0].write_bytes(render_briefing_pdf(report, office, constituency))
    else:
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in charts(report).items():
            (target / name).write_bytes(data)
            written.append(target / name)
    what = "charts" if fmt is Format.PNG else "briefing"
    record_briefing_export(app.repo, app.clock.now(), actor, report, what, fmt.value, len(written))
    return written


def _anonymised(app: Any, start: datetime, now: datetime, by: Dimension, fmt: Format,
                actor: str) -> None:  # fmt: skip
    from casedesk.core.anonymise import anonymised_table

    first = week_start(start)
    weeks = weeks_from(start, now)
    opened = app.repo.cases_opened_between(first, now + timedelta(microseconds=1))
    table = anonymised_table(period_cases(opened, first, now), weeks, by)
    record_export(app.repo, app.clock.now(), actor, {
        "what": "anonymised aggregate", "format": fmt.value, "by": by.value,
        "period_start": first.isoformat(), "cells": len(table.cells),
        "suppressed": sum(c.suppressed for c in table.cells), "anonymised": True,
    })  # fmt: skip
    constituency = app.settings.constituency
    if fmt is Format.JSON:
        render.print_json({"anonymised": {"constituency": constituency, **table.as_record()}})
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["constituency", "dimension", "group", "week_start", "people", "suppressed"])
    for c in table.cells:
        people = "" if c.people is None else str(c.people)
        writer.writerow([constituency, by.value, c.group, c.week, people, "yes" if c.suppressed else "no"])  # fmt: skip
    render.console.file.write(buffer.getvalue())


def report_csv(report: Report) -> str:
    """Cases per group per week, long form: dimension, group, week_start, cases."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["dimension", "group", "week_start", "complete", "cases"])
    for g in report.groups:
        for i, n in enumerate(g.weekly):
            complete = report.last_complete is not None and i <= report.last_complete
            week = london_date(report.weeks[i]).isoformat()
            writer.writerow([report.by.value, g.group, week, "yes" if complete else "no", n])
    return buffer.getvalue()


def _h(value: float | None) -> str:
    return "—" if value is None else f"{value:g} h"


def summary_lines(report: Report) -> list[str]:
    """The few lines `casedesk demo` and the table view open with."""
    since = london_date(report.start).strftime("%d %b %Y").lstrip("0")
    lines = [f"{report.total} cases since {since} (London weeks from Monday)."]
    if report.last_complete is not None:
        change = report.last_week - report.week_before
        lines.append(
            f"Last week {report.last_week}, the week before {report.week_before} ({change:+d})."
        )
    else:
        lines.append(f"This week so far: {report.weekly_total[-1]} (no complete week yet).")
    top = ", ".join(f"{g.group.replace('_', ' ')} {g.cases}" for g in report.groups[:3])
    if top:
        lines.append(f"Most raised by {report.by.value}: {top}.")
    if report.campaigns:
        new = sum(c.is_new for c in report.campaigns)
        growing = sum(c.is_growing for c in report.campaigns)
        big = report.campaigns[0]
        lines.append(
            f"Campaigns: {len(report.campaigns)} ({new} new, {growing} growing); largest "
            f"‘{escape(big.name)}’, {big.letters} letters."
        )
    fr = report.first_reply
    lines.append(
        f"First reply: {fr.measured} replied, median {_h(fr.median_hours)}, "
        f"{fr.within_sla} of {fr.with_sla} within SLA; {report.awaiting_reply} awaiting a "
        f"reply; {report.overdue} overdue."
    )
    return lines


def print_report(report: Report) -> None:
    out = render.console
    for line in summary_lines(report):
        out.print(line, highlight=False)
    weeks = Table(title=f"Cases by {report.by.value}, per week", title_justify="left")
    weeks.add_column(report.by.value.capitalize())
    for i in range(len(report.weeks)):
        weeks.add_column(report.week_label(i), justify="right")
    weeks.add_column("Total", justify="right")
    weeks.add_column("Change", justify="right")
    for g in report.groups:
        weeks.add_row(escape(g.group), *map(str, g.weekly), str(g.cases), f"{g.change:+d}")
    weeks.add_row("[bold]all[/]", *map(str, report.weekly_total), str(report.total), "")
    out.print(weeks)
    if report.campaigns:
        camp = Table(title="Campaigns (letters)", title_justify="left")
        for col in ("Campaign", "Letters", "Last week", "Week before", ""):
            camp.add_column(col, justify="left" if col == "Campaign" else "right")
        for c in report.campaigns:
            marks = " ".join(m for m, on in (("new", c.is_new), ("growing", c.is_growing)) if on)
            camp.add_row(escape(c.name), str(c.letters), str(c.last_week), str(c.week_before),
                         marks)  # fmt: skip
        out.print(camp)
    timing = Table(title="Response times (working hours)", title_justify="left")
    for col in ("", "Cases", "Median", "90th pct", "Within SLA"):
        timing.add_column(col, justify="left" if not col else "right")
    for name, t in (("First reply", report.first_reply), ("Closed", report.to_close)):
        timing.add_row(name, str(t.measured), _h(t.median_hours), _h(t.p90_hours),
                       f"{t.within_sla}/{t.with_sla}")  # fmt: skip
    out.print(timing)
    load = Table(title="Load per person (open cases now)", title_justify="left")
    for col in ("Person", "Open", "Overdue", "Urgent", "New in period"):
        load.add_column(col, justify="left" if col == "Person" else "right")
    for p in report.people:
        load.add_row(p.person, str(p.open), str(p.overdue), str(p.urgent), str(p.new_in_period))
    out.print(load)
    if report.agencies:
        agencies = Table(title="Agencies (referrals in the period)", title_justify="left")
        for col in ("Agency", "Referrals", "Open", "Median days", "90th pct", "Overdue"):
            agencies.add_column(col, justify="left" if col == "Agency" else "right")
        for a in report.agencies:
            median = "—" if a.median_days is None else f"{a.median_days:g}"
            p90 = "—" if a.p90_days is None else str(a.p90_days)
            agencies.add_row(a.key, str(a.referrals), str(a.open), median, p90, str(a.overdue))
        out.print(agencies)


def demo_briefing(app: Any) -> list[str]:
    """What `casedesk demo` adds: the report's opening lines and the briefing's files."""
    from casedesk.agencies_file import load_agencies

    now = app.clock.now()
    agencies = load_agencies(app.settings.agencies_file)
    report = gather(app.repo, agencies, now, now - timedelta(days=30), Dimension.TOPIC,
                    app.triage.hours)  # fmt: skip
    target = app.settings.data_dir / "report"
    written = write_files(app, report, target, Format.HTML, DEMO_ACTOR)
    pdf = write_files(app, report, target, Format.PDF, DEMO_ACTOR)
    return [
        "[bold]Report[/] (casedesk report --since 30d):",
        *summary_lines(report),
        f"The MP's weekly briefing: {written[0]} (with {len(written) - 1} PNG charts) "
        f"and {pdf[0]}.",
    ]
