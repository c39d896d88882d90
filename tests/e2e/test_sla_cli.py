"""SLAs and agencies as a user runs them: `casedesk queue --overdue`, `sweep`, `notifications`,
`refer`, `reply-received`, `referrals`, `agencies`. Mail is dated in the past (file times and
Date headers), so every due time asserted is computed from those dates, never the clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from casedesk.entrypoints.cli import cli
from mailmaker import mail

RULES = """
people:
  - {id: jo, name: Jo Price, role: office_manager}
  - {id: tom, name: Tom Reid}
  - {id: ana, name: Ana Lopes}
rules:
  - name: everything
    default: true
    then: {assign: {person: tom}, sla_hours: 8, escalate_to: {person: jo}}
"""

LETTERS = {
    # file name: (received and sent, sender, subject, body)
    "autumn-gmt.eml": (
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, after the clocks went back
        "Sam Green <sam@example.org>",
        "Universal Credit payment stopped",
        "My Universal Credit payment stopped this month and I cannot pay the rent.",
    ),
    "autumn-bst.eml": (
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST, an hour earlier
        "Lee Brown <lee@example.org>",
        "School place for my son",
        "The council has not offered my son a school place and term has started.",
    ),
    "spring.eml": (
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 02:30 BST: there was no 01:30 that night
        "Kim Patel <kim@example.org>",
        "Visa application delayed",
        "My wife's spouse visa application has been waiting for eleven months now.",
    ),
}


def setup(tmp_path: Path) -> tuple[Path, Path]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, (when, sender, subject, body) in LETTERS.items():
        path = inbox / name
        path.write_bytes(
            mail(body, sender=sender, subject=subject, date=when, message_id=f"<{name}@x>")
        )
        os.utime(path, (when.timestamp(), when.timestamp()))  # received at that instant
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    settings = tmp_path / "casedesk.toml"
    settings.write_text(f'rules_file = "{rules}"\nsafety_lead = "jo"\n')
    return inbox, settings


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(tmp_path / "data"),
         "--settings", str(tmp_path / "casedesk.toml"), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "160"},
    )  # fmt: skip


def ok(tmp_path: Path, *args: str) -> Any:
    """A command that must succeed, run in this process (Typer's runner: the same command
    line without a new interpreter per call); errors and exit codes go through `run`."""
    done = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path / "data"), "--settings", str(tmp_path / "casedesk.toml"),
         *args, "--json"],
        env={"COLUMNS": "160"},
    )  # fmt: skip
    assert done.exit_code == 0, (done.output, done.exception)
    return json.loads(done.stdout)


def test_mail_at_0130_on_clock_change_nights_is_due_in_order_and_escalated_once(
    tmp_path: Path,
) -> None:
    inbox, _ = setup(tmp_path)
    assert ok(tmp_path, "triage", str(inbox))["run"]["filed_new_cases"] == 3

    overdue = ok(tmp_path, "queue", "--overdue")["cases"]
    # Refs follow arrival (spring, then 01:30 BST, then 01:30 GMT); both autumn cases are due
    # Monday 26 October 09:00 GMT + 8 working hours, the spring one Monday 30 March 09:00 BST
    # (08:00 UTC) + 8 h. Same due time: by ref, so arrival order holds.
    assert [(c["ref"], c["due_at"], c["overdue"]) for c in overdue] == [
        ("CD-2026-000001", "2026-03-30T16:00:00+00:00", True),
        ("CD-2026-000002", "2026-10-26T17:00:00+00:00", True),
        ("CD-2026-000003", "2026-10-26T17:00:00+00:00", True),
    ]
    assert [c["subject"] for c in overdue][1:] == [
        "School place for my son",
        "Universal Credit payment stopped",
    ]
    assert all(c["assignee"] == "tom" and c["sla_stage"] is None for c in overdue)
    assert [c["ref"] for c in ok(tmp_path, "queue", "--due-within", "4")["cases"]] == [
        c["ref"] for c in overdue
    ]
    both = run(tmp_path, "queue", "--overdue", "--due-within", "4")
    assert both.returncode == 2 and "not both" in both.stderr

    preview = ok(tmp_path, "sweep", "--dry-run")
    assert preview["dry_run"] is True and preview["counts"]["escalated"] == 3
    assert ok(tmp_path, "sweep", "--dry-run")["counts"] == preview["counts"]  # nothing recorded
    assert ok(tmp_path, "notifications") == {"notifications": []}

    done = ok(tmp_path, "sweep")
    assert done["counts"] == {
        "escalated": 3, "warned": 0,
        "chased": 0, "notifications": 6, "empty_removed": 0,
    }
    [first] = [e for e in done["escalated"] if e["ref"] == "CD-2026-000001"]
    assert (first["from"], first["to"], first["rule"], first["reassigned"]) == (
        "tom",
        "jo",
        "everything",
        True,
    )
    assert first["notify"] == [
        {"to": "tom", "kind": "case.overdue"},
        {"to": "jo", "kind": "case.escalated_to_you"},
    ]
    again = ok(tmp_path, "sweep")
    assert again["counts"] == {
        "escalated": 0, "warned": 0,
        "chased": 0, "notifications": 0, "empty_removed": 0,
    }

    after = ok(tmp_path, "queue", "--overdue", "--assignee", "jo")["cases"]
    assert [(c["ref"], c["sla_stage"]) for c in after] == [
        ("CD-2026-000001", "escalated"),
        ("CD-2026-000002", "escalated"),
        ("CD-2026-000003", "escalated"),
    ]
    pending = ok(tmp_path, "notifications")["notifications"]
    assert sorted((n["to"], n["kind"], n["about"]) for n in pending)[:2] == [
        ("jo", "case.escalated_to_you", "CD-2026-000001"),
        ("jo", "case.escalated_to_you", "CD-2026-000002"),
    ]
    assert len(pending) == 6
    human = run(tmp_path, "queue", "--overdue")
    assert human.returncode == 0 and "Overdue (3 cases)" in human.stdout


def test_referrals_replies_chases_and_the_agency_league_table(tmp_path: Path) -> None:
    inbox, _ = setup(tmp_path)
    ok(tmp_path, "triage", str(inbox))

    made = ok(tmp_path, "refer", "CD-2026-000003", "dwp", "--by", "ana", "--note",
              "UC stopped; DWP ref 123", "--at", "2026-10-01T10:00")["referral"]  # fmt: skip
    # 10:00 London time (BST); twenty working days later is Thursday 29 October, 17:30 GMT.
    assert (made["id"], made["referred_at"], made["expected_by"]) == (
        "CD-2026-000003-R1",
        "2026-10-01T09:00:00+00:00",
        "2026-10-29T17:30:00+00:00",
    )
    ok(tmp_path, "refer", "CD-2026-000002", "council", "--by", "ana", "--at", "2026-11-02T09:00")
    typo = run(tmp_path, "refer", "CD-2026-000002", "councl", "--by", "ana")
    assert typo.returncode == 1 and "did you mean 'council'" in typo.stderr
    no_case = run(tmp_path, "refer", "CD-2026-000404", "dwp", "--by", "ana")
    assert no_case.returncode == 1 and "no case" in no_case.stderr

    league = {a["agency"]: a for a in ok(tmp_path, "agencies")["agencies"]}
    assert (league["dwp"]["referrals"], league["dwp"]["open"], league["dwp"]["overdue"]) == (
        1,
        1,
        1,
    )
    assert league["dwp"]["median_working_days"] is None

    swept = ok(tmp_path, "sweep")  # the cases are overdue too: escalated to jo first
    assert swept["counts"]["escalated"] == 3
    assert [(c["referral"], c["chase"], c["notify"]) for c in swept["chased"]] == [
        ("CD-2026-000003-R1", 1, ["jo"]),  # the case's assignee chases the agency
    ]
    assert ok(tmp_path, "sweep")["chased"] == []

    replied = ok(tmp_path, "reply-received", "CD-2026-000003", "dwp", "--by", "ana",
                 "--at", "2026-11-05T12:00")["referral"]  # fmt: skip
    assert replied["replied_at"] == "2026-11-05T12:00:00+00:00" and replied["overdue"] is False
    ok(tmp_path, "reply-received", "CD-2026-000002", "council", "--by", "ana",
       "--at", "2026-11-04T12:00")  # fmt: skip
    twice = run(tmp_path, "reply-received", "CD-2026-000003", "dwp", "--by", "ana")
    assert twice.returncode == 1 and "no open referral" in twice.stderr

    rows = ok(tmp_path, "agencies")["agencies"]
    assert [r["agency"] for r in rows] == ["council", "dwp"]  # fastest median first
    dwp = rows[1]
    # Thursday 1 October to Thursday 5 November: 25 working days, five past the target.
    assert (dwp["median_working_days"], dwp["p90_working_days"], dwp["replied_on_time"]) == (
        25.0,
        25,
        0,
    )
    assert (dwp["open"], dwp["overdue"], dwp["target_working_days"]) == (0, 0, 20)
    assert rows[0]["median_working_days"] == 2.0
    [referral] = ok(tmp_path, "referrals", "--case", "CD-2026-000003")["referrals"]
    assert (referral["chases"], referral["note"]) == (1, "UC stopped; DWP ref 123")
    assert ok(tmp_path, "referrals", "--open") == {"referrals": []}
    table = run(tmp_path, "agencies")
    assert (
        table.returncode == 0
        and "dwp" in table.stdout
        and "housing-association (15)" in table.stdout
    )


def test_escalate_now_makes_a_case_due_on_arrival_and_tells_the_manager(tmp_path: Path) -> None:
    inbox, _ = setup(tmp_path)
    (tmp_path / "rules.yaml").write_text(
        RULES.replace(
            "rules:\n",
            "rules:\n  - name: visas-now\n    when: {keywords: [visa]}\n"
            "    then: {assign: {person: ana}, escalate: true, notify_manager: true}\n",
        )
    )
    ok(tmp_path, "triage", str(inbox))
    [visa] = [c for c in ok(tmp_path, "queue", "--overdue")["cases"] if c["assignee"] == "ana"]
    assert (visa["ref"], visa["due_at"]) == ("CD-2026-000001", "2026-03-29T01:30:00+00:00")
    [escalated] = [e for e in ok(tmp_path, "sweep")["escalated"] if e["ref"] == visa["ref"]]
    assert (escalated["rule"], escalated["to"]) == ("visas-now", "ana")  # no escalate_to: kept
    assert escalated["notify"] == [
        {"to": "ana", "kind": "case.overdue"},
        {"to": "jo", "kind": "case.overdue"},
    ]
