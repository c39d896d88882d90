"""A small office with one real campaign (the sample inbox's sewage letters), for the mailing
tests: seeded once by triage, copied for each test, with a clock that tests can move and a
crash that tests can plant at any clock reading."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import build_app
from casedesk.core.models import RawMessage
from casedesk.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SEWAGE = sorted((REPO / "samples" / "inbox").glob("*campaign-sewage*.eml"))
PDF = REPO / "samples" / "attachments" / "mp-letter.pdf"
OFFICE = "alex.morgan.mp@parliament.example"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Crash(BaseException):
    """The process dying: not an Exception, so no handler in the product catches it."""


class TestClock(FixedClock):
    """A fixed clock that sleeping moves, and that can crash at its n-th reading."""

    __test__ = False

    def __init__(self, start: datetime = START) -> None:
        super().__init__(start)
        self.readings = 0
        self.crash_at: int | None = None
        self.slept: list[float] = []

    def now(self) -> datetime:
        self.readings += 1
        if self.crash_at is not None and self.readings >= self.crash_at:
            self.crash_at = None
            raise Crash(f"crashed at clock reading {self.readings}")
        return super().now()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(timedelta(seconds=seconds))


def settings_for(data_dir: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir, "office_address": OFFICE, "mp_approver": "alex.morgan",
        "features": {"send_mail": True},  # an office that has switched sending on
        **extra,
    }  # fmt: skip
    return load_settings(values, environ={})


def seed(data_dir: Path) -> str:
    """Triage the sewage campaign into data_dir; its campaign id."""
    app = build_app(settings_for(data_dir), FixedClock(START - timedelta(days=5)))
    try:
        for i, path in enumerate(SEWAGE):
            received = START - timedelta(days=5) + timedelta(hours=i)
            app.triage.triage_one(RawMessage(path.name, path.read_bytes(), received))
        campaigns = [c for c in app.repo.campaigns() if c.is_campaign]
        assert len(campaigns) == 1, campaigns
        return campaigns[0].id
    finally:
        app.close()


def copy_office(seeded: Path, target: Path) -> Path:
    shutil.copytree(seeded, target)
    return target


def seeded_office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data dir holding the triaged campaign (copy it per test), and the campaign id."""
    folder = tmp_path_factory.mktemp("seeded") / "data"
    return folder, seed(folder)
