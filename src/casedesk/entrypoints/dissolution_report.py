"""The dissolution plan as files for the office: plan.csv (for a spreadsheet), plan.html (to
read and print) and handover.md (every open case's handover note). They name constituents,
so they are written owner-only. Everything from a case is HTML-escaped: subjects come from
constituents' mail and are untrusted."""

from __future__ import annotations

import csv
import io
import os
from html import escape
from pathlib import Path

from casedesk.core.dissolution import Plan, PlanItem
from casedesk.core.handover import render_markdown
from casedesk.entrypoints.render import local

COLUMNS = (
    "ref", "subject", "constituent", "status", "category", "assignee", "next_step",
    "proposed", "why", "decided", "decided_by", "consent_ref", "applied", "hold",
)  # fmt: skip

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.4; color: #1b1b1b; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
.held { background: #fde7e9; } .warn { background: #fff4ce; border-left: 4px solid #c19c00;
       padding: .6rem 1rem; }
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _row(item: PlanItem) -> dict[str, str]:
    record = item.as_record()
    return {k: "" if record[k] is None else str(record[k]) for k in COLUMNS}


def render_csv(plan: Plan) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in plan.items:
        writer.writerow(_row(item))
    return out.getvalue()


def render_html(plan: Plan) -> str:
    h = plan.handover
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        "<title>Dissolution: what happens to each open case</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Dissolution: {len(plan.items)} open case(s) of {_e(h.person)}</h1>",
        f"<p>Prepared {_e(local(h.written_at))}.</p>",
        '<p class="warn">The MP is the data controller for this casework; the successor is '
        "another controller. A case goes to the successor only with the constituent's "
        "consent. For each case record a choice: <code>casedesk dissolution decide REF "
        "transfer|hand-back|purge --by NAME [--consent-ref ...]</code>, then <code>casedesk "
        "dissolution apply --by NAME</code> (a dry run until <code>--no-dry-run</code>). "
        "The <em>proposed</em> column is only a default.</p>",
        "<table><tr><th>Case</th><th>Subject</th><th>Constituent</th><th>Status</th>"
        "<th>Next step</th><th>Proposed</th><th>Why</th><th>Decided</th></tr>",
    ]
    for item in plan.items:
        r = item.as_record()
        decided = (
            f"{_e(r['decided'])} by {_e(r['decided_by'])}"
            + (f" (consent: {_e(r['consent_ref'])})" if r["consent_ref"] else "")
            + (" — done" if r["applied"] else "")
            if r["decided"]
            else "<strong>not decided</strong>"
        )
        parts.append(
            f"<tr{' class=held' if item.hold else ''}><td><code>{_e(r['ref'])}</code></td>"
            f"<td>{_e(r['subject'])}</td><td>{_e(r['constituent'])}</td>"
            f"<td>{_e(r['status'])}</td><td>{_e(r['next_step'])}</td>"
            f"<td>{_e(r['proposed'])}</td><td>{_e(r['why'])}</td><td>{decided}</td></tr>"
        )
    parts += ["</table>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_plan(plan: Plan, folder: Path) -> list[Path]:
    """plan.csv, plan.html and handover.md in the folder (made if needed); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("plan.csv", render_csv(plan)),
        ("plan.html", render_html(plan)),
        ("handover.md", render_markdown(plan.handover)),
    ):
        _write_private(folder / name, text)
        written.append(folder / name)
    return written
