"""The MP's weekly briefing as a PDF: the same sections and figures as the HTML page
(entrypoints/briefing.py), laid out on A4 by casedesk.pdf (standard library only). The
charts are drawn as vector bars in a column of each table, one bar beside each row's
figures, in the Teams digest's colours.

Text is DejaVu Sans, shipped in casedesk/fonts (Debian's fonts-dejavu-core 2.37-6,
Bitstream Vera licence, see fonts/LICENSE), so Welsh ward names (Tŷ, ŵ) and constituents'
names set correctly; only the glyphs used are embedded. Campaign names come from letters:
they are set as glyphs, never parsed as PDF. Tables that run past a page continue on the
next with their header repeated; every page is numbered "Page n of N".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from casedesk.core.report import Report, london_date
from casedesk.entrypoints.briefing import TOP_CAMPAIGNS, TOP_GROUPS
from casedesk.pdf.document import BLACK, Colour, Document, Font
from casedesk.teams.chart import BAR_COLOURS

FONTS = Path(__file__).resolve().parent.parent / "fonts"
MARGIN = 50.0
GREY: Colour = (0.38, 0.38, 0.38)
RULE: Colour = (0.87, 0.87, 0.87)
ACCENT: Colour = (0.38, 0.39, 0.65)
SHADE: Colour = (0.96, 0.96, 0.96)
UP: Colour = (0.77, 0.19, 0.29)
DOWN: Colour = (0.06, 0.49, 0.06)
BODY, SMALL, HEADING, TITLE = 9.5, 8.0, 12.5, 18.0
BAR_COLUMN = 150.0
# The Teams digest's bar colours (teams/chart.py), so the charts look alike everywhere.
PALETTE: tuple[Colour, ...] = tuple((r / 255, g / 255, b / 255) for r, g, b in BAR_COLOURS)


@dataclass(frozen=True)
class Cell:
    text: str
    colour: Colour = BLACK


class Flow:
    """Lays blocks down the page from the top, starting a new page when one will not fit."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.regular = doc.font(FONTS / "DejaVuSans.ttf")
        self.bold = doc.font(FONTS / "DejaVuSans-Bold.ttf")
        self.width = doc.size[0] - 2 * MARGIN
        self.bottom = doc.size[1] - MARGIN - 14  # room for the page number
        self.page = doc.new_page()
        self.top = MARGIN

    def need(self, height: float) -> None:
        if self.top + height > self.bottom and self.top > MARGIN:
            self.page = self.doc.new_page()
            self.top = MARGIN

    def lines(self, text: str, font: Font, size: float, width: float) -> list[str]:
        """`text` broken at spaces to fit `width` (a word longer than the line is cut)."""
        found: list[str] = []
        line = ""
        for word in text.split():
            trial = f"{line} {word}" if line else word
            if font.width(trial, size) <= width:
                line = trial
                continue
            if line:
                found.append(line)
            rest = word
            while font.width(rest, size) > width:
                cut = max(1, _fit(rest, font, size, width))
                found.append(rest[:cut])
                rest = rest[cut:]
            line = rest
        if line:
            found.append(line)
        return found

    def paragraph(self, text: str, font: Font | None = None, size: float = BODY,
                  colour: Colour = BLACK, after: float = 6) -> None:  # fmt: skip
        font = font or self.regular
        for line in self.lines(text, font, size, self.width):
            self.need(size * 1.35)
            self.page.text(MARGIN, self.top, line, font, size, colour)
            self.top += size * 1.35
        self.top += after

    def heading(self, text: str) -> None:
        self.need(HEADING * 1.4 + 40)  # never a heading alone at the foot of a page
        self.top += 10
        self.page.text(MARGIN, self.top, text, self.bold, HEADING)
        self.top += HEADING * 1.4
        self.page.line(MARGIN, self.top, MARGIN + self.width, self.top, RULE)
        self.top += 6

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Cell]],
              bars: Sequence[int] = ()) -> None:  # fmt: skip
        """Rows under a bold header; the first column left, the rest right, sized to fit.
        With `bars`, a bar chart column: one bar per row, longest = the column's width.
        The header repeats on each page the table runs onto."""
        pad = 10.0
        widths = [0.0] + [
            max([self.bold.width(h, SMALL)] + [self.regular.width(r[i].text, BODY) for r in rows])
            + pad
            for i, h in enumerate(header) if i
        ]  # fmt: skip
        chart = BAR_COLUMN if bars else 0.0
        widths[0] = self.width - sum(widths) - chart
        lefts = [MARGIN + sum(widths[:i]) for i in range(len(widths))]
        step = BODY * 1.5
        top_value = max(bars, default=0) or 1

        def first_lines(cells: Sequence[Cell], font: Font, size: float) -> list[str]:
            """The first column in at most two lines, the second cut with an ellipsis."""
            lines = self.lines(cells[0].text, font, size, widths[0] - pad) or [""]
            if len(lines) > 2:
                lines = [lines[0], _clip(" ".join(lines[1:]), font, size, widths[0] - pad)]
            return lines

        def row(cells: Sequence[Cell], font: Font, size: float, bar: int, colour: Colour) -> None:
            lines = first_lines(cells, font, size)
            height = step + (len(lines) - 1) * size * 1.25
            if self.top + height > self.bottom:
                self.page = self.doc.new_page()
                self.top = MARGIN
                row([Cell(h, GREY) for h in header], self.bold, SMALL, 0, GREY)
            self.page.text(lefts[0], self.top + 3, lines[0], font, size, cells[0].colour)
            for i, cell in enumerate(cells[1:], start=1):
                shown = _clip(cell.text, font, size, widths[i])
                left = lefts[i] + widths[i] - font.width(shown, size)
                self.page.text(left, self.top + 3, shown, font, size, cell.colour)
            for n, line in enumerate(lines[1:], start=1):  # after the row: the reading order
                top = self.top + 3 + n * size * 1.25
                self.page.text(lefts[0], top, line, font, size, cells[0].colour)
            if bar:
                length = max(2.0, (chart - pad) * bar / top_value)
                self.page.rect(MARGIN + self.width - chart + pad, self.top + 4, length,
                               step - 7, colour)  # fmt: skip
            self.top += height
            self.page.line(MARGIN, self.top, MARGIN + self.width, self.top, RULE)

        self.need(step * 2)
        row([Cell(h, GREY) for h in header], self.bold, SMALL, 0, GREY)
        for index, cells in enumerate(rows):
            row(
                cells, self.regular, BODY, bars[index] if bars else 0, PALETTE[index % len(PALETTE)]
            )
        self.top += 4

    def number_pages(self) -> None:
        total = len(self.doc.pages)
        for n, page in enumerate(self.doc.pages, start=1):
            label = f"Page {n} of {total}"
            x = MARGIN + self.width - self.regular.width(label, SMALL)
            page.text(x, self.doc.size[1] - MARGIN, label, self.regular, SMALL, GREY)


def _clip(text: str, font: Font, size: float, width: float) -> str:
    """`text`, cut with an ellipsis if it is wider than `width`."""
    if font.width(text, size) <= width:
        return text
    while text and font.width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _fit(word: str, font: Font, size: float, width: float) -> int:
    n = len(word)
    while n > 1 and font.width(word[:n], size) > width:
        n -= 1
    return n


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:g} h"


def _signed(value: int) -> Cell:
    return Cell(f"{value:+d}", UP if value > 0 else DOWN if value < 0 else BLACK)


def render_briefing_pdf(report: Report, office: str, constituency: str) -> bytes:
    generated = london_date(report.now).strftime("%A %d %B %Y")
    period_start = london_date(report.start).strftime("%d %B %Y").lstrip("0")
    doc = Document(f"Weekly briefing: {office}", report.now)
    flow = Flow(doc)
    flow.paragraph("Weekly briefing", flow.bold, TITLE, after=2)
    flow.paragraph(f"{office} · {constituency} · {generated} · cases opened since "
                   f"{period_start}", size=SMALL, colour=GREY, after=10)  # fmt: skip
    _headline(flow, report, period_start)

    flow.heading("Cases per week")
    flow.table(["Week", "Cases"], [
        [Cell(report.week_label(i)), Cell(str(n))] for i, n in enumerate(report.weekly_total)
    ], bars=report.weekly_total)  # fmt: skip

    by = report.by.value
    flow.heading(f"By {by}")
    groups = report.groups[:TOP_GROUPS]
    if groups:
        flow.table([by.capitalize(), "Cases", "Last week", "Week before", "Change"], [
            [Cell(g.group.replace("_", " ")), Cell(str(g.cases)), Cell(str(g.last_week)),
             Cell(str(g.week_before)), _signed(g.change)] for g in groups
        ], bars=[g.cases for g in groups])  # fmt: skip
    else:
        flow.paragraph("No cases in the period.")

    flow.heading("Campaigns")
    campaigns = report.campaigns[:TOP_CAMPAIGNS]
    if campaigns:
        flow.table(["Campaign", "Letters", "Last week", "Week before"], [
            [Cell(c.name + (" (new)" if c.is_new else "") + (" (growing)" if c.is_growing else "")),
             Cell(str(c.letters)), Cell(str(c.last_week)), Cell(str(c.week_before))]
            for c in campaigns
        ], bars=[c.letters for c in campaigns])  # fmt: skip
    else:
        flow.paragraph("No campaign letters in the period.")

    _timings(flow, report)
    _load(flow, report)
    flow.paragraph("Made by CaseDesk (casedesk report --format pdf). Weeks run Monday to "
                   "Sunday, London time. Every figure is defined in docs/report.md.",
                   size=SMALL, colour=GREY)  # fmt: skip
    flow.number_pages()
    return doc.to_bytes()


def _headline(flow: Flow, report: Report, period_start: str) -> None:
    text = f"{report.total} cases since {period_start}."
    if report.last_complete is not None:
        text += (f" Last week: {report.last_week} (the week before: {report.week_before}, "
                 f"{report.last_week - report.week_before:+d}).")  # fmt: skip
    fr = report.first_reply
    text += (f" First replies: median {_hours(fr.median_hours)}; {fr.within_sla} of "
             f"{fr.with_sla} within the SLA. {report.overdue} open cases overdue.")  # fmt: skip
    lines = flow.lines(text, flow.regular, BODY + 0.5, flow.width - 24)
    height = len(lines) * (BODY + 0.5) * 1.4 + 16
    flow.need(height)
    flow.page.rect(MARGIN, flow.top, flow.width, height, SHADE)
    flow.page.rect(MARGIN, flow.top, 3, height, ACCENT)
    top = flow.top + 8
    for line in lines:
        flow.page.text(MARGIN + 14, top, line, flow.regular, BODY + 0.5)
        top += (BODY + 0.5) * 1.4
    flow.top += height + 4


def _timings(flow: Flow, report: Report) -> None:
    flow.heading("How fast the office answers")
    flow.table(["", "Cases", "Median", "90th pct", "Within SLA"], [
        [Cell(label), Cell(str(t.measured)), Cell(_hours(t.median_hours)),
         Cell(_hours(t.p90_hours)), Cell(f"{t.within_sla} of {t.with_sla}")]
        for label, t in (("First reply", report.first_reply), ("Closed", report.to_close))
    ])  # fmt: skip
    flow.paragraph("Working hours (Monday to Friday 09:00–17:30, bank holidays excluded), over "
                   f"cases opened in the period. {report.awaiting_reply} of them are open with "
                   "no reply sent yet.", size=SMALL, colour=GREY)  # fmt: skip


def _load(flow: Flow, report: Report) -> None:
    flow.heading("Who is carrying what")
    flow.table(["Person", "Open", "Overdue", "Urgent", "New in period"], [
        [Cell(p.person), Cell(str(p.open)), Cell(str(p.overdue)), Cell(str(p.urgent)),
         Cell(str(p.new_in_period))] for p in report.people
    ])  # fmt: skip
    flow.heading("Agencies")
    if not report.agencies:
        flow.paragraph("No referrals made in the period.")
        return
    flow.table(["Agency", "Referrals", "Open", "Median days", "90th pct", "Overdue"], [
        [Cell(a.name), Cell(str(a.referrals)), Cell(str(a.open)),
         Cell("—" if a.median_days is None else f"{a.median_days:g}"),
         Cell("—" if a.p90_days is None else str(a.p90_days)), Cell(str(a.overdue))]
        for a in report.agencies
    ])  # fmt: skip
    flow.paragraph("Reply times in working days, over referrals made in the period.",
                   size=SMALL, colour=GREY)  # fmt: skip
