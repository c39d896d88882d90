"""Rules changes are versioned in the audit log: who, when, the diff. `rules apply` names the
person; a hand edit is still caught and logged as unrecorded; a broken file changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from casedesk.bootstrap import build_app
from casedesk.core.audit import first_broken_link
from casedesk.settings import load_settings

RULES = """\
version: 1
people:
  - {id: sam.okafor, name: Sam Okafor, role: safety_lead}
  - {id: priya.shah, name: Priya Shah, role: caseworker}
  - {id: jo.price, name: Jo Price, role: office_manager}
rules:
  - name: housing
    when: {topic: housing}
    then: {assign: {person: priya.shah}}
  - name: everything-else
    default: true
    then: {assign: {person: jo.price}}
"""


def casedesk(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(tmp / "data"),
         "--settings", str(tmp / "casedesk.toml"), *args],
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )  # fmt: skip


def office(tmp: Path) -> Path:
    live = tmp / "rules.yaml"
    live.write_text(RULES, encoding="utf-8")
    (tmp / "casedesk.toml").write_text(
        f'safety_lead = "sam.okafor"\nrules_file = "{live}"\n', encoding="utf-8"
    )
    return live


def versions(tmp: Path) -> list[dict[str, object]]:
    done = casedesk(tmp, "rules", "history", "--json")
    assert done.returncode == 0, done.stderr
    found: list[dict[str, object]] = json.loads(done.stdout)["versions"]
    return found


def test_apply_records_who_and_the_diff_and_a_hand_edit_is_still_logged(tmp_path: Path) -> None:
    live = office(tmp_path)
    [first] = versions(tmp_path)  # the rules in force when CaseDesk first loaded them
    assert (first["actor"], first["previous"], first["lines_removed"]) == (
        "unrecorded-edit", None, 0,
    )  # fmt: skip

    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(RULES.replace("priya.shah}}", "jo.price}}"), encoding="utf-8")
    applied = casedesk(tmp_path, "rules", "apply", str(candidate), "--by", "jo.price", "--json")
    assert applied.returncode == 0, applied.stderr
    answer = json.loads(applied.stdout)
    assert (answer["changed"], answer["lines_added"], answer["lines_removed"]) == (True, 1, 1)
    assert live.read_text(encoding="utf-8") == candidate.read_text(encoding="utf-8")

    again = casedesk(tmp_path, "rules", "apply", str(candidate), "--by", "jo.price", "--json")
    assert json.loads(again.stdout)["changed"] is False

    live.write_text(RULES, encoding="utf-8")  # someone edits the live file by hand
    first_seen, by_jo, by_hand = versions(tmp_path)
    assert (by_jo["actor"], by_jo["previous"]) == ("jo.price", first_seen["version"])
    assert "-    then: {assign: {person: priya.shah}}" in str(by_jo["diff"])
    assert "+    then: {assign: {person: jo.price}}" in str(by_jo["diff"])
    assert (by_hand["actor"], by_hand["previous"]) == ("unrecorded-edit", by_jo["version"])
    assert by_hand["version"] == first_seen["version"]  # back to the first text: still a change

    app = build_app(load_settings({"data_dir": tmp_path / "data"}, environ={}))
    try:
        assert first_broken_link(app.repo.audit_entries()) is None
    finally:
        app.close()


def test_a_file_with_errors_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    live = office(tmp_path)
    versions(tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text(RULES.replace("topic: housing", "topic: housingg"), encoding="utf-8")
    refused = casedesk(tmp_path, "rules", "apply", str(broken), "--by", "jo.price")
    assert refused.returncode != 0
    assert "did you mean 'housing'" in refused.stderr and "nothing changed" in refused.stderr
    assert live.read_text(encoding="utf-8") == RULES
    assert len(versions(tmp_path)) == 1


def test_apply_needs_a_name(tmp_path: Path) -> None:
    office(tmp_path)
    nobody = casedesk(tmp_path, "rules", "apply", str(tmp_path / "rules.yaml"))
    assert nobody.returncode == 2 and "--by" in nobody.stderr
