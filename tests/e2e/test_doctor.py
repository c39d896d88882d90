"""`casedesk doctor` as an office would run it: healthy, a broken rules file, a tampered
audit log, a bad setting. Each problem fails the run and names its fix."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from mailmaker import mail


def doctor(data: Path, settings: Path | None = None) -> tuple[int, dict[str, dict[str, str]]]:
    extra = ["--settings", str(settings)] if settings else []
    done = subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(data), *extra, "doctor", "--json"],
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    return done.returncode, {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def test_a_fresh_install_is_healthy_and_says_what_is_optional(tmp_path: Path) -> None:
    code, found = doctor(tmp_path / "data")
    assert code == 0
    assert found["store"]["status"] == "ok" and "first triage" in found["store"]["detail"]
    assert found["rules"]["status"] == "warn" and "samples/rules.yaml" in found["rules"]["fix"]
    assert found["sqlite"]["status"] == "ok"
    assert found["ai drafting"] == {"name": "ai drafting", "status": "ok",
                                    "detail": "off: drafts come from the templates", "fix": ""}  # fmt: skip
    assert "no optional feature switched on" in found["features"]["detail"]


def test_ai_drafting_without_policy_notes_warns_with_the_fix(tmp_path: Path) -> None:
    settings = tmp_path / "casedesk.toml"
    settings.write_text(
        'ai_drafting = true\nai_base_url = "http://127.0.0.1:9/v1"\nai_model = "m"\n'
        f'policy_dir = "{tmp_path / "policy"}"\n', encoding="utf-8",
    )  # fmt: skip
    code, found = doctor(tmp_path / "data", settings)
    assert code == 0
    assert found["ai drafting"]["status"] == "warn"
    assert "samples/policy/" in found["ai drafting"]["fix"]
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "housing.md").write_text("---\ntitle: Housing\n---\nOur position.\n")
    _, found = doctor(tmp_path / "data", settings)
    assert found["ai drafting"]["status"] == "ok" and "1 policy notes" in found["ai drafting"]["detail"]


def test_the_doctor_names_what_each_switched_on_feature_needs(tmp_path: Path) -> None:
    settings = tmp_path / "casedesk.toml"
    settings.write_text("[features]\nsend_mail = true\n")
    code, found = doctor(tmp_path / "data", settings)
    assert code == 0
    assert "send_mail needs Mail.Send" in found["features"]["detail"]


def test_a_broken_rules_file_fails_and_points_at_rules_check(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nrules:\n  - name: x\n    when: {topic: housng}\n", "utf-8")
    settings = tmp_path / "casedesk.toml"
    settings.write_text(f'rules_file = "{rules}"\n', encoding="utf-8")
    code, found = doctor(tmp_path / "data", settings)
    assert code == 1
    assert found["rules"]["status"] == "fail"
    assert found["rules"]["fix"] == f"casedesk rules check {rules}"
    assert "did you mean 'housing'" in found["rules"]["detail"]


def test_a_tampered_audit_log_fails(tmp_path: Path) -> None:
    data, inbox = tmp_path / "data", tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.eml").write_bytes(mail())
    triaged = subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(data), "triage", str(inbox)],
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert triaged.returncode == 0, triaged.stderr
    assert doctor(data)[1]["audit log"]["status"] == "ok"
    with sqlite3.connect(data / "casedesk.sqlite3") as conn:
        conn.execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 1")
    code, found = doctor(data)
    assert code == 1
    assert found["audit log"]["status"] == "fail" and "entry 1" in found["audit log"]["detail"]


def test_a_bad_setting_is_named(tmp_path: Path) -> None:
    settings = tmp_path / "casedesk.toml"
    settings.write_text("campaign_min_size = 1\n", encoding="utf-8")
    code, found = doctor(tmp_path / "data", settings)
    assert code == 1 and found["settings"]["status"] == "fail"
    assert "campaign_min_size" in found["settings"]["detail"]
