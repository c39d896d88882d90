"""The sweep timer writes the MP's weekly briefing: once per London week, from Monday 07:00,
into the store's briefings folder, audited; not before, not twice, not when switched off."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App, build_app
from casedesk.core.models import RawMessage
from casedesk.entrypoints.briefing_sweep import sweep_briefing
from casedesk.settings import load_settings
from mailmaker import mail

SUNDAY_EVENING = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # GMT: London time is UTC


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[App, FixedClock]]:
    clock = FixedClock(SUNDAY_EVENING)
    app = build_app(load_settings({"data_dir": tmp_path / "data"}, environ={}), clock)
    for n in range(3):
        app.triage.triage_one(RawMessage(f"m{n}.eml", mail(message_id=f"<w{n}@example.org>",
                                                           date=clock.now())))  # fmt: skip
    yield app, clock
    app.close()


def test_written_once_a_week_from_monday_seven_and_audited(
    office: tuple[App, FixedClock], tmp_path: Path
) -> None:
    app, clock = office
    # Sunday evening, first run: the week that began on Monday 16th had none yet.
    assert sweep_briefing(app) == "briefings/briefing-2026-11-16.pdf"
    clock.current = datetime(2026, 11, 23, 6, 45, tzinfo=UTC)
    assert sweep_briefing(app) is None  # Monday, before 07:00
    clock.current = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    path = sweep_briefing(app)
    assert path == "briefings/briefing-2026-11-23.pdf"
    written = tmp_path / "data" / path
    [page] = PdfReader(io.BytesIO(written.read_bytes())).pages
    text = " ".join(page.extract_text().split())
    assert "Weekly briefing" in text and "3 cases since 19 October 2026" in text
    assert "Last week: 3" in text  # w/c 16 Nov, the letters sent on Sunday
    for later in (timedelta(minutes=15), timedelta(days=3)):
        clock.current = datetime(2026, 11, 23, 7, 0, tzinfo=UTC) + later
        assert sweep_briefing(app) is None  # the same week: already written
    entries = app.repo.audit_entries("report")
    assert len(entries) == 2
    entry = entries[-1]
    assert (entry.actor, entry.detail["format"], entry.detail["scheduled"]) == (
        "casedesk-briefing", "pdf", True,
    )  # fmt: skip
    clock.current = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a missed Monday: Wednesday will do
    assert sweep_briefing(app) == "briefings/briefing-2026-11-30.pdf"


def test_british_summer_time_and_switched_off(office: tuple[App, FixedClock]) -> None:
    app, clock = office
    clock.current = datetime(2027, 6, 7, 6, 30, tzinfo=UTC)  # Monday 07:30 BST
    assert sweep_briefing(app) == "briefings/briefing-2027-06-07.pdf"
    app.settings = app.settings.model_copy(update={"weekly_briefing": False})
    clock.current = datetime(2027, 6, 14, 8, 0, tzinfo=UTC)
    assert sweep_briefing(app) is None
    assert [e.at.date().isoformat() for e in app.repo.audit_entries("report")] == ["2027-06-07"]
