"""The MP's weekly briefing: one HTML page and its PNG charts, from a core Report.

The charts are the Teams digest's bar PNGs (teams/chart.py: standard library only, no
plotting dependency); their labels and numbers are text in the page beside each chart, which
also serves screen readers. Campaign names come from constituents' letters, so the template
escapes everything (Jinja2 autoescape). No PDF: see docs/report.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from casedesk.core.report import Report, london_date
from casedesk.teams.chart import bar_chart_png, text_bar

TOP_GROUPS = 10
TOP_CAMPAIGNS = 5
CHART_WIDTH = 360


@dataclass(frozen=True)
class Briefing:
    html: str
    charts: dict[str, bytes]  # file name -> PNG bytes


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:g} h"


def charts(report: Report) -> dict[str, bytes]:
    """weekly.png (cases per week), by-<dimension>.png (top groups), campaigns.png."""
    found = {
        "weekly.png": bar_chart_png(report.weekly_total, CHART_WIDTH),
        f"by-{report.by.value}.png": bar_chart_png(
            [g.cases for g in report.groups[:TOP_GROUPS]], CHART_WIDTH
        ),
    }
    if report.campaigns:
        found["campaigns.png"] = bar_chart_png(
            [c.letters for c in report.campaigns[:TOP_CAMPAIGNS]], CHART_WIDTH
        )
    return found


def render_briefing(report: Report, office: str, constituency: str) -> Briefing:
    env = Environment(
        loader=PackageLoader("casedesk", "templates/report"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    pngs = charts(report)
    top = max(report.weekly_total, default=0)
    weeks = [(report.week_label(i), n, text_bar(n, top)) for i, n in enumerate(report.weekly_total)]
    html = env.get_template("briefing.html.j2").render(
        r=report,
        office=office,
        constituency=constituency,
        weeks=weeks,
        groups=report.groups[:TOP_GROUPS],
        campaigns=report.campaigns[:TOP_CAMPAIGNS],
        charts=pngs,
        hours=_hours,
        period_start=london_date(report.start).strftime("%d %B %Y").lstrip("0"),
        generated=london_date(report.now).strftime("%A %d %B %Y"),
    )
    return Briefing(html, pngs)


def write_briefing(briefing: Briefing, out: Path) -> list[Path]:
    """briefing.html and its PNGs into `out` (created); the paths written, page first."""
    out.mkdir(parents=True, exist_ok=True)
    page = out / "briefing.html"
    page.write_text(briefing.html, encoding="utf-8")
    written = [page]
    for name, data in briefing.charts.items():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written
