"""The mailing commands as staff and the MP run them: a campaign reply previewed (dry run),
written, refused before sign-off (stderr, exit 1, the fix), approved, sent; an outcome and its
follow-up; JSON for scripts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailing_office import OFFICE, PDF, copy_office, seeded_office


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return seeded_office(tmp_path_factory)


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(data), *args],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "CASEDESK_OFFICE_ADDRESS": OFFICE,
             "CASEDESK_FEATURES": "send_mail",
             "CASEDESK_MP_APPROVER": "alex.morgan"},
    )  # fmt: skip


def test_campaign_reply_from_preview_to_sent(seeded: tuple[Path, str], tmp_path: Path) -> None:
    data = copy_office(seeded[0], tmp_path / "data")
    campaign = seeded[1]
    reply = ["campaign", "reply", campaign, "--template", "campaign-reply",
             "--attach", str(PDF), "--by", "jo.price"]  # fmt: skip
    dry = run(data, *reply, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "6 constituents, 0 already sent, 6 to send" in dry.stdout
    assert "Attached: mp-letter.pdf" in dry.stdout and "nothing was stored" in dry.stdout
    mailing = f"reply-{campaign}"
    refused = run(data, "mailing", "send", mailing, "--by", "jo.price")
    assert refused.returncode == 1 and "no such mailing" in refused.stderr

    written = json.loads(run(data, *reply, "--json").stdout)["preview"]
    assert written["stored"] and written["recipients"] == 6
    assert written["mailing"]["state"] == "awaiting_signoff"
    refused = run(data, "mailing", "send", mailing, "--by", "jo.price")
    assert refused.returncode == 1
    assert f"casedesk mailing approve {mailing}" in refused.stderr
    wrong = run(data, "mailing", "approve", mailing, "--by", "jo.price")
    assert wrong.returncode == 1 and "sign-off is for alex.morgan" in wrong.stderr

    assert run(data, "mailing", "approve", mailing, "--by", "alex.morgan").returncode == 0
    sent = json.loads(run(data, "mailing", "send", mailing, "--by", "jo.price", "--batch", "4",
                          "--json").stdout)["send"]  # fmt: skip
    assert (sent["sent"], sent["remaining"], sent["state"]) == (4, 2, "sending")
    rest = run(data, "mailing", "send", mailing, "--by", "jo.price")
    assert "2 sent" in rest.stdout and "every copy is recorded on its case" in rest.stdout
    assert len(list((data / "outbox" / "mailings").rglob("*.eml"))) == 6
    listed = json.loads(run(data, "mailings", "--json").stdout)["mailings"]
    assert [(m["id"], m["state"], m["sent"]) for m in listed] == [(mailing, "sent", 6)]


def test_outcome_then_follow_up_preview(seeded: tuple[Path, str], tmp_path: Path) -> None:
    data = copy_office(seeded[0], tmp_path / "data")
    campaign = seeded[1]
    none = run(data, "follow-up", campaign, "--template", "follow-up", "--by", "jo")
    assert none.returncode == 1 and "casedesk outcome" in none.stderr
    done = run(data, "outcome", campaign, "The MP met the water company.", "--by", "jo")
    assert done.returncode == 0 and "outcome 1 recorded" in done.stdout
    preview = json.loads(run(data, "follow-up", campaign, "--template", "follow-up", "--by",
                             "jo", "--dry-run", "--json").stdout)["preview"]  # fmt: skip
    assert preview["mailing"]["id"] == f"follow-up-{campaign}-1"
    assert preview["recipients"] == 6
    assert "The MP met the water company." in preview["copies"][0]["body"]
