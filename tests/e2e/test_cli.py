"""The casedesk command as a user runs it: exit codes, JSON shapes, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mailmaker import mail


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )


def test_triage_queue_case_search_and_quarantine_round_trip(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.eml").write_bytes(mail())
    (inbox / "b.eml").write_bytes(b"\x00\x01 not mail")
    data = tmp_path / "data"

    first = run(data, "triage", str(inbox), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["run"] == {
        "seen": 2,
        "filed": 1,
        "filed_new_cases": 1,
        "filed_into_existing_cases": 0,
        "duplicates_skipped": 0,
        "quarantined": 1,
        "balances": True,
    }
    human = run(data, "triage", str(inbox))
    assert "Messages seen 2 = filed 0" in human.stdout and "nothing lost" in human.stdout

    queue = json.loads(run(data, "queue", "--json").stdout)
    [case] = queue["cases"]
    assert case["ref"] == "CD-2026-000001" and case["constituent"]["postcode"] == "CB1 2AD"

    detail = json.loads(run(data, "case", "CD-2026-000001", "--json").stdout)
    assert detail["case"]["folder"].endswith("CD-2026-000001")
    assert detail["messages"][0]["classification"]["category"] == "casework"

    assert [
        c["ref"] for c in json.loads(run(data, "search", "damp", "--json").stdout)["cases"]
    ] == ["CD-2026-000001"]
    assert json.loads(run(data, "search", "--postcode", "LS6", "--json").stdout) == {"cases": []}

    [item] = json.loads(run(data, "quarantine", "--json").stdout)["quarantine"]
    assert item["source"].endswith("b.eml") and "header" in item["reason"]


def test_errors_go_to_stderr_with_non_zero_exit(tmp_path: Path) -> None:
    missing = run(tmp_path, "case", "CD-2026-000404")
    assert missing.returncode == 1 and "no case" in missing.stderr and missing.stdout == ""
    nothing = run(tmp_path, "triage", str(tmp_path / "nowhere"))
    assert nothing.returncode == 1 and "no such file or folder" in nothing.stderr
    bad_setting = subprocess.run(
        [sys.executable, "-m", "casedesk", "queue"],
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "CASEDESK_CAMPAIGN_MIN_SIZE": "lots",
            "CASEDESK_DATA_DIR": str(tmp_path),
        },
    )
    assert bad_setting.returncode == 1 and "CASEDESK_CAMPAIGN_MIN_SIZE" in bad_setting.stderr
    usage = run(tmp_path, "queue", "--category", "housng")
    assert usage.returncode == 2 and "housng" in usage.stderr


def test_eval_reports_the_documented_keys_and_names_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "eval.jsonl"
    rows = [
        {
            "id": "1",
            "from": "A <a@example.org>",
            "subject": "Damp",
            "label": "casework",
            "cluster": None,
            "urgent": False,
            "body": "My landlord will not fix the damp and mould in my flat. Can you help me with the council?",
        },
        {
            "id": "2",
            "from": "B <b@example.org>",
            "subject": "You",
            "label": "abuse",
            "cluster": None,
            "urgent": True,
            "body": "You are a disgrace. I know where you live and I will hurt you.",
        },
    ]
    good.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run(tmp_path / "data", "eval", str(good), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for key in (
        "macro_f1",
        "per_category",
        "confusion",
        "campaign_bcubed",
        "urgent",
        "messages_per_second",
        "classifier",
    ):
        assert key in report
    assert report["per_category"]["abuse"]["recall"] == 1.0 and report["urgent"]["recall"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rows[0]) + "\n" + json.dumps({**rows[1], "label": "abusive"}) + "\n")
    failed = run(tmp_path / "data", "eval", str(bad))
    assert failed.returncode == 1 and "line 2" in failed.stderr and "abusive" in failed.stderr
