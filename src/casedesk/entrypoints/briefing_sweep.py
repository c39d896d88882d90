"""The MP's weekly briefing from the sweep timer: once a London week, from Monday 07:00, the
PDF briefing of the last six weeks is written to the store (briefings/briefing-<Monday>.pdf:
the case documents library on Microsoft 365, <data-dir>/briefings embedded) and audited as
report.exported by `casedesk-briefing`. The first instance to claim the week in ops state
writes it; a timer that missed Monday morning writes it at its next run that week."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from casedesk.agencies_file import load_agencies
from casedesk.bootstrap import App
from casedesk.core.report import (
    LONDON,
    Dimension,
    gather,
    london_date,
    record_briefing_export,
    week_start,
)
from casedesk.entrypoints.briefing_pdf import render_briefing_pdf

log = logging.getLogger("casedesk.briefing")
STATE = "briefing"
ACTOR = "casedesk-briefing"
WEEKS = 6
FROM = time(7, 0)  # London time on Monday


def sweep_briefing(app: App) -> str | None:
    """Write this week's briefing unless it is switched off, too early, or already written;
    the path written, or None."""
    if not app.settings.weekly_briefing:
        return None
    now = app.clock.now()
    monday = week_start(now)
    due = datetime.combine(london_date(monday), FROM, LONDON)
    if now < due:
        return None
    week = london_date(monday)
    if not app.ops.add_if_absent(STATE, f"week-{week.isoformat()}", now.isoformat()):
        return None
    agencies = load_agencies(app.settings.agencies_file)
    since = monday - timedelta(weeks=WEEKS - 1)
    report = gather(app.repo, agencies, now, since, Dimension.TOPIC, app.triage.hours)
    pdf = render_briefing_pdf(report, app.settings.office_name, app.settings.constituency)
    path = app.files.write_briefing(week, pdf)
    record_briefing_export(app.repo, now, ACTOR, report, "briefing", "pdf", 1, scheduled=True)
    log.info(
        "weekly briefing written",
        extra={"event": "briefing.written", "week": week.isoformat(), "cases": report.total,
               "bytes": len(pdf)},
    )  # fmt: skip
    return path
