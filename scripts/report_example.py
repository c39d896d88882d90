"""Render the example weekly briefing in docs/report-example/ from a made-up office.

`make demo` writes a real briefing from the sample inbox, but its letters all arrive in one
week, so its trend chart has one bar. This builds six weeks of invented cases (no real
people: addresses are person<N>@example.org) through the real embedded store, casework,
referral and audit code, with a fixed clock, and renders the same briefing from them.

    .venv/bin/python scripts/report_example.py [OUT_DIR]
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.agencies_file import load_agencies
from casedesk.bootstrap import build_app
from casedesk.core import agencies, casework
from casedesk.core.models import Campaign, CaseStatus, Category, Classification, NewCase, Topic
from casedesk.core.report import Dimension, gather
from casedesk.entrypoints.briefing import render_briefing, write_briefing
from casedesk.entrypoints.briefing_pdf import render_briefing_pdf
from casedesk.settings import load_settings

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday morning: last week is w/c 16 Nov
START = datetime(2026, 10, 12, 8, 0, tzinfo=UTC)
WARDS = ["Arbury", "Castle", "Petersfield", "Romsey", "Trumpington", "Abbey", "Coleridge"]
STAFF = ["priya.shah", "tom.reid", "ana.lopes", "ben.cole"]
# topic: weight per week, oldest first (housing rises through the autumn)
TOPICS = {
    Topic.HOUSING: [5, 6, 6, 8, 10, 12],
    Topic.BENEFITS: [6, 5, 6, 5, 6, 5],
    Topic.IMMIGRATION: [4, 4, 3, 4, 3, 4],
    Topic.HEALTH: [3, 3, 4, 3, 3, 2],
    Topic.EDUCATION: [2, 3, 2, 2, 1, 2],
    Topic.COUNCIL_SERVICES: [2, 2, 3, 2, 3, 3],
}
CAMPAIGNS = {  # id: (name, letters per week)
    "c-sewage": ("Sewage in the Cam", [0, 0, 0, 4, 9, 14]),
    "c-crates": ("End the use of farrowing crates", [6, 5, 3, 2, 1, 1]),
}


def build(out: Path) -> list[Path]:
    rnd = random.Random(2026)
    data = Path(tempfile.mkdtemp(prefix="casedesk-report-example-"))
    clock = FixedClock(START)
    app = build_app(load_settings({"data_dir": data}, environ={}), clock)
    repo, hours, table = app.repo, app.triage.hours, load_agencies(None)
    people = 0

    def opened(week: int) -> datetime:
        return START + timedelta(days=7 * week + rnd.uniform(0, 4.4), hours=rnd.uniform(0, 8))

    def open_case(at: datetime, category: Category, topic: Topic, campaign: str | None) -> str:
        nonlocal people
        people += 1
        who = None if campaign else rnd.choice(STAFF)
        due = hours.add_working_hours(at, 16) if not campaign else None
        with repo.transaction():
            person = repo.upsert_constituent(f"person{people}@example.org", "", None, at)
            kind = Classification(category, topic, False, 0.9, (), "example")
            return str(repo.create_case(NewCase(person.id, "s", "s", kind, who, campaign, "", at,
                                                due_at=due, ward=rnd.choice(WARDS))))  # fmt: skip

    for cid, (name, weekly) in CAMPAIGNS.items():
        first = START + timedelta(days=7 * next(i for i, n in enumerate(weekly) if n))
        with repo.transaction():
            repo.upsert_campaign(Campaign(cid, name, sum(weekly), first, NOW, True, name))
        for week, n in enumerate(weekly):
            for _ in range(n):
                open_case(opened(week), Category.CAMPAIGN, Topic.ENVIRONMENT_PLANNING, cid)
    for topic, weekly in TOPICS.items():
        for week, n in enumerate(weekly):
            for _ in range(n):
                at = opened(week)
                ref = open_case(at, Category.CASEWORK, topic, None)
                reply_at = hours.add_working_hours(at, rnd.choice([2, 5, 9, 14, 20, 30]))
                if reply_at < NOW and rnd.random() < 0.85:
                    with repo.transaction():
                        repo.append_audit(reply_at, "priya.shah", "reply.sent", ref, {"v": 1})
                close_at = hours.add_working_hours(reply_at, rnd.choice([8, 20, 40, 80]))
                if close_at < NOW and rnd.random() < 0.6:
                    clock.current = close_at
                    casework.change_status(repo, clock, ref, CaseStatus.CLOSED, "done", "tom.reid")
                elif topic in (Topic.BENEFITS, Topic.IMMIGRATION) and rnd.random() < 0.5:
                    clock.current = NOW
                    agency = "dwp" if topic is Topic.BENEFITS else "ukvi"
                    referred = hours.add_working_hours(at, 4)
                    agencies.refer(repo, clock, hours, table, ref, agency, "tom.reid",
                                   at=referred)  # fmt: skip
                    answered = hours.add_working_hours(referred, rnd.choice([16, 40, 90, 150]))
                    if answered < NOW:
                        agencies.record_reply(repo, clock, hours, ref, agency, "tom.reid",
                                              at=answered)  # fmt: skip
    report = gather(repo, table, NOW, NOW - timedelta(days=42), Dimension.TOPIC, hours)
    app.close()
    briefing = render_briefing(report, "Office of Alex Morgan MP", "Cambridge")
    written = write_briefing(briefing, out)
    pdf = out / "briefing.pdf"
    pdf.write_bytes(render_briefing_pdf(report, "Office of Alex Morgan MP", "Cambridge"))
    return [*written, pdf]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/report-example")
    for path in build(target):
        print(path)
