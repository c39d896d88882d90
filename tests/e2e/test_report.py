"""`casedesk report` against a hand-counted office: cases with fixed dates built through the real
SQLite store and the real casework, referral and reply use cases; every figure asserted below
was counted by hand from the table in `office`, not by running the code."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.embedded.sqlite_cases import SqliteCaseRepository
from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.agencies_file import load_agencies
from casedesk.bootstrap import build_app
from casedesk.core import agencies, casework
from casedesk.core.models import Campaign, CaseStatus, Category, Classification, NewCase, Topic
from casedesk.core.office_hours import OfficeHours
from casedesk.core.report import Dimension, Report, gather
from casedesk.entrypoints.cli import cli
from casedesk.settings import load_settings


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# Wednesday 18 November 2026, noon (GMT). --since 14d is Wednesday 4 November, so the period
# starts on Monday 2 November: weeks w/c 2 Nov and w/c 9 Nov are complete, w/c 16 Nov is not.
NOW = utc(2026, 11, 18, 12)
SINCE = NOW - timedelta(days=14)
SEWAGE = "c-sewage"

# name: (opened, category, topic, ward, assignee, due, campaign)
CASES: dict[str, tuple[datetime, Category, Topic, str | None, str | None, datetime | None,
                       str | None]] = {
    "K": (utc(2026, 10, 30, 10), Category.CASEWORK, Topic.HOUSING, "Arbury", "tom",
          utc(2026, 11, 2, 10), None),  # before the period: only counts as overdue and load
    "A": (utc(2026, 11, 2, 10), Category.CASEWORK, Topic.HOUSING, "Arbury", "priya",
          utc(2026, 11, 3, 10), None),
    "B": (utc(2026, 11, 3, 11), Category.CASEWORK, Topic.BENEFITS, "Arbury", "tom",
          utc(2026, 11, 4, 11), None),
    "I": (utc(2026, 11, 4, 9), Category.CAMPAIGN, Topic.ENVIRONMENT_PLANNING, "Castle", None,
          None, SEWAGE),
    "C": (utc(2026, 11, 9, 9, 30), Category.CASEWORK, Topic.HOUSING, "Castle", "priya",
          utc(2026, 11, 10, 9, 30), None),
    "D": (utc(2026, 11, 10, 14), Category.CASEWORK, Topic.HOUSING, None, "priya", None, None),
    "M": (utc(2026, 11, 10, 10), Category.CASEWORK, Topic.HOUSING, "Castle", "priya", None,
          None),  # merged into C: not counted
    "F": (utc(2026, 11, 11, 10), Category.CAMPAIGN, Topic.ENVIRONMENT_PLANNING, "Arbury", None,
          None, SEWAGE),
    "G": (utc(2026, 11, 11, 11), Category.CAMPAIGN, Topic.ENVIRONMENT_PLANNING, "Castle", None,
          None, SEWAGE),
    "H": (utc(2026, 11, 12, 9), Category.CAMPAIGN, Topic.ENVIRONMENT_PLANNING, "Castle", None,
          None, SEWAGE),
    "E": (utc(2026, 11, 12, 16), Category.CASEWORK, Topic.BENEFITS, "Castle", "tom",
          utc(2026, 11, 13, 16), None),
    "J": (utc(2026, 11, 16, 9), Category.CASEWORK, Topic.HOUSING, "Arbury", "priya",
          utc(2026, 11, 16, 17), None),
}  # fmt: skip


@dataclass
class Office:
    repo: Any
    clock: FixedClock
    refs: dict[str, str]
    data_dir: Path

    def at(self, when: datetime) -> None:
        self.clock.current = when

    def report(self, by: Dimension = Dimension.TOPIC) -> Report:
        return gather(self.repo, load_agencies(None), NOW, SINCE, by, OfficeHours())


def fill(repo: Any, clock: FixedClock, data_dir: Path) -> Office:
    """The hand-counted office, written into `repo` through the real use cases."""
    repo.upsert_campaign(Campaign(SEWAGE, "Sewage in the Cam", 4, utc(2026, 11, 4, 9),
                                  utc(2026, 11, 12, 9), True, "Sewage in the Cam"))  # fmt: skip
    refs: dict[str, str] = {}
    for name, (opened, category, topic, ward, who, due, campaign) in sorted(
        CASES.items(), key=lambda kv: kv[1][0]
    ):
        with repo.transaction():
            person = repo.upsert_constituent(f"{name.lower()}@example.org", name, None, opened)
            kind = Classification(category, topic, False, 0.9, (), "test")
            refs[name] = repo.create_case(NewCase(person.id, f"Case {name}", f"case {name}", kind,
                                                  who, campaign, "", opened, due_at=due,
                                                  ward=ward))  # fmt: skip
    office = Office(repo, clock, refs, data_dir)

    def reply(name: str, when: datetime) -> None:  # what core/reply_desk.py records on send
        with repo.transaction():
            repo.append_audit(when, "priya", "reply.sent", refs[name], {"version": 1})

    def status(name: str, to: CaseStatus, when: datetime) -> None:
        office.at(when)
        casework.change_status(repo, clock, refs[name], to, "hand-counted fixture", "priya")

    office.at(utc(2026, 11, 10, 11))
    casework.merge(repo, clock, refs["M"], refs["C"], "priya")
    reply("A", utc(2026, 11, 2, 14))  # 4 working hours
    reply("A", utc(2026, 11, 5, 10))  # a second reply: not the first
    status("A", CaseStatus.CLOSED, utc(2026, 11, 4, 11))  # 7.5 + 8.5 + 2 = 18 working hours
    reply("B", utc(2026, 11, 4, 10))  # 6.5 + 1 = 7.5
    reply("C", utc(2026, 11, 11, 9, 30))  # 8 + 8.5 + 0.5 = 17
    status("C", CaseStatus.CLOSED, utc(2026, 11, 10, 12))
    status("C", CaseStatus.OPEN, utc(2026, 11, 10, 13))  # reopened...
    status("C", CaseStatus.CLOSED, utc(2026, 11, 11, 12))  # ...closed again: 8 + 8.5 + 3 = 19.5
    reply("E", utc(2026, 11, 13, 9))  # 1.5 (16:00-17:30), then 0 on Friday morning
    hours, table = OfficeHours(), load_agencies(None)
    office.at(NOW)
    agencies.refer(repo, clock, hours, table, refs["B"], "dwp", "tom", at=utc(2026, 11, 4, 10))
    agencies.record_reply(repo, clock, hours, refs["B"], "dwp", "tom", at=utc(2026, 11, 6, 10))
    agencies.refer(repo, clock, hours, table, refs["K"], "dwp", "tom", at=utc(2026, 10, 30, 11))
    return office


@pytest.fixture(scope="module", params=["embedded-sqlite", "m365-sharepoint"])
def counted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Office]:
    """The office on each store, built once: the figure tests only read it."""
    tmp = tmp_path_factory.mktemp("counted")
    if request.param == "embedded-sqlite":
        db = Database(tmp / "store.sqlite3")
        yield fill(SqliteCaseRepository(db), FixedClock(NOW), tmp)
        db.close()
        return
    from sharepoint_stack import start_stack

    stack = start_stack()
    yield fill(stack.repository(), FixedClock(NOW), tmp)
    stack.close()


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    """The office in an embedded data directory, for the command line."""
    data = tmp_path / "data"
    clock = FixedClock(NOW)
    app = build_app(load_settings({"data_dir": data}, environ={}), clock)
    yield fill(app.repo, clock, data)
    app.close()


def test_counts_weeks_and_week_over_week_match_the_hand_count(counted: Office) -> None:
    office = counted
    r = office.report()
    assert [w.isoformat() for w in r.weeks] == [
        "2026-11-02T00:00:00+00:00", "2026-11-09T00:00:00+00:00", "2026-11-16T00:00:00+00:00",
    ]  # fmt: skip
    assert r.last_complete == 1
    # A, B, I | C, D, E, F, G, H | J   (K opened before the period, M was merged away)
    assert r.total == 10 and r.weekly_total == (3, 6, 1)
    assert (r.last_week, r.week_before) == (6, 3)
    rows = {g.group: (g.cases, g.weekly, g.last_week, g.week_before, g.change) for g in r.groups}
    assert rows == {
        "environment_planning": (4, (1, 3, 0), 3, 1, 2),  # I | F, G, H
        "housing": (4, (1, 2, 1), 2, 1, 1),  # A | C, D | J
        "benefits": (2, (1, 1, 0), 1, 1, 0),  # B | E
    }
    assert [g.group for g in r.groups] == ["environment_planning", "housing", "benefits"]


def test_grouping_by_ward_and_by_campaign(counted: Office) -> None:
    office = counted
    wards = {g.group: g.cases for g in office.report(Dimension.WARD).groups}
    assert wards == {"Arbury": 4, "Castle": 5, "(unknown)": 1}  # A B F J | I C G H E | D
    campaigns = {g.group: g.weekly for g in office.report(Dimension.CAMPAIGN).groups}
    assert campaigns == {"Sewage in the Cam": (1, 3, 0), "(none)": (2, 3, 1)}


def test_a_campaign_first_seen_in_the_period_that_grew_last_week_is_new_and_growing(
    counted: Office,
) -> None:
    office = counted
    [sewage] = office.report().campaigns
    assert (sewage.name, sewage.letters, sewage.last_week, sewage.week_before) == (
        "Sewage in the Cam", 4, 3, 1,
    )  # fmt: skip
    assert sewage.is_new and sewage.is_growing


def test_response_times_against_the_sla_match_the_hand_count(counted: Office) -> None:
    office = counted
    r = office.report()
    # First replies: E 1.5, A 4, B 7.5, C 17 working hours. Median (4 + 7.5) / 2; the 90th
    # percentile by nearest rank is the 4th of 4. Within the due time: A, B, E; C was late.
    fr = r.first_reply
    assert (fr.measured, fr.median_hours, fr.p90_hours) == (4, 5.75, 17.0)
    assert (fr.within_sla, fr.with_sla) == (3, 4)
    # Closed now: A after 18, C after 19.5 (its last closing); both after their due times.
    tc = r.to_close
    assert (tc.measured, tc.median_hours, tc.p90_hours) == (2, 18.75, 19.5)
    assert (tc.within_sla, tc.with_sla) == (0, 2)
    assert r.awaiting_reply == 6  # D, F, G, H, I, J
    assert r.overdue == 4  # B, E, J and K are open past their due times at noon on 18 Nov


def test_load_per_person_and_the_agency_league_table(counted: Office) -> None:
    office = counted
    r = office.report()
    assert [(p.person, p.open, p.overdue, p.urgent, p.new_in_period) for p in r.people] == [
        ("tom", 3, 3, 0, 2),  # open B, E, K (all overdue); new B, E
        ("priya", 2, 1, 0, 4),  # open D, J (J overdue); new A, C, D, J
        ("(unassigned)", 4, 0, 0, 4),  # the sewage letters
    ]
    [dwp] = r.agencies  # K's referral was made before the period
    assert (dwp.key, dwp.referrals, dwp.replied, dwp.median_days, dwp.open) == (
        "dwp", 1, 1, 2.0, 0,
    )  # fmt: skip


def run(office: Office, *args: str) -> Any:
    args_ = ["--data-dir", str(office.data_dir), "report", "--since", "2026-11-02", *args]
    return CliRunner().invoke(cli, args_, env={"CASEDESK_USER": None, "CASEDESK_SETTINGS": None})


def error(result: Any) -> str:
    """A CaseDeskError as main() would print it (CliRunner runs the commands without main)."""
    assert result.exit_code == 1
    return str(result.exception)


def test_csv_and_json_parse_and_carry_the_same_counts(office: Office) -> None:
    # The CLI uses the real clock: these dates are in its past, so the weeks from 2 November
    # hold every case; only counts that cannot change with the date are asserted.
    as_json = run(office, "--json")
    assert as_json.exit_code == 0, as_json.output
    record = json.loads(as_json.output)["report"]
    assert record["cases"] == 10 and record["by"] == "topic"
    assert record["weeks"][0] == {"week_start": "2026-11-02", "complete": True, "cases": 3}
    assert {g["group"]: g["cases"] for g in record["groups"]}["housing"] == 4
    as_csv = run(office, "--format", "csv", "--by", "ward")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert set(rows[0]) == {"dimension", "group", "week_start", "complete", "cases"}
    castle = [r for r in rows if r["group"] == "Castle"]
    assert [(r["week_start"], r["cases"]) for r in castle[:2]] == [
        ("2026-11-02", "1"), ("2026-11-09", "4"),
    ]  # fmt: skip
    assert sum(int(r["cases"]) for r in rows) == 10


def test_the_anonymised_export_withholds_small_cells_and_is_audited(office: Office) -> None:
    refused = run(office, "--anonymised", "--format", "csv")
    assert "--user" in error(refused)
    done = run(office, "--anonymised", "--format", "json", "--user", "jo.price")
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)["anonymised"]
    assert body["threshold"] == 5 and body["by"] == "topic"
    # By hand: no topic has five people in any week or in all (4, 4, 2), so every non-zero
    # topic cell is withheld; of the week totals only w/c 9 Nov (6 people) reaches five, and
    # its row (3, 6, 1, then empty weeks) has two withheld cells already. Ten in all.
    shown = [c for c in body["cells"] if not c["suppressed"] and c["people"]]
    assert [(c["group"], c["week_start"], c["people"]) for c in shown] == [
        ("ALL", "2026-11-09", 6), ("ALL", "ALL", 10),
    ]  # fmt: skip
    assert all(c["people"] is None for c in body["cells"] if c["suppressed"])
    assert "example.org" not in done.output
    as_csv = run(office, "--anonymised", "--format", "csv", "--by", "ward", "--user", "jo")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {r["suppressed"] for r in rows if r["people"] == ""} == {"yes"}
    entries = [e for e in office.repo.audit_entries("report")]
    assert [(e.actor, e.detail["what"], e.detail["format"]) for e in entries] == [
        ("jo.price", "anonymised aggregate", "json"), ("jo", "anonymised aggregate", "csv"),
    ]  # fmt: skip


def test_campaigns_cannot_be_exported_anonymised(office: Office) -> None:
    result = run(office, "--anonymised", "--format", "csv", "--by", "campaign", "--user", "jo")
    assert "campaign names are taken from the letters" in error(result)


def test_the_briefing_is_html_with_its_charts_and_escapes_campaign_names(
    office: Office, tmp_path: Path
) -> None:
    repo, at = office.repo, utc(2026, 11, 5, 9)
    with repo.transaction():  # a campaign named from a hostile letter's subject
        repo.upsert_campaign(Campaign("c-evil", "<script>x</script> Sewage", 1, at, at, True, "s"))
        person = repo.upsert_constituent("evil@example.org", "", None, at)
        kind = Classification(Category.CAMPAIGN, Topic.OTHER, False, 0.9, (), "test")
        repo.create_case(NewCase(person.id, "s", "s", kind, None, "c-evil", "", at))
    out = tmp_path / "briefing"
    result = run(office, "--format", "html", "--out", str(out), "--user", "jo.price")
    assert result.exit_code == 0, result.output
    page = (out / "briefing.html").read_text(encoding="utf-8")
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt; Sewage" in page
    for name in ("weekly.png", "by-topic.png", "campaigns.png"):
        assert (out / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert f'src="{name}"' in page
    [entry] = office.repo.audit_entries("report")
    assert (entry.actor, entry.detail["what"], entry.detail["files"]) == ("jo.price", "briefing", 4)


def test_a_reply_sent_with_casedesk_send_is_the_first_reply(tmp_path: Path) -> None:
    from casedesk.bootstrap_replies import build_replies
    from casedesk.core.models import RawMessage
    from mailmaker import mail

    settings = load_settings(
        {"data_dir": tmp_path / "data", "features": {"send_mail": True}}, environ={}
    )  # an office that sends from CaseDesk
    clock = FixedClock(utc(2026, 11, 16, 10))  # Monday 10:00
    app = build_app(settings, clock)
    replies = build_replies(settings, clock)
    try:
        ref = (
            app.triage.triage_one(RawMessage("m.eml", mail(date=clock.now()), clock.now())).case_ref
            or ""
        )
        clock.advance(timedelta(hours=3))
        replies.desk.send(ref, "priya")
        clock.advance(timedelta(days=1))
        r = gather(app.repo, load_agencies(None), clock.now(), clock.now() - timedelta(days=1),
                   Dimension.CATEGORY, app.triage.hours)  # fmt: skip
    finally:
        replies.close()
        app.close()
    assert (r.total, r.first_reply.measured, r.first_reply.median_hours) == (1, 1, 3.0)
    assert r.awaiting_reply == 0


def test_png_writes_the_charts_alone_and_refuses_without_a_name(
    office: Office, tmp_path: Path
) -> None:
    assert "--user" in error(run(office, "--format", "png", "--out", str(tmp_path / "x")))
    result = run(office, "--format", "png", "--out", str(tmp_path / "c"), "--user", "jo")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert names == ["by-topic.png", "campaigns.png", "weekly.png"]
    [entry] = office.repo.audit_entries("report")
    assert (entry.detail["what"], entry.detail["format"], entry.detail["files"]) == (
        "charts", "png", 3,
    )  # fmt: skip


def pdf_text(data: bytes) -> list[str]:
    """Each page's text as a PDF reader extracts it (through the fonts' ToUnicode maps)."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_pdf_briefing_carries_the_figures_as_text_and_campaign_names_as_glyphs(
    office: Office, tmp_path: Path
) -> None:
    repo, at = office.repo, utc(2026, 11, 5, 9)
    hostile = ") Tj ET /OpenAction << /S /JavaScript /JS (app.alert(1)) >> BT ("
    with repo.transaction():  # a campaign named from a hostile letter's subject
        repo.upsert_campaign(Campaign("c-evil", hostile, 1, at, at, True, "s"))
        person = repo.upsert_constituent("evil@example.org", "", None, at)
        kind = Classification(Category.CAMPAIGN, Topic.OTHER, False, 0.9, (), "test")
        repo.create_case(NewCase(person.id, "s", "s", kind, None, "c-evil", "", at))
    assert "--user" in error(run(office, "--format", "pdf", "--out", str(tmp_path / "x")))
    out = tmp_path / "briefing"
    result = run(office, "--format", "pdf", "--out", str(out), "--user", "jo.price")
    assert result.exit_code == 0, result.output
    data = (out / "briefing.pdf").read_bytes()
    assert data.startswith(b"%PDF-1.7") and data.rstrip().endswith(b"%%EOF")
    assert b"/JavaScript" not in data and b"/OpenAction" not in data  # glyph ids, never syntax
    [page] = pdf_text(data)
    assert ") Tj ET /OpenAction << /S" in " ".join(page.split())  # shown as text
    [entry] = office.repo.audit_entries("report")
    assert (entry.actor, entry.detail["what"], entry.detail["format"], entry.detail["files"]) == (
        "jo.price", "briefing", "pdf", 1,
    )  # fmt: skip


def test_the_pdf_briefing_figures_match_the_hand_count(office: Office) -> None:
    from casedesk.entrypoints.briefing_pdf import render_briefing_pdf

    [page] = pdf_text(render_briefing_pdf(office.report(), "Office", "Cambridge"))
    lines = {" ".join(line.split()) for line in page.splitlines()}
    expected = {  # the figures the tests above count by hand, as the MP reads them
        "w/c 2 Nov 3", "w/c 9 Nov 6", "w/c 16 Nov (so far) 1",
        "environment planning 4 3 1 +2", "housing 4 2 1 +1", "benefits 2 1 1 +0",
        "Sewage in the Cam (new) 4 3 1", "(growing)",  # the name wraps in its column
        "First reply 4 5.75 h 17 h 3 of 4", "Closed 2 18.75 h 19.5 h 0 of 2",
        "tom 3 3 0 2", "priya 2 1 0 4", "(unassigned) 4 0 0 4", "Page 1 of 1",
    }  # fmt: skip
    assert expected <= lines, sorted(expected - lines)
    assert any("10 cases since 2 November 2026. Last week: 6" in line for line in lines)


def test_a_long_pdf_table_runs_onto_more_pages_with_its_header_and_welsh_names_intact(
    office: Office,
) -> None:
    from dataclasses import replace

    from casedesk.core.report import PersonLoad
    from casedesk.entrypoints.briefing_pdf import render_briefing_pdf

    people = tuple(PersonLoad(f"Staffer {i:02d} o Dŷ Ŵyn", i, 0, 0, 1) for i in range(120))
    report = replace(office.report(), people=people)
    data = render_briefing_pdf(report, "Swyddfa Aelod Seneddol", "Ynys Môn")
    pages = pdf_text(data)
    assert len(pages) >= 3
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
    shown = [line for text in pages for line in text.splitlines() if line.startswith("Staffer")]
    assert [line.split()[1] for line in shown] == [f"{i:02d}" for i in range(120)]  # none lost
    assert all("o Dŷ Ŵyn" in line for line in shown)
    continued = [text for text in pages[1:] if "Staffer" in text]
    assert continued and all("Person Open Overdue" in " ".join(t.split()) for t in continued)
    assert "Ynys Môn" in pages[0]
    assert render_briefing_pdf(report, "Swyddfa Aelod Seneddol", "Ynys Môn") == data  # same bytes
