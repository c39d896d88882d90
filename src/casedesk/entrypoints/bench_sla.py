"""`casedesk bench` SLA figures: a store of open cases with due times spread around "now",
then the sweep (core/sweep.py) run twice. The first pass warns and escalates; the second must
find nothing new (the sweep is idempotent), so its time is the cost of a quiet 15-minute timer.

Cases are filled through the repository with the housing rule's escalation, as triage would
file them; the sweep reads the sample rules' shape (a person to escalate to). Tests never
assert times; the counts (escalated, warned) are checked against the generated due times.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from casedesk.core.models import Category, Classification, NewCase, Topic

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday at noon
RULES = """
people:
  - {id: jo.price, name: Jo Price, role: office_manager}
  - {id: tom.reid, name: Tom Reid}
  - {id: ana.lopes, name: Ana Lopes}
rules:
  - name: housing
    when: {topic: housing}
    then: {assign: {person: tom.reid}, sla_hours: 16, escalate_to: {person: jo.price}}
  - name: other
    default: true
    then: {sla_hours: 40}
"""
BATCH = 2_000
OVERDUE, NEARLY_DUE = 0.10, 0.05  # shares of open cases past due / inside the warning window


def _due(rng: random.Random) -> tuple[datetime, str]:
    """A due time and what the sweep should do about it (escalate, warn or nothing)."""
    roll = rng.random()
    if roll < OVERDUE:
        return NOW - timedelta(minutes=rng.randint(1, 30 * 24 * 60)), "escalate"
    if roll < OVERDUE + NEARLY_DUE:  # Wednesday noon + under 3 hours stays in working hours
        return NOW + timedelta(minutes=rng.randint(1, 3 * 60 - 1)), "warn"
    return NOW + timedelta(days=rng.randint(3, 40)), "none"


def fill(repo: Any, count: int, seed: int = 13) -> dict[str, int]:
    rng = random.Random(seed)
    expected = {"escalate": 0, "warn": 0, "none": 0}
    housing = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.9, (), "bench")
    for start in range(0, count, BATCH):
        with repo.transaction():
            for n in range(start, min(count, start + BATCH)):
                due_at, what = _due(rng)
                expected[what] += 1
                opened = NOW - timedelta(days=rng.randint(1, 60))
                person = repo.upsert_constituent(f"sla{n}@example.org", "P", None, opened)
                repo.create_case(
                    NewCase(person.id, "Repairs", "repairs", housing, "tom.reid", None, "s",
                            opened, due_at=due_at, routed_by=("housing",))
                )  # fmt: skip
    return expected


def run_sla_bench(count: int = 10_000) -> dict[str, Any]:
    from casedesk.adapters.embedded.clock import FixedClock
    from casedesk.adapters.embedded.sqlite_cases import SqliteCaseRepository
    from casedesk.adapters.embedded.sqlite_db import Database
    from casedesk.adapters.embedded.sqlite_ops import SqliteOpsState
    from casedesk.core.office_hours import OfficeHours
    from casedesk.core.sla import SlaPolicy
    from casedesk.core.sweep import Sweep
    from casedesk.rules_file import parse_rules

    with tempfile.TemporaryDirectory(prefix="casedesk-sla-bench-") as tmp:
        db = Database(Path(tmp) / "casedesk.sqlite3")
        repo = SqliteCaseRepository(db)
        expected = fill(repo, count)
        db.conn.execute("ANALYZE")
        sweep = Sweep(repo, SqliteOpsState(db), FixedClock(NOW), SlaPolicy(OfficeHours(), 4),
                      parse_rules(RULES).rules, {})  # fmt: skip
        t0 = time.perf_counter()
        first = sweep.run()
        first_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = sweep.run()
        second_seconds = time.perf_counter() - t0
        db.close()
    done = first.counts()
    return {
        "sla_open_cases": count,
        "sla_first_sweep_seconds": first_seconds,
        "sla_escalations_per_second": done["escalated"] / first_seconds,
        "sla_quiet_sweep_seconds": second_seconds,
        "sla_quiet_vs_first_ratio": second_seconds / first_seconds,
        "sla_counts_as_generated": done["escalated"] == expected["escalate"]
        and done["warned"] == expected["warn"]
        and not second.actions,
    }
