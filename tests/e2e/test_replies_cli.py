"""The reply commands as staff and the MP run them: draft, approvals, approve, reject, send,
templates check; JSON for scripts, errors on stderr with the fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mailmaker import mail

RULES = """\
version: 1
people:
  - {id: alex.morgan, name: Alex Morgan MP, role: mp}
rules:
  - name: casework-needs-signoff
    when: {category: casework}
    then: {require_signoff: true}
  - name: everything-else
    default: true
    then: {priority: low}
"""


def setup(tmp: Path) -> tuple[Path, Path]:
    (tmp / "rules.yaml").write_text(RULES)
    settings = tmp / "casedesk.toml"
    settings.write_text(
        f'rules_file = "{tmp / "rules.yaml"}"\nmp_approver = "alex.morgan"\n'
        "[features]\nsend_mail = true\n"  # these tests send
    )
    inbox = tmp / "inbox"
    inbox.mkdir()
    (inbox / "a.eml").write_bytes(mail())
    return tmp / "data", settings


def run(
    data: Path, settings: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(data), "--settings", str(settings),
         *args],
        capture_output=True, text=True, check=False, input=stdin,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )  # fmt: skip


def test_signoff_round_trip_from_the_command_line(tmp_path: Path) -> None:
    data, settings = setup(tmp_path)
    assert run(data, settings, "triage", str(tmp_path / "inbox")).returncode == 0
    ref = "CD-2026-000001"

    [waiting] = json.loads(run(data, settings, "approvals", "--json").stdout)["approvals"]
    assert (waiting["case_ref"], waiting["approver"], waiting["state"]) == (
        ref,
        "alex.morgan",
        "awaiting_signoff",
    )
    assert waiting["file"] == str(data / "cases" / ref / "drafts" / "reply-draft.eml")
    human = run(data, settings, "approvals").stdout
    assert ref in human and "alex.morgan" in human

    refused = run(data, settings, "send", ref, "--by", "jo")
    assert refused.returncode == 1 and refused.stdout == ""
    assert "needs the MP's sign-off and has none" in refused.stderr
    assert "casedesk approve" in refused.stderr

    not_mp = run(data, settings, "approve", ref, "--by", "jo")
    assert not_mp.returncode == 1 and "cannot approve" in not_mp.stderr
    approved = json.loads(
        run(data, settings, "approve", ref, "--by", "alex.morgan", "--json").stdout
    )
    assert approved["draft"]["is_approved"] and approved["draft"]["decided_by"] == "alex.morgan"

    edited = run(data, settings, "draft", ref, "--edit", "-", "--by", "jo", "--json",
                 stdin="Dear Priya,\n\nWe have written to your landlord.\n")  # fmt: skip
    assert edited.returncode == 0, edited.stderr
    draft = json.loads(edited.stdout)["draft"]
    assert (draft["version"], draft["state"], draft["is_approved"]) == (
        2,
        "awaiting_signoff",
        False,
    )
    assert "changed" not in run(data, settings, "send", ref, "--by", "jo").stdout

    rejected = run(data, settings, "reject", ref, "--reason", "Add the council's duty.",
                   "--by", "alex.morgan")  # fmt: skip
    assert rejected.returncode == 0 and "rejected by alex.morgan" in rejected.stdout
    shown = run(data, settings, "draft", ref)
    assert "rejected by alex.morgan: Add the council's duty." in shown.stdout
    assert "We have written to your landlord." in shown.stdout

    reply = tmp_path / "reply.txt"
    reply.write_text("Dear Priya,\n\nThe council has a duty to act; we have asked it to.\n")
    assert run(data, settings, "draft", ref, "--edit", str(reply), "--by", "jo").returncode == 0
    assert run(data, settings, "approve", ref, "--by", "alex.morgan").returncode == 0
    sent = run(data, settings, "send", ref, "--by", "jo")
    assert sent.returncode == 0, sent.stderr
    assert "outbox" in sent.stdout and "local mail relay" in sent.stdout
    assert (data / "outbox" / f"{ref}-v3.eml").read_text().count("The council has a duty") == 1
    again = run(data, settings, "send", ref, "--by", "jo")
    assert again.returncode == 1 and "already sent" in again.stderr
    assert json.loads(run(data, settings, "approvals", "--json").stdout) == {"approvals": []}


def test_sending_with_the_switch_off_is_refused_naming_the_setting(tmp_path: Path) -> None:
    data, settings = setup(tmp_path)
    settings.write_text(settings.read_text().replace("send_mail = true", "send_mail = false"))
    assert run(data, settings, "triage", str(tmp_path / "inbox")).returncode == 0
    ref = "CD-2026-000001"
    assert run(data, settings, "approve", ref, "--by", "alex.morgan").returncode == 0

    refused = run(data, settings, "send", ref, "--by", "jo")

    assert refused.returncode == 1
    assert "switched off" in refused.stderr
    assert "send_mail = true" in refused.stderr and "[features]" in refused.stderr
    assert not (data / "outbox").exists() or not any((data / "outbox").iterdir())
    audit = json.loads(run(data, settings, "audit", "--case", ref, "--json").stdout)
    assert audit["entries"][-1]["action"] == "reply.send_refused"
    # The approval stands: switching sending on is all it takes.
    settings.write_text(settings.read_text().replace("send_mail = false", "send_mail = true"))
    assert run(data, settings, "send", ref, "--by", "jo").returncode == 0


def test_usage_errors_name_what_is_missing(tmp_path: Path) -> None:
    data, settings = setup(tmp_path)
    run(data, settings, "triage", str(tmp_path / "inbox"))
    no_by = run(data, settings, "draft", "CD-2026-000001", "--edit", "-", stdin="x")
    assert no_by.returncode == 2 and "--by" in no_by.stderr
    missing = run(data, settings, "draft", "CD-2026-000001", "--edit", "nowhere.txt", "--by", "jo")
    assert missing.returncode == 1 and "nowhere.txt: no such file" in missing.stderr
    unknown = run(data, settings, "send", "CD-2026-000404", "--by", "jo")
    assert unknown.returncode == 1 and "no case" in unknown.stderr


def test_templates_check_reports_file_line_and_fix_and_fails_on_errors(tmp_path: Path) -> None:
    data, settings = setup(tmp_path)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "casework.txt.j2").write_text("{{ salutation }},\n\n{{ cse_ref }}\n")
    bad = run(data, settings, "templates", "check", str(folder))
    assert bad.returncode == 1
    assert f"{folder}/casework.txt.j2:3: error: unknown field 'cse_ref'" in bad.stdout
    assert "did you mean 'case_ref'?" in bad.stdout
    report = json.loads(run(data, settings, "templates", "check", str(folder), "--json").stdout)
    assert report["problems"][0]["line"] == 3 and "case_ref" in report["fields"]
    good = run(data, settings, "templates", "check")
    assert good.returncode == 0 and "ready to use" in good.stdout
