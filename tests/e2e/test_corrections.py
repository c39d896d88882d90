"""A person corrects triage from the command line: the case changes, the audit log says who
and what, the needs-a-human flag clears, and the correction becomes training data."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

from casedesk.bootstrap import build_app
from casedesk.core.corrections import CORRECTED, training_items
from casedesk.settings import load_settings
from mailmaker import mail


def triaged(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.eml").write_bytes(mail())
    data = tmp_path / "data"
    assert run(data, "triage", str(inbox), "--json").returncode == 0
    return data


def test_a_correction_changes_the_case_and_is_audited_with_who_and_what(tmp_path: Path) -> None:
    data = triaged(tmp_path)
    before = json.loads(run(data, "case", "CD-2026-000001", "--json").stdout)["case"]
    assert before["category"] == "casework"

    done = run(
        data, "correct", "CD-2026-000001", "--category", "policy", "--topic", "health",
        "--not-urgent", "--by", "sam.okafor", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["before"]["category"] == "casework" and answer["after"]["category"] == "policy"

    after = json.loads(run(data, "case", "CD-2026-000001", "--json").stdout)["case"]
    assert (after["category"], after["topic"], after["urgent"]) == ("policy", "health", False)
    policy = json.loads(run(data, "queue", "--category", "policy", "--json").stdout)["cases"]
    assert [c["ref"] for c in policy] == ["CD-2026-000001"]

    app = build_app(load_settings({"data_dir": data}, environ={}))
    try:
        [entry] = [e for e in app.repo.audit_entries("CD-2026-000001") if e.action == CORRECTED]
        assert entry.actor == "sam.okafor"
        assert entry.detail["from_category"] == "casework" and entry.detail["to_topic"] == "health"
        [item] = training_items(app.repo)
    finally:
        app.close()
    assert (item["label"], item["topic"], item["urgent"]) == ("policy", "health", False)
    assert "damp" in item["body"].lower() and item["split"] == "train"


def test_a_correction_must_say_who_and_what(tmp_path: Path) -> None:
    data = triaged(tmp_path)
    nobody = run(data, "correct", "CD-2026-000001", "--category", "policy")
    assert nobody.returncode == 2 and "--by" in nobody.stderr
    nothing = run(data, "correct", "CD-2026-000001", "--by", "sam")
    assert nothing.returncode == 2 and "--category" in nothing.stderr
    unknown = run(data, "correct", "CD-2026-000001", "--category", "housing", "--by", "sam")
    assert unknown.returncode == 2 and "housing" in unknown.stderr
    missing = run(data, "correct", "CD-2026-000404", "--category", "policy", "--by", "sam")
    assert missing.returncode == 1 and "CD-2026-000404" in missing.stderr
